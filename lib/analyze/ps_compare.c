/*
 * A report against a baseline, figure by figure (ps_compare.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_compare.h"
#include "base/ps_json.h"
#include "base/ps_stats.h"
#include "base/ps_util.h"

const char *const ps_verdict_names[] = { "same", "better", "worse", "inconclusive", "added", "removed" };

/* Functions under this share of the samples are noise: not compared. */
#define MIN_FUNCTION_PCT 1.0
/* Significance a timing change needs, with repeated runs. */
#define ALPHA 0.05
/* Timings that moved less than this, absolutely, are the same whatever the ratio. */
#define SECONDS_FLOOR 0.01
#define PERCENT_FLOOR 2.0

struct figure {
	char name[96];
	double value;
	bool timing;
	bool share;                  /* a percentage of the report's on-CPU samples */
	double floor;                /* smaller absolute changes are noise */
};

struct figures {
	struct figure *items;
	size_t n, cap;
	char kind[32];
	double samples;              /* on-CPU samples, which shares are of */
};

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

static void add(struct figures *f, const char *name, double value, bool timing)
{
	if (!isfinite(value) || ps_grow(&f->items, &f->cap, f->n + 1, sizeof(*f->items)) < 0)
		return;
	snprintf(f->items[f->n].name, sizeof(f->items[0].name), "%s", name);
	f->items[f->n].value = value;
	f->items[f->n].timing = timing;
	f->items[f->n].share = false;
	f->items[f->n].floor = 0;
	if (timing && ends_with(name, "_s"))
		f->items[f->n].floor = SECONDS_FLOOR;
	else if (timing && ends_with(name, "_pct"))
		f->items[f->n].floor = PERCENT_FLOOR;
	f->n++;
}

/* ---- the figures of each kind of report ---- */

static void cpu_figures(struct figures *f, const cJSON *cpu)
{
	const cJSON *fn;
	char name[96];

	add(f, "duration_s", ps_json_number(ps_json_member(cpu, "metadata"), "duration_s", NAN), true);
	f->samples = ps_json_number(ps_json_member(cpu, "metadata"), "samples", 0);
	cJSON_ArrayForEach(fn, ps_json_member(cpu, "functions")) {
		const char *fname = ps_json_string(fn, "name");
		size_t n = f->n;

		if (!fname || !(ps_json_number(fn, "self_pct", NAN) >= MIN_FUNCTION_PCT))
			continue;
		snprintf(name, sizeof(name), "cpu.%s.self_pct", fname);
		add(f, name, ps_json_number(fn, "self_pct", NAN), true);
		if (f->n > n)
			f->items[n].share = f->samples > 0;
	}
}

static void profile_figures(struct figures *f, const cJSON *root)
{
	const cJSON *offcpu = ps_json_member(root, "offcpu"), *call, *file, *r;
	const cJSON *reasons = ps_json_member(offcpu, "blocked_by_reason_s");
	double read = 0, written = 0, syncs = 0;
	char name[96];

	cpu_figures(f, ps_json_member(root, "cpu"));
	cJSON_ArrayForEach(call, ps_json_member(ps_json_member(root, "syscalls"), "calls")) {
		const char *sc = ps_json_string(call, "name");

		if (!sc)
			continue;
		snprintf(name, sizeof(name), "syscalls.%s.count", sc);
		add(f, name, ps_json_number(call, "count", NAN), false);
		snprintf(name, sizeof(name), "syscalls.%s.errors", sc);
		add(f, name, ps_json_number(call, "errors", NAN), false);
		if (ps_json_member(call, "bytes")) {
			snprintf(name, sizeof(name), "syscalls.%s.bytes", sc);
			add(f, name, ps_json_number(call, "bytes", NAN), false);
		}
		snprintf(name, sizeof(name), "syscalls.%s.total_s", sc);
		add(f, name, ps_json_number(call, "total_s", NAN), true);
	}
	cJSON_ArrayForEach(file, ps_json_member(root, "files")) {
		read += ps_json_number(file, "read_bytes", 0);
		written += ps_json_number(file, "written_bytes", 0);
		syncs += ps_json_number(file, "syncs", 0);
	}
	if (ps_json_member(root, "files")) {
		add(f, "io.read_bytes", read, false);
		add(f, "io.written_bytes", written, false);
		add(f, "io.syncs", syncs, false);
	}
	cJSON_ArrayForEach(r, reasons) {
		if (!r->string || !cJSON_IsNumber(r))
			continue;
		snprintf(name, sizeof(name), "offcpu.%s_s", r->string);
		add(f, name, r->valuedouble, true);
	}
}

