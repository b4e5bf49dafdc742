/*
 * allocwork [--pairs N] [--threads T]: N malloc/free pairs in total, of
 * mixed sizes (16 bytes to 4 KiB), from four call sites at the bottom of
 * short call chains, split evenly over T threads; each thread keeps up to
 * 64 blocks alive, so the allocator's fast paths and some reuse are both
 * exercised.  Prints its own wall and CPU time, measured from inside
 * (elapsed=S cpu=S), so a profiler's start-up and tear-down do not count.
 * Built with -O2 -g and no frame pointers, like distribution code.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define NOINLINE __attribute__((noinline, noipa))

static long pairs = 10000000;
static int nthreads = 1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t next_size(unsigned long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return 16 + (*x % 4081);
}

NOINLINE static void *site_a(size_t n) { return malloc(n); }
NOINLINE static void *site_b(size_t n) { return malloc(n); }
NOINLINE static void *site_c(size_t n) { return calloc(1, n); }
NOINLINE static void *site_d(size_t n) { return malloc(n); }
NOINLINE static void *pick(int which, size_t n)
{
	void *p = which == 0 ? site_a(n) : which == 1 ? site_b(n) : which == 2 ? site_c(n) : site_d(n);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

NOINLINE static void *thread_main(void *arg)
{
	unsigned long x = 88172645463325252UL ^ (unsigned long)(uintptr_t)arg;
	long n = pairs / nthreads;
	void *live[64] = { 0 };

	for (long i = 0; i < n; i++) {
		int slot = (int)(i & 63);

		free(live[slot]);
		live[slot] = pick((int)(i & 3), next_size(&x));
		((char *)live[slot])[0] = 1;
	}
	for (int i = 0; i < 64; i++)
		free(live[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	struct rusage ru;
	double start;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--pairs"))
			pairs = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--threads"))
			nthreads = atoi(argv[i + 1]);
	}
	if (nthreads < 1 || nthreads > 64)
		nthreads = 1;
	start = now();
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, thread_main, (void *)(uintptr_t)(i + 1));
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("elapsed=%.6f cpu=%.6f\n", now() - start,
	       (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6);
	return 0;
}
