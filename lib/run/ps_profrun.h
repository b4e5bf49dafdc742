/*
 * ps_profile_run: a finished profile (perfscope profile), what its writers
 * (report/ps_profreport.h) and its summary read: the CPU run, and beside
 * it each section the other collectors fill (system calls, off-CPU
 * waits, metrics, the scheduler's view): whether it was collected, its
 * counts, and views of its tables (model/).  The tables are the session's
 * and live as long as it does; a test points them at tables it built.
 *
 * A section missing or reduced says why in `notes`, under the section's
 * id ("syscalls", "offcpu", "metrics"); "tracefs_note" says perfscope
 * mounted tracefs itself.
 */
#ifndef PS_PROFRUN_H
#define PS_PROFRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ps_notes.h"
#include "model/ps_file_stats.h"
#include "model/ps_metrics.h"
#include "model/ps_offcpu_stats.h"
#include "model/ps_stacks.h"
#include "model/ps_syscall_procs.h"
#include "model/ps_syscall_stats.h"
#include "model/ps_thread_sched.h"
#include "run/ps_cpurun.h"
#include "run/ps_profprocs.h"

struct ps_profile_syscalls {
	bool collected;
	const struct ps_syscall_stat *stats;   /* PS_SYSCALL_MAX, by number; NULL: none */
	uint64_t events, lost, unmatched;      /* events: entries and exits read */
	uint64_t paths_captured, paths_unread; /* paths of open calls read from memory, and not */
	const struct ps_file_stat *files;      /* the same calls per file and socket peer */
	size_t nfiles;
	const struct ps_syscall_procs *procs;  /* and per process; NULL: none */
};

struct ps_profile_offcpu {
	bool collected;
	bool stacks_on;                        /* where threads blocked was sampled */
	uint64_t switches, lost, unpaired, truncated_stacks;
	const struct ps_offcpu_thread *threads;
	size_t nthreads;
	const struct ps_offcpu_site *sites;
	size_t nsites;
	const struct ps_stacks *stacks;        /* the sites' stacks; NULL when none has one */
};

struct ps_profile_metrics {
	bool collected;
	uint64_t every_ns;                     /* the interval between points */
	const struct ps_metrics_point *pts;
	size_t n;
};

struct ps_profile_sched {
	bool available;                        /* the kernel keeps schedstats */
	bool delayacct;                        /* and delay accounting (block I/O waits) is on */
	const char *delayacct_note;            /* why not, when it is off */
	long ticks_per_s;                      /* the unit of the block I/O delays */
	const struct ps_thread_sched *threads;
	size_t n;
	const struct ps_process_sched *procs;  /* parents and peak memory */
	size_t nprocs;
};

struct ps_profile_run {
	const struct ps_cpu_run *cpu;          /* on-CPU stacks, and the run: command, times, notes */
	struct ps_notes notes;                 /* why a section is missing or reduced (above) */
	struct ps_profile_syscalls syscalls;
	struct ps_profile_offcpu offcpu;
	struct ps_profile_metrics metrics;
	struct ps_profile_sched sched;
	const uint32_t *tree;                  /* the target, then the processes it created */
	size_t ntree;
	struct ps_proc_table procs;            /* per process, from all of the above (owned) */
};

void ps_profile_run_init(struct ps_profile_run *r);
void ps_profile_run_release(struct ps_profile_run *r);

/* Builds r->procs once the sections are filled in; 0 or PS_E_NOMEM. */
int ps_profile_run_tabulate(struct ps_profile_run *r);

#endif
