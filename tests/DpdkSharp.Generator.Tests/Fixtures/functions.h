/* Exported, variadic and static inline functions. */
#include <stdint.h>

/** Adds two numbers (exported). */
int fn_add(int a, int b);

/** Logs (variadic: skipped). */
int fn_log(const char *format, ...);

/** Multiplies (static inline: wrapped by the shim). */
static inline uint32_t fn_mul(uint32_t a, uint32_t b) { return a * b; }

/** Increments through a pointer; returns nothing. */
static inline void fn_increment(uint64_t *value) { (*value)++; }

/** Takes a callback (a declarator-shaped parameter type for the shim). */
static inline int fn_call(int (*callback)(int), int value) { return callback(value) + 1; }

static inline uint16_t fn_burst(uint16_t port, void **pkts, const uint16_t n) { (void)pkts; return (uint16_t)(port + n); }
