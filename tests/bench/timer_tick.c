/*
 * timer_tick.so: preloaded into a program by tests/bench/run.sh, it arms a
 * timer that sends the process a signal TIMER_TICK_HZ times a second of
 * wall time, with an empty handler.  No perf event, no sample, no stack
 * copy: what the program pays for a timer interrupt alone, to set beside
 * what it pays for a CPU sample at the same rate.  Built by run.sh into
 * its scratch directory (cc -O2 -shared -fPIC).
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

static void on_tick(int sig)
{
	(void)sig;
}

__attribute__((constructor)) static void arm(void)
{
	const char *spec = getenv("TIMER_TICK_HZ");
	long hz = spec ? atol(spec) : 0;
	struct sigaction sa = { .sa_handler = on_tick, .sa_flags = SA_RESTART };
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	struct itimerspec its;
	timer_t timer;

	if (hz <= 0 || hz > 100000)
		return;
	its.it_interval.tv_sec = 0;
	its.it_interval.tv_nsec = 1000000000L / hz;
	its.it_value = its.it_interval;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL) == 0 && timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0)
		timer_settime(timer, 0, &its, NULL);
}
