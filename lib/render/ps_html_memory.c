/*
 * The page of a memory profile's memory.json (ps_html.h): its totals, the
 * live heap and the resident memory of each process over time, the leaks
 * and the top allocation sites, and the flame graphs it is given.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/ps_html_page.h"
#include "base/ps_json.h"

#define TOP_SITES 30
#define MAX_PROCESS_CHARTS 8

static void header(FILE *fp, const cJSON *report)
{
	const cJSON *md = ps_json_member(report, "metadata"), *sum = ps_json_member(report, "summary"), *w;
	const cJSON *lost = ps_json_member(sum, "lost");
	char buf[128], b2[48];
	bool first = true;

	fputs("<header>\n<h1>Memory profile of <code>", fp);
	cJSON_ArrayForEach(w, ps_json_member(md, "command")) {
		if (!cJSON_IsString(w))
			continue;
		if (!first)
			fputc(' ', fp);
		ps_html_text(fp, w->valuestring);
		first = false;
	}
	fputs("</code></h1>\n<div class=\"facts\">\n", fp);
	snprintf(buf, sizeof(buf), "%.0f", ps_json_number(md, "pid", 0));
	ps_html_fact(fp, "pid", buf);
	ps_html_fact(fp, "duration", ps_html_duration(ps_json_number(md, "duration_s", 0), buf, sizeof(buf)));
	ps_html_fact(fp, "mode", ps_json_string(md, "mode"));
	ps_html_fact(fp, "allocations", ps_html_number(ps_json_number(sum, "allocations", 0), buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%s at %s", ps_html_bytes(ps_json_number(sum, "peak_bytes", 0), b2, sizeof(b2)),
		 ps_html_duration(ps_json_number(sum, "peak_time_s", 0), (char[48]){ 0 }, 48));
	ps_html_fact(fp, "peak heap", buf);
	snprintf(buf, sizeof(buf), "%s in %.0f blocks",
		 ps_html_bytes(ps_json_number(lost, "bytes", 0), b2, sizeof(b2)),
		 ps_json_number(lost, "blocks", 0));
	ps_html_fact(fp, "lost at exit", buf);
	ps_html_fact(fp, "temporary allocations",
		     ps_html_number(ps_json_number(sum, "temporary_allocations", 0), buf, sizeof(buf)));
	fputs("</div>\n<nav><a href=\"#timeline\">Over time</a> <a href=\"#leaks\">Leaks</a> "
	      "<a href=\"#sites\">Allocation sites</a> <a href=\"#graph-leaks\">Flame graphs</a></nav>\n"
	      "</header>\n", fp);
}

/* Column c of the rows of a timeline array, into v (n values). */
static void column(const cJSON *rows, int c, double *v)
{
	const cJSON *row;
	size_t i = 0;

	cJSON_ArrayForEach(row, rows) {
		const cJSON *x = cJSON_GetArrayItem(row, c);

		v[i++] = cJSON_IsNumber(x) ? x->valuedouble : NAN;
	}
}

/* Live heap ([seconds, bytes]) and resident memory ([seconds, anon, file, shmem, swap]). */
static void process_charts(FILE *fp, const cJSON *proc, int k)
{
	const cJSON *heap = ps_json_member(proc, "timeline");
	const cJSON *rss = ps_json_member(ps_json_member(proc, "rss"), "timeline");
	size_t nh = (size_t)cJSON_GetArraySize(heap), nr = (size_t)cJSON_GetArraySize(rss);
	double *v = calloc(2 * nh + 5 * nr + 2, sizeof(*v));
	char id[32], title[160];

	if (!v)
		return;
	column(heap, 0, v);
	column(heap, 1, v + nh);
	snprintf(id, sizeof(id), "heap-%d", k);
	snprintf(title, sizeof(title), "Live heap: %s (pid %.0f)", ps_html_basename(ps_json_string(proc, "exe")),
		 ps_json_number(proc, "pid", 0));
	ps_html_chart(fp, id, title, "bytes", v, nh,
		      &(struct ps_html_series){ "live bytes", v + nh }, 1);
	if (nr) {
		double *t = v + 2 * nh, *resident = t + nr, *anon = resident + nr, *file = anon + nr,
		       *shmem = file + nr;

		column(rss, 0, t);
		column(rss, 1, anon);
		column(rss, 2, file);
		column(rss, 3, shmem);
		for (size_t i = 0; i < nr; i++)
			resident[i] = anon[i] + file[i] + shmem[i];
		snprintf(id, sizeof(id), "rss-%d", k);
		snprintf(title, sizeof(title), "Resident memory: %s (pid %.0f)",
			 ps_html_basename(ps_json_string(proc, "exe")), ps_json_number(proc, "pid", 0));
		ps_html_chart(fp, id, title, "bytes", t, nr,
			      (struct ps_html_series[]){ { "resident", resident }, { "anonymous", anon } }, 2);
	}
	free(v);
}

