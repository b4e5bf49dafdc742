/*
 * ps_thread_sched: each thread's CPU time, scheduler delay, timeslices and
 * block I/O delay over a profile, as two readings of
 * /proc/PID/task/TID/schedstat (and stat): at its first sight and at its
 * last.  The reader (collect/ps_schedstat.h) fills the table; the
 * reports read the differences.
 */
#ifndef PS_THREAD_SCHED_H
#define PS_THREAD_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct ps_thread_sched {
	uint32_t pid, tid;
	char comm[16];
	uint64_t first_ns, last_ns;          /* when first and last read */
	uint64_t run0, wait0, slices0;       /* at the first reading */
	uint64_t run, wait, slices;          /* at the last */
	uint64_t blkio0, blkio;              /* block I/O delay (clock ticks), with delay accounting */
	bool from_start;                     /* existed when profiling began */
};

/*
 * Each process's parent and peak resident memory (VmHWM, the kernel's own
 * high-water mark, so a peak between two readings is kept), from
 * /proc/PID/status at each reading; when first and last read.
 */
struct ps_process_sched {
	uint32_t pid, ppid;
	uint64_t first_ns, last_ns;
	uint64_t peak_rss_kb;
};

#endif
