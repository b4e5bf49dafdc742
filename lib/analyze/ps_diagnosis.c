/*
 * Rules applied to a report's facts (ps_diagnosis.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_diagnosis.h"
#include "base/ps_util.h"

const char *const ps_severity_names[] = { "none", "low", "medium", "high", "critical" };
const char *const ps_result_status_names[] = { "found", "ok", "not_applicable", "suppressed" };
const char *const ps_area_names[PS_AREAS] = { "cpu", "memory", "io", "concurrency" };

#define FOUND_AT 25.0

static enum ps_severity severity_of(double score)
{
	if (score >= 90)
		return PS_SEV_CRITICAL;
	if (score >= 75)
		return PS_SEV_HIGH;
	if (score >= 50)
		return PS_SEV_MEDIUM;
	if (score >= FOUND_AT)
		return PS_SEV_LOW;
	return PS_SEV_NONE;
}

/* ---- texts ---- */

static void human_bytes(double v, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (fabs(v) >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, len, "%.0f B", v);
	else
		snprintf(out, len, "%.2f %s", v, units[u]);
}

/* A value in the rule's unit, as the texts print it ("42.0%", "1.50 MiB"). */
static void format_value(const char *unit, double v, char *out, size_t len)
{
	if (strcmp(unit, "share") == 0)
		snprintf(out, len, "%.1f%%", 100 * v);
	else if (strcmp(unit, "percent") == 0)
		snprintf(out, len, "%.1f%%", v);
	else if (strcmp(unit, "bytes") == 0)
		human_bytes(v, out, len);
	else if (strcmp(unit, "rate") == 0)
		snprintf(out, len, "%.0f/s", v);
	else if (strcmp(unit, "per_min") == 0)
		snprintf(out, len, "%.1f/min", v);
	else if (strcmp(unit, "mb_per_min") == 0)
		snprintf(out, len, "%.1f MB/min", v);
	else if (strcmp(unit, "ms") == 0)
		snprintf(out, len, "%.1f ms", v);
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, len, "%.0f", v);
	else
		snprintf(out, len, "%.2f", v);
}

/*
 * A template with its placeholders filled: {value}, {info}, {warning} in
 * the rule's unit, {subject}, {score}, and {FACT} for any fact's number.
 */
static char *fill(const char *tmpl, const struct ps_result *res, const struct ps_facts *facts)
{
	size_t cap = strlen(tmpl) + 256, used = 0;
	char *out = malloc(cap);

	if (!out)
		return NULL;
	for (const char *p = tmpl; *p; ) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		char name[64], text[200];
		size_t need;

		text[0] = '\0';
		if (close && (size_t)(close - p - 1) < sizeof(name)) {
			const struct ps_fact *fact;

			snprintf(name, sizeof(name), "%.*s", (int)(close - p - 1), p + 1);
			if (strcmp(name, "value") == 0)
				format_value(res->rule->unit, res->value, text, sizeof(text));
			else if (strcmp(name, "info") == 0)
				format_value(res->rule->unit, res->rule->info, text, sizeof(text));
			else if (strcmp(name, "warning") == 0)
				format_value(res->rule->unit, res->rule->warning, text, sizeof(text));
			else if (strcmp(name, "subject") == 0)
				snprintf(text, sizeof(text), "%s", res->subject[0] ? res->subject : "it");
			else if (strcmp(name, "score") == 0)
				snprintf(text, sizeof(text), "%.0f", res->score);
			else if ((fact = ps_facts_get(facts, name)))
				format_value("", fact->value, text, sizeof(text));
			else
				close = NULL;	/* not a placeholder: kept as written */
		}
		if (!close) {
			text[0] = *p;
			text[1] = '\0';
			p++;
		} else {
			p = close + 1;
		}
		need = strlen(text);
		if (used + need + 1 > cap) {
			char *bigger = realloc(out, cap = 2 * (used + need + 1));

			if (!bigger) {
				free(out);
				return NULL;
			}
			out = bigger;
		}
		memcpy(out + used, text, need);
		used += need;
	}
	out[used] = '\0';
	return out;
}

