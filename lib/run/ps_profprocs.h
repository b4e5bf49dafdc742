/*
 * ps_profprocs: a profile's figures per process, one row for each process
 * of the run (the target and every process it created, alive or ended):
 * its name, parent and lifetime, on-CPU samples and the function with the
 * most of them, CPU time and scheduler delay, system calls, off-CPU time
 * by reason and peak resident memory.  Built from the collectors' tables
 * that a profile run holds; read by report.json, the summary, the page
 * and the diagnosis, so that each says which process a figure is about.
 */
#ifndef PS_PROFPROCS_H
#define PS_PROFPROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/ps_offcpu_reason.h"
#include "model/ps_syscall_procs.h"

struct ps_profile_run;

struct ps_proc_row {
	uint32_t pid, ppid;                   /* ppid 0: not known (never read) */
	char name[48];                        /* valid UTF-8; "" when never seen by name */
	uint64_t begin_ns, end_ns;            /* seen from, to (0: never) */
	bool ended;                           /* ended before the profile did */
	uint64_t samples;                     /* on-CPU samples */
	const char *top_function;             /* the most samples charged to it, or NULL */
	uint64_t top_samples;
	bool sched;                           /* schedstat read it */
	uint64_t cpu_ns, sched_delay_ns;
	unsigned threads;
	const struct ps_syscall_proc *syscalls;   /* NULL: none traced */
	bool offcpu;                          /* the off-CPU tracer saw it */
	uint64_t blocked_ns, reason_ns[PS_OFF_REASONS];
	uint64_t peak_rss_kb;                 /* 0: not read */
};

struct ps_proc_table {
	struct ps_proc_row *rows;             /* most on-CPU samples, then CPU time, then pid */
	size_t n;
	uint64_t samples;                     /* all processes' */
};

/* 0 or PS_E_NOMEM (t is then empty). */
int ps_proc_table_build(struct ps_proc_table *t, const struct ps_profile_run *r);
void ps_proc_table_release(struct ps_proc_table *t);

/* pid's row, or NULL. */
const struct ps_proc_row *ps_proc_table_find(const struct ps_proc_table *t, uint32_t pid);

#endif
