/*
 * offwork: a thread's wall time split in known parts.  main() burns S
 * seconds of CPU time in burn(), sleeps S seconds in nap() (nanosleep), then
 * blocks S seconds in wait_pipe() on a pipe read that a helper thread
 * answers after S seconds.
 *
 * Usage: offwork [--seconds S] [--depth N]   (default 1 s, depth 0)
 *   --depth N: wait_pipe() is called through N frames of descend(), each
 *   holding ~200 bytes of stack, to test stacks deeper than a stack copy.
 *
 * At the end it prints what it measured of each part (wl-truth): burn, the
 * CPU seconds of the burn() call (its clock reads too: they are its callees
 * in a profile); burn_wall, the wall seconds of burn() (on a CPU or waiting
 * for one); nap, wait_pipe and
 * helper_sleep, the wall seconds of nap()'s sleep, of wait_pipe()'s read
 * and of the helper thread's sleep before it answers.  A busy machine
 * makes the waits longer than S (a thread woken waits for a CPU), and the
 * tests compare with these, not with S.
 */
#include "wl_common.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static double seconds = 1.0;
static int pipe_fds[2];

enum { BURN, BURN_WALL, NAP, WAIT_PIPE, HELPER_SLEEP, PARTS };
static struct wl_part parts[PARTS] = {
	WL_PART("burn"), WL_PART("burn_wall"), WL_PART("nap"), WL_PART("wait_pipe"),
	WL_PART("helper_sleep"),
};

/* A wall time into a part: no clock reads to take out (calls stays 0). */
static void add_wall(struct wl_part *p, double since)
{
	__atomic_fetch_add(&p->ns, (unsigned long)((wl_now() - since) * 1e9), __ATOMIC_RELAXED);
}

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
	double wall = wl_now(), start = wl_thread_cpu_now(), t = start;

	while (t < start + seconds) {
		WL_BURN_ITERS(100000);
		t = wl_thread_cpu_now();
	}
	wl_part_add(&parts[BURN], t - start);
	add_wall(&parts[BURN_WALL], wall);
	WL_KEEP_FRAME();
}

WL_HOT void nap(void)
{
	double wall = wl_now();

	sleep_for(seconds);
	add_wall(&parts[NAP], wall);
	WL_KEEP_FRAME();
}

static void *answer_later(void *arg)
{
	char c = 'x';
	double wall = wl_now();

	(void)arg;
	sleep_for(seconds);
	add_wall(&parts[HELPER_SLEEP], wall);
	if (write(pipe_fds[1], &c, 1) != 1)
		return NULL;
	return NULL;
}

WL_HOT void wait_pipe(void)
{
	pthread_t helper;
	double wall;
	char c;

	pthread_create(&helper, NULL, answer_later, NULL);
	wall = wl_now();
	if (read(pipe_fds[0], &c, 1) != 1)
		_exit(1);
	add_wall(&parts[WAIT_PIPE], wall);
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
	wl_truth_init();
	if (pipe(pipe_fds) != 0)
		return 1;
	burn();
	nap();
	if (depth > 0)
		descend(depth);
	else
		wait_pipe();
	wl_truth_print(parts, PARTS);
	return 0;
}
