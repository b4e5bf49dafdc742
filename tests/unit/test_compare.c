/*
 * ps_compare: a report against a baseline.  Counts are gated at the limit,
 * single-run timings are at most inconclusive, CPU shares are tested
 * against sampling noise (two-proportion test, Bonferroni) and --repeat
 * timings by their medians and the Mann-Whitney U test.  Every expected
 * p-value is worked out in the comment above its check.
 */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/ps_compare.h"
#include "unit.h"

static int near(double x, double want, double tol)
{
	return fabs(x - want) <= tol;
}

/* Compares two reports given as JSON text; the rc of ps_compare_reports. */
static int cmp(struct ps_comparison *c, const char *old, const char *new, double limit_pct,
	       struct ps_error *err)
{
	cJSON *a = cJSON_Parse(old), *b = cJSON_Parse(new);
	int rc;

	if (!a || !b) {
		printf("# bad test JSON\n");
		cJSON_Delete(a);
		cJSON_Delete(b);
		memset(c, 0, sizeof(*c));
		return -100;
	}
	rc = ps_compare_reports(c, a, b, limit_pct, err);
	cJSON_Delete(a);
	cJSON_Delete(b);
	return rc;
}

static const struct ps_figure_change *fig(const struct ps_comparison *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->items[i].name, name) == 0)
			return &c->items[i];
	return NULL;
}

/* A figure's verdict, -1 when the comparison has no such figure. */
static int verdict(const struct ps_comparison *c, const char *name)
{
	const struct ps_figure_change *ch = fig(c, name);

	return ch ? (int)ch->verdict : -1;
}

static const char *vname(const struct ps_comparison *c, const char *name)
{
	int v = verdict(c, name);

	return v < 0 ? "(absent)" : ps_verdict_names[v];
}

static const char *item_name(const struct ps_comparison *c, size_t i)
{
	return i < c->n ? c->items[i].name : "(none)";
}

static void test_kinds(void)
{
	cJSON *k1 = cJSON_Parse("{\"kind\":\"memory-profile\",\"functions\":[],\"metadata\":{}}");
	cJSON *k2 = cJSON_Parse("{\"functions\":[],\"metadata\":{}}");
	cJSON *k3 = cJSON_Parse("{\"cpu_percent\":5,\"metadata\":{}}");
	struct ps_comparison c;
	struct ps_error err = { 0 };
	int rc;

	CHECK(strcmp(ps_compare_kind(k1), "memory-profile") == 0, "kind: the \"kind\" member wins");
	CHECK(strcmp(ps_compare_kind(k2), "cpu-profile") == 0,
	      "kind: functions + metadata without \"kind\" is an unlabelled cpu-profile");
	CHECK(strcmp(ps_compare_kind(k3), "metrics") == 0, "kind: anything else is a metrics file");
	cJSON_Delete(k1);
	cJSON_Delete(k2);
	cJSON_Delete(k3);

	rc = cmp(&c, "{\"kind\":\"profile\"}", "{\"kind\":\"memory-profile\"}", 10, &err);
	CHECK(rc == PS_E_INPUT && c.n == 0, "a profile baseline against a memory-profile: PS_E_INPUT, nothing compared (rc %d, n %zu)",
	      rc, c.n);
	CHECK(strstr(err.msg, "baseline is a profile report") && strstr(err.msg, "this is a memory-profile report"),
	      "the error names both kinds (got '%s')", err.msg);
	ps_comparison_release(&c);

	rc = cmp(&c, "{}", "{}", 10, &err);
	CHECK(rc == 0 && c.n == 0 && c.regressions == 0 && c.inconclusive == 0 && strcmp(c.kind, "metrics") == 0,
	      "two empty objects: metrics, no figures, nothing flagged (rc %d, n %zu)", rc, c.n);
	ps_comparison_release(&c);
}

/*
 * memory-profile: counts against the 10% limit.  allocations 1000 -> 1101
 * is +10.1%: worse; temporary 200 -> 219 is +9.5%: same; leaked 4096 ->
 * 2048 is -50%: better; the duration 1.0 -> 1.5 s is a timing from one run
 * each: inconclusive, never worse; peak_bytes a string in the new report is
 * no figure there: removed.
 */
