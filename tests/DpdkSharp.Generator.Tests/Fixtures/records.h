/* Structs and unions: nested, anonymous members reachable by name, unnamed types of named fields. */
#include <stdint.h>

/** A point. */
struct point {
	int32_t x; /**< Horizontal. */
	int32_t y; /**< Vertical. */
};

/** Nested records, an anonymous union and an anonymous struct inside it, and an unnamed type. */
struct shape {
	uint8_t kind;
	struct point origin;
	union {
		uint64_t raw;
		struct {
			uint32_t width;
			uint32_t height;
		};
	};
	struct {
		uint16_t r, g, b;
	} color;
	struct shape *next;
};

typedef union {
	uint32_t u32;
	uint16_t u16[2];
	uint8_t u8[4];
} word_t;

void records_fill(struct shape *s);
int records_check(const struct shape *s);

/* A named record defined inside another (file scope in C) and an unnamed union type of a named field. */
struct outer {
	struct inner {
		uint32_t a;
		uint16_t b;
	} in;
	struct inner more[2];
	union {
		uint8_t bytes[4];
		uint32_t word;
	} u;
};

void records_fill_outer(struct outer *o);
