/*
 * ps_page: the one composer of a report's HTML page, for profile's
 * report.html, memory-profile's memory.html and `perfscope report` alike.
 * The report's kind picks the graphs and their titles, and a profile's
 * report says whether off-CPU time was recorded; where each graph's
 * stacks come from is the caller's: the session's tables while
 * profiling, the report and the files beside it afterwards.
 */
#ifndef PS_PAGE_H
#define PS_PAGE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "base/ps_error.h"
#include "model/ps_fold_report.h"
#include "render/ps_flamegraph.h"

/* Where a graph's stacks are, once the run is over. */
enum ps_page_stacks {
	PS_PAGE_REPORT_CPU,    /* the report's own CPU stacks (report.json's cpu.stacks) */
	PS_PAGE_FILE,          /* the folded file `folded`, beside the report */
	PS_PAGE_SITES,         /* a memory.json's allocation sites, by `weight` */
};

struct ps_page_graph {
	const char *id;              /* the section's anchor; the graph's ids are prefixed "ID-" */
	const char *heading;
	const char *svg;             /* the flame graph's own file (profile), or NULL */
	const char *folded;          /* the stacks' folded file (profile), or NULL */
	struct ps_flamegraph_opts opts;  /* its title and unit */
	enum ps_page_stacks stacks;
	enum ps_fold_weight weight;  /* PS_PAGE_SITES */
};

/* A profile's graphs: on CPU, off CPU, wall clock; its svg and folded files too. */
#define PS_PAGE_PROFILE_GRAPHS 3
extern const struct ps_page_graph ps_page_profile_graphs[PS_PAGE_PROFILE_GRAPHS];
/* A memory profile's: leaked and allocated bytes by allocation stack. */
#define PS_PAGE_MEMORY_GRAPHS 2
extern const struct ps_page_graph ps_page_memory_graphs[PS_PAGE_MEMORY_GRAPHS];

/*
 * Draws graph g into *svg (ps_html_draw_graph or ps_html_draw_folded with
 * g->id and &g->opts).  0; 1 when its stacks are not to be had, with why
 * written into note; < 0 with err set, or PS_E_NOMEM with err left empty
 * (ps_page_write then says which graph memory ran out on).
 */
typedef int (*ps_page_draw_fn)(char **svg, const struct ps_page_graph *g, char *note, size_t note_len,
			       const void *ctx, struct ps_error *err);

/*
 * The page of report (a profile's or a memory profile's, as its file
 * holds it) with its graphs drawn by draw(ctx), to fp.  0; PS_E_INPUT for
 * another kind of report; what draw returned; PS_E_OUTPUT on a write error.
 */
int ps_page_write(FILE *fp, const cJSON *report, ps_page_draw_fn draw, const void *ctx, struct ps_error *err);

#endif
