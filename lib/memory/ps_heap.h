/*
 * ps_heap: the heap of each traced process, rebuilt exactly from the
 * tracker's records (in time order) and aggregated per allocation site as
 * it goes: memory grows with live blocks and unique stacks, not with the
 * number of allocations.
 *
 * A site is one call stack in one process.  For each it keeps calls and
 * bytes, live blocks and bytes, what it held at the process's peak,
 * temporary allocations, and at the end its leaks by class.
 *
 * The peak is exact without copying every site at every new peak: a new
 * peak bumps a version, and a site records its live bytes as "at the
 * peak" the first time it changes after a version it has not seen.
 *
 * In sampling mode each recorded block of size s stands for
 * s / (1 - e^(-s/N)) bytes: byte counts are unbiased estimates, and each
 * site keeps the variance of its allocated-bytes estimate.
 *
 * The program's own anonymous mappings are blocks too; munmap of part of
 * one trims or splits it.
 *
 * Temporary allocation (heaptrack's idea, made per thread): a block freed
 * by the thread that allocated it with no other allocation by that thread
 * in between.
 */
#ifndef PS_HEAP_H
#define PS_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memory/ps_heap_slices.h"
#include "base/ps_idmap.h"
#include "base/ps_stats.h"
#include "memory/ps_memproto.h"
#include "symbols/ps_procs.h"
#include "model/ps_rss_series.h"
#include "model/ps_stacks.h"

enum ps_leak_kind {
	PS_LEAK_DEFINITE,      /* no pointer to it anywhere */
	PS_LEAK_INDIRECT,      /* pointed to only from leaked blocks */
	PS_LEAK_REACHABLE,     /* still pointed to from globals or stacks */
	PS_LEAK_UNCLASSIFIED,  /* the process ended without exit(): no scan */
	PS_LEAK_KINDS,
};

struct ps_heap_site {
	uint32_t proc;
	int64_t stack;               /* ps_stacks id; -1 if its stack never arrived */
	uint64_t hash;               /* the tracker's stack id */
	uint64_t allocs, alloc_bytes, frees;
	double est_allocs;           /* allocs / sampling probability (= allocs when exact) */
	double var_bytes;            /* variance of alloc_bytes as an estimate (0 when exact) */
	uint64_t temporary, temporary_bytes;
	uint64_t live_blocks, live_bytes, max_live_bytes;
	uint64_t peak_blocks, peak_bytes;  /* held at the process's peak */
	uint32_t peak_version;
	uint64_t leak_blocks[PS_LEAK_KINDS], leak_bytes[PS_LEAK_KINDS];
	struct ps_heap_snap *snaps;  /* PS_HEAP_SLICES, from its first slice end */
};

struct ps_heap_block {
	uint64_t addr, size;
	uint64_t counted;            /* bytes it stands for: size, or size / probability when sampled */
	uint32_t site;
};

struct ps_heap_point {
	uint64_t time_ns, live_bytes;
};

#define PS_HEAP_TIMELINE_MAX 2048

/* Allocation sizes by power of two: up to 16 bytes, 32, ..., 1 GiB, larger. */
#define PS_HEAP_SIZE_BUCKETS 28

static inline unsigned ps_heap_size_bucket(uint64_t size)
{
	unsigned b = size <= 16 ? 0 : (unsigned)(64 - __builtin_clzll(size - 1)) - 4;

	return b < PS_HEAP_SIZE_BUCKETS ? b : PS_HEAP_SIZE_BUCKETS - 1;
}

struct ps_heap_proc {
	uint32_t pid;
	unsigned gen;
	char exe[256];
	uint64_t start_ns, end_ns;
	struct ps_heap_block *live;  /* open addressing on addr; size 0: empty */
	size_t live_cap, live_count;
	struct ps_heap_range { uint64_t start, end; } *mmaps;  /* tracked anonymous mappings */
	size_t nmmaps, mmaps_cap;    /* (each is also a block in live, by its start) */
	uint64_t *site_keys;         /* stack hash -> site: open addressing */
	uint32_t *site_vals;
	size_t site_cap, site_count;
	struct ps_idmap tid_slot;    /* tid -> index into last_alloc */
	uint64_t *last_alloc;        /* per thread: its latest allocation's address */
	size_t nlast, last_cap;
	uint32_t cached_tid, cached_at;  /* the thread last looked up, and its index */

