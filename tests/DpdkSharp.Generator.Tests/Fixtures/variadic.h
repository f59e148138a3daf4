/* Variadic functions and their va_list twins, as zlib (gzprintf, gzvprintf) and sqlite (sqlite3_mprintf,
 * sqlite3_vmprintf) declare them. */
#include <stdarg.h>

int fx_printf(const char *format, ...);
int fx_vprintf(const char *format, va_list arguments);
char *fx_vmprintf(const char *format, va_list);
