/*
 * ps_diagnosis: rules applied to facts.  With the built-in rules
 * (share/rules.json): nothing applicable, a rule at, just under and just
 * past each severity's score (25 low, 50 medium, 75 high, 90 critical),
 * the mirrored "below" rule under its parent, min_data capping a finding
 * at low, area and overall scores, filled texts and the JSON.  With a
 * rules file of the test's own: ties ordered by rule id, a capped finding
 * ranked at 49.9, a child rule listed before its parent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analyze/ps_diagnosis.h"
#include "unit.h"

static int near(double x, double want)
{
	return fabs(x - want) <= 1e-9;
}

static const struct ps_result *result_of(const struct ps_diagnosis *d, const char *id)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->results[i].rule->id, id) == 0)
			return &d->results[i];
	return NULL;
}

static const char *id_at(const struct ps_diagnosis *d, size_t i)
{
	return i < d->n ? d->results[i].rule->id : "(none)";
}

/* The result of rule `id` once the facts are diagnosed (its texts not kept). */
static struct ps_result one(const struct ps_rules *rules, const struct ps_facts *f, const char *id)
{
	struct ps_diagnosis d;
	struct ps_error err = { 0 };
	struct ps_result out = { 0 };
	const struct ps_result *r;

	out.status = (enum ps_result_status)-1;
	if (ps_diagnose(&d, rules, f, &err) == 0 && (r = result_of(&d, id))) {
		out = *r;
		out.summary = out.explanation = out.solution = NULL;
	}
	ps_diagnosis_release(&d);
	return out;
}

/* Rule `id` given the single fact `input` = v. */
static struct ps_result alone(const struct ps_rules *rules, const char *input, double v, const char *id)
{
	struct ps_facts f;
	struct ps_result r;

	ps_facts_init(&f);
	ps_facts_set(&f, input, v, NULL);
	r = one(rules, &f, id);
	ps_facts_release(&f);
	return r;
}

#define FOUND(r, sev) ((r).status == PS_RESULT_FOUND && (r).severity == (sev))

static void nothing_applies(const struct ps_rules *rules)
{
	struct ps_facts f;
	struct ps_diagnosis d;
	struct ps_error err = { 0 };
	size_t na = 0, sup = 0;
	int sorted = 1, rc;
	const struct ps_result *r;
	cJSON *j;

	ps_facts_init(&f);
	snprintf(f.kind, sizeof(f.kind), "metrics");
	snprintf(f.notes, sizeof(f.notes), "ignored unknown fields: x");
	ps_facts_gap(&f, "offcpu.", "no waits here");
	rc = ps_diagnose(&d, rules, &f, &err);
	CHECK(rc == 0 && d.n == 16 && d.nfindings == 0, "no facts: 16 results, no finding (n %zu, found %zu)",
	      d.n, d.nfindings);
	for (size_t i = 0; i < d.n; i++) {
		na += d.results[i].status == PS_RESULT_NOT_APPLICABLE;
		sup += d.results[i].status == PS_RESULT_SUPPRESSED;
		if (i && strcmp(id_at(&d, i - 1), id_at(&d, i)) >= 0)
			sorted = 0;
	}
	CHECK(na == 14 && sup == 2, "14 not applicable, and the 2 rules under io.disk_wait suppressed (%zu, %zu)",
	      na, sup);
	CHECK(sorted && strcmp(id_at(&d, 0), "concurrency.lock_wait") == 0, "without findings, all by rule id");
	r = result_of(&d, "cpu.hot_function");
	CHECK(r && strcmp(r->reason, "no cpu.top_function_share in this metrics input") == 0,
	      "not applicable: the input named, and the kind (%s)", r ? r->reason : "");
	r = result_of(&d, "concurrency.lock_wait");
	CHECK(r && r->status == PS_RESULT_NOT_APPLICABLE && strcmp(r->reason, "no waits here") == 0,
	      "a gap over the input gives its reason");
	r = result_of(&d, "io.small_writes");
	CHECK(r && r->status == PS_RESULT_SUPPRESSED &&
	      strcmp(r->reason, "shown only under io.disk_wait, which found nothing") == 0,
	      "suppressed: the parent named");
	CHECK(!d.overall_measured && !d.area_measured[0] && !d.area_measured[1] && !d.area_measured[2] &&
	      !d.area_measured[3], "no area measured, no overall score");
	CHECK(strcmp(d.kind, "metrics") == 0 && strcmp(d.notes, "ignored unknown fields: x") == 0,
	      "the kind and notes of the facts are kept");
	j = ps_diagnosis_json(&d);
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "score")) &&
	      cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "areas"), "cpu")) &&
	      cJSON_GetArraySize(cJSON_GetObjectItem(j, "findings")) == 0 &&
	      cJSON_GetArraySize(cJSON_GetObjectItem(j, "other_rules")) == 16,
	      "JSON: score and areas null, no findings, 16 other rules");
	CHECK(strcmp(cJSON_GetObjectItem(j, "notes")->valuestring, "ignored unknown fields: x") == 0 &&
	      strcmp(cJSON_GetObjectItem(j, "input_kind")->valuestring, "metrics") == 0,
	      "JSON: notes and input_kind");
	cJSON_Delete(j);
	ps_diagnosis_release(&d);
	ps_facts_release(&f);
}

