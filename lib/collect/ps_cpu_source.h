/*
 * ps_cpu_source: where a CPU session's samples come from.  Two samplers
 * stand behind the same three operations, and the session never asks
 * which one it has:
 *   perf    per-CPU rings of perf events, read in rounds (ps_perf);
 *   ptrace  the fallback where perf_event_open is refused: each tick
 *           stops the target's running threads and copies their stacks
 *           (ps_ptrace), packed as DWARF samples in a format of its own.
 * The description fields are what the reports say about the sampling.
 *
 * Calling sequence, the target set up and sampling armed:
 *   ps_cpu_source_perf(&src, &perf)   or   ps_cpu_source_ptrace(&src, ...)
 *   loop: src.ops->round(&src, &sampler, wake_fds, n, timeout_ms)
 *         src.ops->target_ended(&src)
 *   src.ops->stop(&src, &sampler)
 */
#ifndef PS_CPU_SOURCE_H
#define PS_CPU_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "collect/ps_sampler.h"
#include "sample/ps_perf.h"
#include "sample/ps_ptrace.h"
#include "sample/ps_records.h"
#include "symbols/ps_procs.h"

struct ps_cpu_source;

struct ps_cpu_source_ops {
	/*
	 * Waits for the next round (ring data, a readable wake fd or
	 * timeout_ms for perf; the next tick for ptrace) and feeds the
	 * round's records to the sampler.
	 */
	void (*round)(struct ps_cpu_source *src, struct ps_sampler *sampler,
		      const int *wake, int nwake, int timeout_ms);
	/* 1: the source saw the target end; 0: it runs; -1: not the source's to know. */
	int (*target_ended)(const struct ps_cpu_source *src);
	/* Sampling is over: the last records read, events off, tracees let go. */
	void (*stop)(struct ps_cpu_source *src, struct ps_sampler *sampler);
};

struct ps_cpu_source_ptrace_state {
	struct ps_ptrace *pt;          /* not owned */
	struct ps_procs *procs;        /* not owned: maps refreshed each tick */
	pid_t pid;
	uint64_t tick_ns;              /* the mean interval between ticks */
	uint64_t next_tick;
	uint64_t rng;                  /* xorshift state for the tick jitter */
	struct ps_rec_format format;
	struct ps_sampler *sampler;    /* during a tick */
};

struct ps_cpu_source {
	const struct ps_cpu_source_ops *ops;
	const char *sampler_name;      /* "perf_event" or "ptrace" */
	char event[32];                /* what a sample counts: cpu-clock, cycles, ptrace-timer... */
	bool user_stacks;              /* samples carry the user stack: DWARF can unwind them */
	unsigned stack_size;           /* bytes of stack a sample copies; 0 without */
	bool kernel_frames;            /* samples carry kernel call chains */
	bool weighted;                 /* a sample's period is its weight in ticks */
	/* The source waits on the target itself (ptrace): nobody else may reap it. */
	bool owns_target;
	struct ps_perf *perf;          /* the perf source's events, not owned */
	struct ps_cpu_source_ptrace_state ptrace;
};

/* The perf events in perf, already opened for the target, as the source. */
void ps_cpu_source_perf(struct ps_cpu_source *src, struct ps_perf *perf);

/*
 * The ptrace sampler pt, already holding the target pid, as the source,
 * ticking at `frequency` a second on average.
 */
void ps_cpu_source_ptrace(struct ps_cpu_source *src, struct ps_ptrace *pt, struct ps_procs *procs,
			  pid_t pid, unsigned frequency, unsigned stack_size);

#endif