static void test_counts(void)
{
	static const char old[] =
		"{\"kind\":\"memory-profile\",\"metadata\":{\"duration_s\":1.0},"
		"\"summary\":{\"allocations\":1000,\"temporary_allocations\":200,"
		"\"lost\":{\"bytes\":4096},\"peak_bytes\":1000000}}";
	static const char new[] =
		"{\"kind\":\"memory-profile\",\"metadata\":{\"duration_s\":1.5},"
		"\"summary\":{\"allocations\":1101,\"temporary_allocations\":219,"
		"\"lost\":{\"bytes\":2048},\"peak_bytes\":\"big\"}}";
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	cJSON *j, *figs, *f0;
	int rc = cmp(&c, old, new, 10, &err);

	CHECK(rc == 0 && c.n == 5, "memory-profile: five figures compared (rc %d, n %zu)", rc, c.n);
	CHECK(verdict(&c, "memory.allocations") == PS_WORSE,
	      "a count 1000 -> 1101 (+10.1%%) past the 10%% limit is worse (got %s)", vname(&c, "memory.allocations"));
	ch = fig(&c, "memory.allocations");
	CHECK(ch && !ch->timing && near(ch->change_pct, 10.1, 1e-9) && ch->old_value == 1000 && ch->new_value == 1101,
	      "its change is +10.1%% of 1000 -> 1101, a count (got %g)", ch ? ch->change_pct : NAN);
	CHECK(verdict(&c, "memory.temporary_allocations") == PS_SAME,
	      "a count 200 -> 219 (+9.5%%) within the 10%% limit is the same (got %s)",
	      vname(&c, "memory.temporary_allocations"));
	CHECK(verdict(&c, "memory.leaked_bytes") == PS_BETTER,
	      "leaked bytes 4096 -> 2048 (-50%%) is better (got %s)", vname(&c, "memory.leaked_bytes"));
	CHECK(verdict(&c, "duration_s") == PS_INCONCLUSIVE,
	      "a one-run duration 1.0 -> 1.5 s (+50%%) is inconclusive, not worse (got %s)", vname(&c, "duration_s"));
	ch = fig(&c, "memory.peak_bytes");
	CHECK(ch && ch->verdict == PS_REMOVED && ch->has_old && !ch->has_new,
	      "peak_bytes not a number in the new report: removed (got %s)", vname(&c, "memory.peak_bytes"));
	CHECK(c.regressions == 1 && c.inconclusive == 1,
	      "one regression (allocations), one inconclusive (duration) (got %zu, %zu)", c.regressions, c.inconclusive);
	/* worst first: worse, inconclusive, better, removed, same */
	CHECK(strcmp(item_name(&c, 0), "memory.allocations") == 0 && strcmp(item_name(&c, 1), "duration_s") == 0 &&
	      strcmp(item_name(&c, 2), "memory.leaked_bytes") == 0 && strcmp(item_name(&c, 3), "memory.peak_bytes") == 0 &&
	      strcmp(item_name(&c, 4), "memory.temporary_allocations") == 0,
	      "ordered worse, inconclusive, better, removed, same (got %s, %s, %s, %s, %s)", item_name(&c, 0),
	      item_name(&c, 1), item_name(&c, 2), item_name(&c, 3), item_name(&c, 4));

	/* the JSON of it */
	j = ps_comparison_json(&c);
	figs = cJSON_GetObjectItem(j, "figures");
	f0 = cJSON_GetArrayItem(figs, 0);
	CHECK(cJSON_GetObjectItem(j, "regressions")->valuedouble == 1 &&
	      cJSON_GetObjectItem(j, "inconclusive")->valuedouble == 1 &&
	      cJSON_GetObjectItem(j, "limit_pct")->valuedouble == 10 && cJSON_GetArraySize(figs) == 5,
	      "JSON: limit_pct 10, 1 regression, 1 inconclusive, 5 figures");
	CHECK(strcmp(cJSON_GetObjectItem(f0, "name")->valuestring, "memory.allocations") == 0 &&
	      strcmp(cJSON_GetObjectItem(f0, "kind")->valuestring, "count") == 0 &&
	      cJSON_GetObjectItem(f0, "baseline")->valuedouble == 1000 &&
	      cJSON_GetObjectItem(f0, "value")->valuedouble == 1101 &&
	      cJSON_GetObjectItem(f0, "change_pct")->valuedouble == 10.1 &&
	      strcmp(cJSON_GetObjectItem(f0, "verdict")->valuestring, "worse") == 0 &&
	      !cJSON_GetObjectItem(f0, "p_value") && !cJSON_GetObjectItem(f0, "sampling_p"),
	      "JSON: the first figure is the count allocations, 1000 -> 1101, +10.1%%, worse, no p-values");
	f0 = cJSON_GetArrayItem(figs, 1);
	CHECK(strcmp(cJSON_GetObjectItem(f0, "kind")->valuestring, "timing") == 0 &&
	      strcmp(cJSON_GetObjectItem(f0, "verdict")->valuestring, "inconclusive") == 0,
	      "JSON: the duration is a timing, inconclusive");
	f0 = cJSON_GetArrayItem(figs, 3);
	CHECK(cJSON_IsNumber(cJSON_GetObjectItem(f0, "baseline")) && cJSON_IsNull(cJSON_GetObjectItem(f0, "value")) &&
	      cJSON_IsNull(cJSON_GetObjectItem(f0, "change_pct")) &&
	      strcmp(cJSON_GetObjectItem(f0, "verdict")->valuestring, "removed") == 0,
	      "JSON: a removed figure has value and change_pct null");
	cJSON_Delete(j);
	ps_comparison_release(&c);

	/* the limit is the caller's: at 50%, +40% is the same and +60% worse */
	rc = cmp(&c, "{\"kind\":\"memory-profile\",\"summary\":{\"allocations\":1000,\"peak_bytes\":1000}}",
		 "{\"kind\":\"memory-profile\",\"summary\":{\"allocations\":1400,\"peak_bytes\":1600}}", 50, &err);
	CHECK(rc == 0 && c.limit_pct == 50 && verdict(&c, "memory.allocations") == PS_SAME &&
	      verdict(&c, "memory.peak_bytes") == PS_WORSE && c.regressions == 1,
	      "limit 50%%: +40%% is the same, +60%% is worse (got %s, %s)", vname(&c, "memory.allocations"),
	      vname(&c, "memory.peak_bytes"));
	ps_comparison_release(&c);

	/* large counts are doubles: 1.8e19 -> 2.0e19 is +11.1%, 1.8e19 -> 1.9e19 +5.6% */
	rc = cmp(&c, "{\"kind\":\"memory-profile\",\"summary\":{\"allocations\":1.8e19,\"peak_bytes\":1.8e19}}",
		 "{\"kind\":\"memory-profile\",\"summary\":{\"allocations\":2.0e19,\"peak_bytes\":1.9e19}}", 10, &err);
	ch = fig(&c, "memory.allocations");
	CHECK(rc == 0 && ch && ch->verdict == PS_WORSE && near(ch->change_pct, 100.0 / 9, 1e-9) &&
	      verdict(&c, "memory.peak_bytes") == PS_SAME,
	      "counts near 2^64: 1.8e19 -> 2.0e19 (+11.1%%) worse, -> 1.9e19 (+5.6%%) same (got %g)",
	      ch ? ch->change_pct : NAN);
	ps_comparison_release(&c);
}

