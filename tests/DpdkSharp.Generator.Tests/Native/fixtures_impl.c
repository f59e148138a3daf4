/*
 * C side of the native round-trip test: implements the fill/check functions the fixture headers declare.
 * "fill" writes known values that C# must read back field by field; "check" returns 1 only when every
 * field holds what the C# side wrote. Values are chosen so that a wrong offset, width, shift or sign
 * changes them.
 */
#include <stdint.h>
#include <string.h>
#include "records.h"
#include "bitfields.h"
#include "packed_aligned.h"
#include "flexible_arrays.h"
#include "fixed_arrays.h"
#include "enums.h"
#include "types.h"
#include "function_pointers.h"
#include "functions.h"

void records_fill(struct shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = 7;
	s->origin.x = -5;
	s->origin.y = 9;
	s->width = 0x11111111u;
	s->height = 0x22222222u;
	s->color.r = 1; s->color.g = 2; s->color.b = 3;
	s->next = s;
}

int records_check(const struct shape *s)
{
	return s->kind == 9 && s->origin.x == 1 && s->origin.y == -2 && s->width == 11 && s->height == 10
		&& s->raw == 0x0000000A0000000Bull && s->color.r == 4 && s->color.g == 5 && s->color.b == 6 && s->next == 0;
}

void bitfields_fill(struct flags *f, union offload *o, struct packed_bits *p)
{
	memset(f, 0, sizeof(*f)); memset(o, 0, sizeof(*o)); memset(p, 0, sizeof(*p));
	f->a = 5; f->b = 0x1234; f->c = -7; f->d = 1; f->e = 0xABCDEF1234ull; f->f = 0x2ABCDEF1;
	o->l2_len = 14; o->l3_len = 40; o->l4_len = 20; o->tso_segsz = 1460; o->outer_l3_len = 20; o->outer_l2_len = 14;
	p->head = 0xAA; p->x = 0xABC; p->y = 0x0FEDCBA987654321ull; p->z = -100;
}

int bitfields_check(const struct flags *f, const union offload *o, const struct packed_bits *p)
{
	return f->a == 2 && f->b == 100 && f->c == 15 && f->d == 0 && f->e == 1 && f->f == 0x3FFFFFFF
		&& o->l2_len == 1 && o->l3_len == 300 && o->l4_len == 255 && o->tso_segsz == 9000 && o->outer_l3_len == 511 && o->outer_l2_len == 127
		&& p->head == 0x55 && p->x == 0x123 && p->y == 0x0123456789ABCDEull && p->z == -256;
}

void packed_fill(struct wire_header *w, struct ether_addr_like *e, struct queue_stats *q)
{
	memset(q, 0, sizeof(*q));
	w->type = 1; w->length = 0xDEADBEEF; w->checksum = 0xBEEF;
	for (int i = 0; i < 6; i++)
		e->bytes[i] = (uint8_t)(i + 1);
	e->tag = 0x1234; e->tail = 9;
	q->id = 3; q->packets = 0x123456789ull; q->lines[0].counter = 11; q->lines[1].counter = 22; q->tail = 77;
}

int packed_check(const struct wire_header *w, const struct ether_addr_like *e, const struct queue_stats *q)
{
	return w->type == 2 && w->length == 0x01020304 && w->checksum == 0xFFFE && e->bytes[0] == 0xA0 && e->bytes[5] == 0xA5
		&& e->tag == 0x4321 && e->tail == 1 && q->id == 4 && q->packets == 99 && q->lines[0].counter == 1 && q->lines[1].counter == 2
		&& q->tail == 5;
}

int flexible_sum(const struct message *m)
{
	int sum = (int)m->length;
	for (int i = 0; i < m->count; i++)
		sum += (int)m->items[i];
	return sum;
}

void arrays_fill(struct table *t)
{
	for (int i = 0; i < 40; i++)
		t->key[i] = (uint8_t)i;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 4; j++)
			t->grid[i][j] = (uint32_t)(i * 10 + j);
	for (int i = 0; i < 4; i++)
		t->slots[i] = (void *)(uintptr_t)(0x1000 + i);
	t->names[0] = "alpha";
	t->names[1] = "beta";
	for (int i = 0; i < 3; i++) {
		t->cells[i].v = (uint16_t)(i * 100);
		t->cells[i].w = (uint8_t)i;
	}
}

int arrays_check(const struct table *t)
{
	return t->key[39] == 0x39 && t->grid[2][3] == 777 && t->slots[3] == (void *)(uintptr_t)0x4242 && t->cells[2].v == 65535
		&& t->cells[2].w == 7 && t->names[1] == 0;
}

enum colour enums_next(enum colour c)
{
	return c == COLOUR_RED ? COLOUR_GREEN : c == COLOUR_GREEN ? COLOUR_BLUE : COLOUR_RED;
}

port_t types_port(const struct mixed *m)
{
	return m->enabled && m->c == -3 && m->uc == 250 && m->l == -5000000000L && m->refcnt == 8 && m->d == 2.5 && m->f == 0.5f
		&& m->wide == ((__int128)1 << 100) && strcmp(m->name, "ok") == 0 ? m->port : 0;
}

long types_long(long value) { return value * 2; }
bool types_negate(bool value) { return !value; }
struct opaque_device *types_device(void) { return (struct opaque_device *)(uintptr_t)0x1234; }
const char *types_name(void) { return "dpdksharp"; }

int fp_apply(int (*op)(int, int), int a, int b) { return op(a, b); }
int fp_sort_first(compare_fn cmp, const void *a, const void *b) { return cmp(a, b) <= 0 ? 0 : 1; }

static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static void remember(void *arg, uint32_t event) { *(uint32_t *)arg = event; }
static uint64_t hash_bytes(const void *key, uint32_t length, uint64_t seed)
{
	uint64_t h = seed;
	for (uint32_t i = 0; i < length; i++)
		h = h * 31 + ((const uint8_t *)key)[i];
	return h;
}

void fp_install(struct ops *ops)
{
	ops->compare = compare_ints;
	ops->on_event = remember;
	ops->hash = hash_bytes;
}

int fn_add(int a, int b) { return a + b; }