/* ---- applying the rules ---- */

static void apply(struct ps_result *res, const struct ps_rule *rule, const struct ps_facts *facts,
		  const struct ps_diagnosis *d)
{
	const struct ps_fact *fact = ps_facts_get(facts, rule->input), *data;
	const char *gap;

	memset(res, 0, sizeof(*res));
	res->rule = rule;
	if (rule->parent[0]) {
		const struct ps_result *parent = NULL;

		for (size_t i = 0; i < d->n; i++)
			if (strcmp(d->results[i].rule->id, rule->parent) == 0)
				parent = &d->results[i];
		if (!parent || parent->status != PS_RESULT_FOUND) {
			res->status = PS_RESULT_SUPPRESSED;
			snprintf(res->reason, sizeof(res->reason), "shown only under %s, which found "
				 "nothing", rule->parent);
			return;
		}
	}
	if (!fact) {
		res->status = PS_RESULT_NOT_APPLICABLE;
		gap = ps_facts_gap_reason(facts, rule->input);
		if (gap)
			snprintf(res->reason, sizeof(res->reason), "%s", gap);
		else
			snprintf(res->reason, sizeof(res->reason), "no %s in this %s input", rule->input,
				 facts->kind);
		return;
	}
	res->value = fact->value;
	snprintf(res->subject, sizeof(res->subject), "%s", fact->subject);
	res->score = ps_rule_score(rule, fact->value);
	res->severity = severity_of(res->score);
	res->status = res->severity == PS_SEV_NONE ? PS_RESULT_OK : PS_RESULT_FOUND;
	data = rule->min_fact[0] ? ps_facts_get(facts, rule->min_fact) : NULL;
	if (rule->min_fact[0] && (!data || data->value < rule->min_value) &&
	    res->severity > PS_SEV_LOW) {
		res->severity = PS_SEV_LOW;
		res->capped = true;
		snprintf(res->reason, sizeof(res->reason), "too little data: %s is %.0f, under %.0f",
			 rule->min_fact, data ? data->value : 0, rule->min_value);
	}
}

static int area_index(const char *area)
{
	for (int a = 0; a < PS_AREAS; a++)
		if (strcmp(area, ps_area_names[a]) == 0)
			return a;
	return -1;
}

/* The score a finding ranks by: a capped one counts as low at most. */
static double rank_score(const struct ps_result *r)
{
	return r->capped && r->score >= 50 ? 49.9 : r->score;
}

static int cmp_results(const void *a, const void *b)
{
	const struct ps_result *x = a, *y = b;
	bool fx = x->status == PS_RESULT_FOUND, fy = y->status == PS_RESULT_FOUND;

	if (fx != fy)
		return fx ? -1 : 1;
	if (fx && rank_score(x) != rank_score(y))
		return rank_score(x) > rank_score(y) ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

int ps_diagnose(struct ps_diagnosis *d, const struct ps_rules *rules, const struct ps_facts *facts,
		struct ps_error *err)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->kind, sizeof(d->kind), "%s", facts->kind);
	snprintf(d->notes, sizeof(d->notes), "%s", facts->notes);
	d->results = calloc(rules->n ? rules->n : 1, sizeof(*d->results));
	if (!d->results)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	/* parents before the rules under them, whatever the file's order */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < rules->n; i++)
			if ((rules->items[i].parent[0] != 0) == (pass == 1))
				apply(&d->results[d->n++], &rules->items[i], facts, d);
	for (int a = 0; a < PS_AREAS; a++)
		d->area_score[a] = 100;
	for (size_t i = 0; i < d->n; i++) {
		struct ps_result *r = &d->results[i];
		int a = area_index(r->rule->area);

		if (r->status == PS_RESULT_FOUND || r->status == PS_RESULT_OK)
			d->area_measured[a] = true;
		if (r->status != PS_RESULT_FOUND)
			continue;
		d->nfindings++;
		if (100 - rank_score(r) < d->area_score[a])
			d->area_score[a] = 100 - rank_score(r);
		if (!(r->summary = fill(r->rule->summary, r, facts)) ||
		    !(r->explanation = fill(r->rule->explanation, r, facts)) ||
		    !(r->solution = fill(r->rule->solution, r, facts)))
			return ps_error_set(err, PS_E_NOMEM, "out of memory");
	}
	d->overall = 100;
	for (int a = 0; a < PS_AREAS; a++) {
		if (!d->area_measured[a])
			continue;
		d->overall_measured = true;
		if (d->area_score[a] < d->overall)
			d->overall = d->area_score[a];
	}
	qsort(d->results, d->n, sizeof(*d->results), cmp_results);
	return 0;
}