static void timeline(FILE *fp, const cJSON *report)
{
	const cJSON *p;
	int k = 0;

	ps_html_section(fp, "timeline", "Over time");
	fputs("<div class=\"charts\">\n", fp);
	cJSON_ArrayForEach(p, ps_json_member(report, "processes"))
		if (k < MAX_PROCESS_CHARTS)
			process_charts(fp, p, k++);
	fputs("</div>\n", fp);
	if (k >= MAX_PROCESS_CHARTS)
		fprintf(fp, "<p class=\"note\">The first %d processes only.</p>\n", MAX_PROCESS_CHARTS);
	ps_html_section_end(fp);
}

static double leak_bytes(const cJSON *site, const char *kind)
{
	return ps_json_number(ps_json_member(ps_json_member(site, "leaks"), kind), "bytes", 0);
}

static double lost_bytes(const cJSON *site)
{
	return leak_bytes(site, "definite") + leak_bytes(site, "indirect") + leak_bytes(site, "unclassified");
}

/*
 * The site's frame (past the allocator layer: "site_frame", else the
 * innermost): its function, its caller and its source line.
 */
static void site_cells(FILE *fp, const cJSON *site)
{
	int at = (int)ps_json_number(site, "site_frame", 0);
	const cJSON *stack = ps_json_member(site, "stack");
	const cJSON *leaf = cJSON_GetArrayItem(stack, at), *caller = cJSON_GetArrayItem(stack, at + 1), *f;
	const char *file = ps_json_string(leaf, "file");
	char src[4096] = "";
	bool first = true;

	fputs("<td class=\"name\" title=\"", fp);
	cJSON_ArrayForEach(f, ps_json_member(site, "stack")) {
		if (!first)
			fputs(" &lt;- ", fp);
		ps_html_text(fp, ps_json_string(f, "function"));
		first = false;
	}
	fputs("\">", fp);
	ps_html_text(fp, leaf ? ps_json_string(leaf, "function") : "[no stack]");
	/* its caller too: one function allocates through several paths */
	if (caller) {
		fputs(" <small>from ", fp);
		ps_html_text(fp, ps_json_string(caller, "function"));
		fputs("</small>", fp);
	}
	fputs("</td>", fp);
	if (file)
		snprintf(src, sizeof(src), "%s:%.0f", file, ps_json_number(leaf, "line", 0));
	ps_html_cell(fp, src);
}

static int cmp_by(const cJSON *a, const cJSON *b, double (*value)(const cJSON *))
{
	double x = value(a), y = value(b), i = ps_json_number(a, "id", 0), j = ps_json_number(b, "id", 0);

	/* ties by site id: the same report gives the same page */
	return x > y ? -1 : x < y ? 1 : i < j ? -1 : i > j ? 1 : 0;
}

static double allocated(const cJSON *site)
{
	return ps_json_number(site, "allocated_bytes", 0);
}

static int cmp_lost(const void *a, const void *b)
{
	return cmp_by(*(const cJSON *const *)a, *(const cJSON *const *)b, lost_bytes);
}

static int cmp_allocated(const void *a, const void *b)
{
	return cmp_by(*(const cJSON *const *)a, *(const cJSON *const *)b, allocated);
}

