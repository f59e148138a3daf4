#include "typedef_names.h"

static struct fx_gzFile_s files[4];

fx_gzFile fx_gzopen(unsigned have) { files[have % 4].have = have; return &files[have % 4]; }
unsigned fx_gzclose(fx_gzFile file) { return file ? file->have : 0; }
int fx_deflate(fx_z_stream *strm) { strm->total += strm->avail_in; return strm->total; }
fx_pcap_t *fx_pcap_open(void) { return 0; }
int fx_use_two(struct fx_two *t, fx_callback cb) { return cb(t->x); }