void ps_diagnosis_release(struct ps_diagnosis *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->results[i].summary);
		free(d->results[i].explanation);
		free(d->results[i].solution);
	}
	free(d->results);
	ps_rules_release(&d->owned_rules);
	memset(d, 0, sizeof(*d));
}

/* ---- JSON ---- */

/* Rounded so that the same input prints the same digits everywhere. */
static double round2(double v)
{
	return round(v * 100) / 100;
}

static cJSON *result_json(const struct ps_result *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "rule", r->rule->id);
	cJSON_AddStringToObject(o, "type", r->rule->type);
	cJSON_AddStringToObject(o, "area", r->rule->area);
	cJSON_AddStringToObject(o, "status", ps_result_status_names[r->status]);
	if (r->status == PS_RESULT_FOUND || r->status == PS_RESULT_OK) {
		cJSON_AddStringToObject(o, "severity", ps_severity_names[r->severity]);
		cJSON_AddNumberToObject(o, "score", round2(r->score));
		cJSON_AddStringToObject(o, "input", r->rule->input);
		cJSON_AddNumberToObject(o, "value", r->value);
		cJSON_AddNumberToObject(o, "info", r->rule->info);
		cJSON_AddNumberToObject(o, "warning", r->rule->warning);
		if (r->subject[0])
			cJSON_AddStringToObject(o, "subject", r->subject);
		else
			cJSON_AddNullToObject(o, "subject");
	}
	if (r->reason[0])
		cJSON_AddStringToObject(o, "reason", r->reason);
	if (r->status == PS_RESULT_FOUND) {
		cJSON_AddBoolToObject(o, "capped", r->capped);
		cJSON_AddStringToObject(o, "summary", r->summary);
		cJSON_AddStringToObject(o, "explanation", r->explanation);
		cJSON_AddStringToObject(o, "solution", r->solution);
	}
	return o;
}

cJSON *ps_diagnosis_json(const struct ps_diagnosis *d)
{
	cJSON *root = cJSON_CreateObject(), *areas, *findings, *others;

	cJSON_AddStringToObject(root, "schema", "perfscope-diagnosis/1");
	cJSON_AddStringToObject(root, "input_kind", d->kind);
	if (d->overall_measured)
		cJSON_AddNumberToObject(root, "score", round2(d->overall));
	else
		cJSON_AddNullToObject(root, "score");
	areas = cJSON_AddObjectToObject(root, "areas");
	for (int a = 0; a < PS_AREAS; a++) {
		if (d->area_measured[a])
			cJSON_AddNumberToObject(areas, ps_area_names[a], round2(d->area_score[a]));
		else
			cJSON_AddNullToObject(areas, ps_area_names[a]);
	}
	findings = cJSON_AddArrayToObject(root, "findings");
	others = cJSON_AddArrayToObject(root, "other_rules");
	for (size_t i = 0; i < d->n; i++)
		cJSON_AddItemToArray(d->results[i].status == PS_RESULT_FOUND ? findings : others,
				     result_json(&d->results[i]));
	if (d->notes[0])
		cJSON_AddStringToObject(root, "notes", d->notes);
	else
		cJSON_AddNullToObject(root, "notes");
	return root;
}
