/*
 * perfscope recommend: a report or metrics file in, bottlenecks, scores
 * and what to do out.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../lib/ps_compare.h"
#include "../lib/ps_diagnosis.h"
#include "../lib/ps_facts.h"
#include "../lib/ps_json.h"
#include "../lib/ps_util.h"

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
	"      --rules FILE       rules to add, or to replace by id (the built-in\n"
	"                         ones are share/rules.json); may be repeated\n"
	"      --set ID.KEY=VAL   change one rule's info, warning or min_value,\n"
	"                         e.g. --set io.disk_wait.warning=0.5; may be repeated\n"
	"      --config FILE      thresholds from FILE ({\"thresholds\": {\"ID.KEY\": N}});\n"
	"                         default ~/.config/perfscope/config.json if it exists\n"
	"      --baseline FILE    compare with an earlier report of the same command:\n"
	"                         each figure that changed by the limit or more\n"
	"      --fail-on-regression PCT\n"
	"                         the limit (default 10), and exit 8 when a count (system\n"
	"                         calls, bytes, allocations, leaks, peak heap) grew by\n"
	"                         more, or 9 when only timings did (one run each cannot\n"
	"                         tell a change from noise)\n"
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

#define MAX_RULE_FILES 16
#define MAX_SETS 64

enum format { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_JSON };
static const char *const format_names[] = { "text", "markdown", "json" };

struct rec_options {
	const char *metrics, *output, *config, *baseline;
	double limit_pct;
	bool gate;
	const char *rule_files[MAX_RULE_FILES];
	int nrule_files;
	const char *sets[MAX_SETS];
	int nsets;
	enum format format;
	bool no_color;
};

enum { OPT_RULES = 256, OPT_SET, OPT_NO_COLOR, OPT_CONFIG, OPT_BASELINE, OPT_FAIL_ON_REGRESSION };

static const struct option long_options[] = {
	{ "metrics", required_argument, NULL, 'm' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "set", required_argument, NULL, OPT_SET },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "fail-on-regression", required_argument, NULL, OPT_FAIL_ON_REGRESSION },
	{ "no-color", no_argument, NULL, OPT_NO_COLOR },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_options(int argc, char **argv, struct rec_options *o)
{
	int c, f;

	memset(o, 0, sizeof(*o));
	o->limit_pct = 10;
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
		case OPT_RULES:
			if (o->nrule_files == MAX_RULE_FILES)
				return cli_usage_error("recommend", "at most %d --rules files",
						       MAX_RULE_FILES);
			o->rule_files[o->nrule_files++] = optarg;
			break;
		case OPT_SET:
			if (o->nsets == MAX_SETS)
				return cli_usage_error("recommend", "at most %d --set", MAX_SETS);
			o->sets[o->nsets++] = optarg;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_FAIL_ON_REGRESSION:
			if (cli_parse_double(optarg, &o->limit_pct) < 0)
				return cli_usage_error("recommend", "--fail-on-regression takes a positive "
						       "percentage, not '%s'", optarg);
			o->gate = true;
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
	if (o->gate && !o->baseline)
		return cli_usage_error("recommend", "--fail-on-regression needs --baseline FILE");
	return 0;
}

/* ---- reading ---- */

static char *read_input(const char *path, struct ps_error *err)
{
	char *text;

	if (strcmp(path, "-") == 0) {
		size_t cap = 65536, used = 0, n;

		text = malloc(cap);
		while (text && (n = fread(text + used, 1, cap - used - 1, stdin)) > 0) {
			used += n;
			if (used + 1 == cap) {
				char *bigger = realloc(text, cap *= 2);

				if (!bigger) {
					free(text);
					text = NULL;
				}
				text = bigger;
			}
		}
		if (text)
			text[used] = '\0';
	} else {
		text = ps_read_file(path, NULL);
	}
	if (!text)
		ps_error_set(err, PS_E_INPUT, "cannot read '%s': %s", path, strerror(errno));
	return text;
}

