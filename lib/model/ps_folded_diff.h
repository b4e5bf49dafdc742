/*
 * ps_folded_diff: two folded stack files (ours or any tool's: "frame;frame;...
 * count" lines) compared stack by stack and function by function.
 *
 * The differential output is FlameGraph's difffolded layout, "stack OLD
 * NEW", which flamegraph.pl draws red where a stack grew and blue where it
 * shrank; stacks in only one file are kept, with 0 on the other side.
 */
#ifndef PS_FOLDED_DIFF_H
#define PS_FOLDED_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ps_error.h"

struct ps_fold_entry {
	const char *stack;           /* into the set's text */
	uint64_t count;
};

/* One folded file: its stacks sorted and merged, and their total. */
struct ps_fold_set {
	char *text;                  /* owned: the file, tokenized in place */
	struct ps_fold_entry *items;
	size_t n, cap;
	uint64_t total;
};

/* The largest count, and total, of a folded file: 2^53, exact as a double. */
#define PS_FOLD_MAX_COUNT (1ull << 53)

/*
 * Takes ownership of text (malloc'ed) and parses it; a malformed line (or
 * counts past PS_FOLD_MAX_COUNT) is PS_E_INPUT naming origin and the line.
 * Blank lines are skipped.
 */
int ps_fold_parse(struct ps_fold_set *s, char *text, const char *origin, struct ps_error *err);
void ps_fold_release(struct ps_fold_set *s);

struct ps_fold_diff_line {
	const char *stack;
	uint64_t old_count, new_count;
};

/*
 * A function's samples: self (as the leaf) and total (anywhere in the
 * stack).  Its inlined copies ("foo_[i]") are the function: an -O0 build's
 * foo and an -O2 build's foo_[i] compare as one.
 */
struct ps_func_delta {
	char *name;
	uint64_t old_self, new_self, old_total, new_total;
	uint64_t old_inlined, new_inlined;   /* of self: as an inlined copy */
	double self_delta_pts;       /* new share - old share of all samples, in points */
};

struct ps_fold_diff {
	struct ps_fold_diff_line *lines;   /* sorted by stack */
	size_t nlines;
	struct ps_func_delta *funcs;       /* largest |self_delta_pts| first, then by name */
	size_t nfuncs, funcs_cap;
	uint64_t old_total, new_total;
};

/*
 * Compares old with new.  normalize: old counts scaled to new's total
 * (difffolded -n), so that a longer run is not a regression everywhere.
 */
int ps_fold_diff(struct ps_fold_diff *d, const struct ps_fold_set *old, const struct ps_fold_set *new,
		 bool normalize, struct ps_error *err);
void ps_fold_diff_release(struct ps_fold_diff *d);

#endif