/* The sites in the order of cmp (malloc'ed; NULL without memory). */
static const cJSON **sorted_sites(const cJSON *report, int (*cmp)(const void *, const void *), size_t *n)
{
	const cJSON *sites = ps_json_member(report, "sites"), *s;
	const cJSON **v = malloc(((size_t)cJSON_GetArraySize(sites) + 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	cJSON_ArrayForEach(s, sites)
		v[(*n)++] = s;
	qsort(v, *n, sizeof(*v), cmp);
	return v;
}

/* A process's bytes lost at exit, all kinds together. */
static double process_lost(const cJSON *p)
{
	const cJSON *l = ps_json_member(p, "leaks");

	return ps_json_number(ps_json_member(l, "definite"), "bytes", 0) +
	       ps_json_number(ps_json_member(l, "indirect"), "bytes", 0) +
	       ps_json_number(ps_json_member(l, "unclassified"), "bytes", 0);
}

/* Every process of the run with its own figures, in memory.json's order (the order they started). */
static void processes(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"Program", "#PID", "Ended", "#Lifetime", "#Allocations", "#Allocated", "#Peak heap",
		"#Lost at exit", "#Live at end",
	};
	const cJSON *p;
	size_t n = 0;

	ps_html_section(fp, "processes", "Processes");
	ps_html_table_begin(fp, "process-table", columns, sizeof(columns) / sizeof(columns[0]));
	cJSON_ArrayForEach(p, ps_json_member(report, "processes")) {
		fputs("<tr>", fp);
		ps_html_cell_title(fp, ps_html_basename(ps_json_string(p, "exe")), ps_json_string(p, "exe"));
		ps_html_cell_count(fp, ps_json_number(p, "pid", 0));
		ps_html_cell(fp, ps_json_string(p, "ended"));
		ps_html_cell_duration(fp, ps_json_number(p, "duration_s", 0));
		ps_html_cell_count(fp, ps_json_number(p, "allocations", 0));
		ps_html_cell_bytes(fp, ps_json_number(p, "allocated_bytes", 0));
		ps_html_cell_bytes(fp, ps_json_number(ps_json_member(p, "peak"), "bytes", 0));
		ps_html_cell_bytes(fp, process_lost(p));
		ps_html_cell_bytes(fp, ps_json_number(ps_json_member(p, "live_at_end"), "bytes", 0));
		fputs("</tr>\n", fp);
		n++;
	}
	ps_html_table_end(fp, n, "No process was tracked.");
	ps_html_section_end(fp);
}

static void leaks(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"Allocated in", "Source", "#Lost", "#Definitely lost", "#Indirectly lost", "#Not classified",
		"#Blocks", "#PID",
	};
	size_t n, rows = 0;
	const cJSON **v = sorted_sites(report, cmp_lost, &n);

	ps_html_section(fp, "leaks", "Leaks: memory still allocated and unreachable at exit");
	ps_html_table_begin(fp, "leak-table", columns, sizeof(columns) / sizeof(columns[0]));
	for (size_t i = 0; v && i < n && rows < TOP_SITES; i++) {
		const cJSON *l = ps_json_member(v[i], "leaks");
		double lost = lost_bytes(v[i]);
		double blocks = ps_json_number(ps_json_member(l, "definite"), "blocks", 0) +
				ps_json_number(ps_json_member(l, "indirect"), "blocks", 0) +
				ps_json_number(ps_json_member(l, "unclassified"), "blocks", 0);

		if (lost <= 0)
			break;
		fputs("<tr>", fp);
		site_cells(fp, v[i]);
		ps_html_cell_bytes(fp, lost);
		ps_html_cell_bytes(fp, leak_bytes(v[i], "definite"));
		ps_html_cell_bytes(fp, leak_bytes(v[i], "indirect"));
		ps_html_cell_bytes(fp, leak_bytes(v[i], "unclassified"));
		ps_html_cell_count(fp, blocks);
		ps_html_cell_count(fp, ps_json_number(v[i], "pid", 0));
		fputs("</tr>\n", fp);
		rows++;
	}
	ps_html_table_end(fp, rows, "Nothing was lost.");
	ps_html_section_end(fp);
	free(v);
}

static void sites(FILE *fp, const cJSON *report)
{
	static const char *const columns[] = {
		"Allocated in", "Source", "#Bytes allocated", "#Allocations", "#At the peak", "#Live at exit",
		"#Temporary", "#PID",
	};
	size_t n, rows = 0;
	const cJSON **v = sorted_sites(report, cmp_allocated, &n);

	ps_html_section(fp, "sites", "Top allocation sites");
	ps_html_table_begin(fp, "site-table", columns, sizeof(columns) / sizeof(columns[0]));
	for (size_t i = 0; v && i < n && rows < TOP_SITES; i++) {
		double peak = ps_json_number(ps_json_member(v[i], "peak"), "bytes", 0);
		double live = ps_json_number(ps_json_member(v[i], "live_at_end"), "bytes", 0);

		fputs("<tr>", fp);
		site_cells(fp, v[i]);
		ps_html_cell_bytes(fp, allocated(v[i]));
		ps_html_cell_count(fp, ps_json_number(v[i], "allocations", 0));
		ps_html_cell_bytes(fp, peak);
		ps_html_cell_bytes(fp, live);
		ps_html_cell_count(fp, ps_json_number(v[i], "temporary", 0));
		ps_html_cell_count(fp, ps_json_number(v[i], "pid", 0));
		fputs("</tr>\n", fp);
		rows++;
	}
	ps_html_table_end(fp, rows, "No allocation was recorded.");
	ps_html_section_end(fp);
	free(v);
}

void ps_html_memory_page(FILE *fp, const cJSON *report, const struct ps_html_graph *g, size_t n)
{
	const cJSON *cmd = ps_json_member(ps_json_member(report, "metadata"), "command");
	const cJSON *prog = cJSON_IsArray(cmd) ? cJSON_GetArrayItem(cmd, 0) : NULL;
	char title[256];

	snprintf(title, sizeof(title), "perfscope memory profile: %s",
		 prog && cJSON_IsString(prog) ? ps_html_basename(prog->valuestring) : "report");
	ps_html_begin(fp, title);
	header(fp, report);
	fputs("<main>\n", fp);
	processes(fp, report);
	timeline(fp, report);
	leaks(fp, report);
	sites(fp, report);
	ps_html_graphs(fp, g, n);
	fputs("</main>\n", fp);
	ps_html_end(fp, report);
}