static void thresholds(const struct ps_rules *rules)
{
	struct ps_facts f;
	struct ps_result r;

	/* cpu.busy_process: info 70, warning 90, span 20 */
	r = alone(rules, "process.cpu_percent", 0, "cpu.busy_process");
	CHECK(r.status == PS_RESULT_OK && r.score == 0 && r.severity == PS_SEV_NONE, "0%%: ok, score 0");
	r = alone(rules, "process.cpu_percent", 69.99, "cpu.busy_process");
	CHECK(r.status == PS_RESULT_OK && r.severity == PS_SEV_NONE, "69.99%%: 25 * 69.99 / 70 = 24.996, just "
	      "under 25: ok (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 70, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_LOW) && r.score == 25 && r.value == 70, "70%%, at info: found, low, 25 (score %g)",
	      r.score);
	r = alone(rules, "process.cpu_percent", 79.99, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_LOW), "79.99%%: 25 + 50 * 9.99 / 20 = 49.975: still low (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 80, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_MEDIUM) && r.score == 50, "80%%: 25 + 50 * 10 / 20 = 50: medium (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 89.99, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_MEDIUM), "89.99%%: 74.975: still medium (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 90, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_HIGH) && r.score == 75, "90%%, at warning: high, 75 (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 101.9, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_HIGH), "101.9%%: 75 + 25 * 11.9 / 20 = 89.875: still high (score %g)", r.score);
	r = alone(rules, "process.cpu_percent", 102, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_CRITICAL) && r.score == 90, "102%%: 75 + 25 * 12 / 20 = 90: critical (score %g)",
	      r.score);
	r = alone(rules, "process.cpu_percent", 500, "cpu.busy_process");
	CHECK(FOUND(r, PS_SEV_CRITICAL) && r.score == 100, "500%%: held at 100 (score %g)", r.score);

	/* io.small_writes, below: info 16384, warning 4096; only under io.disk_wait (0.1, 0.3) */
	ps_facts_init(&f);
	ps_facts_set(&f, "offcpu.disk_share", 0.1, "data.db");
	ps_facts_set(&f, "io.mean_write_bytes", 4096, "data.db");
	r = one(rules, &f, "io.disk_wait");
	CHECK(FOUND(r, PS_SEV_LOW) && r.score == 25, "disk share 0.1, at info: io.disk_wait found, low");
	r = one(rules, &f, "io.small_writes");
	CHECK(FOUND(r, PS_SEV_HIGH) && r.score == 75, "below: 4096 bytes, at warning: high (score %g)", r.score);
	ps_facts_set(&f, "io.mean_write_bytes", 4097, "data.db");
	r = one(rules, &f, "io.small_writes");
	CHECK(FOUND(r, PS_SEV_MEDIUM) && near(r.score, 25 + 50 * 12287.0 / 12288),
	      "below: 4097 bytes: 25 + 50 * 12287 / 12288: medium (score %g)", r.score);
	ps_facts_set(&f, "io.mean_write_bytes", 16384, "data.db");
	r = one(rules, &f, "io.small_writes");
	CHECK(FOUND(r, PS_SEV_LOW) && r.score == 25, "below: 16384 bytes, at info: low, 25");
	ps_facts_set(&f, "io.mean_write_bytes", 16385, "data.db");
	r = one(rules, &f, "io.small_writes");
	CHECK(r.status == PS_RESULT_OK, "below: 16385 bytes, just over info: ok (score %g)", r.score);
	ps_facts_set(&f, "io.mean_write_bytes", 512, "data.db");
	ps_facts_set(&f, "offcpu.disk_share", 0.0999, "data.db");
	r = one(rules, &f, "io.disk_wait");
	CHECK(r.status == PS_RESULT_OK, "disk share 0.0999, just under info: io.disk_wait ok");
	r = one(rules, &f, "io.small_writes");
	CHECK(r.status == PS_RESULT_SUPPRESSED, "so io.small_writes is suppressed, however small the writes");
	ps_facts_release(&f);

	/* cpu.hot_function: 0.25, 0.5, at least 100 cpu.samples */
	ps_facts_init(&f);
	ps_facts_set(&f, "cpu.top_function_share", 0.5, "crunch");
	ps_facts_set(&f, "cpu.samples", 99, NULL);
	r = one(rules, &f, "cpu.hot_function");
	CHECK(FOUND(r, PS_SEV_LOW) && r.capped && r.score == 75, "share 0.5 on 99 samples: capped at low, "
	      "score still 75");
	CHECK(strcmp(r.reason, "too little data: cpu.samples is 99, under 100") == 0, "the cap's reason (%s)",
	      r.reason);
	ps_facts_set(&f, "cpu.samples", 100, NULL);
	r = one(rules, &f, "cpu.hot_function");
	CHECK(FOUND(r, PS_SEV_HIGH) && !r.capped && r.reason[0] == '\0', "on 100 samples, exactly min_data: high, "
	      "not capped");
	ps_facts_set(&f, "cpu.top_function_share", 0.3, "crunch");
	ps_facts_set(&f, "cpu.samples", 10, NULL);
	r = one(rules, &f, "cpu.hot_function");
	CHECK(FOUND(r, PS_SEV_LOW) && !r.capped && near(r.score, 35), "share 0.3 (25 + 50 * 0.05 / 0.25 = 35) on "
	      "10 samples: low already, not marked capped (score %g)", r.score);
	ps_facts_release(&f);
	r = alone(rules, "cpu.top_function_share", 0.6, "cpu.hot_function");
	CHECK(FOUND(r, PS_SEV_LOW) && r.capped && strcmp(r.reason, "too little data: cpu.samples is 0, under 100") == 0,
	      "no cpu.samples at all: capped, counted as 0 (%s)", r.reason);
}