/*
 * profile: system calls by name, the files' bytes summed, off-CPU reasons.
 * read.errors 0 -> 5 is +100% (from zero): worse; io.read_bytes 100+50 ->
 * 200+100 is +100%: worse; fsync only in the baseline, write only in the
 * report: removed and added, no regression; offcpu.lock_s 0 -> 0.5 s is an
 * inconclusive timing; offcpu.disk_s 1 -> 8 ms moved less than the 10 ms
 * floor: the same; read.total_s 0.5 -> 0.505 is +1%: the same.
 */
static void test_profile(void)
{
	static const char old[] =
		"{\"kind\":\"profile\",\"cpu\":{\"metadata\":{\"duration_s\":2.0},\"functions\":[]},"
		"\"syscalls\":{\"calls\":[{\"name\":\"read\",\"count\":100,\"errors\":0,\"bytes\":4096,\"total_s\":0.5},"
		"{\"name\":\"fsync\",\"count\":10,\"errors\":0,\"total_s\":0.2}]},"
		"\"files\":[{\"read_bytes\":100,\"written_bytes\":10,\"syncs\":1},{\"read_bytes\":50,\"syncs\":2}],"
		"\"offcpu\":{\"blocked_by_reason_s\":{\"lock\":0,\"disk\":0.001}}}";
	static const char new[] =
		"{\"kind\":\"profile\",\"cpu\":{\"metadata\":{\"duration_s\":2.0},\"functions\":[]},"
		"\"syscalls\":{\"calls\":[{\"name\":\"read\",\"count\":100,\"errors\":5,\"bytes\":4096,\"total_s\":0.505},"
		"{\"name\":\"write\",\"count\":3,\"errors\":0,\"total_s\":0.1}]},"
		"\"files\":[{\"read_bytes\":200,\"written_bytes\":10,\"syncs\":1},{\"read_bytes\":100,\"syncs\":2}],"
		"\"offcpu\":{\"blocked_by_reason_s\":{\"lock\":0.5,\"disk\":0.008}}}";
	cJSON *o = cJSON_Parse(old), *figs = ps_compare_figures(o);
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	int rc;

	CHECK(cJSON_GetObjectItem(figs, "io.read_bytes") && cJSON_GetObjectItem(figs, "io.read_bytes")->valuedouble == 150 &&
	      cJSON_GetObjectItem(figs, "io.syncs")->valuedouble == 3 &&
	      cJSON_GetObjectItem(figs, "io.written_bytes")->valuedouble == 10,
	      "figures: the files' read bytes, written bytes and syncs are summed (150, 10, 3)");
	CHECK(cJSON_GetObjectItem(figs, "syscalls.read.bytes") && !cJSON_GetObjectItem(figs, "syscalls.fsync.bytes") &&
	      cJSON_GetObjectItem(figs, "syscalls.fsync.total_s")->valuedouble == 0.2 &&
	      cJSON_GetObjectItem(figs, "offcpu.disk_s")->valuedouble == 0.001,
	      "figures: bytes only for calls that have them; total_s and off-CPU reasons in seconds");
	CHECK(cJSON_GetArraySize(figs) == 1 + 4 + 3 + 3 + 2,
	      "figures: duration, 4 of read, 3 of fsync, 3 of files, 2 reasons (got %d)", cJSON_GetArraySize(figs));
	cJSON_Delete(figs);
	cJSON_Delete(o);

	rc = cmp(&c, old, new, 10, &err);
	CHECK(rc == 0, "profile: compared (rc %d)", rc);
	ch = fig(&c, "syscalls.read.errors");
	CHECK(ch && ch->verdict == PS_WORSE && ch->change_pct == 100,
	      "a count from 0 to 5 is +100%%: worse (got %s)", vname(&c, "syscalls.read.errors"));
	CHECK(verdict(&c, "io.read_bytes") == PS_WORSE, "bytes read 150 -> 300: worse (got %s)", vname(&c, "io.read_bytes"));
	CHECK(verdict(&c, "syscalls.read.total_s") == PS_SAME, "read time 0.5 -> 0.505 s (+1%%): same (got %s)",
	      vname(&c, "syscalls.read.total_s"));
	CHECK(verdict(&c, "syscalls.fsync.count") == PS_REMOVED && verdict(&c, "syscalls.fsync.total_s") == PS_REMOVED,
	      "a call only in the baseline: removed (got %s)", vname(&c, "syscalls.fsync.count"));
	CHECK(verdict(&c, "syscalls.write.count") == PS_ADDED && verdict(&c, "syscalls.write.errors") == PS_ADDED,
	      "a call only in the report: added (got %s)", vname(&c, "syscalls.write.count"));
	ch = fig(&c, "offcpu.lock_s");
	CHECK(ch && ch->timing && ch->verdict == PS_INCONCLUSIVE && ch->change_pct == 100,
	      "lock wait 0 -> 0.5 s: a timing from one run each, inconclusive (got %s)", vname(&c, "offcpu.lock_s"));
	ch = fig(&c, "offcpu.disk_s");
	CHECK(ch && ch->floor == 0.01 && ch->verdict == PS_SAME,
	      "disk wait 1 -> 8 ms (+700%%) moved less than the 10 ms floor: same (got %s)", vname(&c, "offcpu.disk_s"));
	CHECK(c.regressions == 2 && c.inconclusive == 1,
	      "two regressions (errors, bytes read), one inconclusive (lock); added and removed gate nothing (got %zu, %zu)",
	      c.regressions, c.inconclusive);
	ps_comparison_release(&c);
}

