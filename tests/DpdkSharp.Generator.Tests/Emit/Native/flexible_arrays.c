/* Native side of the flexible array test. */
#include "flexible_arrays.h"

int flexible_sum(const struct message *m)
{
	int sum = 0;
	for (uint16_t i = 0; i < m->count; i++)
		sum += (int)m->items[i];
	return sum;
}