static void whole_report(const struct ps_rules *rules)
{
	struct ps_facts f;
	struct ps_diagnosis d;
	struct ps_error err = { 0 };
	const struct ps_result *r;
	cJSON *j, *areas, *first;
	int rc;

	ps_facts_init(&f);
	snprintf(f.kind, sizeof(f.kind), "profile");
	ps_facts_set(&f, "cpu.top_function_share", 0.5, "crunch");
	ps_facts_set(&f, "cpu.samples", 1000, NULL);
	ps_facts_set(&f, "process.cpu_percent", 80, NULL);
	ps_facts_set(&f, "memory.leaked_bytes", 1536, "make_node");
	ps_facts_set(&f, "offcpu.lock_share", 0.05, "take_lock");
	ps_facts_set(&f, "io.mean_write_bytes", 512, "log.txt");
	rc = ps_diagnose(&d, rules, &f, &err);
	/* hot 75, busy 50, leak 25 + 50 * 512 / 1047552 = 25.024; lock 25 * 0.05 / 0.1 = 12.5 is ok */
	CHECK(rc == 0 && d.nfindings == 3, "three findings (got %zu)", d.nfindings);
	CHECK(strcmp(id_at(&d, 0), "cpu.hot_function") == 0 && strcmp(id_at(&d, 1), "cpu.busy_process") == 0 &&
	      strcmp(id_at(&d, 2), "memory.leak") == 0, "by score: hot_function, busy_process, leak (%s, %s, %s)",
	      id_at(&d, 0), id_at(&d, 1), id_at(&d, 2));
	CHECK(strcmp(id_at(&d, 3), "concurrency.lock_wait") == 0 && strcmp(id_at(&d, 4), "concurrency.threads") == 0,
	      "then the other rules by id");
	r = result_of(&d, "memory.leak");
	CHECK(r && near(r->score, 25 + 50 * 512.0 / 1047552), "leak score 25.024 (got %g)", r ? r->score : -1);
	r = result_of(&d, "concurrency.lock_wait");
	CHECK(r && r->status == PS_RESULT_OK && near(r->score, 12.5) && strcmp(r->subject, "take_lock") == 0,
	      "lock wait 0.05: ok, score 12.5, its subject kept");
	r = result_of(&d, "io.small_writes");
	CHECK(r && r->status == PS_RESULT_SUPPRESSED,
	      "small writes suppressed: no io.disk_wait fact");
	CHECK(d.area_measured[0] && d.area_score[0] == 25, "cpu: 100 - 75 = 25 (got %g)", d.area_score[0]);
	CHECK(d.area_measured[1] && near(d.area_score[1], 75 - 50 * 512.0 / 1047552),
	      "memory: 100 - 25.024 = 74.976 (got %g)", d.area_score[1]);
	CHECK(!d.area_measured[2], "io: no io rule applied, not measured");
	CHECK(d.area_measured[3] && d.area_score[3] == 100, "concurrency: measured, no finding: 100");
	CHECK(d.overall_measured && d.overall == 25, "overall: the lowest area, 25 (got %g)", d.overall);

	r = result_of(&d, "cpu.hot_function");
	CHECK(r && r->summary && strcmp(r->summary, "crunch takes 50.0% of the on-CPU time (warning at 50.0%)") == 0,
	      "share texts in percent, with the subject (%s)", r && r->summary ? r->summary : "");
	CHECK(r && r->explanation && strstr(r->explanation, "runs for 50.0% of the 1000 CPU samples"),
	      "{cpu.samples}: another fact's number in a text");
	r = result_of(&d, "memory.leak");
	CHECK(r && r->summary && strcmp(r->summary, "1.50 KiB definitely lost at exit, the most from make_node (warning at 1.00 MiB)") == 0,
	      "bytes: 1536 is 1.50 KiB, 1048576 is 1.00 MiB (%s)", r && r->summary ? r->summary : "");
	r = result_of(&d, "cpu.busy_process");
	CHECK(r && r->summary && strcmp(r->summary, "the process uses 80.0% CPU (warning at 90.0%)") == 0, "percent texts (%s)",
	      r && r->summary ? r->summary : "");
	CHECK(r && r->subject[0] == '\0', "a fact without subject gives a result without one");

	j = ps_diagnosis_json(&d);
	areas = cJSON_GetObjectItem(j, "areas");
	first = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);
	CHECK(cJSON_GetObjectItem(j, "score")->valuedouble == 25 &&
	      cJSON_GetObjectItem(areas, "memory")->valuedouble == 74.98 && cJSON_IsNull(cJSON_GetObjectItem(areas, "io")),
	      "JSON: score 25, memory rounded to 74.98, io null");
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(j, "findings")) == 3 &&
	      cJSON_GetArraySize(cJSON_GetObjectItem(j, "other_rules")) == 13, "JSON: 3 findings, 13 other rules");
	CHECK(first && strcmp(cJSON_GetObjectItem(first, "rule")->valuestring, "cpu.hot_function") == 0 &&
	      strcmp(cJSON_GetObjectItem(first, "severity")->valuestring, "high") == 0 &&
	      cJSON_IsFalse(cJSON_GetObjectItem(first, "capped")) &&
	      strcmp(cJSON_GetObjectItem(first, "subject")->valuestring, "crunch") == 0,
	      "JSON: the first finding, high, not capped, about crunch");
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(j, "notes")), "JSON: no notes: null");
	cJSON_Delete(j);
	ps_diagnosis_release(&d);

	/* bytes under 1 KiB, and a below rule's text */
	ps_facts_set(&f, "offcpu.disk_share", 0.3, "log.txt");
	rc = ps_diagnose(&d, rules, &f, &err);
	r = result_of(&d, "io.small_writes");
	CHECK(rc == 0 && r && r->status == PS_RESULT_FOUND &&
	      strcmp(r->summary, "writes to files are 512 B on average, the most to log.txt (warning below 4.00 KiB)") == 0,
	      "512 bytes print as 512 B, 4096 as 4.00 KiB (%s)", r && r->summary ? r->summary : "");
	/* disk 0.3: 75; small writes 512: 75 + 25 * 3584 / 12288 = 82.29 */
	CHECK(strcmp(id_at(&d, 0), "io.small_writes") == 0 && strcmp(id_at(&d, 1), "cpu.hot_function") == 0 &&
	      strcmp(id_at(&d, 2), "io.disk_wait") == 0, "82.29 first, then the two at 75 by id (%s, %s, %s)",
	      id_at(&d, 0), id_at(&d, 1), id_at(&d, 2));
	CHECK(d.area_measured[2] && near(d.area_score[2], 25 - 25 * 3584.0 / 12288), "io: 100 - 82.29 = 17.71 (got %g)",
	      d.area_score[2]);
	CHECK(near(d.overall, d.area_score[2]), "overall is now io's");
	ps_diagnosis_release(&d);
	ps_facts_release(&f);
}

