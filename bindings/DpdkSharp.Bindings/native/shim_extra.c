/*
 * Hand-written shim entry points for what C code reaches through macros, thread-locals or varargs,
 * which no generator can wrap mechanically. Compiled into libdpdksharp_shim.so beside the generated
 * wrappers (see eng/DpdkBindings.targets). Each is short and non-blocking.
 */
#include <rte_config.h>
#include <rte_errno.h>
#include <rte_log.h>

#define DPDKSHARP_EXPORT __attribute__((visibility("default")))

/* rte_errno is a macro over a per-lcore (thread-local) variable. */
DPDKSHARP_EXPORT int dpdksharp_rte_errno_get(void) { return rte_errno; }
DPDKSHARP_EXPORT void dpdksharp_rte_errno_set(int value) { rte_errno = value; }

/* rte_log is variadic: callers from C# pass one preformatted message. */
DPDKSHARP_EXPORT int dpdksharp_rte_log_message(uint32_t level, uint32_t logtype, const char *message)
{
	return rte_log(level, logtype, "%s\n", message);
}

