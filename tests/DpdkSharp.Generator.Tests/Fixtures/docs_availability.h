/* Doc comments on every kind; deprecated, experimental and internal markers spelled like DPDK's. */
#include <stdint.h>

/* As in DPDK's rte_common.h. */
#define __rte_deprecated __attribute__((__deprecated__))
#define __rte_deprecated_msg(msg) __attribute__((__deprecated__(msg)))

/* As in DPDK's rte_compat.h (22.11), verbatim. */
#ifndef ALLOW_EXPERIMENTAL_API

#define __rte_experimental \
__attribute__((deprecated("Symbol is not yet part of stable ABI"), \
section(".text.experimental")))

#else

#define __rte_experimental \
__attribute__((section(".text.experimental")))

#endif

#ifndef __has_attribute
/* if no has_attribute assume no support for attribute too */
#define __has_attribute(x) 0
#endif

#if !defined ALLOW_INTERNAL_API && __has_attribute(error) /* For GCC */

#define __rte_internal \
__attribute__((error("Symbol is not public ABI"), \
section(".text.internal")))

#elif !defined ALLOW_INTERNAL_API && __has_attribute(diagnose_if) /* For clang */

#define __rte_internal \
_Pragma("GCC diagnostic push") \
_Pragma("GCC diagnostic ignored \"-Wgcc-compat\"") \
__attribute__((diagnose_if(1, "Symbol is not public ABI", "error"), \
section(".text.internal"))) \
_Pragma("GCC diagnostic pop")

#else

#define __rte_internal \
__attribute__((section(".text.internal")))

#endif

/**
 * A documented record.
 * Uses <angle brackets> & ampersands.
 */
struct documented {
	/** The field's own doc. */
	uint32_t value;
	uint32_t trailing; /**< A trailing field doc. */
	uint32_t old_field __rte_deprecated; /**< A deprecated field. */
};

/** Documented enum. */
enum documented_enum {
	DOC_FIRST, /**< The first constant. */
	/** The second constant. */
	DOC_SECOND,
};

/// A documented typedef, in triple-slash style,
/// over two lines.
typedef uint32_t doc_handle_t;

/** The answer. */
#define DOC_ANSWER 42

#define DOC_TRAILING 7 /**< A trailing macro doc. */

/*
 * An ordinary comment: not documentation.
 */
#define DOC_UNDOCUMENTED 1

/**
 * A multi-line doc with @p markup,
 *     indentation   and   runs of spaces.
 *
 * @return
 *   Zero.
 */
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

/** Experimental and inline, as many of DPDK's fast-path functions are. */
__rte_experimental
static inline int doc_new_inline(int x) { return x + 1; }

/** A documented callback type. */
typedef int (*doc_callback_t)(void *arg);
