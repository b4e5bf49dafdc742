/*
 * lockwork: contention on one mutex.  T threads (default 4) each take the
 * lock R times (default 100) in take_lock() and hold it ~1 ms of CPU
 * work, so most of each thread's wall time is spent waiting for the others.
 *
 * Each worker prints its own CPU time when done (ground truth for the
 * profiler's per-thread accounting): "worker TID cpu_ns N" on stdout.
 *
 * Usage: lockwork [--threads T] [--rounds R]
 */
#include "wl_common.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int rounds = 100;

WL_HOT void take_lock(void)
{
	pthread_mutex_lock(&lock);
	WL_KEEP_FRAME();
}

WL_HOT void hold_lock(void)
{
	double end = wl_now() + 0.001;

	while (wl_now() < end)
		WL_BURN_ITERS(100);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
	struct timespec cpu;

	(void)arg;
	for (int i = 0; i < rounds; i++) {
		take_lock();
		hold_lock();
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
	printf("worker %ld cpu_ns %lld\n", (long)syscall(SYS_gettid),
	       (long long)cpu.tv_sec * 1000000000 + cpu.tv_nsec);
	return NULL;
}

int main(int argc, char **argv)
{
	int nthreads = (int)wl_opt_double(argc, argv, "--threads", 4);
	pthread_t t[64];

	rounds = (int)wl_opt_double(argc, argv, "--rounds", 100);
	if (nthreads < 1 || nthreads > 64)
		return 2;
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return 0;
}
