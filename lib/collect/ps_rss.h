/*
 * ps_rss: reads a process's resident memory into its series
 * (model/ps_rss_series.h) from /proc/PID/status, cheap enough to read every
 * 100 ms (smaps_rollup is not).
 */
#ifndef PS_RSS_H
#define PS_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/ps_rss_series.h"

/* Reads pid's memory now; 0, or -1 when the process is gone. */
int ps_rss_read(pid_t pid, uint64_t time_ns, struct ps_rss_point *out);

/*
 * Adds the proportional set size (shared pages divided among their users)
 * from /proc/PID/smaps_rollup, which walks every page table: for rare
 * moments only, such as exit.  0 or -1.
 */
int ps_rss_read_pss(pid_t pid, struct ps_rss_point *out);

/* Reads and records a point if the interval has passed; 0 or -1 (gone). */
int ps_rss_sample(struct ps_rss_series *s, pid_t pid, uint64_t now_ns);

#endif
