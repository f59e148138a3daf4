/* Native side of the fixed array round trips: bytes, two dimensions, pointers, records. */
#include <string.h>
#include "fixed_arrays.h"

void arrays_fill(struct table *t)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < 40; i++)
		t->key[i] = (uint8_t)i;
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 4; c++)
			t->grid[r][c] = (uint32_t)(r * 10 + c);
	for (int i = 0; i < 4; i++)
		t->slots[i] = (void *)(uintptr_t)(0x1000 + i);
	t->names[0] = "alpha";
	t->names[1] = "beta";
	for (int i = 0; i < 3; i++) {
		t->cells[i].v = (uint16_t)(100 + i);
		t->cells[i].w = (uint8_t)i;
	}
}

int arrays_check(const struct table *t)
{
	int bad = 0, i = 0;
	bad |= (t->key[39] != 0xff) << i++;
	bad |= (t->grid[2][3] != 777 || t->grid[1][0] != 5) << i++;
	bad |= (t->slots[3] != (void *)t) << i++;
	bad |= (t->names[1] == 0 || strcmp(t->names[1], "gamma") != 0) << i++;
	bad |= (t->cells[2].v != 65535 || t->cells[2].w != 9) << i++;
	return bad;
}
