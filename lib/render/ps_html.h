/*
 * ps_html: a report as one self-contained HTML page (report.html of a
 * profile, memory.html of a memory profile, perfscope report).
 *
 * The page is drawn from the report as its file holds it (report.json's
 * or memory.json's text, parsed back: cJSON prints a number in 15 digits
 * when that reads back close enough, so the in-memory document can differ
 * from the file in the last digit), so the page and the file cannot
 * disagree, and `perfscope report` redraws the same page from the file;
 * and from flame graphs already drawn (ps_flamegraph), embedded as inline
 * SVG with their own scripts.  Everything the page needs is inside it: its
 * style and script (share/report.css, share/report.js, built in like
 * share/flamegraph.js) inline, no fonts, images or scripts from elsewhere,
 * and a Content-Security-Policy that forbids fetching anything.
 *
 * A profile's page: the 0-100 score overall and per area, the findings
 * (most severe first) with what to do, the flame graphs, the top functions
 * and the system calls as tables sorted by a click on a column's header,
 * the off-CPU time by reason, the threads, and the metrics timeline as
 * charts (process CPU, RSS, threads, I/O bytes, machine CPU) drawn here as
 * SVG, one point per timeline row.  A memory profile's: its totals, live
 * heap and resident memory over time, the leaks and the top allocation
 * sites, the leaks' and allocations' flame graphs.
 *
 * Every string from the report is escaped: names like operator<< or a
 * thread called "<b>x</b>" are shown as they are, never as markup.
 *
 * Ownership: nothing here keeps or frees what it is given.
 */
#ifndef PS_HTML_H
#define PS_HTML_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

#include "base/ps_error.h"
#include "render/ps_flamegraph.h"
#include "model/ps_folded_diff.h"

/* A flame graph for the page. */
struct ps_html_graph {
	const char *id;             /* "cpu": the section's anchor, and the graph's
				     * ids were drawn with id_prefix "cpu-" */
	const char *heading;
	const char *svg;            /* the SVG as ps_flamegraph_svg wrote it; NULL: none */
	const char *note;           /* said instead when svg is NULL (may be NULL) */
};

/*
 * Writes the page of report (its "kind": "profile" or "memory-profile") to fp with
 * graphs[0..n) in that order.  0; PS_E_INPUT for another kind of report;
 * PS_E_OUTPUT on a write error.
 */
int ps_html_write(FILE *fp, const cJSON *report, const struct ps_html_graph *graphs, size_t n,
		  struct ps_error *err);

/*
 * Draws s for a page into *svg (malloc'ed, NUL-terminated; the caller
 * frees it), its ids prefixed "ID-".  0 or PS_E_NOMEM.
 */
int ps_html_draw_graph(char **svg, const struct ps_fold_set *s, const char *id,
		       const struct ps_flamegraph_opts *o);

/* The flame graph of the folded lines fold(ctx) writes, the same way. */
int ps_html_draw_folded(char **svg, ps_flamegraph_fold_fn fold, const void *ctx, const char *id,
			const struct ps_flamegraph_opts *o);

/* The page's style and script (share/report.css, share/report.js). */
extern const char ps_html_css[];
extern const char ps_html_js[];

#endif
