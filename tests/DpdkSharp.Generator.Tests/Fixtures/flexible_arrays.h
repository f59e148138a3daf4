/* Zero-length arrays (DPDK's RTE_MARKER) and flexible array members: no storage. */
#include <stdint.h>

typedef void *MARKER[0];

struct message {
	MARKER start;
	uint32_t length;
	uint8_t zero[0];
	uint16_t count;
	uint32_t items[];
};

int flexible_sum(const struct message *m);