/*
 * metrics files: top-level numbers are timings, operations' counts are
 * counts.  cpu_percent 50 -> 80 (+60%) and memory_percent 40 -> 20 (-50%)
 * are inconclusive, only the first counted (it grew); latency_s 4 -> 9 ms
 * is under the 10 ms floor; both operations' counts 100 -> 150 are worse,
 * with the same change, ordered by name; avg_ms 5 -> 5.2 (+4%) the same.
 */
static void test_metrics(void)
{
	static const char old[] =
		"{\"cpu_percent\":50,\"memory_percent\":40,\"latency_s\":0.004,\"note\":\"x\","
		"\"operations\":[{\"name\":\"b\",\"count\":100,\"avg_ms\":5},{\"name\":\"a\",\"count\":100,\"avg_ms\":5}]}";
	static const char new[] =
		"{\"cpu_percent\":80,\"memory_percent\":20,\"latency_s\":0.009,\"note\":\"y\","
		"\"operations\":{\"b\":{\"count\":150,\"avg_ms\":5.2},\"a\":{\"count\":150,\"avg_ms\":5}}}";
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	int rc = cmp(&c, old, new, 10, &err);

	CHECK(rc == 0 && strcmp(c.kind, "metrics") == 0 && c.n == 3 + 4,
	      "metrics: 3 numbers and 2 figures for each of 2 operations, a list in one and an object in the other (n %zu)",
	      c.n);
	ch = fig(&c, "cpu_percent");
	CHECK(ch && ch->timing && ch->verdict == PS_INCONCLUSIVE && near(ch->change_pct, 60, 1e-9),
	      "a metrics number 50 -> 80 is a timing: inconclusive (got %s)", vname(&c, "cpu_percent"));
	CHECK(verdict(&c, "memory_percent") == PS_INCONCLUSIVE, "one that shrank 40 -> 20 is listed inconclusive too (got %s)",
	      vname(&c, "memory_percent"));
	CHECK(verdict(&c, "latency_s") == PS_SAME, "latency 4 -> 9 ms (+125%%) under the 10 ms floor: same (got %s)",
	      vname(&c, "latency_s"));
	CHECK(verdict(&c, "operations.a.count") == PS_WORSE && verdict(&c, "operations.b.count") == PS_WORSE,
	      "operation counts 100 -> 150: worse (got %s, %s)", vname(&c, "operations.a.count"),
	      vname(&c, "operations.b.count"));
	CHECK(verdict(&c, "operations.b.avg_ms") == PS_SAME, "avg_ms 5 -> 5.2 (+4%%): same (got %s)",
	      vname(&c, "operations.b.avg_ms"));
	CHECK(c.regressions == 2 && c.inconclusive == 1,
	      "two regressions; one inconclusive: the timing that grew, not the one that shrank (got %zu, %zu)",
	      c.regressions, c.inconclusive);
	CHECK(strcmp(item_name(&c, 0), "operations.a.count") == 0 && strcmp(item_name(&c, 1), "operations.b.count") == 0 &&
	      strcmp(item_name(&c, 2), "cpu_percent") == 0 && strcmp(item_name(&c, 3), "memory_percent") == 0,
	      "worst first: equal regressions by name, then inconclusive by size of change (got %s, %s, %s, %s)",
	      item_name(&c, 0), item_name(&c, 1), item_name(&c, 2), item_name(&c, 3));
	ps_comparison_release(&c);
}

