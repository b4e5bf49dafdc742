/*
 * ps_profile: the whole picture in one run (perfscope profile).  A CPU
 * profiling session (ps_cpuprof: launch or attach, on-CPU stacks) with
 * more collectors armed at the same moment and read in the same rounds:
 *
 *   ps_offcpu        where and why threads wait (context switches)
 *   ps_syscalls      every system call (raw_syscalls tracepoints)
 *   ps_procmetrics   process and machine metrics from /proc
 *
 * A collector the kernel or the permissions refuse is left out with a note
 * saying what is missing and why; the rest of the report is written.
 */
#ifndef PS_PROFILE_H
#define PS_PROFILE_H

#include <stdbool.h>

#include "session/ps_cpuprof.h"
#include "base/ps_error.h"
#include "collect/ps_offcpu.h"
#include "target/ps_preflight.h"
#include "collect/ps_procmetrics.h"
#include "collect/ps_schedstat.h"
#include "collect/ps_syscalls.h"
#include "run/ps_profrun.h"
#include "target/ps_tracefs.h"

struct ps_profile_config {
	struct ps_cpuprof_config cpu;  /* the command or pid, duration, frequency, ... */
	double interval_s;             /* metrics every this often (0: 1 s) */
	bool no_syscalls;
	bool no_offcpu;
};

/* A section of the report and why it is missing or reduced, if it is. */
struct ps_profile_section {
	bool on;
	char note[1100];
};

struct ps_profile {
	struct ps_profile_config cfg;
	struct ps_cpuprof cpu;
	struct ps_cpuprof_hooks hooks;
	struct ps_preflight pf;
	struct ps_tracefs tracefs;
	struct ps_syscalls syscalls;
	struct ps_offcpu offcpu;
	struct ps_procmetrics metrics;
	struct ps_schedstat sched;     /* per-thread CPU and scheduler delay, with the metrics */
	uint32_t *tree;                /* the target and the processes it created, seen so far */
	size_t ntree, tree_cap;
	struct ps_profile_section syscalls_section, offcpu_section, metrics_section;
	char tracefs_note[256];        /* perfscope mounted tracefs, if it did */
	struct ps_profile_run run;     /* filled by ps_profile_finish: what the writers read */
};

int ps_profile_init(struct ps_profile *p, const struct ps_profile_config *cfg, struct ps_error *err);
int ps_profile_run(struct ps_profile *p, struct ps_error *err);
/* Symbolizes the stacks and fills p->run (and p->cpu.run, which it points to). */
int ps_profile_finish(struct ps_profile *p, struct ps_error *err);
void ps_profile_release(struct ps_profile *p);

#endif
