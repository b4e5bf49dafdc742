/*
 * --baseline and --fail-on-regression, shared by recommend and the
 * profiling commands: the baseline is read before anything runs, the new
 * report is compared as it is written (its "comparison" member), and the
 * gate's verdict becomes the exit status.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/ps_json.h"
#include "base/ps_util.h"

int cli_baseline_option(struct cli_baseline *b, const char *cmd, int opt, const char *arg)
{
	if (opt == CLI_OPT_BASELINE) {
		b->path = arg;
		return 0;
	}
	if (cli_parse_double(arg, &b->limit_pct) < 0)
		return cli_usage_error(cmd, "--fail-on-regression takes a positive percentage, "
				       "not '%s'", arg);
	b->gate = true;
	return 0;
}

int cli_baseline_check_usage(const struct cli_baseline *b, const char *cmd)
{
	if (b->gate && !b->path)
		return cli_usage_error(cmd, "--fail-on-regression needs --baseline FILE");
	return 0;
}

cJSON *cli_read_json(const char *path, struct ps_error *err)
{
	char *text = cli_read_text(path, err);
	cJSON *root = text ? ps_json_parse(text, path, err) : NULL;

	free(text);
	return root;
}

int cli_baseline_load(struct cli_baseline *b, const char *kind, struct ps_error *err)
{
	const char *was;

	if (b->limit_pct <= 0)
		b->limit_pct = CLI_DEFAULT_LIMIT_PCT;
	if (!b->path)
		return 0;
	b->root = cli_read_json(b->path, err);
	if (!b->root) {
		ps_error_prefix(err, "--baseline: ");
		return err->code;
	}
	was = ps_compare_kind(b->root);
	if (kind && strcmp(was, kind) != 0) {
		ps_error_set(err, PS_E_INPUT, "--baseline '%s' is a %s report, not a %s one: "
			     "compare reports of the same command", b->path, was, kind);
		cJSON_Delete(b->root);
		b->root = NULL;
		return err->code;
	}
	return 0;
}

void cli_baseline_amend(cJSON *report, void *ctx)
{
	struct cli_baseline *b = ctx;

	if (!b->root)
		return;
	ps_comparison_release(&b->cmp);
	b->compared = ps_compare_reports(&b->cmp, b->root, report, b->limit_pct, &b->err) == 0;
	if (b->compared)
		cJSON_AddItemToObject(report, "comparison", ps_comparison_json(&b->cmp));
}

/* Changed figures listed in text and markdown; the JSON has them all. */
#define MAX_LINES 20

/* What a comparison's figure did, as the text and markdown print it. */
static void figure_line(FILE *fp, const struct ps_figure_change *ch, bool markdown)
{
	char change[32] = "", was[32] = "absent", now[32] = "absent";

	if (ch->has_old && ch->has_new && isfinite(ch->p_value))
		snprintf(change, sizeof(change), "%+.1f%% (p %.3f)", ch->change_pct, ch->p_value);
	else if (ch->has_old && ch->has_new)
		snprintf(change, sizeof(change), "%+.1f%%", ch->change_pct);
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

void cli_baseline_print(FILE *fp, const struct cli_baseline *b, bool markdown)
{
	const struct ps_comparison *c = &b->cmp;
	size_t same = 0, shown = 0;

	if (!b->root)
		return;
	if (!b->compared) {
		fprintf(fp, "%sNot compared with %s: %s\n", markdown ? "\n" : "", b->path, b->err.msg);
		return;
	}
	if (markdown)
		fprintf(fp, "\n### Compared with `%s`\n\n%zu regressions, %zu inconclusive (limit %.4g%%)\n\n"
			"| figure | verdict | baseline | now | change |\n|---|---|---|---|---|\n",
			b->path, c->regressions, c->inconclusive, c->limit_pct);
	else
		fprintf(fp, "\nCompared with %s: %zu regressions, %zu inconclusive (changes of %.4g%% "
			"or more):\n", b->path, c->regressions, c->inconclusive, c->limit_pct);
	for (size_t i = 0; i < c->n; i++) {
		if (c->items[i].verdict == PS_SAME)
			same++;
		else if (shown++ < MAX_LINES)
			figure_line(fp, &c->items[i], markdown);
	}
	if (shown > MAX_LINES)
		fprintf(fp, "%s... and %zu more (worst first; all of them in the JSON's \"comparison\")\n",
			markdown ? "\n" : "  ", shown - MAX_LINES);
	fprintf(fp, "%s%zu figures changed less than %.4g%% or less than noise.\n", markdown ? "\n" : "  ",
		same, c->limit_pct);
	if (c->inconclusive)
		fprintf(fp, "%sInconclusive: a timing changed this much, but one run of each (or runs "
			"that overlap, p >= 0.05) cannot tell it from a shared machine's noise; "
			"--repeat N on both sides can.\n", markdown ? "\n" : "  ");
}

int cli_baseline_status(const struct cli_baseline *b)
{
	if (!b->gate || !b->root)
		return 0;
	if (!b->compared)
		return EXIT_INPUT;
	if (b->cmp.regressions)
		return EXIT_REGRESSION;
	return b->cmp.inconclusive ? EXIT_INCONCLUSIVE : 0;
}

void cli_baseline_release(struct cli_baseline *b)
{
	ps_comparison_release(&b->cmp);
	cJSON_Delete(b->root);
	memset(b, 0, sizeof(*b));
}
