/* Function pointers as parameters, fields and typedefs. */
#include <stdint.h>

typedef int (*compare_fn)(const void *a, const void *b);
typedef void (callback_t)(void *arg, uint32_t event);

struct ops {
	compare_fn compare;
	callback_t *on_event;
	uint64_t (*hash)(const void *key, uint32_t length, uint64_t seed);
};

int fp_apply(int (*op)(int, int), int a, int b);
int fp_sort_first(compare_fn cmp, const void *a, const void *b);
void fp_install(struct ops *ops);
