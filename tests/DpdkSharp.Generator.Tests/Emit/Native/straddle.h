/* Packed bit-fields that no aligned 8-byte window holds: 9 covering bytes, read and written byte by byte. */
#include <stdint.h>

struct __attribute__((packed)) straddle {
	uint8_t head : 4;
	uint64_t wide : 64;
	int64_t signed_wide : 63;
	uint8_t tail : 5;
};

void straddle_fill(struct straddle *s);
int straddle_check(const struct straddle *s);
