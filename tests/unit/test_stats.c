/* ps_stats: medians and Mann-Whitney U p-values against values worked out by hand. */
#include <math.h>

#include "base/ps_stats.h"
#include "unit.h"

static int near(double x, double want, double tol)
{
	return fabs(x - want) <= tol;
}

int main(void)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
	double lo5[] = { 1, 2, 3, 4, 5 }, hi5[] = { 6, 7, 8, 9, 10 };
	double ev5[] = { 1, 3, 5, 7, 9 }, od5[] = { 2, 4, 6, 8, 10 };
	double lo4[] = { 1.0, 1.1, 1.2, 1.3 }, hi4[] = { 2.0, 2.1, 2.2, 2.3 };
	double tied_a[] = { 1, 1, 2, 2 }, tied_b[] = { 3, 3, 4, 4 };
	double big_a[30], big_b[30];

	for (int i = 0; i < 30; i++) {
		big_a[i] = i;
		big_b[i] = 30 + i;
	}
	CHECK(ps_median(odd, 3) == 2, "median of three");
	CHECK(ps_median(even, 4) == 2.5, "median of four is the mean of the middle two");
	CHECK(isnan(ps_median(odd, 0)), "no median of nothing");
	/* all of one below all of the other: 1 ordering of C(10, 5) = 252 each way */
	CHECK(near(ps_mann_whitney_p(lo5, 5, hi5, 5), 2.0 / 252, 1e-12), "5 v 5 separated: p = 2/252 (got %g)",
	      ps_mann_whitney_p(lo5, 5, hi5, 5));
	CHECK(near(ps_mann_whitney_p(hi5, 5, lo5, 5), 2.0 / 252, 1e-12), "and the same the other way round");
	CHECK(near(ps_mann_whitney_p(lo4, 4, hi4, 4), 2.0 / 70, 1e-12), "4 v 4 separated: p = 2/70");
	/* interleaved: U = 10 of 25; P(U <= 10) = 87/252 */
	CHECK(near(ps_mann_whitney_p(ev5, 5, od5, 5), 2 * 87.0 / 252, 1e-9), "5 v 5 interleaved: p = 174/252 (got %g)",
	      ps_mann_whitney_p(ev5, 5, od5, 5));
	CHECK(ps_mann_whitney_p(tied_a, 4, tied_b, 4) < 0.05, "ties: the normal approximation still separates them (got %g)",
	      ps_mann_whitney_p(tied_a, 4, tied_b, 4));
	CHECK(ps_mann_whitney_p(big_a, 30, big_b, 30) < 1e-9, "30 v 30 separated: p < 1e-9 (got %g)",
	      ps_mann_whitney_p(big_a, 30, big_b, 30));
	CHECK(ps_mann_whitney_p(big_a, 30, big_a, 30) > 0.9, "a sample against itself: p near 1");
	CHECK(ps_mann_whitney_p(lo5, 0, hi5, 5) == 1, "an empty sample: p = 1");
	/* two shares of samples: values from the textbook formula */
	CHECK(near(ps_two_proportions_p(50, 100, 65, 100), 0.0319053, 1e-6),
	      "50/100 v 65/100: p = 0.0319 (got %g)", ps_two_proportions_p(50, 100, 65, 100));
	CHECK(near(ps_two_proportions_p(1, 26, 3, 25), 0.278923, 1e-5),
	      "1/26 v 3/25: p = 0.279, sampling noise (got %g)", ps_two_proportions_p(1, 26, 3, 25));
	CHECK(ps_two_proportions_p(600, 2000, 700, 2000) < 0.001, "30%% v 35%% of 2,000 samples: p < 0.001");
	CHECK(ps_two_proportions_p(0, 100, 0, 100) == 1, "nothing on either side: p = 1");
	CHECK(ps_two_proportions_p(3, 0, 3, 10) == 1, "no samples on one side: p = 1");
	return unit_done();
}