/*
 * CPU shares from one run each, 1000 samples a side: the pooled
 * two-proportion z test, p = erfc(|k2/n - k1/n| / se / sqrt 2), se =
 * sqrt(q (1 - q) 2/n), q the pooled share.
 *   30% -> 34%:   q = .32,   se = .020861, z = 1.9174, p = 0.055186
 *   30% -> 34.5%: q = .3225, se = .020904, z = 2.1527, p = 0.031344
 *   30% -> 36%:   q = .33,   se = .021029, z = 2.8532, p = 0.0043273
 *   0 -> 1.5%:    q = .0075, se = .0038584, z = 3.8876, p = 0.00010124
 */
#define CPU(fns, samples) \
	"{\"kind\":\"cpu-profile\",\"metadata\":{\"duration_s\":1.0,\"samples\":" samples "},\"functions\":[" fns "]}"

static void test_shares(void)
{
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	cJSON *r, *figs, *j;
	int rc;

	r = cJSON_Parse(CPU("{\"name\":\"f\",\"self_pct\":30},{\"name\":\"tiny\",\"self_pct\":0.5}", "1000"));
	figs = ps_compare_figures(r);
	CHECK(cJSON_GetArraySize(figs) == 2 && cJSON_GetObjectItem(figs, "cpu.f.self_pct")->valuedouble == 30 &&
	      cJSON_GetObjectItem(figs, "duration_s") && !cJSON_GetObjectItem(figs, "cpu.tiny.self_pct"),
	      "cpu figures: the duration and each function of 1%% or more of the samples (0.5%% is not one)");
	cJSON_Delete(figs);
	cJSON_Delete(r);

	rc = cmp(&c, CPU("{\"name\":\"f\",\"self_pct\":30}", "1000"), CPU("{\"name\":\"f\",\"self_pct\":34}", "1000"), 10,
		 &err);
	ch = fig(&c, "cpu.f.self_pct");
	CHECK(rc == 0 && ch && ch->share && ch->timing && near(ch->sampling_p, 0.05518555, 1e-7),
	      "a share 30%% -> 34%% of 1000 samples: sampling_p 0.055186 (got %.8f)", ch ? ch->sampling_p : NAN);
	CHECK(ch && ch->verdict == PS_SAME && c.inconclusive == 0,
	      "+13%% and 4 points, but p 0.055 >= 0.05: sampling noise, the same (got %s)", vname(&c, "cpu.f.self_pct"));
	ps_comparison_release(&c);

	rc = cmp(&c, CPU("{\"name\":\"f\",\"self_pct\":30}", "1000"), CPU("{\"name\":\"f\",\"self_pct\":34.5}", "1000"), 10,
		 &err);
	ch = fig(&c, "cpu.f.self_pct");
	CHECK(ch && near(ch->sampling_p, 0.03134441, 1e-7) && ch->verdict == PS_INCONCLUSIVE && c.inconclusive == 1 &&
	      c.regressions == 0,
	      "30%% -> 34.5%%, the only share: p 0.031 < 0.05, inconclusive (a timing), not worse (got %s, p %.6f)",
	      vname(&c, "cpu.f.self_pct"), ch ? ch->sampling_p : NAN);
	j = ps_comparison_json(&c);
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "figures"), 0);
	CHECK(strcmp(cJSON_GetObjectItem(r, "name")->valuestring, "cpu.f.self_pct") == 0 &&
	      cJSON_GetObjectItem(r, "sampling_p") && cJSON_GetObjectItem(r, "sampling_p")->valuedouble == 0.031344 &&
	      !cJSON_GetObjectItem(r, "p_value"),
	      "JSON: sampling_p rounded to 6 decimals (0.031344), no p_value without runs");
	cJSON_Delete(j);
	ps_comparison_release(&c);

	/* two shares: Bonferroni, each must reach 0.05 / 2 = 0.025 */
	rc = cmp(&c, CPU("{\"name\":\"f\",\"self_pct\":30},{\"name\":\"g\",\"self_pct\":30}", "1000"),
		 CPU("{\"name\":\"f\",\"self_pct\":34.5},{\"name\":\"g\",\"self_pct\":36}", "1000"), 10, &err);
	CHECK(rc == 0 && verdict(&c, "cpu.f.self_pct") == PS_SAME,
	      "two shares: 30%% -> 34.5%% (p 0.031 >= 0.025) is noise, the same (got %s)", vname(&c, "cpu.f.self_pct"));
	CHECK(verdict(&c, "cpu.g.self_pct") == PS_INCONCLUSIVE && c.inconclusive == 1,
	      "two shares: 30%% -> 36%% (p 0.0043 < 0.025) stays inconclusive (got %s)", vname(&c, "cpu.g.self_pct"));
	ps_comparison_release(&c);

	/* a function new in the report, 1.5% of 1000 samples against none: p 0.0001 */
	rc = cmp(&c, CPU("{\"name\":\"f\",\"self_pct\":30}", "1000"),
		 CPU("{\"name\":\"f\",\"self_pct\":30},{\"name\":\"h\",\"self_pct\":1.5}", "1000"), 10, &err);
	ch = fig(&c, "cpu.h.self_pct");
	CHECK(rc == 0 && ch && ch->verdict == PS_ADDED && near(ch->sampling_p, 1.0124477e-4, 1e-9),
	      "a new function at 1.5%% of 1000 samples (p 1.01e-4): added (got %s, p %g)", vname(&c, "cpu.h.self_pct"),
	      ch ? ch->sampling_p : NAN);
	CHECK(verdict(&c, "cpu.f.self_pct") == PS_SAME && c.regressions == 0 && c.inconclusive == 0,
	      "an unchanged share: the same, nothing flagged");
	ps_comparison_release(&c);

	/* without a sample count there is no sampling test: one run, a timing */
	rc = cmp(&c, CPU("{\"name\":\"f\",\"self_pct\":30}", "0"), CPU("{\"name\":\"f\",\"self_pct\":34}", "0"), 10, &err);
	ch = fig(&c, "cpu.f.self_pct");
	CHECK(rc == 0 && ch && !ch->share && isnan(ch->sampling_p) && ch->verdict == PS_INCONCLUSIVE,
	      "no samples in metadata: 30%% -> 34%% untested for sampling, inconclusive (got %s)",
	      vname(&c, "cpu.f.self_pct"));
	ps_comparison_release(&c);
}

