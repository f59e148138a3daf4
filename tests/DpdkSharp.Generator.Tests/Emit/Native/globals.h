/* Extern variables: plain, record, const, array and thread-local (which C# cannot reach by address). */
#include <stdint.h>

struct counters {
	uint64_t rx;
	uint32_t tx;
};

extern int global_count;
extern struct counters global_counters;
extern const uint32_t global_limit;
extern uint16_t global_table[4];
extern __thread int global_tls;

int globals_read_count(void);
uint64_t globals_read_rx(void);
