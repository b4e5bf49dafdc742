/*
 * ps_compare: a report against a baseline, figure by figure.
 *
 * A figure is a named number of a report ("syscalls.write.count",
 * "memory.leaked_bytes", "duration_s") that is worse when larger.  Counts
 * (system calls, bytes, allocations, leaked bytes, peak heap) do not
 * depend on timing noise and are compared directly: more than `limit_pct`
 * larger is a regression.  Timings from one run each cannot tell a change
 * from noise: a change of at least `limit_pct` is inconclusive, never a
 * regression.  When both reports carry the figures of repeated runs
 * ("runs", from --repeat), a timing is worse (or better) only when the
 * medians differ by `limit_pct` and the Mann-Whitney U test says p < 0.05;
 * otherwise inconclusive.  A timing that moved less than 10 ms (seconds)
 * or 2 points (percent) is the same whatever the ratio, and so is a
 * function's share of the CPU samples that moved less than sampling can
 * explain (the two-proportion test, p >= 0.05 divided among the shares
 * compared).  With runs, a share is worse or better only at p < 0.05
 * divided among the shares compared, else inconclusive.
 */
#ifndef PS_COMPARE_H
#define PS_COMPARE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/ps_error.h"

enum ps_verdict { PS_SAME, PS_BETTER, PS_WORSE, PS_INCONCLUSIVE, PS_ADDED, PS_REMOVED };
extern const char *const ps_verdict_names[];

struct ps_figure_change {
	char name[96];
	bool timing;                 /* a time or share: noisy */
	bool share;                  /* a share of on-CPU samples */
	double sampling_p;           /* a share from one run each: the two-proportion test */
	size_t old_runs, new_runs;   /* timings from repeated runs (--repeat): how many */
	double p_value;              /* Mann-Whitney U, two-sided, when both have runs */
	bool has_old, has_new;
	double old_value, new_value;
	double change_pct;           /* (new - old) / old * 100; old 0: +/-100 */
	double floor;                /* a timing that moved less than this is the same */
	enum ps_verdict verdict;
};

struct ps_comparison {
	struct ps_figure_change *items;   /* worst first: regressions, inconclusive, then by name */
	size_t n, cap;
	double limit_pct;
	size_t regressions;
	size_t inconclusive;              /* timings that grew (shrinking ones are listed, not counted) */
	char kind[32];
};

/*
 * Compares two reports of the same kind (profile, cpu-profile,
 * memory-profile, or metrics files).  PS_E_INPUT when the kinds differ.
 */
int ps_compare_reports(struct ps_comparison *c, const cJSON *baseline, const cJSON *report,
		       double limit_pct, struct ps_error *err);
void ps_comparison_release(struct ps_comparison *c);

/*
 * What a report is: its "kind" (profile, cpu-profile, memory-profile),
 * else "metrics" (a plain metrics file).
 */
const char *ps_compare_kind(const cJSON *report);

/* A report's figures as one JSON object, name to value: one run of "runs". */
cJSON *ps_compare_figures(const cJSON *report);
cJSON *ps_comparison_json(const struct ps_comparison *c);

#endif
