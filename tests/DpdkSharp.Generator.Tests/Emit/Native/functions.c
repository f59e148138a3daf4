/* Native side of the function tests; the static inline ones are reached through the generated shim. */
#include <stdarg.h>
#include "functions.h"

int fn_add(int a, int b) { return a + b; }
int fn_log(const char *format, ...) { (void)format; return 0; }
