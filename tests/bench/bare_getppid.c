/*
 * bare_getppid [N]: the latency of a bare getppid() system call, for
 * tests/bench/profile.sh to set beside the p50 that perfscope profile
 * reports for the same call.  Times N calls one at a time with
 * CLOCK_MONOTONIC, and N empty intervals (two clock reads back to back);
 * prints the median of each and their difference, the call's own time:
 *   call_p50_us=0.412 clock_p50_us=0.030 p50_us=0.382
 * Built by profile.sh into its scratch directory (cc -O2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static double median_us(long long *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return (double)v[n / 2] / 1000.0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	long long *call, *clock;
	double c, e;

	if (n < 1)
		return 2;
	call = malloc((size_t)n * sizeof(*call));
	clock = malloc((size_t)n * sizeof(*clock));
	if (!call || !clock)
		return 1;
	for (long i = 0; i < n; i++) {
		long long t0 = now_ns();

		if (getppid() < 0)
			return 1;
		call[i] = now_ns() - t0;
		t0 = now_ns();
		clock[i] = now_ns() - t0;
	}
	c = median_us(call, n);
	e = median_us(clock, n);
	printf("call_p50_us=%.3f clock_p50_us=%.3f p50_us=%.3f\n", c, e, c - e);
	free(call);
	free(clock);
	return 0;
}
