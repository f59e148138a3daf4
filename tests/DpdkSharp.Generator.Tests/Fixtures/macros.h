/* Object-like macros evaluated by clang; function-like ones skipped. */
#include <stdint.h>
#include <inttypes.h>

#define BIT64(n) (1ULL << (n))

/** Queue count. */
#define MAX_QUEUES 16
#define NEGATIVE (-3)
#define UNSIGNED_VALUE 40000u
#define FLAG_A (1ULL << 5)
#define FLAG_B BIT64(7)
#define FLAGS_AB (FLAG_A | FLAG_B)
#define DERIVED (MAX_QUEUES * 2 + 1)
#define LONG_VALUE 5000000000L
#define NAME "dpdksharp"
#define RATIO 1.5
#define SHIFTED_CHAR ('a')
#define NOT_CONSTANT some_function()
#define EMPTY_FLAG

/* Like DPDK's RTE_BIT64: UINT64_C(1) is unsigned long on x86_64. */
#define BIT64_U(nr) (UINT64_C(1) << (nr))
#define FLAG_C BIT64_U(40)
#define MAX_U64 UINT64_MAX
#define MIN_I64 INT64_MIN
#define ALL_ONES (~0u)
#define SIZE_OF_U64 sizeof(uint64_t)
#define FLOAT_VALUE 2.5f
#define FULL_NAME NAME "-" "v1" /**< Concatenated with another macro. */
#define HEX_FORMAT "%" PRIx32
#define ESCAPED "tab\there\n"

enum macro_enum { MACRO_ENUM_A = 1, MACRO_ENUM_B = 4 };
#define ENUM_ALIAS MACRO_ENUM_B
#define TYPED_ENUM ((enum macro_enum)2)

/* An integer cast to a pointer: a constant with a pointer type. */
#define POINTER_VALUE ((void *)-1)

/* Not constants: each skipped with a reason, none disturbs the others. */
#define INITIALIZER { 0, 1 }
#define UNBALANCED (1 +
#define STATEMENT do { } while (0)
#define TYPE_NAME uint32_t
#define UNDEFINED_LATER 5
#undef UNDEFINED_LATER
#define AFTER_BAD 99
