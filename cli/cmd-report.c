/*
 * perfscope report: the HTML page of an existing report (a profile's
 * report.json or a memory.json), as profile and memory-profile write it.
 * The flame graphs come from the report's own stacks and, for the
 * off-CPU and wall-clock graphs that report.json does not hold whole,
 * from the folded files beside it.  A report.json's stacks are folded as
 * they are read, never parsed into one tree (ps_fold_read_report): with
 * 50,000 stacks that tree alone was ~120 MB.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "render/ps_html.h"
#include "render/ps_page.h"
#include "base/ps_json.h"
#include "base/ps_util.h"

const char cmd_report_help[] =
	"Usage: perfscope report [options] REPORT\n"
	"\n"
	"Write the HTML page of REPORT, a profile's report.json or a memory-profile's\n"
	"memory.json, as those commands write report.html and memory.html: one file,\n"
	"with nothing fetched, to open in a browser.  For a report.json, the on-CPU\n"
	"flame graph is drawn from the report's stacks, the off-CPU and wall-clock\n"
	"ones from offcpu.folded and wall.folded beside it when they are there.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE      write there, whole or not at all ('-': standard\n"
	"                         output; default: REPORT with .html for .json)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit codes: 0 written, 2 usage, 5 output not writable, 6 REPORT unreadable,\n"
	"not JSON, or not a profile or memory-profile report.\n";

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* What the page is drawn from: the report, its CPU stacks folded as read, and where it is. */
struct page {
	const cJSON *report;        /* without its CPU stacks: they are in cpu */
	struct ps_fold_set cpu;     /* a report.json's on-CPU stacks */
	const char *path;
	struct ps_error *err;       /* why a graph could not be drawn */
};

/* DIR/NAME beside the report, parsed; 1 when it is not there. */
static int load_beside(struct ps_fold_set *s, const char *report_path, const char *name, struct ps_error *err)
{
	const char *slash = strrchr(report_path, '/');
	char *path = NULL, *text;
	int rc;

	if (asprintf(&path, "%.*s%s", slash ? (int)(slash - report_path + 1) : 0, report_path, name) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	if (access(path, R_OK) != 0) {
		free(path);
		return 1;
	}
	text = cli_read_text(path, err);
	rc = text ? ps_fold_parse(s, text, path, err) : err->code;
	free(path);
	return rc;
}

/* A graph of the page, from the report or the folded file beside it. */
static int draw_graph(char **svg, const struct ps_page_graph *g, char *note, size_t note_len,
		      const void *ctx, struct ps_error *err)
{
	const struct page *pg = ctx;
	struct ps_fold_set s = { 0 };
	bool bytes;
	int rc = 0;

	if (g->stacks == PS_PAGE_REPORT_CPU)
		return ps_html_draw_graph(svg, &pg->cpu, g->id, &g->opts);
	if (g->stacks == PS_PAGE_FILE)
		rc = load_beside(&s, pg->path, g->folded, err);
	else
		rc = ps_fold_from_report(&s, pg->report, g->weight, pg->path, &bytes, err);
	if (rc == 1)
		snprintf(note, note_len, "Not drawn: %s is not beside the report.", g->folded);
	if (rc == 0)
		rc = ps_html_draw_graph(svg, &s, g->id, &g->opts);
	ps_fold_release(&s);
	return rc;
}

static int write_page(FILE *fp, const void *ctx)
{
	const struct page *pg = ctx;

	return ps_page_write(fp, pg->report, draw_graph, pg, pg->err);
}

/* REPORT.json -> REPORT.html; anything else gets .html added. */
static char *default_output(const char *input)
{
	size_t len = strlen(input);
	char *out = NULL;

	if (len > 5 && strcmp(input + len - 5, ".json") == 0)
		return asprintf(&out, "%.*s.html", (int)(len - 5), input) < 0 ? NULL : out;
	return asprintf(&out, "%s.html", input) < 0 ? NULL : out;
}

static int render(const char *input, const char *output)
{
	struct ps_error err = { 0 }, draw_err = { 0 };
	struct page pg = { .err = &draw_err };
	char *out = NULL, *text = cli_read_text(input, &err);
	cJSON *report = NULL;
	const char *kind;
	bool bytes, read;
	int rc;

	/* the stacks folded as they are read, the rest of the report parsed */
	rc = text ? ps_fold_read_report(&pg.cpu, text, &(struct ps_fold_opts){ 0 }, input, &bytes, &report, &err)
		  : err.code;
	read = text != NULL;
	free(text);
	pg.report = report;
	pg.path = input;
	kind = ps_json_string(pg.report, "kind");
	if (rc == 0 && (!kind || (strcmp(kind, "profile") != 0 && strcmp(kind, "memory-profile") != 0)))
		rc = ps_error_set(&err, PS_E_INPUT, "%s: not a profile or memory-profile report (kind '%s')",
				  input, kind ? kind : "none");
	/* a file that was read but is not one of the two reports */
	if (rc == PS_E_INPUT && read)
		ps_error_hint(&err, "perfscope report reads the report.json of 'perfscope profile' or the "
			      "memory.json of 'perfscope memory-profile'");
	if (rc == 0 && !output && strcmp(input, "-") == 0)
		output = "-";
	if (rc == 0 && !output && !(output = out = default_output(input)))
		rc = ps_error_set(&err, PS_E_NOMEM, "out of memory");
	if (rc == 0 && output)
		rc = cli_write_output(strcmp(output, "-") == 0 ? NULL : output, write_page, &pg, &err);
	if (rc < 0 && draw_err.code) {	/* the page failed, not the file */
		err = draw_err;
		rc = err.code;
	}
	ps_fold_release(&pg.cpu);
	cJSON_Delete(report);
	free(out);
	return rc < 0 ? cli_fail(&err) : 0;
}

int cmd_report(int argc, char **argv)
{
	const char *output = NULL;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(cmd_report_help, stdout);
			return 0;
		default:
			return cli_usage_error("report", "unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("report", "give one report: a report.json or a memory.json");
	return render(argv[optind], output);
}
