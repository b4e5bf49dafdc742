/*
 * ps_run: a finished run, as a value.  Each session ends by filling one
 * (the CPU session a ps_cpu_run, which holds this), and every writer,
 * page and summary reads only that: never the session, its sampler or
 * its collectors.  A test can build one by hand and check a writer's
 * output without perf events or root.
 */
#ifndef PS_RUN_H
#define PS_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_notes.h"

struct ps_child;
struct ps_lifecycle;

enum ps_run_stop {
	PS_RUN_TARGET_EXIT,    /* the program (or attached process) ended */
	PS_RUN_DURATION,       /* --duration passed */
	PS_RUN_SIGNAL,         /* perfscope was told to stop (Ctrl-C, SIGTERM) */
};

struct ps_run {
	char *const *argv;          /* the command launched; NULL when attached (not owned) */
	pid_t pid;                  /* the target's */
	uint64_t start_ns, end_ns;  /* sampling, CLOCK_MONOTONIC */
	enum ps_run_stop stopped_by;
	bool left_running;          /* --keep-running left it alive at the duration */
	/* A launched target that ended: how (exit_signal 0 when it exited). */
	bool exited;
	int exit_code, exit_signal;
	double target_cpu_s;        /* its CPU time with the children it waited for; -1 unknown */
	struct ps_notes notes;      /* in the order a reader should see them */
};

void ps_run_init(struct ps_run *run);

/*
 * What every session's run says of its target: the command (NULL when
 * attached), pid, the times and why it stopped (from its lifecycle), and
 * how it ended when `child` is the launched target (NULL when attached or
 * left running).
 */
void ps_run_set_target(struct ps_run *run, char *const *argv, pid_t pid, const struct ps_lifecycle *life,
		       uint64_t end_ns, const struct ps_child *child);
void ps_run_release(struct ps_run *run);

/* "signal", "duration" or "target_exit", as the reports write it. */
const char *ps_run_stop_name(enum ps_run_stop s);

/* The launched target's exit status as a shell reports it (128 + signal); 0 unless it ended. */
int ps_run_exit_status(const struct ps_run *run);

/* The sampling time in seconds (0 when it never started). */
double ps_run_seconds(const struct ps_run *run);

#endif
