/* Native side of the straddling bit-field test. */
#include <string.h>
#include "straddle.h"

void straddle_fill(struct straddle *s)
{
	memset(s, 0, sizeof(*s));
	s->head = 0xa;
	s->wide = 0xfedcba9876543210ULL;
	s->signed_wide = -1234567890123LL;
	s->tail = 0x15;
}

int straddle_check(const struct straddle *s)
{
	int bad = 0, i = 0;
	bad |= (s->head != 0x5) << i++;
	bad |= (s->wide != 0x0123456789abcdefULL) << i++;
	bad |= (s->signed_wide != 4611686018427387903LL) << i++;
	bad |= (s->tail != 0x0a) << i++;
	return bad;
}
