/*
 * ps_flamegraph: a folded stack set drawn as one interactive SVG file (a
 * flame graph, or an icicle graph upside down): hover names a frame with
 * its count and share, a click zooms into it, a search highlights the
 * matching frames and says what share of the whole they hold.  The script
 * is share/flamegraph.js, built in; the file needs nothing else.
 *
 * Frames narrower than min_width pixels are not drawn (their parent's box
 * covers them), so a profile of any number of unique stacks gives a file
 * whose size is bounded by its width, not by its input.
 *
 * The root is <svg class="flamegraph">; its style is scoped to that class
 * and its script to its own <svg>, so several graphs can sit in one HTML
 * page (ps_html.h), each given its own id_prefix so that no id repeats.
 */
#ifndef PS_FLAMEGRAPH_H
#define PS_FLAMEGRAPH_H

#include <stdbool.h>
#include <stdio.h>

#include "model/ps_folded_diff.h"

/* The most boxes a graph holds: a browser opens 10,000 in about a second (20,000 took 2.1 s). */
#define PS_FLAMEGRAPH_MAX_BOXES 10000

struct ps_flamegraph_opts {
	const char *title;          /* NULL: "Flame graph" */
	const char *unit;           /* what the counts are: NULL: "samples" */
	bool icicle;                /* roots at the top */
	double width;               /* pixels; 0: 1200 */
	double min_width;           /* pixels; 0: 0.1 (wider where the graph would hold
	                               more than PS_FLAMEGRAPH_MAX_BOXES boxes) */
	const char *id_prefix;      /* put before every id ("cpu-": "cpu-frames");
				     * letters, digits and '-' only; NULL: none */
};

struct ps_flamegraph_stats {
	size_t frames_drawn;        /* boxes in the file */
	size_t frames_merged;       /* narrower than min_width: left to their parent */
	unsigned max_depth;
};

/*
 * Writes the SVG of s to fp; 0, PS_E_NOMEM, or -1 on a write error.
 * stats may be NULL.
 */
int ps_flamegraph_svg(FILE *fp, const struct ps_fold_set *s, const struct ps_flamegraph_opts *o,
		      struct ps_flamegraph_stats *stats);

/* Writes folded stack lines to fp; 0 or -1. */
typedef int (*ps_flamegraph_fold_fn)(FILE *fp, const void *ctx);

/*
 * The flame graph of the folded lines fold(ctx) writes, gathered in
 * memory first (for writers whose stacks live as folded output); 0,
 * PS_E_NOMEM (fold's own failure too), or -1 on a write error.
 */
int ps_flamegraph_svg_of(FILE *fp, ps_flamegraph_fold_fn fold, const void *ctx,
			 const struct ps_flamegraph_opts *o);

/*
 * A differential flame graph of old -> new: boxes as wide as their new
 * counts, red where their share of the whole grew, blue where it shrank,
 * the deeper the more; titles give both counts and the change in points.
 * A stack only in old has no width: `perfscope diff` lists what went.
 */
int ps_flamegraph_diff_svg(FILE *fp, const struct ps_fold_diff *d, const struct ps_flamegraph_opts *o,
			   struct ps_flamegraph_stats *stats);

/* The script the SVG carries (share/flamegraph.js), NUL-terminated. */
extern const char ps_flamegraph_js[];

#endif
