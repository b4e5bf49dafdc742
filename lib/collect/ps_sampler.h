/*
 * ps_sampler: a perf sampler's records turned into aggregated stacks.
 *
 * Each round reads the rings twice: side-band records (mappings, names,
 * forks) are applied first, merged in time order across rings; then
 * samples are unwound in place in the ring, never copied (a DWARF sample
 * carries a stack copy), and added to ps_stacks per thread.  Mappings are
 * versioned by time, so a sample is resolved against what was mapped when
 * it was taken.
 *
 * Used by cpu-profile (cpu-clock or cycles samples, or the ptrace
 * sampler's synthesized ones) and by memory-profile (page-fault samples).
 */
#ifndef PS_SAMPLER_H
#define PS_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sample/ps_perf.h"
#include "symbols/ps_procs.h"
#include "sample/ps_records.h"
#include "model/ps_stacks.h"
#include "unwind/ps_unwind.h"

struct ps_sampler_stats {
	uint64_t samples;
	uint64_t lost;
	uint64_t throttles;
	uint64_t truncated;          /* weight of the samples cut short */
	uint64_t truncated_samples;  /* and how many (weightless ones too) */
	uint64_t bad_records;
	uint64_t broken_chains;     /* user chains cut at an unmapped return address */
};

struct ps_sampler {
	struct ps_procs *procs;      /* not owned */
	struct ps_stacks *stacks;    /* not owned */
	struct ps_unwinder *unwinder;    /* not owned */
	bool weight_from_period;     /* ptrace samples carry their weight in ticks */
	struct ps_sampler_stats stats;
	/* a round's side-band records, copied out to be sorted by time */
	unsigned char *qbuf;
	size_t qlen, qcap;
	struct ps_sampler_queued { uint64_t time; size_t off; size_t seq; } *queue;
	size_t nqueue, queue_cap, seq;
	const struct ps_rec_format *format;  /* of the round being read */
};

void ps_sampler_init(struct ps_sampler *s, struct ps_procs *procs, struct ps_stacks *stacks,
		     struct ps_unwinder *unwinder);
void ps_sampler_release(struct ps_sampler *s);

/* Reads one round of perf's rings. */
void ps_sampler_round(struct ps_sampler *s, struct ps_perf *perf);

/* Unwinds sample r and adds `weight` to its stack; the stack id, or PS_E_NOMEM (< 0). */
int64_t ps_sampler_stack(struct ps_sampler *s, const struct ps_rec *r, uint64_t weight);

/* Applies one record laid out as `fmt` says (the ptrace sampler's, say). */
void ps_sampler_apply(struct ps_sampler *s, const struct perf_event_header *hdr,
		      const struct ps_rec_format *fmt);

#endif
