/* Native side of the extern variable tests. */
#include "globals.h"

int global_count = 5;
struct counters global_counters = { 100, 200 };
const uint32_t global_limit = 1500;
uint16_t global_table[4] = { 1, 2, 3, 4 };
__thread int global_tls;

int globals_read_count(void) { return global_count; }
uint64_t globals_read_rx(void) { return global_counters.rx; }
