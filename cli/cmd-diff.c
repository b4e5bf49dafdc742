/*
 * perfscope diff: two folded stack files (or the stacks of two JSON
 * reports) compared, function by function, and as a differential folded
 * file for a red/blue flame graph.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render/ps_flamegraph.h"
#include "model/ps_fold_report.h"
#include "model/ps_folded_diff.h"
#include "base/ps_json.h"
#include "base/ps_util.h"

const char cmd_diff_help[] =
	"Usage: perfscope diff [options] OLD NEW\n"
	"\n"
	"Compare two folded stack files (cpu.folded, offcpu.folded, any tool's\n"
	"\"frame;frame;... count\" lines) or the stacks of two perfscope reports\n"
	"(cpu-profile --format json, a profile's report.json: on-CPU samples; a\n"
	"memory.json: bytes by allocation site): which functions gained or lost\n"
	"share, or a differential folded file (\"stack OLD NEW\", FlameGraph's\n"
	"difffolded layout: flamegraph.pl draws it red where a stack grew, blue\n"
	"where it shrank; stacks in only one file are kept).\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT    text (default: functions by change of self share),\n"
	"                         folded (differential), json, or svg (a differential\n"
	"                         flame graph: NEW's widths, red where a frame's share\n"
	"                         grew, blue where it shrank)\n"
	"  -o, --output FILE      write there instead of standard output\n"
	"      --normalize        scale OLD's counts to NEW's total in the folded\n"
	"                         output, so a longer run does not grow everywhere\n"
	"  -n, --top N            functions in the text (default 20)\n"
	"  -w, --weight KIND      memory.json sites by allocated (default), leaked,\n"
	"                         peak or temporary bytes\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit codes: 0 compared, 2 usage, 5 output not writable, 6 an input file\n"
	"unreadable, not folded stacks (the line is named), not a report with\n"
	"stacks, or samples compared with bytes.\n";

enum format { FORMAT_TEXT, FORMAT_FOLDED, FORMAT_JSON, FORMAT_SVG };
static const char *const format_names[] = { "text", "folded", "json", "svg" };

struct diff_options {
	const char *old_path, *new_path, *output;
	enum format format;
	bool normalize;
	unsigned long top;
	enum ps_fold_weight weight;
};

enum { OPT_NORMALIZE = 256 };

static const struct option long_options[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "normalize", no_argument, NULL, OPT_NORMALIZE },
	{ "top", required_argument, NULL, 'n' },
	{ "weight", required_argument, NULL, 'w' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_options(int argc, char **argv, struct diff_options *o)
{
	int c, f;

	memset(o, 0, sizeof(*o));
	o->top = 20;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:o:n:w:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if ((f = cli_parse_choice(optarg, format_names, 4)) < 0)
				return cli_usage_error("diff", "--format is text, folded, json or svg, not '%s'",
						       optarg);
			o->format = (enum format)f;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			if (cli_parse_uint(optarg, 1000000, &o->top) < 0)
				return cli_usage_error("diff", "--top takes a count, not '%s'", optarg);
			break;
		case 'w':
			if ((f = cli_parse_choice(optarg, ps_fold_weight_names, PS_FOLD_WEIGHTS)) < 0)
				return cli_usage_error("diff", "--weight is allocated, leaked, peak or "
						       "temporary, not '%s'", optarg);
			o->weight = (enum ps_fold_weight)f;
			break;
		case OPT_NORMALIZE:
			o->normalize = true;
			break;
		case 'h':
			fputs(cmd_diff_help, stdout);
			return -1;
		default:
			return cli_usage_error("diff", "unknown option or missing value: '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("diff", "give two folded files or reports, OLD and NEW");
	o->old_path = argv[optind];
	o->new_path = argv[optind + 1];
	return 0;
}

static double pct(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : 0;
}

static void write_text(FILE *fp, const struct ps_fold_diff *d, const struct diff_options *o,
		       const char *unit)
{
	fprintf(fp, "perfscope diff: %s (%llu %s) -> %s (%llu %s)\n", o->old_path,
		(unsigned long long)d->old_total, unit, o->new_path, (unsigned long long)d->new_total, unit);
	fprintf(fp, "functions by change of their self share (points), then self and total "
		"share old -> new:\n");
	for (size_t i = 0; i < d->nfuncs && i < o->top; i++) {
		const struct ps_func_delta *f = &d->funcs[i];

		fprintf(fp, "  %+7.2f  %-40s self %5.1f%% -> %5.1f%%  total %5.1f%% -> %5.1f%%  "
			"(self %llu -> %llu)", f->self_delta_pts, f->name, pct(f->old_self, d->old_total),
			pct(f->new_self, d->new_total), pct(f->old_total, d->old_total),
			pct(f->new_total, d->new_total), (unsigned long long)f->old_self,
			(unsigned long long)f->new_self);
		/* where inlining changed, how much of its self time was an inlined copy */
		if (f->old_inlined != f->new_inlined)
			fprintf(fp, "  inlined %5.1f%% -> %5.1f%%", pct(f->old_inlined, d->old_total),
				pct(f->new_inlined, d->new_total));
		fputc('\n', fp);
	}
}

