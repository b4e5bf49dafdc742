/*
 * ps_unwind: the unwinder interface.  An unwinder turns one sample into its
 * instruction pointers, leaf first, each tagged kernel or user and exact or
 * return address (return addresses are looked up at pc-1 so a call at the
 * end of a function is not attributed to the next one).
 *
 * Implementations: ps_unwind_fp.c (the kernel's frame-pointer call chain).
 * A DWARF unwinder plugs in behind the same interface.
 */
#ifndef PS_UNWIND_H
#define PS_UNWIND_H

#include <stdbool.h>
#include <stdint.h>

#include "ps_records.h"

struct ps_unwind_frame {
	uint64_t ip;
	bool kernel;
	bool return_address;
};

struct ps_unwind_result {
	unsigned nframes;
	bool truncated;       /* the chain hit a depth limit */
};

struct ps_unwinder {
	const char *name;
	/* Fills out[0..max) leaf first; never fails, may return 0 frames. */
	void (*unwind)(struct ps_unwinder *uw, const struct ps_rec *sample,
		       struct ps_unwind_frame *out, unsigned max,
		       struct ps_unwind_result *res);
	void (*release)(struct ps_unwinder *uw);
};

struct ps_unwinder *ps_unwind_fp_new(void);

#endif
