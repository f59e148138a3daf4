/* Native side of the 128-bit and opaque member tests. */
#include <stddef.h>
#include <string.h>
#include "wide.h"

void wide_fill(struct aligned_wide *a, struct packed_wide *p, struct opaque_members *o)
{
	memset(a, 0, sizeof(*a));
	memset(p, 0, sizeof(*p));
	memset(o, 0, sizeof(*o));
	a->low = 1;
	a->value = ((unsigned __int128)0x0123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
	p->tag = 0xaa;
	p->value = -2;
	p->tail = 0xbb;
	o->kind = 3;
	o->after = 0xdeadbeef;
}

size_t wide_sizeof(int which)
{
	return which == 0 ? sizeof(struct aligned_wide) : which == 1 ? sizeof(struct packed_wide) : sizeof(struct opaque_members);
}

size_t wide_offsetof_after(void) { return offsetof(struct opaque_members, after); }
