/* Packed, packed+aligned and over-aligned records and fields. */
#include <stdint.h>

struct __attribute__((packed)) wire_header {
	uint8_t type;
	uint32_t length;
	uint16_t checksum;
};

struct __attribute__((packed, aligned(2))) ether_addr_like {
	uint8_t bytes[6];
	uint16_t tag;
	uint8_t tail;
};

/* DPDK's __rte_cache_aligned. */
struct cache_line {
	uint64_t counter;
} __attribute__((aligned(64)));

struct queue_stats {
	uint8_t id;
	uint64_t packets __attribute__((aligned(64)));
	struct cache_line lines[2];
	uint32_t tail;
};

void packed_fill(struct wire_header *w, struct ether_addr_like *e, struct queue_stats *q);
int packed_check(const struct wire_header *w, const struct ether_addr_like *e, const struct queue_stats *q);
