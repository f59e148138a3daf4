/* Native side of the function pointer tests: C calls C# and C# calls C through pointers. */
#include "function_pointers.h"

int fp_apply(int (*op)(int, int), int a, int b) { return op(a, b); }
int fp_sort_first(compare_fn cmp, const void *a, const void *b) { return cmp(a, b) <= 0 ? 0 : 1; }

static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static uint64_t hash_len(const void *key, uint32_t length, uint64_t seed) { (void)key; return seed * 31 + length; }

void fp_install(struct ops *ops)
{
	ops->compare = compare_ints;
	ops->on_event = 0;
	ops->hash = hash_len;
}
