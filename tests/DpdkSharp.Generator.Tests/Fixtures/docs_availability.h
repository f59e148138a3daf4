/* Doc comments on every kind; deprecated, experimental and internal markers spelled like DPDK's. */
#include <stdint.h>

#define __rte_deprecated __attribute__((__deprecated__))
#define __rte_deprecated_msg(msg) __attribute__((__deprecated__(msg)))
#ifdef ALLOW_EXPERIMENTAL_API
#define __rte_experimental __attribute__((section(".text.experimental")))
#else
#define __rte_experimental __attribute__((deprecated("Symbol is not yet part of stable ABI"), section(".text.experimental")))
#endif
#define __rte_internal __attribute__((section(".text.internal")))

/**
 * A documented record.
 * Uses <angle brackets> & ampersands.
 */
struct documented {
	/** The field's own doc. */
	uint32_t value;
};

/** Documented enum. */
enum documented_enum {
	DOC_FIRST, /**< The first constant. */
};

/** The answer. */
#define DOC_ANSWER 42

/** A stable function. */
int doc_stable(void);

/** An old function. */
__rte_deprecated
int doc_old(void);

__rte_deprecated_msg("use doc_stable")
int doc_old_msg(void);

/** A new function. */
__rte_experimental
int doc_new(void);

__rte_internal
int doc_internal(void);
