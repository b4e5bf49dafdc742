/*
 * soak: a busy multi-threaded program for long runs, whose stacks vary
 * from one round to the next but whose set of distinct stacks is small and
 * bounded, so that a profiler's memory has a fixed amount to hold however
 * long it runs, and holds all of it after the first seconds.
 *
 * Each of T threads (default 4) loops:
 *   - a walk 1 to 3 calls deep through step_a, step_b, step_c chosen at
 *     random (3 + 9 + 27 = 39 call paths), at the bottom of which work()
 *     burns 0.05-0.35 ms;
 *   - churn(): a block of 16 bytes to 64 KiB from alloc_small or alloc_big,
 *     its first byte of each page written, freeing the block made 32 rounds
 *     before (at most 32 live blocks a thread), and 64 temporary 32-byte
 *     blocks from alloc_tiny;
 *   - every 16th round, nap(): a write to /dev/null and a 1 ms sleep
 *     (system calls and off-CPU time).
 * Allocation and system calls sit on one path each, not at the bottom of
 * the walk, so the allocator's and the kernel's many instructions do not
 * multiply the walk's paths.  The heap is never trimmed, so once every
 * thread's blocks have cycled the program takes no new page fault.
 *
 * Usage: soak [--seconds S] [--threads T]   (defaults 10 and 4)
 * Prints "rounds=N" (all threads) at the end.
 */
#include "wl_common.h"
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <unistd.h>

#define LIVE 32

struct walker {
	unsigned long rng;
	unsigned long rounds;
	void *live[LIVE];
	int devnull;
};

static double seconds, start;

WL_HOT static void *alloc_small(size_t n) { void *p = malloc(n); WL_KEEP_FRAME(); return p; }
WL_HOT static void *alloc_big(size_t n) { void *p = malloc(n); WL_KEEP_FRAME(); return p; }
WL_HOT static void *alloc_tiny(size_t n) { void *p = malloc(n); WL_KEEP_FRAME(); return p; }

WL_HOT static void work(struct walker *w)
{
	WL_BURN(wl_round_scale(&w->rng));
}

static void descend(struct walker *w, int depth);

WL_HOT static void step_a(struct walker *w, int depth) { descend(w, depth); WL_KEEP_FRAME(); }
WL_HOT static void step_b(struct walker *w, int depth) { descend(w, depth); WL_KEEP_FRAME(); }
WL_HOT static void step_c(struct walker *w, int depth) { descend(w, depth); WL_KEEP_FRAME(); }

static void (*const steps[3])(struct walker *, int) = { step_a, step_b, step_c };

WL_HOT static void descend(struct walker *w, int depth)
{
	if (depth == 0) {
		work(w);
		return;
	}
	wl_round_scale(&w->rng);
	steps[(w->rng >> 40) % 3](w, depth - 1);
	WL_KEEP_FRAME();
}

WL_HOT static void churn(struct walker *w)
{
	size_t size = 16 + (w->rng >> 20) % 65520;
	volatile char *p = size < 4096 ? alloc_small(size) : alloc_big(size);
	int slot = (int)(w->rounds % LIVE);

	for (size_t i = 0; p && i < size; i += 4096)
		p[i] = 1;
	free(w->live[slot]);
	w->live[slot] = (void *)p;
	for (int i = 0; i < 64; i++) {
		volatile char *t = alloc_tiny(32);

		if (t)
			t[0] = 1;
		free((void *)t);
	}
}

WL_HOT static void nap(struct walker *w)
{
	const struct timespec ms = { 0, 1000000 };

	if (write(w->devnull, &w->rounds, sizeof(w->rounds)) < 0)
		abort();
	nanosleep(&ms, NULL);
}

static void *walk_main(void *arg)
{
	struct walker *w = arg;

	while (wl_now() - start < seconds) {
		wl_round_scale(&w->rng);
		descend(w, 1 + (int)((w->rng >> 30) % 3));
		churn(w);
		if (w->rounds % 16 == 0)
			nap(w);
		w->rounds++;
	}
	for (int i = 0; i < LIVE; i++)
		free(w->live[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = (int)wl_opt_double(argc, argv, "--threads", 4);
	struct walker *w = calloc(n > 0 ? (size_t)n : 1, sizeof(*w));
	pthread_t *t = calloc(n > 0 ? (size_t)n : 1, sizeof(*t));
	unsigned long rounds = 0;
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (!w || !t || devnull < 0 || n < 1)
		return 1;
	/* a trimmed heap faults its pages in again, on ever new kernel stacks */
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	seconds = wl_seconds(argc, argv, 10);
	start = wl_now();
	for (int i = 0; i < n; i++) {
		w[i].rng = 88172645463325252UL + 7919UL * (unsigned long)i;
		w[i].devnull = devnull;
		if (pthread_create(&t[i], NULL, walk_main, &w[i]) != 0)
			return 1;
	}
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		rounds += w[i].rounds;
	}
	printf("rounds=%lu\n", rounds);
	free(w);
	free(t);
	return 0;
}
