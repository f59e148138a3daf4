/* Fixed arrays: one and two dimensions, of pointers and of structs. */
#include <stdint.h>

struct cell { uint16_t v; uint8_t w; };

struct table {
	uint8_t key[40];
	uint32_t grid[3][4];
	void *slots[4];
	const char *names[2];
	struct cell cells[3];
};

void arrays_fill(struct table *t);
int arrays_check(const struct table *t);
