/* Callgrind's collection switch for the UDP echo's instruction count (Count.cs): a no-op outside valgrind. */
#include <valgrind/callgrind.h>

__attribute__((visibility("default")))
void dpdksharp_bench_callgrind_toggle(void)
{
	CALLGRIND_TOGGLE_COLLECT;
}
