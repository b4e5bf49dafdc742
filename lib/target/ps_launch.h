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

#include "base/ps_error.h"

struct ps_child {
	pid_t pid;
	bool stopped_at_exec;
	bool exited;
	int exit_code;    /* valid when exited and !signal */
	int exit_signal;  /* non-zero when killed by a signal */
	bool traced;      /* still traced after the exec stop (ps_launch_release_traced) */
	bool at_exit;     /* traced, and held at its exit: ps_launch_leave_exit() */
	int exit_status;  /* at_exit: the wait status it is exiting with */
	double cpu_s;     /* exited: its CPU time and its waited-for descendants' */
};

/*
 * Forks and execs argv[0] (searched in PATH) with environment envp (NULL:
 * perfscope's own).  On return the child is stopped at its exec.  Unless
 * `outlive` (--keep-running), the child is killed if perfscope dies first
 * (PR_SET_PDEATHSIG: a perfscope killed with SIGKILL leaves no target
 * running).  Fails with PS_E_NOTFOUND or PS_E_NOEXEC when the command
 * cannot be run (the child is already reaped then).
 */
int ps_launch_start(char *const argv[], char *const envp[], bool outlive, struct ps_child *child,
		    struct ps_error *err);

/* Where execvp() finds command in PATH (malloc'ed), or NULL. */
char *ps_launch_command_path(const char *command);

/* Lets the stopped child go, detached from ptrace. */
int ps_launch_release_stop(struct ps_child *child, struct ps_error *err);

/*
 * Lets the stopped child go, still traced so that it stops again at its
 * exit (PTRACE_O_TRACEEXIT) with its memory intact; ps_launch_reap() passes
 * its signals on and sets child->at_exit when it is held there.  Only the
 * main thread is traced: a job-control stop is not kept (without
 * PTRACE_SEIZE a tracer cannot tell it from a signal), and the child dies
 * with perfscope (PTRACE_O_EXITKILL).
 */
int ps_launch_release_traced(struct ps_child *child, struct ps_error *err);

/* Lets a child held at its exit finish exiting, no longer traced. */
void ps_launch_leave_exit(struct ps_child *child);

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

#endif