static void memory_figures(struct figures *f, const cJSON *root)
{
	const cJSON *s = ps_json_member(root, "summary");

	add(f, "duration_s", ps_json_number(ps_json_member(root, "metadata"), "duration_s", NAN), true);
	add(f, "memory.allocations", ps_json_number(s, "allocations", NAN), false);
	add(f, "memory.temporary_allocations", ps_json_number(s, "temporary_allocations", NAN), false);
	add(f, "memory.leaked_bytes", ps_json_number(ps_json_member(s, "lost"), "bytes", NAN), false);
	add(f, "memory.peak_bytes", ps_json_number(s, "peak_bytes", NAN), false);
}

/* A metrics file's numbers are an application's own measurements: timings. */
static void metrics_figures(struct figures *f, const cJSON *root)
{
	const cJSON *v, *op, *ops = ps_json_member(root, "operations");
	char name[96];

	/* members of an object only: an array's items have no names */
	cJSON_ArrayForEach(v, root)
		if (cJSON_IsNumber(v) && v->string)
			add(f, v->string, v->valuedouble, true);
	cJSON_ArrayForEach(op, ops) {
		const char *opname = cJSON_IsArray(ops) ? ps_json_string(op, "name")
			: cJSON_IsObject(ops) ? op->string : NULL;

		if (!opname)
			continue;
		snprintf(name, sizeof(name), "operations.%s.avg_ms", opname);
		add(f, name, ps_json_number(op, "avg_ms", NAN), true);
		snprintf(name, sizeof(name), "operations.%s.count", opname);
		add(f, name, ps_json_number(op, "count", NAN), false);
	}
}

const char *ps_compare_kind(const cJSON *report)
{
	const char *kind = ps_json_string(report, "kind");

	if (kind)
		return kind;
	/* cpu-profile JSON before it was labelled */
	if (ps_json_member(report, "functions") && ps_json_member(report, "metadata"))
		return "cpu-profile";
	return "metrics";
}

static void figures_of(struct figures *f, const cJSON *root)
{
	const char *kind = ps_compare_kind(root);

	memset(f, 0, sizeof(*f));
	if (strcmp(kind, "profile") == 0)
		profile_figures(f, root);
	else if (strcmp(kind, "memory-profile") == 0)
		memory_figures(f, root);
	else if (strcmp(kind, "cpu-profile") == 0)
		cpu_figures(f, root);
	else if (strcmp(kind, "metrics") == 0)
		metrics_figures(f, root);
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
}

/* ---- comparing ---- */

static const struct figure *find(const struct figures *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].name, name) == 0)
			return &f->items[i];
	return NULL;
}

/* The values of figure `name` in a report's "runs"; how many there were. */
static size_t run_values(const cJSON *report, const char *name, double **out)
{
	const cJSON *runs = cJSON_GetObjectItemCaseSensitive(report, "runs"), *run;
	size_t n = 0;

	*out = NULL;
	if (!cJSON_IsArray(runs) || !(*out = malloc((size_t)cJSON_GetArraySize(runs) * sizeof(double) + 1)))
		return 0;
	cJSON_ArrayForEach(run, runs)
		if (isfinite(ps_json_number(run, name, NAN)))
			(*out)[n++] = ps_json_number(run, name, NAN);
	return n;
}

/* A timing with repeated runs on both sides: medians and the U test decide. */
static void judge_runs(struct ps_figure_change *ch, double *old, double *new, double limit_pct)
{
	double p = ps_mann_whitney_p(old, ch->old_runs, new, ch->new_runs);
	double was = ps_median(old, ch->old_runs), now = ps_median(new, ch->new_runs);

	ch->p_value = p;
	ch->old_value = was;
	ch->new_value = now;
	ch->change_pct = was != 0 ? 100 * (now - was) / fabs(was) : now > 0 ? 100 : now < 0 ? -100 : 0;
	if (fabs(ch->change_pct) < limit_pct || fabs(now - was) < ch->floor)
		ch->verdict = PS_SAME;
	else if (p < ALPHA)
		ch->verdict = ch->change_pct > 0 ? PS_WORSE : PS_BETTER;
	else
		ch->verdict = PS_INCONCLUSIVE;
}

