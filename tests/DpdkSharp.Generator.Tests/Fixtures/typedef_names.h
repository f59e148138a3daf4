/* Typedef names kept where C# can carry them, as zlib (z_stream, gzFile) and pcap (pcap_t) name their types. */
typedef struct fx_z_stream_s { int avail_in; int total; } fx_z_stream;
typedef struct fx_pcap fx_pcap_t;

struct fx_gzFile_s { unsigned have; };
typedef struct fx_gzFile_s *fx_gzFile;

/* Two public names for one record: neither wins, the tag stays. */
typedef struct fx_two { int x; } fx_two_a, fx_two_b;

/* A function-pointer typedef stays a C# function pointer: a wrapper could not be called. */
typedef int (*fx_callback)(int);

fx_gzFile fx_gzopen(unsigned have);
unsigned fx_gzclose(fx_gzFile file);
int fx_deflate(fx_z_stream *strm);
fx_pcap_t *fx_pcap_open(void);
int fx_use_two(struct fx_two *t, fx_callback cb);
struct fx_holder { fx_gzFile files[2]; fx_gzFile one; };