/*
 * Repeated runs (--repeat): medians and the two-sided Mann-Whitney U test,
 * exact without ties.  All of one sample below all of the other is one
 * ordering of C(n+m, n): 4 v 4 is p = 2/70 = 0.0286, 3 v 3 is p = 2/20 =
 * 0.1.  {1,2,3,4,5} v {1.5,...,5.5}: U = 10 of 25; enumerating the 252
 * splits, 87 have U <= 10, p = 174/252 = 0.690.  With ties, {1,1,1,1} v
 * {2,2,2,2}: the normal approximation, sd = sqrt(16/12 (9 - 120/56)) =
 * 3.02372, z = (8 - 0.5)/sd = 2.48039, p = erfc(z/sqrt 2) = 0.0131238.
 */
#define RUNS(top, runs) \
	"{\"kind\":\"cpu-profile\",\"metadata\":{\"duration_s\":" top ",\"samples\":0},\"functions\":[],\"runs\":[" runs "]}"
#define R4(a, b, c, d) "{\"duration_s\":" a "},{\"duration_s\":" b "},{\"duration_s\":" c "},{\"duration_s\":" d "}"

static void test_runs(void)
{
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	cJSON *j, *f0;
	int rc;

	rc = cmp(&c, RUNS("9.0", R4("1.00", "1.01", "1.02", "1.03")), RUNS("9.0", R4("1.50", "1.51", "1.52", "1.53")), 10,
		 &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && ch->old_runs == 4 && ch->new_runs == 4 && near(ch->p_value, 2.0 / 70, 1e-12),
	      "4 v 4 runs, all slower: U test p = 2/70 (got %.6f)", ch ? ch->p_value : NAN);
	CHECK(ch && near(ch->old_value, 1.015, 1e-12) && near(ch->new_value, 1.515, 1e-12),
	      "compared by the runs' medians 1.015 -> 1.515, not the top-level 9.0 (got %g -> %g)",
	      ch ? ch->old_value : NAN, ch ? ch->new_value : NAN);
	CHECK(ch && ch->verdict == PS_WORSE && c.regressions == 1,
	      "medians +49%% and p 0.029 < 0.05: a timing regression (got %s)", vname(&c, "duration_s"));
	j = ps_comparison_json(&c);
	f0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "figures"), 0);
	CHECK(cJSON_GetObjectItem(f0, "p_value") && near(cJSON_GetObjectItem(f0, "p_value")->valuedouble, 2.0 / 70, 1e-12) &&
	      cJSON_GetObjectItem(f0, "baseline_runs")->valuedouble == 4 && cJSON_GetObjectItem(f0, "runs")->valuedouble == 4,
	      "JSON: p_value, baseline_runs 4 and runs 4 with runs on both sides");
	cJSON_Delete(j);
	ps_comparison_release(&c);

	rc = cmp(&c, RUNS("1.0", R4("1.50", "1.51", "1.52", "1.53")), RUNS("1.0", R4("1.00", "1.01", "1.02", "1.03")), 10,
		 &err);
	CHECK(rc == 0 && verdict(&c, "duration_s") == PS_BETTER && c.regressions == 0 && c.inconclusive == 0,
	      "4 v 4 runs, all faster, p 0.029: better, gates nothing (got %s)", vname(&c, "duration_s"));
	ps_comparison_release(&c);

	rc = cmp(&c, RUNS("1.0", R4("1.00", "1.01", "1.02", "1.03")), RUNS("1.0", R4("1.04", "1.05", "1.06", "1.07")), 10,
		 &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && ch->verdict == PS_SAME && near(ch->p_value, 2.0 / 70, 1e-12),
	      "4 v 4 separated (p 0.029) but medians only +3.9%%: the same (got %s)", vname(&c, "duration_s"));
	ps_comparison_release(&c);

	rc = cmp(&c, RUNS("1.0", "{\"duration_s\":1.00},{\"duration_s\":1.01},{\"duration_s\":1.02}"),
		 RUNS("1.0", "{\"duration_s\":1.50},{\"duration_s\":1.51},{\"duration_s\":1.52}"), 10, &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && near(ch->p_value, 0.1, 1e-12) && ch->verdict == PS_INCONCLUSIVE && c.inconclusive == 1 &&
	      c.regressions == 0,
	      "3 v 3 runs all slower: p = 2/20 = 0.1 >= 0.05, inconclusive (got %s, p %g)", vname(&c, "duration_s"),
	      ch ? ch->p_value : NAN);
	ps_comparison_release(&c);

	rc = cmp(&c, RUNS("1.0", "{\"duration_s\":1},{\"duration_s\":2},{\"duration_s\":3},{\"duration_s\":4},{\"duration_s\":5}"),
		 RUNS("1.0", "{\"duration_s\":1.5},{\"duration_s\":2.5},{\"duration_s\":3.5},{\"duration_s\":4.5},"
			     "{\"duration_s\":5.5}"), 10, &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && near(ch->p_value, 174.0 / 252, 1e-9) && near(ch->change_pct, 100.0 / 6, 1e-9) &&
	      ch->verdict == PS_INCONCLUSIVE,
	      "5 v 5 interleaved: medians 3 -> 3.5 (+16.7%%) but p = 174/252: inconclusive (got %s, p %g)",
	      vname(&c, "duration_s"), ch ? ch->p_value : NAN);
	ps_comparison_release(&c);

	rc = cmp(&c, RUNS("1.0", R4("1", "1", "1", "1")), RUNS("1.0", R4("2", "2", "2", "2")), 10, &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && near(ch->p_value, 0.01312381, 1e-7) && ch->verdict == PS_WORSE,
	      "tied runs 1,1,1,1 v 2,2,2,2: normal approximation p 0.01312, worse (got %s, p %.8f)",
	      vname(&c, "duration_s"), ch ? ch->p_value : NAN);
	ps_comparison_release(&c);

	/* one run in the report: no U test; the top-level values, inconclusive */
	rc = cmp(&c, RUNS("1.0", R4("1.00", "1.01", "1.02", "1.03")), RUNS("1.5", "{\"duration_s\":1.5}"), 10, &err);
	ch = fig(&c, "duration_s");
	CHECK(rc == 0 && ch && ch->old_runs == 4 && ch->new_runs == 1 && isnan(ch->p_value) && ch->old_value == 1.0 &&
	      ch->new_value == 1.5 && ch->verdict == PS_INCONCLUSIVE,
	      "runs on one side only (4 v 1): no p-value, top-level 1.0 -> 1.5, inconclusive (got %s)",
	      vname(&c, "duration_s"));
	ps_comparison_release(&c);
}

