/*
 * ps_heap_slices: each site's memory over the run, at a bounded number of
 * moments: what it had allocated so far and what it held live at the end
 * of each time slice.  From them, the time-sliced view (the top sites of
 * each slice) and the sites whose live bytes keep growing, even when the
 * program frees them at exit.
 *
 * Slices start 100 ms long; when PS_HEAP_SLICES are full, adjacent pairs
 * merge and the length doubles, so a run of any length keeps between 8
 * and 16 slices and each site costs a fixed 256 bytes.
 */
#ifndef PS_HEAP_SLICES_H
#define PS_HEAP_SLICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_heap;

#define PS_HEAP_SLICES 16

/* Cumulative allocated bytes and live bytes at a slice's end. */
struct ps_heap_snap {
	uint64_t allocated, live;
};

/* A process's slice boundaries. */
struct ps_heap_slicing {
	uint64_t first_ns;           /* the start of the first slice */
	uint64_t length_ns;
	uint64_t end_ns[PS_HEAP_SLICES];
	struct ps_heap_snap total[PS_HEAP_SLICES];  /* the whole process */
	size_t n;                    /* slices closed */
	bool last_partial;           /* the last one ended with the process, early */
};

void ps_heap_slicing_init(struct ps_heap_slicing *sl, uint64_t start_ns);

/* Closes every slice that ended before time_ns (called before each record); 0 or PS_E_NOMEM. */
int ps_heap_slices_tick(struct ps_heap *hp, uint32_t proc, uint64_t time_ns);

/* Closes the last, partial slice when the process ends; 0 or PS_E_NOMEM. */
int ps_heap_slices_finish(struct ps_heap *hp, uint32_t proc, uint64_t time_ns);

/*
 * A site whose live bytes keep growing: over the full slices (at least 4),
 * its live bytes rose in at least two thirds of the steps, end higher than
 * they started and have a positive least-squares slope.  The slope is a
 * rate to report only when the slices span enough time (`judged`).
 */
struct ps_heap_growing {
	uint32_t site;
	double bytes_per_s;
	uint64_t first_live, last_live;
	double rising_share;         /* steps in which live bytes rose */
	double span_s;               /* the full slices' time */
	bool judged;                 /* span_s is enough steady time for a rate (PS_TREND_MIN_STEADY_S) */
};

/*
 * The growing sites of `proc`, fastest first (malloc'ed, *n set; NULL
 * with *n 0 when there are none or memory ran out).
 */
struct ps_heap_growing *ps_heap_growing_sites(const struct ps_heap *hp, uint32_t proc, size_t *n);

#define PS_HEAP_SLICE_TOP_MAX 16

/* Each slice's top sites, largest first: site[k][0..n[k]). */
struct ps_heap_slice_tops {
	uint32_t site[PS_HEAP_SLICES][PS_HEAP_SLICE_TOP_MAX];
	size_t n[PS_HEAP_SLICES];
};

/*
 * The `max` (at most PS_HEAP_SLICE_TOP_MAX) sites of `proc` that allocated
 * the most in each slice, largest first, ties the earlier site first;
 * sites that allocated nothing in a slice are left out of its list.  One
 * pass over the sites for all the slices: a compiler has ~80,000 sites.
 */
void ps_heap_slice_tops(const struct ps_heap *hp, uint32_t proc, size_t max, struct ps_heap_slice_tops *out);

/* What site (or the process, site < 0) allocated in slice k, and held at its end. */
struct ps_heap_snap ps_heap_slice_delta(const struct ps_heap *hp, uint32_t proc, int64_t site,
					size_t k);

#endif
