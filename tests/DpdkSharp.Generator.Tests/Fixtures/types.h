/* Type mapping: typedef chains, strings, bool, char signedness, long, _Atomic, opaque, int128, vectors. */
#include <stdint.h>
#include <stdbool.h>

typedef uint16_t port_id_t;
typedef port_id_t port_t;

struct opaque_device;

struct mixed {
	port_t port;
	const char *name;
	bool enabled;
	char c;
	signed char sc;
	unsigned char uc;
	long l;
	unsigned long ul;
	_Atomic uint32_t refcnt;
	__int128 wide;
	struct opaque_device *device;
	double d;
	float f;
};

typedef int v4si __attribute__((vector_size(16)));

struct with_vector {
	uint32_t before;
	v4si lanes;
};

port_t types_port(const struct mixed *m);
long types_long(long value);
bool types_negate(bool value);
struct opaque_device *types_device(void);
const char *types_name(void);
v4si types_vector(v4si v);

/* Types C# has no exact equivalent for keep clang's size and alignment; qualifiers and atomics keep their spelling. */
struct exotic {
	long double ld;
	unsigned __int128 uwide;
	_Atomic(struct opaque_device *) atomic_device;
	volatile uint32_t reg;
	const char *const fixed_name;
	uint64_t _Atomic counter;
};

typedef struct opaque_device opaque_device_t;

long double types_long_double(long double x);
void types_fill_exotic(struct exotic *e);
