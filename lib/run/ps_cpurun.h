/*
 * ps_cpu_run: a finished CPU profile, what the CPU writers
 * (lib/report/ps_report.h) read: the run, how it was sampled, its counts,
 * and its stacks, symbols and threads with the report model built from
 * them.  The data are the session's and live as long as it does; a test
 * points them at tables it built.
 */
#ifndef PS_CPURUN_H
#define PS_CPURUN_H

#include <stdbool.h>
#include <stdint.h>

#include "model/ps_stacks.h"
#include "run/ps_cpureport.h"
#include "run/ps_run.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "symbols/ps_symbols.h"
#include "unwind/ps_unwind.h"

struct ps_cpu_sampling {
	const char *sampler;        /* "perf_event" or "ptrace"; NULL before sampling began */
	char event[32];             /* what a sample counts: cpu-clock, cycles, ptrace-timer; "" */
	unsigned frequency;         /* samples per second per thread */
	const char *unwinder;       /* "dwarf" or "fp"; NULL before sampling began */
	unsigned stack_size;        /* bytes of user stack each sample copied; 0 without */
	bool kernel_stacks;         /* kernel call chains recorded */
};

struct ps_cpu_counts {
	uint64_t samples;           /* weight of the samples read */
	uint64_t lost;              /* records the kernel dropped */
	uint64_t throttles;
	uint64_t bad_records;
	uint64_t broken_chains;     /* user chains cut at an unmapped return address */
	double sampling_cpu_s;      /* perfscope's CPU time while sampling */
	double unsampled_cpu_s;     /* the target's CPU time no sample stands for; -1 unknown */
};

struct ps_cpu_run {
	struct ps_run run;
	struct ps_cpu_sampling sampling;
	struct ps_cpu_counts counts;
	struct ps_unwind_stats unwind;
	const struct ps_cpureport *report;
	const struct ps_stacks *stacks;
	const struct ps_symbols *symbols;
	const struct ps_procs *procs;
	const struct ps_modules *modules;
};

void ps_cpu_run_init(struct ps_cpu_run *r);
void ps_cpu_run_release(struct ps_cpu_run *r);

#endif
