/*
 * ps_stats: the statistics a regression gate needs.
 */
#ifndef PS_STATS_H
#define PS_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* The median of v[0..n) (sorted in place); NAN when n is 0. */
double ps_median(double *v, size_t n);

/*
 * The two-sided p-value of the Mann-Whitney U test that samples a and b
 * come from the same distribution: exact for small samples without ties,
 * the normal approximation with a tie correction otherwise.  1 when either
 * is empty.  a and b are not changed.
 */
double ps_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/*
 * The two-sided p-value of the test that two shares, k1 of n1 samples and
 * k2 of n2, are the same proportion (the pooled two-proportion z test,
 * normal approximation).  1 when either side has no samples or both
 * shares are 0 or 1.
 */
double ps_two_proportions_p(double k1, double n1, double k2, double n2);

/*
 * A trend (growth) is judged only over this much steady time: past the
 * first tenth of the run (warm-up), at least 10 points and 5 s.  A shorter
 * run says its raw change instead: a 2 s script whose heap rises as it
 * starts is not "+700 MB/min".
 */
#define PS_TREND_MIN_STEADY_S 5.0

struct ps_trend {
	bool judged;        /* enough steady time: per_s means something */
	double per_s;       /* least-squares slope past warm-up; 0 unless judged */
	double r2;          /* the fit's coefficient of determination, 0..1 (0 unless judged) */
	double steady_s;    /* time past warm-up the fit covers */
	double span_s;      /* the whole series */
	double change;      /* last value minus first */
};

/* The trend of v over t (seconds), leaving out the first tenth of the points. */
void ps_trend_fit(const double *t, const double *v, size_t n, struct ps_trend *out);

#endif
