/* glibc's FILE is bound opaque: its 29 fields are the C library's, not API. Records listed as opaque are too,
 * unless C also uses them by value (then their size matters). */
#include <stdio.h>

struct fx_handle { int secret; long more; };
struct fx_pair { int a; int b; };

int fx_dump(FILE *f, struct fx_handle *h);
struct fx_holder { FILE *out; struct fx_pair *pair; int level; };
struct fx_pair fx_make_pair(int a, int b);