static cJSON *diff_json(const struct ps_fold_diff *d, const char *unit)
{
	cJSON *root = cJSON_CreateObject(), *funcs;

	cJSON_AddStringToObject(root, "unit", unit);
	cJSON_AddNumberToObject(root, "old_samples", (double)d->old_total);
	cJSON_AddNumberToObject(root, "new_samples", (double)d->new_total);
	cJSON_AddNumberToObject(root, "stacks", (double)d->nlines);
	funcs = cJSON_AddArrayToObject(root, "functions");
	for (size_t i = 0; i < d->nfuncs; i++) {
		const struct ps_func_delta *f = &d->funcs[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", f->name);
		cJSON_AddNumberToObject(o, "old_self", (double)f->old_self);
		cJSON_AddNumberToObject(o, "new_self", (double)f->new_self);
		cJSON_AddNumberToObject(o, "old_total", (double)f->old_total);
		cJSON_AddNumberToObject(o, "new_total", (double)f->new_total);
		cJSON_AddNumberToObject(o, "old_inlined_self", (double)f->old_inlined);
		cJSON_AddNumberToObject(o, "new_inlined_self", (double)f->new_inlined);
		cJSON_AddNumberToObject(o, "self_delta_pts", f->self_delta_pts);
		cJSON_AddItemToArray(funcs, o);
	}
	return root;
}

struct diff_output {
	const struct ps_fold_diff *d;
	const struct diff_options *o;
	const char *unit;
};

static int write_diff(FILE *fp, const void *ctx)
{
	const struct diff_output *w = ctx;
	const struct ps_fold_diff *d = w->d;

	if (w->o->format == FORMAT_JSON)
		return ps_json_print(fp, diff_json(d, w->unit));
	if (w->o->format == FORMAT_SVG)
		return ps_flamegraph_diff_svg(fp, d, &(struct ps_flamegraph_opts){ .unit = w->unit }, NULL);
	if (w->o->format == FORMAT_FOLDED)
		for (size_t i = 0; i < d->nlines; i++)
			fprintf(fp, "%s %llu %llu\n", d->lines[i].stack,
				(unsigned long long)d->lines[i].old_count,
				(unsigned long long)d->lines[i].new_count);
	else
		write_text(fp, d, w->o, w->unit);
	return ferror(fp) ? -1 : 0;
}

int cmd_diff(int argc, char **argv)
{
	struct diff_options o;
	struct ps_error err = { 0 };
	struct ps_fold_set old = { 0 }, new = { 0 };
	struct ps_fold_diff d = { 0 };
	const char *old_unit = NULL, *new_unit = NULL;
	int rc = parse_options(argc, argv, &o);

	if (rc)
		return rc < 0 ? 0 : rc;
	rc = cli_load_stacks(&old, o.old_path, &(struct ps_fold_opts){ .weight = o.weight }, &old_unit, &err);
	if (rc == 0)
		rc = cli_load_stacks(&new, o.new_path, &(struct ps_fold_opts){ .weight = o.weight }, &new_unit,
				     &err);
	if (rc == 0 && old_unit && new_unit && strcmp(old_unit, new_unit) != 0)
		rc = ps_error_set(&err, PS_E_INPUT, "'%s' counts %s and '%s' counts %s: compare "
				  "reports of the same kind", o.old_path, old_unit, o.new_path, new_unit);
	if (rc == 0)
		rc = ps_fold_diff(&d, &old, &new, o.normalize, &err);
	if (rc == 0)
		rc = cli_write_output(o.output, write_diff,
				      &(struct diff_output){ &d, &o, new_unit ? new_unit : old_unit ? old_unit :
							     "samples" }, &err);
	ps_fold_diff_release(&d);
	ps_fold_release(&old);
	ps_fold_release(&new);
	return rc < 0 ? cli_fail(&err) : 0;
}