	uint64_t allocs, frees, alloc_bytes;
	double est_allocs;
	uint64_t live_bytes, live_blocks;
	uint64_t peak_bytes, peak_blocks, peak_time_ns;
	uint32_t peak_version;
	uint64_t temporary;
	uint64_t unknown_frees;      /* frees of blocks allocated before tracking began */
	uint64_t api_calls[PS_MEM_API_COUNT], api_bytes[PS_MEM_API_COUNT];
	uint64_t size_calls[PS_HEAP_SIZE_BUCKETS], size_bytes[PS_HEAP_SIZE_BUCKETS];
	bool leaks_classified;
	bool exited, execed;         /* how it ended, once it has */
	uint64_t leak_blocks[PS_LEAK_KINDS], leak_bytes[PS_LEAK_KINDS];

	/* resident memory over time, and at exit() (for fragmentation) */
	struct ps_rss_series rss;
	struct ps_rss_point rss_at_exit;
	uint64_t live_at_exit;
	bool rss_at_exit_known;
	struct ps_mem_mallinfo mallinfo; /* glibc's own counts at exit(), if known */

	/* live bytes over time; halved in resolution when full */
	struct ps_heap_point *timeline;  /* PS_HEAP_TIMELINE_MAX, made on first use */
	size_t npoints;
	uint64_t point_every_ns, next_point_ns;

	struct ps_heap_slicing slicing;  /* each site's memory at each slice's end */
};

struct ps_heap {
	struct ps_procs *procs;      /* not owned: mappings, to name frames */
	struct ps_stacks *stacks;    /* not owned */
	struct ps_heap_site *sites;
	size_t nsites, sites_cap;
	struct ps_heap_proc **proc;  /* stable pointers: files keep them */
	size_t nprocs, procs_cap;
	uint64_t missing_stacks;     /* allocations whose stack never arrived */
	double sample_bytes;         /* sampling mode's mean interval; 0: every allocation */
};

int ps_heap_init(struct ps_heap *hp, struct ps_procs *procs, struct ps_stacks *stacks);
void ps_heap_release(struct ps_heap *hp);

/* A new traced process image; returns its index or PS_E_NOMEM (< 0). */
int64_t ps_heap_add_proc(struct ps_heap *hp, uint32_t pid, unsigned gen, const char *exe,
			 uint64_t start_ns);

/*
 * Applies one record of process `proc`, which happened at time_ns
 * (CLOCK_MONOTONIC); returns 0 or PS_E_NOMEM.
 */
int ps_heap_apply(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec *r, uint64_t time_ns);

/* The live blocks of `proc`, sorted by address (malloc'ed; *n set). */
struct ps_heap_block *ps_heap_live_sorted(const struct ps_heap *hp, uint32_t proc, size_t *n);

/* Stores the leak scan's verdict on `blocks` (as returned above). */
void ps_heap_set_leaks(struct ps_heap *hp, uint32_t proc, const struct ps_heap_block *blocks,
		       const uint8_t *kinds, size_t n);

/*
 * The process image is over: through exit() (leaks were classified), an
 * exec (its blocks went with it: not leaks), or otherwise (what is live
 * is reported unclassified).
 */
void ps_heap_end(struct ps_heap *hp, uint32_t proc, uint64_t time_ns, bool exited, bool execed);

/* The trend of live bytes in bytes/s past the first 10% of the run (ps_stats.h: judged only over enough steady time). */
void ps_heap_trend(const struct ps_heap_proc *p, struct ps_trend *out);

/* Bytes lost at exit: definite + indirect + unclassified (reachable blocks are not lost). */
static inline uint64_t ps_heap_lost_bytes(const uint64_t *leak_bytes)
{
	return leak_bytes[PS_LEAK_DEFINITE] + leak_bytes[PS_LEAK_INDIRECT] + leak_bytes[PS_LEAK_UNCLASSIFIED];
}

/* The index of pid's latest process image (its last exec), or hp->nprocs when it has none. */
size_t ps_heap_latest(const struct ps_heap *hp, uint32_t pid);

#endif
