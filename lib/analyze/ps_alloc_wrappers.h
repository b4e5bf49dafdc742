/*
 * ps_alloc_wrappers: functions that look like allocation wrappers the
 * allocator layer (memory/ps_alloc_layer.h) does not know: the site of
 * allocations reached from several distinct callers.  The report names
 * them so that a user can add them with --site-skip and see the callers.
 */
#ifndef PS_ALLOC_WRAPPERS_H
#define PS_ALLOC_WRAPPERS_H

#include <stddef.h>
#include <stdint.h>

#include "run/ps_memrun.h"

/* A function is suspected when this many distinct callers reach it. */
#define PS_WRAPPER_MIN_CALLERS 3

struct ps_alloc_wrapper {
	const char *function;   /* the run's symbols' string */
	uint32_t callers;       /* distinct functions calling it */
	uint32_t sites;
	uint64_t bytes;         /* allocated through it */
};

/* The suspects, most bytes first, at most max into out: how many, or PS_E_NOMEM. */
int ps_alloc_wrappers_find(const struct ps_mem_run *r, struct ps_alloc_wrapper *out, size_t max);

#endif
