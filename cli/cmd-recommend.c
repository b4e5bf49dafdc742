/*
 * perfscope recommend: a report or metrics file in, bottlenecks, scores
 * and what to do out.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "analyze/ps_compare.h"
#include "analyze/ps_diagnosis.h"
#include "analyze/ps_facts.h"
#include "analyze/ps_highlights.h"
#include "base/ps_json.h"

const char cmd_recommend_help[] =
	"Usage: perfscope recommend --metrics FILE [options]\n"
	"\n"
	"Read a perfscope report (report.json of profile, cpu-profile --format json,\n"
	"memory.json of memory-profile) or a plain metrics file, and say what is\n"
	"wrong and what to do: findings with a severity, the number that crossed\n"
	"a threshold and the function, file, lock or allocation site it is about;\n"
	"a 0-100 score overall and per area (cpu, memory, io, concurrency).\n"
	"\n"
	"Options:\n"
	"  -m, --metrics FILE     the report or metrics file to read ('-': stdin)\n"
	"  -f, --format FORMAT    text (default), markdown or json\n"
	"  -o, --output FILE      write there instead of standard output\n"
	CLI_RULES_HELP
	CLI_BASELINE_HELP
	"      --no-color         plain text even on a terminal (also NO_COLOR)\n"
	"  -h, --help             show this help\n"
	"\n"
	"Thresholds: --set over PERFSCOPE_<ID>_<KEY> variables (PERFSCOPE_IO_DISK_WAIT_\n"
	"WARNING=0.5) over the config file over the rules' own values.\n"
	"\n"
	"A plain metrics file is one JSON object with any of: cpu_percent,\n"
	"memory_percent, threads, open_files, memory_growth_mb_per_min, and\n"
	"operations ([{\"name\", \"count\", \"avg_ms\"}]); perfscope-recommend(1).\n"
	"\n"
	"Exit codes: 0 diagnosed (whatever was found), 8 regression and 9 inconclusive\n"
	"(with --fail-on-regression), 2 usage, 5 output not\n"
	"writable, 6 the input, a rules or config file is unreadable or malformed.\n";

enum format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON };
static const char *const format_names[] = { "text", "markdown", "json" };

struct rec_options {
	const char *metrics, *output;
	struct cli_baseline baseline;
	struct cli_rules_options rules;
	enum format format;
	bool no_color;
};

enum { OPT_NO_COLOR = 256 };

static const struct option long_options[] = {
	{ "metrics", required_argument, NULL, 'm' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	CLI_RULES_OPTIONS,
	CLI_BASELINE_OPTIONS,
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_options(int argc, char **argv, struct rec_options *o)
{
	int c, f;

	memset(o, 0, sizeof(*o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+m:f:o:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->metrics = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			if ((f = cli_parse_choice(optarg, format_names, 3)) < 0)
				return cli_usage_error("recommend", "--format is text, markdown or json, "
						       "not '%s'", optarg);
			o->format = (enum format)f;
			break;
		case CLI_OPT_RULES:
		case CLI_OPT_SET:
		case CLI_OPT_CONFIG:
			if (cli_rules_option(&o->rules, "recommend", c, optarg))
				return EXIT_USAGE;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case CLI_OPT_BASELINE:
		case CLI_OPT_FAIL_ON_REGRESSION:
			if (cli_baseline_option(&o->baseline, "recommend", c, optarg))
				return EXIT_USAGE;
			break;
		case 'h':
			fputs(cmd_recommend_help, stdout);
			return -1;
		default:
			return cli_usage_error("recommend", "unknown option or missing value: '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("recommend", "unexpected argument '%s'", argv[optind]);
	if (!o->metrics)
		return cli_usage_error("recommend", "--metrics FILE is required");
	return cli_baseline_check_usage(&o->baseline, "recommend");
}

/* ---- writing ---- */

struct colors {
	const char *sev[5], *bold, *dim, *off;
};

static struct colors colors_for(FILE *fp, bool no_color)
{
	struct colors c = { { "", "", "", "", "" }, "", "", "" };