#define TEXTS "'summary': '{score}|{info}|{warning}|{value}|{subject}|{nope}|{x.n}|{unclosed', " \
	"'explanation': 'E', 'solution': 'S'"
#define RULE(id, area, input, extra) \
	"{'id': '" id "', 'type': 't', 'area': '" area "', 'input': '" input "', 'unit': 'count', " \
	"'info': 10, 'warning': 20, " extra TEXTS "}"

static void own_rules(void)
{
	static const char text[] = "{'rules': ["
		RULE("t.e", "concurrency", "x.four", "'parent': 't.d', ") ", "
		RULE("t.b", "cpu", "x.one", "") ", "
		RULE("t.a", "cpu", "x.one", "") ", "
		RULE("t.c", "memory", "x.two", "'min_data': {'fact': 'x.n', 'at_least': 5}, ") ", "
		RULE("t.d", "io", "x.three", "") "]}";
	char *json = strdup(text);
	struct ps_rules rules;
	struct ps_facts f;
	struct ps_diagnosis d;
	struct ps_error err = { 0 };
	const struct ps_result *r;
	int rc;

	for (char *p = json; *p; p++)
		if (*p == '\'')
			*p = '"';
	ps_rules_init(&rules);
	rc = ps_rules_load(&rules, json, "t.json", &err);
	free(json);
	CHECK(rc == 0 && rules.n == 5, "the test's five rules load (%s)", err.msg);

	ps_facts_init(&f);
	ps_facts_set(&f, "x.one", 15, NULL);        /* t.a, t.b: 25 + 50 * 5 / 10 = 50 */
	ps_facts_set(&f, "x.two", 18, NULL);        /* t.c: 25 + 50 * 8 / 10 = 65, capped */
	ps_facts_set(&f, "x.n", 4, NULL);
	ps_facts_set(&f, "x.three", 14.9, NULL);    /* t.d: 25 + 50 * 4.9 / 10 = 49.5 */
	ps_facts_set(&f, "x.four", 30, "worker");   /* t.e: 75 + 25 * 10 / 10 = 100 */
	rc = ps_diagnose(&d, &rules, &f, &err);
	CHECK(rc == 0 && d.nfindings == 5, "five findings (got %zu)", d.nfindings);
	CHECK(strcmp(id_at(&d, 0), "t.e") == 0, "t.e at 100 first: listed before its parent t.d, it still "
	      "sees t.d's finding (got %s)", id_at(&d, 0));
	CHECK(strcmp(id_at(&d, 1), "t.a") == 0 && strcmp(id_at(&d, 2), "t.b") == 0,
	      "the tie at 50 by rule id: t.a before t.b, whatever the file's order");
	CHECK(strcmp(id_at(&d, 3), "t.c") == 0 && strcmp(id_at(&d, 4), "t.d") == 0,
	      "capped t.c (65) ranks as 49.9: under the 50s, over t.d's 49.5");
	r = result_of(&d, "t.c");
	CHECK(r && r->capped && r->severity == PS_SEV_LOW && r->score == 65 &&
	      strcmp(r->reason, "too little data: x.n is 4, under 5") == 0, "t.c: capped, low, score kept at 65");
	r = result_of(&d, "t.e");
	CHECK(r && r->severity == PS_SEV_CRITICAL && strcmp(r->summary, "100|10|20|30|worker|{nope}|4|{unclosed") == 0,
	      "placeholders filled, an unknown one and an unclosed brace kept as written (%s)", r && r->summary ? r->summary : "");
	r = result_of(&d, "t.a");
	CHECK(r && r->summary && strcmp(r->summary, "50|10|20|15|it|{nope}|4|{unclosed") == 0, "no subject: \"it\" (%s)",
	      r && r->summary ? r->summary : "");
	CHECK(d.area_score[0] == 50 && near(d.area_score[1], 50.1) && result_of(&d, "t.d") &&
	      near(d.area_score[2], 100 - result_of(&d, "t.d")->score) &&
	      d.area_score[3] == 0, "areas: cpu 50, memory 100 - 49.9 = 50.1, io 50.5, concurrency 0 (%g %g %g %g)",
	      d.area_score[0], d.area_score[1], d.area_score[2], d.area_score[3]);
	CHECK(d.overall == 0, "overall: concurrency's 0");
	ps_diagnosis_release(&d);

	ps_facts_set(&f, "x.three", 9, NULL);       /* t.d: 25 * 9 / 10 = 22.5: ok */
	ps_facts_set(&f, "x.n", 5, NULL);           /* t.c no longer capped */
	rc = ps_diagnose(&d, &rules, &f, &err);
	CHECK(rc == 0 && d.nfindings == 3, "t.d ok now: three findings (got %zu)", d.nfindings);
	CHECK(strcmp(id_at(&d, 0), "t.c") == 0 && strcmp(id_at(&d, 1), "t.a") == 0 && strcmp(id_at(&d, 2), "t.b") == 0 &&
	      strcmp(id_at(&d, 3), "t.d") == 0 && strcmp(id_at(&d, 4), "t.e") == 0,
	      "t.c at 65 first, then t.a, t.b; then t.d and t.e by id");
	r = result_of(&d, "t.e");
	CHECK(r && r->status == PS_RESULT_SUPPRESSED && strcmp(r->reason, "shown only under t.d, which found nothing") == 0,
	      "t.e suppressed under t.d, although its own value is critical");
	r = result_of(&d, "t.c");
	CHECK(r && !r->capped && r->severity == PS_SEV_MEDIUM, "x.n 5, exactly at_least: t.c medium, not capped");
	CHECK(!d.area_measured[3] && d.area_measured[2] && d.area_score[2] == 100,
	      "concurrency not measured (only a suppressed rule); io measured at 100");
	CHECK(d.overall == 35 && d.area_score[1] == 35, "memory 100 - 65 = 35, the lowest: overall 35 (got %g)",
	      d.overall);
	ps_diagnosis_release(&d);
	ps_facts_release(&f);
	ps_rules_release(&rules);
}

int main(void)
{
	struct ps_rules rules;
	struct ps_error err = { 0 };

	ps_rules_init(&rules);
	if (ps_rules_load(&rules, ps_rules_default_json, "built-in rules", &err) != 0) {
		CHECK(0, "the built-in rules load (%s)", err.msg);
		return unit_done();
	}
	nothing_applies(&rules);
	thresholds(&rules);
	whole_report(&rules);
	ps_rules_release(&rules);
	own_rules();
	return unit_done();
}
