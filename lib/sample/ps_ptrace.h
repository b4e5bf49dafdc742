/*
 * ps_ptrace: the fallback sampler for machines where perf_event_open is
 * refused (perf_event_paranoid 3 and above, no CAP_PERFMON, a container's
 * seccomp profile).  At each tick it stops every running thread of the
 * traced process (tgkill SIGSTOP to a ptrace'd thread is a signal-delivery
 * stop that we swallow), reads its registers and a copy of its stack, and
 * lets it go.  Each capture is packed as a perf DWARF sample record, so
 * the rest of the pipeline (DWARF unwinder, symbols, writers) is shared.
 *
 * Costs: two context switches and a ~32 KiB copy per sampled thread per
 * tick; see docs/performance.md for measured overhead.
 * Only threads in state R are sampled, and each sample is weighted by the
 * CPU time the thread used since its previous sample (schedstat, in ns),
 * so per-thread totals follow CPU time as cpu-clock's do, whatever the
 * phase of the ticks; the weight is carried in the record's period, in
 * units of one tick.
 */
#ifndef PS_PTRACE_H
#define PS_PTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "target/ps_launch.h"

struct perf_event_header;

struct ps_pt_thread {
	pid_t tid;
	uint64_t last_cpu_ns;        /* CPU time at its previous sample */
	double credit;               /* CPU time not yet given to a sample, in ticks */
};

struct ps_ptrace {
	pid_t pid;
	struct ps_child *child;      /* the launched target: its exit is recorded here */
	struct ps_pt_thread *threads;
	size_t nthreads, threads_cap;
	uint64_t tick_ns;            /* one sample's worth of CPU time */
	unsigned stack_size;
	unsigned char *record;       /* one synthetic sample, reused */
	size_t record_cap;
	uint64_t ticks, samples, failed;
};

/* Takes over a child stopped at its exec (ps_launch_start()). */
int ps_ptrace_init(struct ps_ptrace *pt, struct ps_child *child, unsigned stack_size,
		   unsigned frequency, struct ps_error *err);

/*
 * Attaches to every thread of a running process (PTRACE_SEIZE, so nothing
 * stops it now).  `status` records when it exits; ps_ptrace_detach() lets
 * it run on untraced.
 */
int ps_ptrace_attach(struct ps_ptrace *pt, pid_t pid, struct ps_child *status,
		     unsigned stack_size, unsigned frequency, struct ps_error *err);
void ps_ptrace_release(struct ps_ptrace *pt);

/*
 * Samples each running thread once, handing each sample to fn.  Returns 1
 * once the traced process has exited (child updated), else 0.
 */
int ps_ptrace_tick(struct ps_ptrace *pt,
		   void (*fn)(const struct perf_event_header *rec, void *ctx), void *ctx);

/* Lets every thread go, untraced (the end of sampling). */
void ps_ptrace_detach(struct ps_ptrace *pt);

#endif