	if (no_color || getenv("NO_COLOR") || !isatty(fileno(fp)))
		return c;
	return (struct colors){ { "", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m" },
				"\033[1m", "\033[2m", "\033[0m" };
}

static void area_scores(FILE *fp, const struct ps_diagnosis *d, const char *sep)
{
	for (int a = 0; a < PS_AREAS; a++) {
		if (d->area_measured[a])
			fprintf(fp, "%s%s %.0f", a ? sep : "", ps_area_names[a], d->area_score[a]);
		else
			fprintf(fp, "%s%s not measured", a ? sep : "", ps_area_names[a]);
	}
}

/* The functions and sites the findings are about, as a list or a table. */
static void write_highlights(FILE *fp, const struct ps_highlights *h, bool markdown)
{
	static const char *const titles[] = {
		"Top functions (self share of the on-CPU samples)", "Top allocation sites (bytes allocated)",
		"Largest leaks (bytes lost at exit)",
	};
	const struct ps_highlight *lists[] = { h->functions, h->sites, h->leaks };
	const size_t counts[] = { h->nfunctions, h->nsites, h->nleaks };
	char size[32];

	for (int l = 0; l < 3; l++) {
		if (!counts[l])
			continue;
		fprintf(fp, markdown ? "#### %s\n\n| | function | where | called from |\n|---|---|---|---|\n" :
			"%s:\n", titles[l]);
		for (size_t i = 0; i < counts[l]; i++) {
			const struct ps_highlight *x = &lists[l][i];

			if (l == 0)
				snprintf(size, sizeof(size), "%.1f%%", 100 * x->share);
			else
				cli_human_bytes((uint64_t)x->bytes, size, sizeof(size));
			if (markdown)
				fprintf(fp, "| %s | `%s` | %s | %s |\n", size, x->name, x->where, x->caller);
			else
				fprintf(fp, "  %9s  %s%s%s%s%s%s\n", size, x->name, x->where[0] ? "  (" : "",
					x->where, x->where[0] ? ")" : "", x->caller[0] ? ", from " : "",
					x->caller);
		}
		fprintf(fp, "\n");
	}
}

static void write_text(FILE *fp, const struct ps_diagnosis *d, const struct ps_highlights *h,
		       const char *input, bool no_color)
{
	struct colors c = colors_for(fp, no_color);
	size_t skipped = 0;

	fprintf(fp, "%sperfscope diagnosis%s of %s (%s): ", c.bold, c.off, input, d->kind);
	if (d->overall_measured)
		fprintf(fp, "score %s%.0f/100%s\n  ", c.bold, d->overall, c.off);
	else
		fprintf(fp, "no rule applied\n  ");
	area_scores(fp, d, ", ");
	fprintf(fp, "\n\n");
	if (!d->nfindings)
		fprintf(fp, "No bottleneck found: every rule that applied is under its info threshold.\n\n");
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct ps_result *r = &d->results[i];

		fprintf(fp, "%s[%s]%s %s %s(%s, score %.0f%s)%s\n", c.sev[r->severity],
			ps_severity_names[r->severity], c.off, r->rule->id, c.dim, r->rule->type,
			r->score, r->capped ? ", capped: too little data" : "", c.off);
		fprintf(fp, "  %s\n  why: %s\n  do:  %s\n\n", r->summary, r->explanation, r->solution);
	}
	write_highlights(fp, h, false);
	for (size_t i = d->nfindings; i < d->n; i++)
		if (d->results[i].status == PS_RESULT_NOT_APPLICABLE)
			skipped++;
	if (skipped) {
		fprintf(fp, "%sNot applicable (%zu):%s\n", c.dim, skipped, c.off);
		for (size_t i = d->nfindings; i < d->n; i++)
			if (d->results[i].status == PS_RESULT_NOT_APPLICABLE)
				fprintf(fp, "  %s: %s\n", d->results[i].rule->id, d->results[i].reason);
	}
	if (d->notes[0])
		fprintf(fp, "note: %s\n", d->notes);
}

