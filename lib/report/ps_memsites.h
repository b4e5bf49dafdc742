/*
 * ps_memsites: which allocation sites memory.json lists in full.  A
 * compiler has tens of thousands of distinct allocation stacks, each ~35
 * frames deep: written out whole they made a 600 MB document that took
 * gigabytes and most of the run's time to build.  The sites kept are the
 * largest `max` by each of allocated, peak, lost, temporary and
 * live-at-end bytes, and every site a time slice or a growing-site list
 * names; the rest are summed in `omitted`.
 */
#ifndef PS_MEMSITES_H
#define PS_MEMSITES_H

#include <stddef.h>
#include <stdint.h>

#include "run/ps_memrun.h"

#define PS_MEMSITES_DEFAULT_MAX 1000
#define PS_MEMSITES_SLICE_TOP 5       /* top sites listed per time slice */
#define PS_MEMSITES_GROWING_MAX 20    /* growing sites listed per process */
#define PS_MEMSITES_OMITTED UINT32_MAX

struct ps_memsites {
	uint32_t *order;     /* the kept heap sites, most allocated bytes first */
	size_t n;
	uint32_t *rank;      /* heap site -> its index in order, or PS_MEMSITES_OMITTED */
	struct {
		uint64_t sites, allocations, allocated_bytes, temporary_bytes, lost_bytes;
	} omitted;
};

/* Chooses the sites (max 0: PS_MEMSITES_DEFAULT_MAX).  0, or PS_E_NOMEM. */
int ps_memsites_select(struct ps_memsites *ms, const struct ps_mem_run *r, size_t max);
void ps_memsites_release(struct ps_memsites *ms);

#endif
