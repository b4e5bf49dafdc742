/*
 * ps_syscalls: every system call of the profiled program, from the
 * raw_syscalls:sys_enter and sys_exit tracepoints through perf_event_open
 * (not ptrace: a few microseconds a call instead of tens).  Aggregated per
 * system call as it goes, into the table of model/ps_syscall_stats.h.
 *
 * A call's entry and exit can land in different CPUs' rings (a blocking
 * call may resume elsewhere); events are applied in time order, up to a
 * few milliseconds before the rings were read, so an exit is never seen
 * before its entry.
 */
#ifndef PS_SYSCALLS_H
#define PS_SYSCALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "collect/ps_files.h"
#include "collect/ps_openpaths.h"
#include "base/ps_idmap.h"
#include "model/ps_syscall_procs.h"
#include "model/ps_syscall_stats.h"
#include "sample/ps_perf.h"
#include "target/ps_preflight.h"
#include "target/ps_tracefs.h"

/* A thread's call in progress. */
struct ps_syscall_thread {
	uint32_t pid;
	int64_t nr;                  /* -1: none */
	uint64_t enter_ns;
	uint64_t args[4];
	char *path;                  /* the path an open call in flight was given, or NULL */
};

struct ps_syscall_event {
	uint64_t time;
	uint32_t pid, tid;
	bool exit;
	int64_t nr;
	uint64_t a[4];               /* entry: the first arguments; exit: a[0] = the result */
};

struct ps_syscalls {
	struct ps_perf perf;
	uint32_t enter_id, exit_id;
	unsigned nr_off, args_off, ret_off;   /* in the raw records */
	struct ps_syscall_stat stats[PS_SYSCALL_MAX];
	struct ps_syscall_procs procs;   /* the same calls per process */
	struct ps_idmap tid_index;
	struct ps_syscall_thread *threads;
	size_t nthreads, threads_cap;
	struct ps_syscall_event *queue;   /* read, sorted by time; [qhead, nqueue) not applied */
	size_t nqueue, queue_cap, qhead;
	uint64_t events, lost, unmatched;
	struct ps_files files;       /* the same calls, per file and socket peer */
	struct ps_openpaths paths;   /* paths of open calls read, not yet applied */
	bool on;
};

/* Traces the system calls of pid (stopped, not yet run) and what it creates. */
int ps_syscalls_start(struct ps_syscalls *s, pid_t pid, const struct ps_tracefs *tfs,
		      const struct ps_preflight *pf, struct ps_error *err);

/* Reads and applies what is complete (everything when `final`). */
void ps_syscalls_poll(struct ps_syscalls *s, bool final);

/*
 * The same in steps, for merging with another time-ordered stream: read
 * the rings, then apply up to each time in turn, up to the cut at most
 * (events after the cut may still be on their way into other rings).
 */
void ps_syscalls_read(struct ps_syscalls *s);
void ps_syscalls_apply_until(struct ps_syscalls *s, uint64_t time);
uint64_t ps_syscalls_cut(bool final);

/* Thread tid's state as of the last event applied (its call in progress); NULL if unknown. */
const struct ps_syscall_thread *ps_syscalls_thread(const struct ps_syscalls *s, uint32_t tid);

void ps_syscalls_release(struct ps_syscalls *s);

#endif
