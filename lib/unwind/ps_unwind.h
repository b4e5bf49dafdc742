/*
 * ps_unwind: the unwinder interface.  An unwinder turns one sample into its
 * instruction pointers, leaf first, each tagged kernel or user and exact or
 * return address (return addresses are looked up at pc-1 so a call at the
 * end of a function is not attributed to the next one).
 *
 * Implementations:
 *   ps_unwind_fp.c     the kernel's frame-pointer call chain (no extra cost)
 *   ps_unwind_dwarf.c  DWARF CFI through libdwfl, from the user registers and
 *                      stack copy taken with each sample, extended by the
 *                      frame-pointer chain where the copy ran out
 */
#ifndef PS_UNWIND_H
#define PS_UNWIND_H

#include <stdbool.h>
#include <stdint.h>

#include "sample/ps_records.h"

struct ps_procs;

struct ps_unwind_frame {
	uint64_t ip;
	bool kernel;
	bool return_address;
};

struct ps_unwind_result {
	unsigned nframes;
	bool truncated;       /* the chain hit a depth limit or the end of the copy */
};

/* Why user stacks ended early, for the report's quality section. */
struct ps_unwind_stats {
	uint64_t dwarf_unwound;     /* samples unwound with DWARF */
	uint64_t fast_unwound;      /* of those, by the cached-rule walker alone */
	uint64_t verified;          /* PERFSCOPE_VERIFY_UNWIND: stacks unwound both ways */
	uint64_t verify_mismatches; /* of those, where the fast walker != libdwfl */
	uint64_t truncated;         /* stopped at the end of the stack copy */
	uint64_t no_module;         /* a pc in no known mapping */
	uint64_t no_cfi;            /* a module without usable CFI */
	uint64_t other_failures;
	uint64_t fp_extended;       /* finished with the frame-pointer chain */
	uint64_t no_user_state;     /* sample without registers or stack */
	uint64_t depth_limit;       /* cut at the frame limit (loops, runaways) */
	uint64_t sessions_evicted;  /* per-process sessions dropped at the bound */
};

/* Frames per stack at most; deeper stacks (or unwinding loops) are cut. */
#define PS_UNWIND_MAX_FRAMES 512

struct ps_unwinder {
	const char *name;
	struct ps_unwind_stats stats;
	/* Fills out[0..max) leaf first; never fails, may return 0 frames. */
	void (*unwind)(struct ps_unwinder *uw, const struct ps_rec *sample,
		       struct ps_unwind_frame *out, unsigned max,
		       struct ps_unwind_result *res);
	/* The process exec'ed or exited: drop what was cached for it. */
	void (*forget)(struct ps_unwinder *uw, uint32_t pid);
	void (*release)(struct ps_unwinder *uw);
};

struct ps_unwinder *ps_unwind_fp_new(void);
/* `procs` gives each process's mappings at the time of the sample. */
struct ps_unwinder *ps_unwind_dwarf_new(struct ps_procs *procs);

/*
 * Splits a sample's kernel call chain into out[]: kernel frames first, then
 * the user frames of the frame-pointer walk.  Returns the count and sets
 * *user_first to the index of the first user frame.
 */
unsigned ps_unwind_callchain(const struct ps_rec *sample, struct ps_unwind_frame *out,
			     unsigned max, unsigned *user_first);

#endif
