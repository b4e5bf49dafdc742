/*
 * ps_schedstat: each thread's CPU time and scheduler delay in nanoseconds,
 * from /proc/PID/task/TID/schedstat (time on a CPU, time runnable in a run
 * queue, timeslices), read with the metrics.  Readable by the process's
 * owner, with no perf permission: the per-thread view that is always
 * there.  A thread that ends between two readings keeps its last one.
 * Each process's parent and peak resident memory come with it.
 */
#ifndef PS_SCHEDSTAT_H
#define PS_SCHEDSTAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_idmap.h"
#include "model/ps_thread_sched.h"

struct ps_schedstat {
	pid_t pid;
	bool available;                      /* the kernel keeps schedstats */
	bool delayacct;                      /* and delay accounting (block I/O waits) is on */
	char delayacct_note[160];            /* why not, when it is off */
	long ticks_per_s;
	struct ps_idmap index;
	struct ps_thread_sched *threads;
	size_t n, cap;
	struct ps_idmap proc_index;
	struct ps_process_sched *procs;      /* in order of first reading */
	size_t nprocs, procs_cap;
};

void ps_schedstat_init(struct ps_schedstat *s, pid_t pid);
void ps_schedstat_release(struct ps_schedstat *s);

/*
 * Reads every thread of the process and of pids (processes it created) now
 * (start: the first reading).
 */
void ps_schedstat_sample(struct ps_schedstat *s, const uint32_t *pids, size_t npids,
			 uint64_t now_ns, bool start);

#endif
