/*
 * ps_procmetrics: a process tree's and the machine's vital signs over time,
 * read from /proc at an interval: CPU time (user, system), resident memory,
 * threads, open descriptors, I/O (/proc/PID/io), page faults; the
 * machine's CPU use (/proc/stat) and memory (/proc/meminfo).
 *
 * Points are cumulative counters as read; rates (CPU %, bytes/s) are the
 * differences between neighbours.  The series is bounded: when full, every
 * other point goes and the interval doubles.
 */
#ifndef PS_PROCMETRICS_H
#define PS_PROCMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/ps_metrics.h"

struct ps_procmetrics {
	pid_t pid;
	struct ps_metrics_point *pts;
	size_t n;
	uint64_t every_ns, next_ns;
	long ticks_per_s;
	int ncpus;
};

void ps_procmetrics_init(struct ps_procmetrics *m, pid_t pid, uint64_t every_ns);
void ps_procmetrics_release(struct ps_procmetrics *m);

/*
 * Reads a point if the interval has passed (or `force`): the sum over pids,
 * the process first and then those it created that are not reaped yet (a
 * reaped child's numbers are in its parent's).  0, or -1 when the first
 * process is gone.
 */
int ps_procmetrics_sample(struct ps_procmetrics *m, const uint32_t *pids, size_t npids,
			  uint64_t now_ns, bool force);

#endif
