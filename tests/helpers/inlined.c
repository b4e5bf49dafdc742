/*
 * inlined [--seconds S] [--nested]: all CPU time is spent in inline_hot(),
 * which is always inlined into outer_caller().  A profiler that expands
 * inline frames shows main;outer_caller;inline_hot_[i].  With --nested,
 * inline_hot() is inlined into inline_middle(), itself inlined into
 * nested_caller(): main;nested_caller;inline_middle_[i];inline_hot_[i].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile unsigned long sink = 88172645463325252UL;

static inline __attribute__((always_inline)) void inline_hot(unsigned long iters)
{
	unsigned long x = sink | 1;

	for (unsigned long i = 0; i < iters; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		__asm__ volatile("" : "+r"(x));
	}
	sink = x;
}

__attribute__((noinline)) void outer_caller(void)
{
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	inline_hot(30000);
	__asm__ volatile("");
}

static inline __attribute__((always_inline)) void inline_middle(unsigned long iters)
{
	inline_hot(iters / 2);
	__asm__ volatile("");
	inline_hot(iters - iters / 2);
}

__attribute__((noinline)) void nested_caller(void)
{
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
	inline_middle(30000);
	__asm__ volatile("");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 && strcmp(argv[1], "--seconds") == 0 ? atof(argv[2]) : 1.0;
	int nested = argc > 1 && strcmp(argv[argc - 1], "--nested") == 0;
	double start = now();
	unsigned long rounds = 0;

	while (now() - start < seconds) {
		if (nested)
			nested_caller();
		else
			outer_caller();
		rounds++;
	}
	printf("inlined: rounds=%lu\n", rounds);
	return 0;
}
