/* Native side of the type mapping tests. */
#include <stddef.h>
#include "types.h"

static int device_storage;

port_t types_port(const struct mixed *m) { return m->port; }
long types_long(long value) { return value * 2; }
bool types_negate(bool value) { return !value; }
struct opaque_device *types_device(void) { return (struct opaque_device *)&device_storage; }
const char *types_name(void) { return "dpdksharp"; }
v4si types_vector(v4si v) { return v; }

/* Offsets and size of struct mixed as C sees them. */
size_t types_offset(int which)
{
	switch (which) {
	case 0: return __builtin_offsetof(struct mixed, wide);
	case 1: return __builtin_offsetof(struct mixed, device);
	default: return sizeof(struct mixed);
	}
}