static void judge(struct ps_figure_change *ch, double limit_pct)
{
	if (!ch->has_old || !ch->has_new) {
		ch->verdict = ch->has_new ? PS_ADDED : PS_REMOVED;
		return;
	}
	if (ch->old_value != 0)
		ch->change_pct = 100 * (ch->new_value - ch->old_value) / fabs(ch->old_value);
	else
		ch->change_pct = ch->new_value > 0 ? 100 : ch->new_value < 0 ? -100 : 0;
	if (fabs(ch->change_pct) < limit_pct || fabs(ch->new_value - ch->old_value) < ch->floor)
		ch->verdict = PS_SAME;
	else if (ch->timing)
		ch->verdict = PS_INCONCLUSIVE;
	else
		ch->verdict = ch->change_pct > 0 ? PS_WORSE : PS_BETTER;
}

/*
 * A share of the samples from one run each: how likely sampling alone
 * moves it this much (the two-proportion test); *tested counts them.
 */
static void sampling_p(struct ps_figure_change *ch, double old_samples, double new_samples,
		       size_t *tested)
{
	double was = ch->has_old ? ch->old_value / 100 : 0, now = ch->has_new ? ch->new_value / 100 : 0;

	if (!(old_samples > 0) || !(new_samples > 0))
		return;
	ch->sampling_p = ps_two_proportions_p(was * old_samples, old_samples, now * new_samples,
					      new_samples);
	(*tested)++;
}

static int rank(const struct ps_figure_change *ch)
{
	switch (ch->verdict) {
	case PS_WORSE: return 0;
	case PS_INCONCLUSIVE: return 1;
	case PS_BETTER: return 2;
	case PS_ADDED: case PS_REMOVED: return 3;
	default: return 4;
	}
}

static int cmp_change(const void *a, const void *b)
{
	const struct ps_figure_change *x = a, *y = b;

	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	if (fabs(x->change_pct) != fabs(y->change_pct))
		return fabs(x->change_pct) > fabs(y->change_pct) ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct ps_figure_change *new_change(struct ps_comparison *c, const struct figure *fig)
{
	struct ps_figure_change *ch;

	if (ps_grow(&c->items, &c->cap, c->n + 1, sizeof(*c->items)) < 0)
		return NULL;
	ch = &c->items[c->n++];
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->name, sizeof(ch->name), "%s", fig->name);
	ch->timing = fig->timing;
	ch->share = fig->share;
	ch->sampling_p = NAN;
	ch->floor = fig->floor;
	return ch;
}

