/* Bit-fields: signed and unsigned, inside unions, spanning storage units, packed. */
#include <stdint.h>
#include <stdbool.h>

struct flags {
	uint32_t a : 3;
	uint32_t b : 13;
	int32_t c : 5;     /* signed: sign-extended on read */
	bool d : 1;
	uint64_t e : 40;   /* bits 22..61: shares the first 64-bit unit */
	uint64_t f : 30;   /* 62 + 30 > 64: starts the next unit */
};

/* Like rte_mbuf's tx_offload: bit-fields inside an anonymous struct inside a union. */
union offload {
	uint64_t tx_offload;
	struct {
		uint64_t l2_len : 7;
		uint64_t l3_len : 9;
		uint64_t l4_len : 8;
		uint64_t tso_segsz : 16;
		uint64_t outer_l3_len : 9;
		uint64_t outer_l2_len : 7;
	};
};

/* Packed: bit-fields straddle byte and word boundaries. */
struct __attribute__((packed)) packed_bits {
	uint8_t head;
	uint32_t x : 12;
	uint64_t y : 60;
	int16_t z : 9;
};

void bitfields_fill(struct flags *f, union offload *o, struct packed_bits *p);
int bitfields_check(const struct flags *f, const union offload *o, const struct packed_bits *p);

/* Unnamed bit-fields pad; a zero-width one closes the storage unit. */
struct bf_padding {
	uint8_t first : 3;
	uint8_t : 2;
	uint8_t second : 3;
	uint32_t : 0;
	uint8_t third : 4;
};

/* Bit-fields directly in a union all start at bit 0. */
union bf_union {
	uint32_t raw;
	uint32_t low : 8;
	int32_t signed_bits : 12;
};

void bitfields_fill_more(struct bf_padding *p, union bf_union *u);
