/* Native side of the packed and aligned round trips. */
#include <string.h>
#include "packed_aligned.h"

void packed_fill(struct wire_header *w, struct ether_addr_like *e, struct queue_stats *q)
{
	memset(w, 0, sizeof(*w));
	memset(e, 0, sizeof(*e));
	memset(q, 0, sizeof(*q));
	w->type = 1; w->length = 0x11223344; w->checksum = 0xbeef;
	for (int i = 0; i < 6; i++)
		e->bytes[i] = (uint8_t)(i + 1);
	e->tag = 0x0a0b; e->tail = 7;
	q->id = 9; q->packets = 123456789; q->lines[1].counter = 42; q->tail = 77;
}

int packed_check(const struct wire_header *w, const struct ether_addr_like *e, const struct queue_stats *q)
{
	int bad = 0, i = 0;
	bad |= (w->type != 2 || w->length != 0x55667788 || w->checksum != 0xcafe) << i++;
	bad |= (e->bytes[5] != 0xee || e->tag != 0x0c0d || e->tail != 8) << i++;
	bad |= (q->id != 10 || q->packets != 987654321 || q->lines[0].counter != 1 || q->tail != 78) << i++;
	return bad;
}

/* sizeof as C sees it, for comparing with C#'s Unsafe.SizeOf. */
size_t packed_sizeof(int which)
{
	switch (which) {
	case 0: return sizeof(struct wire_header);
	case 1: return sizeof(struct ether_addr_like);
	case 2: return sizeof(struct cache_line);
	default: return sizeof(struct queue_stats);
	}
}
