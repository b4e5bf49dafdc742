/*
 * ps_rss_series: a process's resident memory over time, as the reports
 * read it: anonymous, file-backed and shared memory, and swap, at points in
 * time.  The series is bounded: when it is full, every other point is
 * dropped and the interval doubles.  collect/ps_rss.h reads the points.
 */
#ifndef PS_RSS_SERIES_H
#define PS_RSS_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "base/ps_stats.h"

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

/* Records point p, taken at p->time_ns (kept at the next interval's end, at most). */
void ps_rss_add(struct ps_rss_series *s, const struct ps_rss_point *p);

static inline uint64_t ps_rss_total(const struct ps_rss_point *p)
{
	return p->anon + p->file + p->shmem;
}

/* The trend of the total in bytes/s (ps_stats.h: judged only over enough steady time). */
void ps_rss_trend(const struct ps_rss_series *s, struct ps_trend *out);

#endif
