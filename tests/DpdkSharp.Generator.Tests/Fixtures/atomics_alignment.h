/* What C# cannot express and the docs say instead: _Atomic fields (plain C# fields of the same representation)
 * and alignments other than the declared fields' (C# has no alignment attribute for structs). */
typedef _Atomic unsigned int fx_atomic_u32;

struct fx_counters {
	_Atomic(unsigned long) packets;
	fx_atomic_u32 drops;
	int plain;
};

/* DPDK's __rte_cache_aligned. */
struct fx_line {
	unsigned long long value;
} __attribute__((aligned(64)));

int fx_counters_read(struct fx_counters *c, struct fx_line *l);
