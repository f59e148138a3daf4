/* Native side of the bit-field round trips: C writes and reads with the compiler's own bit-field code. */
#include <string.h>
#include "bitfields.h"

void bitfields_fill(struct flags *f, union offload *o, struct packed_bits *p)
{
	memset(f, 0, sizeof(*f));
	memset(o, 0, sizeof(*o));
	memset(p, 0, sizeof(*p));
	f->a = 5; f->b = 0x1abc; f->c = -9; f->d = 1; f->e = 0xabcdef1234ULL; f->f = 0x2bcdef12;
	o->l2_len = 14; o->l3_len = 300; o->l4_len = 20; o->tso_segsz = 1460; o->outer_l3_len = 257; o->outer_l2_len = 99;
	p->head = 0xa5; p->x = 0xfed; p->y = 0x0fedcba987654321ULL; p->z = -200;
}

/* Returns a bit per wrong field, so a failure names the field. */
int bitfields_check(const struct flags *f, const union offload *o, const struct packed_bits *p)
{
	int bad = 0, i = 0;
	bad |= (f->a != 3) << i++;
	bad |= (f->b != 0x0123) << i++;
	bad |= (f->c != -16) << i++;
	bad |= (f->d != 0) << i++;
	bad |= (f->e != 0x123456789aULL) << i++;
	bad |= (f->f != 0x3fffffff) << i++;
	bad |= (o->l2_len != 127) << i++;
	bad |= (o->l3_len != 1) << i++;
	bad |= (o->l4_len != 255) << i++;
	bad |= (o->tso_segsz != 9000) << i++;
	bad |= (o->outer_l3_len != 0) << i++;
	bad |= (o->outer_l2_len != 42) << i++;
	bad |= (p->head != 0x5a) << i++;
	bad |= (p->x != 0x123) << i++;
	bad |= (p->y != 0x0123456789abcdefULL) << i++;
	bad |= (p->z != 255) << i++;
	return bad;
}
