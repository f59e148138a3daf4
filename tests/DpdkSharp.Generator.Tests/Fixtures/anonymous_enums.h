/* Anonymous enums: each constant is selected by its own name (not the enum's synthesized one) and typed from
 * clang's integer type for the enum. Shapes from rte_mbuf_core.h, rte_errno.h and linux/bpf.h. */

/* rte_mbuf_core.h: every constant matches a "^FX_" filter, the synthesized __anon_enum_FX_... does not. */
enum {
	FX_L2_LEN_BITS = 7, /**< Length of the L2 header. */
	FX_L3_LEN_BITS = 9,
};

/* rte_errno.h: the first constant is outside the filter, the others inside. */
enum {
	fx_min_errno = 1000,
	E_FX_SECONDARY,
	E_FX_NO_CONFIG,
};

/* linux/bpf.h: values that need 64 bits make the enum unsigned long. */
enum {
	FX_F_INDEX_MASK = 0xffffffffULL,
	FX_F_CURRENT_CPU = FX_F_INDEX_MASK,
	FX_F_CTXLEN_MASK = (0xfffffULL << 32),
};

/* Negative and wider than 32 bits: long. */
enum { FX_WIDE_NEGATIVE = -1, FX_WIDE_POSITIVE = 0x100000000LL };
