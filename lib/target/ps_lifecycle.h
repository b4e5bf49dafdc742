/*
 * ps_lifecycle: when a profiling session stops and how its launched
 * target is ended, one rule for the CPU and the memory sessions.
 *
 * A session stops when perfscope is told to (a signal handler sets the
 * stop flag to the signal's number), when the duration passes, or when
 * its target ends; the first of the two reasons seen is kept for the
 * report.  A launched target still running is asked to end with the
 * signal perfscope got (SIGTERM at the duration) and killed when the
 * grace period has passed.  Progress is reported about once a second.
 */
#ifndef PS_LIFECYCLE_H
#define PS_LIFECYCLE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "target/ps_launch.h"

struct ps_lifecycle {
	volatile sig_atomic_t *stop;  /* the stop flag, may be NULL */
	double duration_s;            /* <= 0: no limit */
	double kill_grace_s;          /* from the request to end to SIGKILL */
	uint64_t start_ns;            /* sampling began (CLOCK_MONOTONIC) */
	uint64_t next_progress_ns;
	uint64_t kill_at_ns;          /* 0: the target was not asked to end; UINT64_MAX: killed */
	bool stopped_by_signal, stopped_by_duration;
};

void ps_lifecycle_init(struct ps_lifecycle *lc, volatile sig_atomic_t *stop, double duration_s,
		       double kill_grace_s);

/* Sampling begins at `now`: the duration and the progress reports count from here. */
void ps_lifecycle_start(struct ps_lifecycle *lc, uint64_t now);

/* Whether perfscope was told to stop (noted as the reason if none was yet). */
bool ps_lifecycle_signalled(struct ps_lifecycle *lc);

/* Whether the duration has passed (noted as the reason if none was yet). */
bool ps_lifecycle_expired(struct ps_lifecycle *lc, uint64_t now);

/* True about once a second, for a progress report. */
bool ps_lifecycle_progress_due(struct ps_lifecycle *lc, uint64_t now);

/* The signal a launched target is asked to end with: the one perfscope got, else SIGTERM. */
int ps_lifecycle_end_signal(const struct ps_lifecycle *lc);

/*
 * Called each round once the session is stopping, until the child exits:
 * the first call sends it the end signal, a call after the grace period
 * SIGKILL.  Never waits.
 */
void ps_lifecycle_end_target(struct ps_lifecycle *lc, struct ps_child *child, uint64_t now);

#endif
