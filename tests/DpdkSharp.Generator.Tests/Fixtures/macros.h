/* Object-like macros evaluated by clang; function-like ones skipped. */
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