int ps_compare_reports(struct ps_comparison *c, const cJSON *baseline, const cJSON *report,
		       double limit_pct, struct ps_error *err)
{
	struct figures old, cur;
	size_t shares = 0, run_shares = 0;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->limit_pct = limit_pct;
	figures_of(&old, baseline);
	figures_of(&cur, report);
	snprintf(c->kind, sizeof(c->kind), "%s", cur.kind);
	if (strcmp(old.kind, cur.kind) != 0) {
		rc = ps_error_set(err, PS_E_INPUT, "the baseline is a %s report and this is a %s "
				  "report: compare reports of the same command", old.kind, cur.kind);
		goto out;
	}
	for (size_t i = 0; i < cur.n; i++) {
		const struct figure *was = find(&old, cur.items[i].name);
		struct ps_figure_change *ch = new_change(c, &cur.items[i]);

		if (!ch)
			break;
		ch->has_new = true;
		ch->new_value = cur.items[i].value;
		if (was) {
			ch->has_old = true;
			ch->old_value = was->value;
		}
	}
	for (size_t i = 0; i < old.n; i++) {
		struct ps_figure_change *ch;

		if (find(&cur, old.items[i].name) || !(ch = new_change(c, &old.items[i])))
			continue;
		ch->has_old = true;
		ch->old_value = old.items[i].value;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct ps_figure_change *ch = &c->items[i];
		double *was = NULL, *now = NULL;

		ch->p_value = NAN;
		if (ch->timing && ch->has_old && ch->has_new) {
			ch->old_runs = run_values(baseline, ch->name, &was);
			ch->new_runs = run_values(report, ch->name, &now);
		}
		if (ch->old_runs >= 2 && ch->new_runs >= 2)
			judge_runs(ch, was, now, limit_pct);
		else
			judge(ch, limit_pct);
		if (ch->share && !(ch->old_runs >= 2 && ch->new_runs >= 2)) {
			sampling_p(ch, old.samples, cur.samples, &shares);
		} else if (ch->share) {
			/* the medians, over all the runs' samples: what sampling
			 * alone would move them by (the last run's count each) */
			size_t unused = 0;

			sampling_p(ch, old.samples * (double)ch->old_runs,
				   cur.samples * (double)ch->new_runs, &unused);
			run_shares++;
		}
		free(was);
		free(now);
	}
	for (size_t i = 0; i < c->n; i++) {
		struct ps_figure_change *ch = &c->items[i];

		/*
		 * Bonferroni: the chance that any share is flagged by chance stays
		 * at ALPHA.  Shares of runs that the U test calls worse or better
		 * but not at ALPHA / their number are inconclusive: a program's
		 * split drifts between two series of runs more than within one.
		 */
		bool by_runs = ch->share && isfinite(ch->p_value);

		if (!by_runs && isfinite(ch->sampling_p) && ch->sampling_p >= ALPHA / (double)shares)
			ch->verdict = PS_SAME;
		/* over runs, both the U test and the pooled samples must agree */
		if (by_runs && (ch->verdict == PS_WORSE || ch->verdict == PS_BETTER) &&
		    (ch->p_value >= ALPHA / (double)run_shares ||
		     (isfinite(ch->sampling_p) && ch->sampling_p >= ALPHA / (double)run_shares)))
			ch->verdict = PS_INCONCLUSIVE;
		c->regressions += ch->verdict == PS_WORSE;
		/* a gate cares about timings that may have grown, not ones that shrank */
		c->inconclusive += ch->verdict == PS_INCONCLUSIVE && ch->change_pct > 0;
	}
	if (c->n)
		qsort(c->items, c->n, sizeof(*c->items), cmp_change);
out:
	free(old.items);
	free(cur.items);
	return rc;
}

void ps_comparison_release(struct ps_comparison *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}

cJSON *ps_comparison_json(const struct ps_comparison *c)
{
	cJSON *root = cJSON_CreateObject(), *list;

	cJSON_AddNumberToObject(root, "limit_pct", c->limit_pct);
	cJSON_AddNumberToObject(root, "regressions", (double)c->regressions);
	cJSON_AddNumberToObject(root, "inconclusive", (double)c->inconclusive);
	list = cJSON_AddArrayToObject(root, "figures");
	for (size_t i = 0; i < c->n; i++) {
		const struct ps_figure_change *ch = &c->items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", ch->name);
		cJSON_AddStringToObject(o, "kind", ch->timing ? "timing" : "count");
		if (ch->has_old)
			cJSON_AddNumberToObject(o, "baseline", ch->old_value);
		else
			cJSON_AddNullToObject(o, "baseline");
		if (ch->has_new)
			cJSON_AddNumberToObject(o, "value", ch->new_value);
		else
			cJSON_AddNullToObject(o, "value");
		if (ch->has_old && ch->has_new)
			cJSON_AddNumberToObject(o, "change_pct", round(ch->change_pct * 100) / 100);
		else
			cJSON_AddNullToObject(o, "change_pct");
		cJSON_AddStringToObject(o, "verdict", ps_verdict_names[ch->verdict]);
		if (isfinite(ch->sampling_p))
			cJSON_AddNumberToObject(o, "sampling_p", round(ch->sampling_p * 1e6) / 1e6);
		if (isfinite(ch->p_value)) {
			cJSON_AddNumberToObject(o, "p_value", ch->p_value);
			cJSON_AddNumberToObject(o, "baseline_runs", (double)ch->old_runs);
			cJSON_AddNumberToObject(o, "runs", (double)ch->new_runs);
		}
		cJSON_AddItemToArray(list, o);
	}
	return root;
}

cJSON *ps_compare_figures(const cJSON *report)
{
	struct figures f;
	cJSON *o = cJSON_CreateObject();

	figures_of(&f, report);
	for (size_t i = 0; o && i < f.n; i++)
		cJSON_AddNumberToObject(o, f.items[i].name, f.items[i].value);
	free(f.items);
	return o;
}
