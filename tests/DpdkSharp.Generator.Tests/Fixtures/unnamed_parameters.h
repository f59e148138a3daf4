/* Parameters without names, as zlib (deflateResetKeep(z_streamp)) and pcap (pcap_dump_fopen(pcap_t *, FILE *))
 * declare them: named after the type they are written with, positionally only when the type says nothing. */
typedef struct fx_stream_s { int avail; } fx_stream;
typedef fx_stream *fx_streamp;
typedef struct fx_pcap fx_pcap_t;
struct fx_file;

int fx_reset_keep(fx_streamp);
int fx_dump_open(fx_pcap_t *, struct fx_file *);
int fx_copy(fx_streamp, fx_streamp);
int fx_plain(int, unsigned int);
int fx_mixed(fx_streamp, int fx_streamp);
