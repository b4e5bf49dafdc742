/*
 * ps_launch: start a command stopped right after its execve(), so that the
 * sampler can be armed before the program's first instruction, then let it
 * run untraced (PTRACE_DETACH) so a debugger can still attach to it.
 *
 * Calling sequence: ps_launch_start() -> open events on child->pid ->
 * ps_launch_release_stop() -> ... -> ps_launch_reap().
 */
#ifndef PS_LAUNCH_H
#define PS_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "ps_error.h"

struct ps_child {
	pid_t pid;
	bool stopped_at_exec;
	bool exited;
	int exit_code;    /* valid when exited and !signal */
	int exit_signal;  /* non-zero when killed by a signal */
};

/*
 * Forks and execs argv[0] (searched in PATH) with environment envp (NULL:
 * perfscope's own).  On return the child is stopped at its exec.  Fails with PS_E_NOTFOUND or PS_E_NOEXEC when the
 * command cannot be run (the child is already reaped then).
 */
int ps_launch_start(char *const argv[], char *const envp[], struct ps_child *child,
		    struct ps_error *err);

/* Lets the stopped child go, detached from ptrace. */
int ps_launch_release_stop(struct ps_child *child, struct ps_error *err);

/*
 * Collects the child's status if it has ended (block = wait for it).
 * Returns 1 when it has ended, 0 if still running, <0 on error.
 */
int ps_launch_reap(struct ps_child *child, bool block);

/* Waits up to `seconds` for the child to end; true if it has. */
bool ps_launch_wait(struct ps_child *child, double seconds);

/* Ends the child: `sig`, then SIGKILL if it is still there after grace_s. */
void ps_launch_terminate(struct ps_child *child, int sig, double grace_s);

/* Kills a child that never got past its exec stop (setup failed). */
void ps_launch_abort(struct ps_child *child);

/* The exit status a shell would report: code, or 128+signal. */
int ps_child_status(const struct ps_child *child);

#endif
