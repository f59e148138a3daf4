/* Enums: their integer types, negative and wide values, anonymous enums. */
/** Colours. */
enum colour {
	COLOUR_RED,       /**< First. */
	COLOUR_GREEN = 5,
	COLOUR_BLUE,
};

enum signed_values { SV_NEGATIVE = -2, SV_ZERO = 0, SV_POSITIVE = 7 };

enum wide { WIDE_SMALL = 1, WIDE_BIG = 0x100000000ULL };

enum { ANON_A = 10, ANON_B = 20 };

typedef enum { MODE_OFF, MODE_ON } mode_t_like;

enum colour enums_next(enum colour c);

/* A negative value and one wider than 32 bits: long. */
enum mixed_sign { MS_NEGATIVE = -1, MS_BIG = 0x100000000LL };

/* A value that only fits in unsigned int. */
enum high_bit { HB_LOW = 1, HB_HIGH = 0x80000000 };

/* Packed: the smallest type that holds the values. */
enum __attribute__((packed)) small { SMALL_A = 1, SMALL_B = 200 };