static int load_rules(const struct rec_options *o, struct ps_rules *rules, struct ps_error *err)
{
	int rc = ps_rules_load(rules, ps_rules_default_json, "built-in rules", err);

	for (int i = 0; rc == 0 && i < o->nrule_files; i++) {
		char *text = ps_read_file(o->rule_files[i], NULL);

		if (!text)
			return ps_error_set(err, PS_E_INPUT, "cannot read rules file '%s': %s",
					    o->rule_files[i], strerror(errno));
		rc = ps_rules_load(rules, text, o->rule_files[i], err);
		free(text);
	}
	if (rc == 0)
		rc = cli_apply_thresholds(rules, o->config, o->sets, o->nsets, err);
	return rc;
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

static void write_text(FILE *fp, const struct ps_diagnosis *d, const char *input, bool no_color)
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
		fprintf(fp, "No bottleneck found: every rule that applied is under its info threshold.\n");
	for (size_t i = 0; i < d->nfindings; i++) {
		const struct ps_result *r = &d->results[i];

		fprintf(fp, "%s[%s]%s %s %s(%s, score %.0f%s)%s\n", c.sev[r->severity],
			ps_severity_names[r->severity], c.off, r->rule->id, c.dim, r->rule->type,
			r->score, r->capped ? ", capped: too little data" : "", c.off);
		fprintf(fp, "  %s\n  why: %s\n  do:  %s\n\n", r->summary, r->explanation, r->solution);
	}
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

static void write_markdown(FILE *fp, const struct ps_diagnosis *d, const char *input)
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
	fprintf(fp, "<details><summary>Other rules</summary>\n\n| rule | status | why |\n|---|---|---|\n");
	for (size_t i = d->nfindings; i < d->n; i++)
		fprintf(fp, "| `%s` | %s | %s |\n", d->results[i].rule->id,
			ps_result_status_names[d->results[i].status], d->results[i].reason);
	fprintf(fp, "\n</details>\n");
	if (d->notes[0])
		fprintf(fp, "\nNote: %s\n", d->notes);
}

/* What a comparison's figure did, as the text and markdown print it. */
static void figure_line(FILE *fp, const struct ps_figure_change *ch, bool markdown)
{
	char change[32] = "";

	if (ch->has_old && ch->has_new && isfinite(ch->p_value))
		snprintf(change, sizeof(change), "%+.1f%% (p %.3f)", ch->change_pct, ch->p_value);
	else if (ch->has_old && ch->has_new)
		snprintf(change, sizeof(change), "%+.1f%%", ch->change_pct);
	char was[32] = "absent", now[32] = "absent";

	if (ch->has_old)
		snprintf(was, sizeof(was), "%.6g", ch->old_value);
	if (ch->has_new)
		snprintf(now, sizeof(now), "%.6g", ch->new_value);
	if (markdown)
		fprintf(fp, "| `%s` | %s | %s | %s | %s |\n", ch->name, ps_verdict_names[ch->verdict],
			was, now, change);
	else
		fprintf(fp, "  %-12s %-36s %12s -> %-12s %s\n", ps_verdict_names[ch->verdict], ch->name,
			was, now, change);
}

