/*
 * offwork: a thread's wall time split in known parts.  main() burns S
 * seconds of CPU time in burn(), sleeps S seconds in nap() (nanosleep), then
 * blocks S seconds in wait_pipe() on a pipe read that a helper thread
 * answers after S seconds.
 *
 * Usage: offwork [--seconds S] [--depth N]   (default 1 s, depth 0)
 *   --depth N: wait_pipe() is called through N frames of descend(), each
 *   holding ~200 bytes of stack, to test stacks deeper than a stack copy.
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

WL_HOT void descend(int depth)
{
	volatile char frame[200];

	frame[0] = (char)depth;
	if (depth > 1)
		descend(depth - 1);
	else
		wait_pipe();
	frame[199] = frame[0];	/* no tail call: every level keeps its frame */
	WL_KEEP_FRAME();
}

int main(int argc, char **argv)
{
	int depth = (int)wl_opt_double(argc, argv, "--depth", 0);

	seconds = wl_seconds(argc, argv, 1.0);
	if (pipe(pipe_fds) != 0)
		return 1;
	burn();
	nap();
	if (depth > 0)
		descend(depth);
	else
		wait_pipe();
	return 0;
}
