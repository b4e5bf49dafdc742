/*
 * ps_memfold: a memory profile's folded files, its sites weighed by one
 * measure each (leaked, allocated, peak, temporary bytes), and the page's
 * graphs drawn from the same lines:
 *   comm;outermost;...;the caller of malloc WEIGHT
 * A file holds the PS_MEMFOLD_MAX_SITES heaviest sites; the rest of each
 * process is one line, "comm;[N smaller sites]", so that the file stays a
 * few megabytes for a compiler and its total is still every byte.
 *
 * Each site's line is built and interned once, the first time a file or
 * graph needs it, and shared by all of them: a compiler's 10,000 heaviest
 * sites, ~37 frames each, make ~10 MB of text, and building it anew for
 * each of the four files and two graphs was most of the time between the
 * program's end and its reports.  Sites whose frames have the same names
 * make one line, whose weight is theirs added: found next to each other
 * once the lines are sorted, with no table of lines to hash them into.
 *
 * Calling sequence: ps_memfold_init, any number of ps_memfold_write,
 * ps_memfold_release.  The run is read, never changed, and must outlive
 * the struct.
 */
#ifndef PS_MEMFOLD_H
#define PS_MEMFOLD_H

#include <stdint.h>
#include <stdio.h>

#include "model/ps_folded.h"
#include "run/ps_memrun.h"

#define PS_MEMFOLD_MAX_SITES 10000

typedef uint64_t (*ps_memfold_weight_fn)(const struct ps_heap_site *s);

struct ps_memfold {
	const struct ps_mem_run *r;   /* not owned */
	char **line_of;               /* heap site -> its line (owned); NULL: not built yet */
	struct ps_folded build;       /* builds one line at a time */
};

/* 0 or PS_E_NOMEM. */
int ps_memfold_init(struct ps_memfold *mf, const struct ps_mem_run *r);
void ps_memfold_release(struct ps_memfold *mf);

/*
 * Writes the folded file of the sites weighed by `weight` (sites of weight
 * 0 left out), its lines sorted; 0 or PS_E_NOMEM (a write error stays in
 * fp).
 */
int ps_memfold_write(struct ps_memfold *mf, ps_memfold_weight_fn weight, FILE *fp);

#endif