/*
 * Shares with runs: the U test on the runs' shares, at 0.05 divided among
 * the shares compared, and the pooled samples (1000 a run, 4 runs: medians
 * 30.75% and 40.75% of 4000) must agree: p = 1.05e-20.  With 10 samples a
 * run (40 pooled): q = .3575, se = .10717, z = .9331, p = 0.3508: noise.
 */
#define SH4(f, a, b, c, d) \
	"{\"cpu." f ".self_pct\":" a "},{\"cpu." f ".self_pct\":" b "},{\"cpu." f ".self_pct\":" c "},{\"cpu." f ".self_pct\":" d "}"
#define SHRUNS(fns, samples, runs) \
	"{\"kind\":\"cpu-profile\",\"metadata\":{\"duration_s\":1.0,\"samples\":" samples "},\"functions\":[" fns "]," \
	"\"runs\":[" runs "]}"
#define SH2(a, b, c, d) \
	"{\"cpu.f.self_pct\":" a ",\"cpu.g.self_pct\":" a "},{\"cpu.f.self_pct\":" b ",\"cpu.g.self_pct\":" b "}," \
	"{\"cpu.f.self_pct\":" c ",\"cpu.g.self_pct\":" c "},{\"cpu.f.self_pct\":" d ",\"cpu.g.self_pct\":" d "}"

