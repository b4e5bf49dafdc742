/*
 * A report's HTML page, composed once for every caller (ps_page.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_json.h"
#include "render/ps_html.h"
#include "render/ps_page.h"

const struct ps_page_graph ps_page_profile_graphs[PS_PAGE_PROFILE_GRAPHS] = {
	{ "cpu", "Flame graph: on CPU", "cpu.svg", "cpu.folded", { .title = "On CPU", .unit = "samples" },
	  PS_PAGE_REPORT_CPU, 0 },
	{ "offcpu", "Flame graph: off CPU", "offcpu.svg", "offcpu.folded",
	  { .title = "Off CPU: where threads waited, and why", .unit = "ns" }, PS_PAGE_FILE, 0 },
	{ "wall", "Flame graph: wall clock", "wall.svg", "wall.folded",
	  { .title = "Wall clock: on CPU and waiting", .unit = "ns" }, PS_PAGE_FILE, 0 },
};

const struct ps_page_graph ps_page_memory_graphs[PS_PAGE_MEMORY_GRAPHS] = {
	{ "leaks", "Flame graph: leaked bytes, by allocation stack", NULL, NULL,
	  { .title = "Leaked bytes", .unit = "bytes" }, PS_PAGE_SITES, PS_FOLD_LEAKED },
	{ "allocations", "Flame graph: allocated bytes, by allocation stack", NULL, NULL,
	  { .title = "Allocated bytes", .unit = "bytes" }, PS_PAGE_SITES, PS_FOLD_ALLOCATED },
};

#define MAX_GRAPHS PS_PAGE_PROFILE_GRAPHS

struct page {
	struct ps_html_graph graphs[MAX_GRAPHS];
	char *svg[MAX_GRAPHS];
	char notes[MAX_GRAPHS][1200];
};

/* A profile's off-CPU and wall graphs exist only when off-CPU time was recorded. */
static bool recorded(const cJSON *report, const struct ps_page_graph *g, char *note, size_t len)
{
	const cJSON *off = ps_json_member(ps_json_member(ps_json_member(report, "metadata"), "sections"),
					  "offcpu");
	const char *why = ps_json_string(off, "note");

	if (g->stacks != PS_PAGE_FILE || cJSON_IsTrue(ps_json_member(off, "collected")))
		return true;
	snprintf(note, len, "Off-CPU time was not recorded: %s", why ? why : "");
	return false;
}

int ps_page_write(FILE *fp, const cJSON *report, ps_page_draw_fn draw, const void *ctx, struct ps_error *err)
{
	const char *kind = ps_json_string(report, "kind");
	const struct ps_page_graph *graphs;
	struct page *pg;
	size_t n;
	int rc = 0;

	if (kind && strcmp(kind, "profile") == 0) {
		graphs = ps_page_profile_graphs;
		n = PS_PAGE_PROFILE_GRAPHS;
	} else if (kind && strcmp(kind, "memory-profile") == 0) {
		graphs = ps_page_memory_graphs;
		n = PS_PAGE_MEMORY_GRAPHS;
	} else {
		return ps_error_set(err, PS_E_INPUT, "not a profile or memory-profile report (kind '%s')",
				    kind ? kind : "none");
	}
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	for (size_t i = 0; i < n && rc >= 0; i++) {
		const struct ps_page_graph *g = &graphs[i];

		pg->graphs[i] = (struct ps_html_graph){ g->id, g->heading, NULL, NULL };
		if (!recorded(report, g, pg->notes[i], sizeof(pg->notes[i])))
			rc = 1;
		else
			rc = draw(&pg->svg[i], g, pg->notes[i], sizeof(pg->notes[i]), ctx, err);
		if (rc < 0 && !err->code)
			rc = ps_error_set(err, PS_E_NOMEM, "out of memory drawing the flame graph '%s'", g->id);
		if (rc == 1)
			pg->graphs[i].note = pg->notes[i];
		pg->graphs[i].svg = pg->svg[i];
	}
	if (rc >= 0)
		rc = ps_html_write(fp, report, pg->graphs, n, err);
	for (size_t i = 0; i < n; i++)
		free(pg->svg[i]);
	free(pg);
	return rc;
}
