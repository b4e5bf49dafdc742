/*
 * ps_rss: a process's resident memory over time, from /proc/PID/status
 * (cheap enough to read every 100 ms; smaps_rollup is not): anonymous,
 * file-backed and shared memory, and swap.  The series is bounded: when it
 * is full, every other point is dropped and the interval doubles.
 */
#ifndef PS_RSS_H
#define PS_RSS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ps_rss_point {
	uint64_t time_ns;
	uint64_t anon, file, shmem, swap;   /* bytes */
	uint64_t pss, swap_pss;             /* proportional shares; 0: not read */
};

#define PS_RSS_MAX_POINTS 1024

struct ps_rss_series {
	struct ps_rss_point *pts;
	size_t n;
	uint64_t every_ns, next_ns;
	struct ps_rss_point peak;           /* the point of the largest anon + file + shmem */
};

void ps_rss_init(struct ps_rss_series *s, uint64_t every_ns);
void ps_rss_release(struct ps_rss_series *s);

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

static inline uint64_t ps_rss_total(const struct ps_rss_point *p)
{
	return p->anon + p->file + p->shmem;
}

/* Growth of the total in bytes/s (least squares, first tenth left out). */
double ps_rss_growth(const struct ps_rss_series *s);

#endif