static void test_run_shares(void)
{
	struct ps_comparison c;
	struct ps_error err = { 0 };
	const struct ps_figure_change *ch;
	int rc;

	rc = cmp(&c, SHRUNS("{\"name\":\"f\",\"self_pct\":30}", "1000", SH4("f", "30", "30.5", "31", "31.5")),
		 SHRUNS("{\"name\":\"f\",\"self_pct\":40}", "1000", SH4("f", "40", "40.5", "41", "41.5")), 10, &err);
	ch = fig(&c, "cpu.f.self_pct");
	CHECK(rc == 0 && ch && near(ch->p_value, 2.0 / 70, 1e-12) && near(ch->old_value, 30.75, 1e-12) &&
	      near(ch->new_value, 40.75, 1e-12) && ch->sampling_p < 1e-15,
	      "one share over 4 v 4 runs: U p 2/70, medians 30.75 -> 40.75, pooled sampling p < 1e-15 (got %g)",
	      ch ? ch->sampling_p : NAN);
	CHECK(ch && ch->verdict == PS_WORSE && c.regressions == 1,
	      "both tests agree at 0.05 / 1: worse (got %s)", vname(&c, "cpu.f.self_pct"));
	ps_comparison_release(&c);

	rc = cmp(&c, SHRUNS("{\"name\":\"f\",\"self_pct\":30},{\"name\":\"g\",\"self_pct\":30}", "1000",
			    SH2("30", "30.5", "31", "31.5")),
		 SHRUNS("{\"name\":\"f\",\"self_pct\":40},{\"name\":\"g\",\"self_pct\":40}", "1000",
			SH2("40", "40.5", "41", "41.5")), 10, &err);
	CHECK(rc == 0 && verdict(&c, "cpu.f.self_pct") == PS_INCONCLUSIVE && verdict(&c, "cpu.g.self_pct") == PS_INCONCLUSIVE &&
	      c.regressions == 0 && c.inconclusive == 2,
	      "two shares over runs: U p 0.0286 >= 0.05 / 2, both inconclusive (got %s, %s)",
	      vname(&c, "cpu.f.self_pct"), vname(&c, "cpu.g.self_pct"));
	ps_comparison_release(&c);

	rc = cmp(&c, SHRUNS("{\"name\":\"f\",\"self_pct\":30}", "10", SH4("f", "30", "30.5", "31", "31.5")),
		 SHRUNS("{\"name\":\"f\",\"self_pct\":40}", "10", SH4("f", "40", "40.5", "41", "41.5")), 10, &err);
	ch = fig(&c, "cpu.f.self_pct");
	CHECK(rc == 0 && ch && near(ch->sampling_p, 0.35075479, 1e-7) && ch->verdict == PS_INCONCLUSIVE &&
	      c.regressions == 0,
	      "10 samples a run: the U test says p 0.029 but 40 pooled samples say p 0.351: inconclusive (got %s, p %g)",
	      vname(&c, "cpu.f.self_pct"), ch ? ch->sampling_p : NAN);
	ps_comparison_release(&c);
}

int main(void)
{
	test_kinds();
	test_counts();
	test_profile();
	test_metrics();
	test_shares();
	test_runs();
	test_run_shares();
	return unit_done();
}
