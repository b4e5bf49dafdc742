/*
 * ps_metrics: a profile's process and machine vital signs over time, one
 * point per reading: cumulative counters as read, so that rates (CPU %,
 * bytes/s) are the differences between neighbours.  The /proc reader
 * (collect/ps_procmetrics.h) fills the series; the reports read it.
 */
#ifndef PS_METRICS_H
#define PS_METRICS_H

#include <stdbool.h>
#include <stdint.h>

struct ps_metrics_point {
	uint64_t time_ns;
	/* the process */
	uint64_t utime_ns, stime_ns;      /* CPU time so far (clock ticks: 10 ms grain) */
	uint64_t rss_bytes;
	uint64_t threads, fds;
	uint64_t minflt, majflt;
	uint64_t rchar, wchar;            /* bytes through read/write-like calls */
	uint64_t read_bytes, write_bytes; /* bytes the storage layer moved */
	bool io_known;                    /* /proc/PID/io was readable */
	/* the machine */
	uint64_t cpu_busy_ticks, cpu_total_ticks;
	uint64_t cpu_steal_ticks;         /* taken by the hypervisor: busy, but for no one here */
	uint64_t mem_total, mem_available;
};

/* The most points a series keeps (when full, every other one goes). */
#define PS_METRICS_MAX_POINTS 1024

#endif
