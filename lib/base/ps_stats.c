/*
 * The statistics a regression gate needs (ps_stats.h).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_stats.h"

/* Exact when both samples are at most this large (the table is small). */
#define EXACT_MAX 25

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

double ps_median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * P(U <= u) for samples of m and n without ties: the number of orderings
 * with U = k, counted by the recurrence on which sample holds the largest
 * value, over all C(m + n, m) orderings.
 */
static double exact_cdf(size_t m, size_t n, double u)
{
	size_t umax = m * n;
	/* counts[i][j][k]: orderings of i and j values with U = k, one layer of i at a time */
	double *prev = calloc((n + 1) * (umax + 1), sizeof(double));
	double *cur = calloc((n + 1) * (umax + 1), sizeof(double));
	double below = 0, all = 0;

	if (!prev || !cur) {
		free(prev);
		free(cur);
		return NAN;
	}
#define AT(t, j, k) (t)[(j) * (umax + 1) + (k)]
	for (size_t j = 0; j <= n; j++)
		AT(prev, j, 0) = 1;	/* i = 0: U is 0 */
	for (size_t i = 1; i <= m; i++) {
		memset(cur, 0, (n + 1) * (umax + 1) * sizeof(double));
		AT(cur, 0, 0) = 1;
		for (size_t j = 1; j <= n; j++)
			for (size_t k = 0; k <= i * j; k++)
				/* the largest is one of the i (it beats all j: U + j), or one of the j */
				AT(cur, j, k) = (k >= j ? AT(prev, j, k - j) : 0) + AT(cur, j - 1, k);
		memcpy(prev, cur, (n + 1) * (umax + 1) * sizeof(double));
	}
	for (size_t k = 0; k <= umax; k++) {
		all += AT(prev, n, k);
		if ((double)k <= u + 1e-9)
			below += AT(prev, n, k);
	}
#undef AT
	free(prev);
	free(cur);
	return below / all;
}

double ps_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i = 0;
	struct { double v; bool from_a; } *all;
	double rank_a = 0, ties = 0, u, mean, sd, z, p;
	bool tied = false;

	if (!na || !nb)
		return 1;
	all = malloc(n * sizeof(*all));
	if (!all)
		return NAN;
	for (size_t k = 0; k < na; k++)
		all[k].v = a[k], all[k].from_a = true;
	for (size_t k = 0; k < nb; k++)
		all[na + k].v = b[k], all[na + k].from_a = false;
	qsort(all, n, sizeof(*all), cmp_double);	/* .v is first */
	/* ranks, ties sharing their mean rank */
	while (i < n) {
		size_t j = i;
		double rank;

		while (j + 1 < n && all[j + 1].v == all[i].v)
			j++;
		rank = (double)(i + j) / 2 + 1;
		for (size_t k = i; k <= j; k++)
			if (all[k].from_a)
				rank_a += rank;
		if (j > i) {
			double t = (double)(j - i + 1);

			tied = true;
			ties += t * t * t - t;
		}
		i = j + 1;
	}
	free(all);
	u = rank_a - (double)na * (double)(na + 1) / 2;
	mean = (double)na * (double)nb / 2;
	if (!tied && na <= EXACT_MAX && nb <= EXACT_MAX) {
		/* two-sided: twice the smaller tail */
		double lower = u <= mean ? u : (double)na * (double)nb - u;

		p = 2 * exact_cdf(na, nb, lower);
		return p > 1 ? 1 : p;
	}
	sd = sqrt((double)na * (double)nb / 12 *
		  ((double)(n + 1) - ties / ((double)n * (double)(n - 1))));
	if (sd == 0)
		return 1;
	/* continuity correction of half a step toward the mean */
	z = (fabs(u - mean) - 0.5) / sd;
	if (z < 0)
		z = 0;
	p = erfc(z / sqrt(2));
	return p > 1 ? 1 : p;
}

double ps_two_proportions_p(double k1, double n1, double k2, double n2)
{
	double pooled, se;

	if (!(n1 > 0) || !(n2 > 0))
		return 1;
	pooled = (k1 + k2) / (n1 + n2);
	se = sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
	if (!(se > 0))
		return 1;
	return erfc(fabs(k2 / n2 - k1 / n1) / se / sqrt(2.0));
}

void ps_trend_fit(const double *t, const double *v, size_t n, struct ps_trend *out)
{
	size_t from = n / 10;
	double mt = 0, mv = 0, sxx = 0, sxy = 0, syy = 0, k;

	*out = (struct ps_trend){ 0 };
	if (n == 0)
		return;
	out->span_s = t[n - 1] - t[0];
	out->change = v[n - 1] - v[0];
	out->steady_s = t[n - 1] - t[from];
	if (n - from < 10 || out->steady_s < PS_TREND_MIN_STEADY_S)
		return;
	k = (double)(n - from);
	for (size_t i = from; i < n; i++) {
		mt += t[i] / k;
		mv += v[i] / k;
	}
	for (size_t i = from; i < n; i++) {
		sxx += (t[i] - mt) * (t[i] - mt);
		sxy += (t[i] - mt) * (v[i] - mv);
		syy += (v[i] - mv) * (v[i] - mv);
	}
	if (sxx <= 0)
		return;
	out->judged = true;
	out->per_s = sxy / sxx;
	/* a flat series is perfectly described by its (zero) slope */
	out->r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1;
}
