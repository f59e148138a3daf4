/* 128-bit integers (layout-exact as Int128 only at 16-byte offsets) and types C# has no equivalent for. */
#include <stddef.h>
#include <stdint.h>

struct aligned_wide {
	uint64_t low;
	unsigned __int128 value;
};

struct __attribute__((packed)) packed_wide {
	uint8_t tag;
	__int128 value;
	uint8_t tail;
};

typedef float v4sf __attribute__((vector_size(16)));

struct opaque_members {
	uint8_t kind;
	long double precise;
	v4sf lanes;
	uint32_t after;
};

void wide_fill(struct aligned_wide *a, struct packed_wide *p, struct opaque_members *o);
size_t wide_sizeof(int which);
size_t wide_offsetof_after(void);
