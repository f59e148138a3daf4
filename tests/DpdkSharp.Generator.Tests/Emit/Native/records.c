/* Native side of the record round trips: nested records, anonymous members, unnamed types. */
#include <string.h>
#include "records.h"

void records_fill(struct shape *s)
{
	memset(s, 0, sizeof(*s));
	s->kind = 3;
	s->origin.x = -1;
	s->origin.y = 2;
	s->width = 640;
	s->height = 480;
	s->color.r = 1; s->color.g = 2; s->color.b = 3;
	s->next = s;
}

int records_check(const struct shape *s)
{
	int bad = 0, i = 0;
	bad |= (s->kind != 7) << i++;
	bad |= (s->origin.x != 10 || s->origin.y != -20) << i++;
	bad |= (s->width != 1920) << i++;
	bad |= (s->height != 1080) << i++;
	bad |= (s->color.r != 4 || s->color.g != 5 || s->color.b != 6) << i++;
	bad |= (s->next != 0) << i++;
	return bad;
}
