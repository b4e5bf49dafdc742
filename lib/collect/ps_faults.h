/*
 * ps_faults: the code that makes memory resident.  Page-fault samples
 * (perf's page-faults software event) with their user stacks, for
 * memory-profile: the first touch of each new page is a fault, so the
 * growth of resident memory is attributed to the code that touched it,
 * whoever allocated it (malloc, mmap, the stack, a library's own pool).
 *
 * One fault in PS_FAULTS_DEFAULT_PERIOD is a sample by default (a sample
 * with its stack copy costs a few microseconds: every fault would double
 * the time of a program that touches memory as fast as it can); the count
 * of all faults is exact.  A fault taken in the kernel on the program's
 * behalf (read() into a fresh buffer) carries the user stack of the system
 * call.  Aggregated as it goes: memory grows with unique stacks.
 */
#ifndef PS_FAULTS_H
#define PS_FAULTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "sample/ps_perf.h"
#include "symbols/ps_procs.h"
#include "collect/ps_sampler.h"
#include "model/ps_stacks.h"
#include "unwind/ps_unwind.h"

#define PS_FAULTS_STACK_BYTES 4096
#define PS_FAULTS_DEFAULT_PERIOD 16

struct ps_faults {
	struct ps_perf perf;
	struct ps_unwinder *unwinder;
	struct ps_sampler sampler;   /* its stats: samples (faults seen), lost */
	struct ps_stacks stacks;     /* per thread of ps_procs, weighted by samples; frames shared */
	unsigned period;             /* faults per sample */
	bool on;
};

/*
 * Samples the page faults of pid (stopped at exec) and what it creates, one
 * in `period`; the stacks' frames are interned in `frames` (so one
 * symbolization of it names them).
 */
int ps_faults_start(struct ps_faults *f, pid_t pid, unsigned period, struct ps_procs *procs,
		    struct ps_stacks *frames, struct ps_error *err);

/* Reads what was recorded since the last call. */
void ps_faults_poll(struct ps_faults *f);

/* All the faults counted so far (children's once they have exited). */
uint64_t ps_faults_count(const struct ps_faults *f);

void ps_faults_release(struct ps_faults *f);

#endif
