/*
 * ps_folded: building folded-stack files (FlameGraph's format):
 *   outermost;...;leaf WEIGHT
 * Lines are built frame by frame, identical lines are merged (weights
 * added) and written sorted, so flamegraph.pl, inferno and speedscope
 * load them unchanged.  Used by the CPU and memory reports.
 */
#ifndef PS_FOLDED_H
#define PS_FOLDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ps_strtab.h"

struct ps_folded {
	struct ps_strtab lines;
	uint64_t *weights;       /* by line id */
	size_t nweights, cap;
	char *line;              /* the line being built */
	size_t len, line_cap;
};

/* 0 or PS_E_NOMEM. */
int ps_folded_init(struct ps_folded *f);
void ps_folded_release(struct ps_folded *f);

/* Starts a new line. */
void ps_folded_begin(struct ps_folded *f);
/* Appends a frame (';' and newlines in it become ':'); 0 or PS_E_NOMEM. */
int ps_folded_frame(struct ps_folded *f, const char *text);
/*
 * Ends the line, adding `weight` to it (lines of weight 0 are not
 * written); 0 or PS_E_NOMEM.
 */
int ps_folded_end(struct ps_folded *f, uint64_t weight);

/* The line being built, as it is so far. */
static inline const char *ps_folded_line(const struct ps_folded *f)
{
	return f->len ? f->line : "";
}

/* Writes the merged lines, sorted; 0 or PS_E_NOMEM (a write error stays in fp). */
int ps_folded_write(const struct ps_folded *f, FILE *fp);

#endif