static void write_comparison(FILE *fp, const struct ps_comparison *c, const char *baseline,
			     bool markdown)
{
	size_t same = 0;

	if (markdown)
		fprintf(fp, "\n### Compared with `%s`\n\n%zu regressions, %zu inconclusive (limit %.4g%%)\n\n"
			"| figure | verdict | baseline | now | change |\n|---|---|---|---|---|\n",
			baseline, c->regressions, c->inconclusive, c->limit_pct);
	else
		fprintf(fp, "\nCompared with %s: %zu regressions, %zu inconclusive (changes of %.4g%% "
			"or more):\n", baseline, c->regressions, c->inconclusive, c->limit_pct);
	for (size_t i = 0; i < c->n; i++) {
		if (c->items[i].verdict == PS_SAME)
			same++;
		else
			figure_line(fp, &c->items[i], markdown);
	}
	fprintf(fp, "%s%zu figures changed less than %.4g%%.\n", markdown ? "\n" : "  ", same,
		c->limit_pct);
	if (c->inconclusive)
		fprintf(fp, "%sInconclusive: a timing changed this much, but one run of each (or runs "
			"that overlap, p >= 0.05) cannot tell it from a shared machine's noise; "
			"--repeat N on both sides can.\n", markdown ? "\n" : "  ");
}

struct rec_output {
	const struct ps_diagnosis *d;
	const struct ps_comparison *c;     /* NULL without --baseline */
	const struct rec_options *o;
};

static int write_diagnosis(FILE *fp, const void *ctx)
{
	const struct rec_output *w = ctx;
	const struct rec_options *o = w->o;
	const char *input = strcmp(o->metrics, "-") == 0 ? "standard input" : o->metrics;

	if (o->format == FORMAT_JSON) {
		cJSON *root = ps_diagnosis_json(w->d);

		if (w->c)
			cJSON_AddItemToObject(root, "comparison", ps_comparison_json(w->c));
		return ps_json_print(fp, root);
	}
	if (o->format == FORMAT_MARKDOWN)
		write_markdown(fp, w->d, input);
	else
		write_text(fp, w->d, input, o->no_color);
	if (w->c)
		write_comparison(fp, w->c, o->baseline, o->format == FORMAT_MARKDOWN);
	return ferror(fp) ? -1 : 0;
}

/* Reads and parses a JSON file ("-": standard input); NULL with err set. */
static cJSON *read_json(const char *path, struct ps_error *err)
{
	char *text = read_input(path, err);
	cJSON *root = text ? ps_json_parse(text, path, err) : NULL;

	free(text);
	return root;
}

/* The exit status a gate gives: regressions first, then inconclusive timings. */
static int gate_status(const struct rec_options *o, const struct ps_comparison *c)
{
	if (!o->gate)
		return 0;
	if (c->regressions)
		return EXIT_REGRESSION;
	return c->inconclusive ? EXIT_INCONCLUSIVE : 0;
}

int cmd_recommend(int argc, char **argv)
{
	struct rec_options o;
	struct ps_error err = { 0 };
	struct ps_rules rules;
	struct ps_facts facts;
	struct ps_diagnosis d = { 0 };
	struct ps_comparison cmp = { 0 };
	cJSON *root = NULL, *base = NULL;
	int rc;

	rc = parse_options(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	ps_rules_init(&rules);
	ps_facts_init(&facts);
	rc = load_rules(&o, &rules, &err);
	if (rc == 0 && !(root = read_json(o.metrics, &err)))
		rc = err.code;
	if (rc == 0 && o.baseline && !(base = read_json(o.baseline, &err)))
		rc = err.code;
	if (rc == 0 && (rc = ps_facts_from_report(&facts, root, &err)) < 0)
		ps_error_prefix(&err, "%s: ", o.metrics);
	if (rc == 0)
		rc = ps_diagnose(&d, &rules, &facts, &err);
	if (rc == 0 && base)
		rc = ps_compare_reports(&cmp, base, root, o.limit_pct, &err);
	if (rc == 0)
		rc = cli_write_output(o.output, write_diagnosis,
				      &(struct rec_output){ &d, base ? &cmp : NULL, &o }, &err);
	if (rc == 0)
		rc = gate_status(&o, &cmp);
	else
		rc = cli_fail(&err);
	ps_comparison_release(&cmp);
	ps_diagnosis_release(&d);
	ps_facts_release(&facts);
	ps_rules_release(&rules);
	cJSON_Delete(root);
	cJSON_Delete(base);
	return rc;
}