static void write_markdown(FILE *fp, const struct ps_diagnosis *d, const struct ps_highlights *h,
			   const char *input)
{
	fprintf(fp, "## perfscope diagnosis: ");
	if (d->overall_measured)
		fprintf(fp, "score %.0f/100\n\n", d->overall);
	else
		fprintf(fp, "no rule applied\n\n");
	fprintf(fp, "Input: `%s` (%s)\n\n| area | score |\n|---|---|\n", input, d->kind);
	for (int a = 0; a < PS_AREAS; a++) {
		if (d->area_measured[a])
			fprintf(fp, "| %s | %.0f |\n", ps_area_names[a], d->area_score[a]);
		else
			fprintf(fp, "| %s | not measured |\n", ps_area_names[a]);
	}
	fprintf(fp, "\n");
	if (!d->nfindings)
		fprintf(fp, "No bottleneck found.\n\n");
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct ps_result *r = &d->results[i];

		fprintf(fp, "### %s: `%s` (%s, score %.0f%s)\n\n%s\n\n**Why:** %s\n\n**What to do:** %s\n\n",
			ps_severity_names[r->severity], r->rule->id, r->rule->type, r->score,
			r->capped ? ", capped: too little data" : "", r->summary, r->explanation,
			r->solution);
	}
	write_highlights(fp, h, true);
	fprintf(fp, "<details><summary>Other rules</summary>\n\n| rule | status | why |\n|---|---|---|\n");
	for (size_t i = d->nfindings; i < d->n; i++)
		fprintf(fp, "| `%s` | %s | %s |\n", d->results[i].rule->id,
			ps_result_status_names[d->results[i].status], d->results[i].reason);
	fprintf(fp, "\n</details>\n");
	if (d->notes[0])
		fprintf(fp, "\nNote: %s\n", d->notes);
}

struct rec_output {
	const struct ps_diagnosis *d;
	const struct ps_highlights *h;
	const struct rec_options *o;
};

static int write_diagnosis(FILE *fp, const void *ctx)
{
	const struct rec_output *w = ctx;
	const struct rec_options *o = w->o;
	const char *input = strcmp(o->metrics, "-") == 0 ? "standard input" : o->metrics;

	if (o->format == FORMAT_JSON) {
		cJSON *root = ps_diagnosis_json(w->d);

		cJSON_AddItemToObject(root, "highlights", ps_highlights_json(w->h));
		if (o->baseline.compared)
			cJSON_AddItemToObject(root, "comparison", ps_comparison_json(&o->baseline.cmp));
		return ps_json_print(fp, root);
	}
	if (o->format == FORMAT_MARKDOWN)
		write_markdown(fp, w->d, w->h, input);
	else
		write_text(fp, w->d, w->h, input, o->no_color);
	cli_baseline_print(fp, &o->baseline, o->format == FORMAT_MARKDOWN);
	return ferror(fp) ? -1 : 0;
}

int cmd_recommend(int argc, char **argv)
{
	struct rec_options o;
	struct ps_error err = { 0 };
	struct ps_rules rules;
	struct ps_facts facts;
	struct ps_diagnosis d = { 0 };
	struct ps_highlights highlights;
	cJSON *root = NULL;
	int rc;

	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	ps_rules_init(&rules);
	ps_facts_init(&facts);
	rc = cli_load_rules(&rules, &o.rules, &err);
	if (rc == 0 && !(root = cli_read_json(o.metrics, &err)))
		rc = err.code;
	if (rc == 0)
		rc = cli_baseline_load(&o.baseline, ps_compare_kind(root), &err);
	if (rc == 0 && (rc = ps_facts_from_report(&facts, root, &err)) < 0)
		ps_error_prefix(&err, "%s: ", o.metrics);
	if (rc == 0)
		rc = ps_diagnose(&d, &rules, &facts, &err);
	if (rc == 0) {
		cli_baseline_amend(root, &o.baseline);
		ps_highlights_from_report(&highlights, root);
		rc = cli_write_output(o.output, write_diagnosis,
				      &(struct rec_output){ &d, &highlights, &o }, &err);
	}
	if (rc == 0)
		rc = cli_baseline_status(&o.baseline);
	else
		rc = cli_fail(&err);
	cli_baseline_release(&o.baseline);
	ps_diagnosis_release(&d);
	ps_facts_release(&facts);
	ps_rules_release(&rules);
	cJSON_Delete(root);
	return rc;
}
