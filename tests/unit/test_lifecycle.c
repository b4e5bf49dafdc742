/*
 * ps_lifecycle: when a session stops (told to, or the duration passed,
 * the first reason kept), progress about once a second, and how a
 * launched target is ended: the stop signal or SIGTERM first, SIGKILL
 * once the grace period has passed, never both at once.  The targets are
 * children forked here, one that takes SIGTERM and one that ignores it.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/ps_lifecycle.h"
#include "unit.h"

#define S 1000000000ULL

static void reasons(void)
{
	volatile sig_atomic_t stop = 0;
	struct ps_lifecycle lc;

	ps_lifecycle_init(&lc, &stop, 2.0, 1.0);
	ps_lifecycle_start(&lc, 10 * S);
	CHECK(!ps_lifecycle_signalled(&lc) && !ps_lifecycle_expired(&lc, 12 * S - 1),
	      "not told to stop, and 1 ns short of the 2 s duration: running");
	CHECK(ps_lifecycle_expired(&lc, 12 * S) && lc.stopped_by_duration && !lc.stopped_by_signal,
	      "at 2 s exactly: stopped by the duration");
	stop = SIGINT;
	CHECK(ps_lifecycle_signalled(&lc) && lc.stopped_by_duration && !lc.stopped_by_signal,
	      "a signal after the duration: stopping, the first reason kept");
	CHECK(ps_lifecycle_end_signal(&lc) == SIGINT, "the target is asked to end with perfscope's own signal");

	stop = 0;
	ps_lifecycle_init(&lc, &stop, 0, 1.0);
	ps_lifecycle_start(&lc, 0);
	CHECK(!ps_lifecycle_expired(&lc, 1000000 * S), "no duration: never expires");
	CHECK(ps_lifecycle_end_signal(&lc) == SIGTERM, "no signal to pass on: SIGTERM");
	stop = SIGTERM;
	CHECK(ps_lifecycle_signalled(&lc) && lc.stopped_by_signal && !lc.stopped_by_duration,
	      "told to stop: stopped by the signal");

	ps_lifecycle_init(&lc, NULL, 1.0, 1.0);
	ps_lifecycle_start(&lc, 5 * S);
	CHECK(!ps_lifecycle_signalled(&lc), "no stop flag at all: never signalled");
	CHECK(!ps_lifecycle_expired(&lc, 4 * S), "a time before the start is not past the duration");
}

static void progress(void)
{
	struct ps_lifecycle lc;
	int due[5];

	ps_lifecycle_init(&lc, NULL, 0, 1.0);
	ps_lifecycle_start(&lc, 0);
	due[0] = ps_lifecycle_progress_due(&lc, S / 2);
	due[1] = ps_lifecycle_progress_due(&lc, S);
	due[2] = ps_lifecycle_progress_due(&lc, S + S / 2);
	due[3] = ps_lifecycle_progress_due(&lc, 2 * S);
	due[4] = ps_lifecycle_progress_due(&lc, 5 * S);
	CHECK(!due[0] && due[1] && !due[2] && due[3] && due[4],
	      "progress at 1 s and 2 s, not at 0.5 s or 1.5 s; a late round reports once (%d %d %d %d %d)",
	      due[0], due[1], due[2], due[3], due[4]);
}

/* A child that ignores SIGTERM (or not) and waits to be ended; returned once it is ready. */
static pid_t child(bool ignore_term)
{
	int ready[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		if (ignore_term)
			signal(SIGTERM, SIG_IGN);
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	return pid;
}

/* How pid ended, waiting up to 2 s: the signal, or 0 if it is still running. */
static int ended_by(pid_t pid)
{
	int status;

	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
		usleep(10000);
	}
	return 0;
}

static void ending(void)
{
	volatile sig_atomic_t stop = 0;
	struct ps_lifecycle lc;
	struct ps_child c = { 0 };
	int status;

	ps_lifecycle_init(&lc, &stop, 1.0, 3.0);
	ps_lifecycle_start(&lc, 0);
	c.pid = child(false);
	if (c.pid <= 0) {	/* never signal pid -1: that is every process */
		CHECK(0, "a child forked");
		return;
	}
	ps_lifecycle_end_target(&lc, &c, S);
	CHECK(ended_by(c.pid) == SIGTERM && lc.kill_at_ns == 4 * S,
	      "a target that takes SIGTERM ends by it; SIGKILL would follow at 1 + 3 s");

	ps_lifecycle_init(&lc, &stop, 1.0, 3.0);
	ps_lifecycle_start(&lc, 0);
	c.pid = child(true);
	if (c.pid <= 0) {
		CHECK(0, "a child forked");
		return;
	}
	ps_lifecycle_end_target(&lc, &c, S);
	ps_lifecycle_end_target(&lc, &c, 4 * S - 1);
	CHECK(waitpid(c.pid, &status, WNOHANG) == 0 && lc.kill_at_ns == 4 * S,
	      "one that ignores it is still running 1 ns before the grace period ends");
	ps_lifecycle_end_target(&lc, &c, 4 * S);
	CHECK(ended_by(c.pid) == SIGKILL && lc.kill_at_ns == UINT64_MAX, "at the end of the grace period: SIGKILL");

	c = (struct ps_child){ .pid = child(false), .exited = true };
	if (c.pid <= 0) {
		CHECK(0, "a child forked");
		return;
	}
	ps_lifecycle_init(&lc, &stop, 1.0, 3.0);
	ps_lifecycle_end_target(&lc, &c, S);
	CHECK(lc.kill_at_ns == 0 && waitpid(c.pid, &status, WNOHANG) == 0,
	      "a target already reaped gets no signal (its pid may be another's)");
	kill(c.pid, SIGKILL);
	waitpid(c.pid, &status, 0);
}

int main(void)
{
	reasons();
	progress();
	ending();
	return unit_done();
}
