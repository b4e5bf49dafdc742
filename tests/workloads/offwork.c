/*
 * offwork: a thread's wall time split in known parts.  main() burns S
 * seconds of CPU time in burn(), sleeps S seconds in nap() (nanosleep), then
 * blocks S seconds in wait_pipe() on a pipe read that a helper thread
 * answers after S seconds.
 *
 * Usage: offwork [--seconds S]   (default 1)
 */
#include "wl_common.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static double seconds = 1.0;
static int pipe_fds[2];

static void sleep_for(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* seconds of CPU time (a busy machine makes it longer, not lighter);
 * the clock is a system call, so it is read every ~100 us of work */
WL_HOT void burn(void)
{
	double end = wl_thread_cpu_now() + seconds;

	while (wl_thread_cpu_now() < end)
		WL_BURN_ITERS(100000);
	WL_KEEP_FRAME();
}

WL_HOT void nap(void)
{
	sleep_for(seconds);
	WL_KEEP_FRAME();
}

static void *answer_later(void *arg)
{
	char c = 'x';

	(void)arg;
	sleep_for(seconds);
	if (write(pipe_fds[1], &c, 1) != 1)
		return NULL;
	return NULL;
}

WL_HOT void wait_pipe(void)
{
	pthread_t helper;
	char c;

	pthread_create(&helper, NULL, answer_later, NULL);
	if (read(pipe_fds[0], &c, 1) != 1)
		_exit(1);
	pthread_join(helper, NULL);
	WL_KEEP_FRAME();
}

int main(int argc, char **argv)
{
	seconds = wl_seconds(argc, argv, 1.0);
	if (pipe(pipe_fds) != 0)
		return 1;
	burn();
	nap();
	wait_pipe();
	return 0;
}
