/*
 * fixedwork [--units N] [--threads T] [--depth D]: a fixed amount of CPU
 * work (not a fixed time), so that a profiler's overhead shows up as a
 * longer run.  Each thread does N units at the bottom of a D-deep call
 * chain.  Prints its own wall and CPU time, measured from inside, so the
 * profiler's start-up and tear-down do not count.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static volatile unsigned long sink = 88172645463325252UL;
static unsigned long units = 2000;
static int depth = 15;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void work_unit(void)
{
	unsigned long x = sink | 1;

	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	for (unsigned long i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	sink = x;
}

__attribute__((noinline)) static void descend(int level)
{
	if (level > 0) {
		descend(level - 1);
		__asm__ volatile("");
		return;
	}
	work_unit();
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (unsigned long i = 0; i < units; i++)
		descend(depth);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1;
	pthread_t tids[64];
	struct rusage ru;
	double start;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--units") == 0)
			units = strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--threads") == 0)
			threads = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--depth") == 0)
			depth = atoi(argv[i + 1]);
	}
	if (threads < 1 || threads > 64)
		threads = 1;
	start = now();
	for (int t = 0; t < threads; t++)
		pthread_create(&tids[t], NULL, thread_main, NULL);
	for (int t = 0; t < threads; t++)
		pthread_join(tids[t], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("elapsed=%.6f cpu=%.6f\n", now() - start,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	return 0;
}
