/*
 * ps_offcpu_stats: where a profile's threads waited, as the off-CPU
 * collector (collect/ps_offcpu.h) leaves it: each thread's on-CPU,
 * runnable and blocked time (by reason) with its switches, and the
 * blocked time by (stack, reason).  The reports read these tables.
 */
#ifndef PS_OFFCPU_STATS_H
#define PS_OFFCPU_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "model/ps_offcpu_reason.h"

struct ps_offcpu_thread {
	uint32_t pid, tid;
	uint64_t on_ns, runnable_ns, blocked_ns[PS_OFF_REASONS];
	uint64_t begin_ns, end_ns;   /* its birth (or the start), its exit (or the end) */
	uint64_t voluntary, involuntary;
};

/* Blocked time by (stack, reason). */
struct ps_offcpu_site {
	int64_t stack;               /* in the off-CPU stacks, or < 0 when no stack was taken */
	uint32_t thread;             /* index into the threads */
	uint8_t reason;              /* enum ps_offcpu_reason */
	uint64_t ns, count;
};

/* All threads together. */
struct ps_offcpu_totals {
	uint64_t blocked_ns, runnable_ns, reason_ns[PS_OFF_REASONS];
	uint64_t voluntary, involuntary;
};

void ps_offcpu_totals(const struct ps_offcpu_thread *threads, size_t n, struct ps_offcpu_totals *out);

#endif
