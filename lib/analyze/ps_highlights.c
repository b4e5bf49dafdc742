/*
 * The functions, sites and leaks a diagnosis shows first (ps_highlights.h).
 */
#include <stdio.h>
#include <string.h>

#include "model/ps_fold_report.h"
#include "analyze/ps_highlights.h"
#include "base/ps_json.h"
#include "base/ps_util.h"

/* Keeps list[0..*n) the largest by key, at most PS_HIGHLIGHTS_MAX, largest first. */
static void keep_top(struct ps_highlight *list, size_t *n, const struct ps_highlight *h, double key,
		     double (*key_of)(const struct ps_highlight *))
{
	size_t at = *n;

	while (at > 0 && key_of(&list[at - 1]) < key)
		at--;
	if (at == PS_HIGHLIGHTS_MAX)
		return;
	if (*n < PS_HIGHLIGHTS_MAX)
		(*n)++;
	memmove(&list[at + 1], &list[at], (*n - 1 - at) * sizeof(*list));
	list[at] = *h;
}

static double by_share(const struct ps_highlight *h) { return h->share; }
static double by_bytes(const struct ps_highlight *h) { return h->bytes; }

/* "file:line", else the module's file name, else "". */
static void where_of(char *out, size_t len, const cJSON *frame)
{
	const char *file = ps_json_string(frame, "file"), *module = ps_json_string(frame, "module");
	double line = ps_json_number(frame, "line", 0);

	if (file && line > 0)
		snprintf(out, len, "%s:%.0f", file, line);
	else if (file)
		snprintf(out, len, "%s", file);
	else
		snprintf(out, len, "%s", module ? ps_basename(module) : "");
}

static void functions_of(struct ps_highlights *h, const cJSON *functions)
{
	const cJSON *fn;

	cJSON_ArrayForEach(fn, functions) {
		struct ps_highlight one = { .share = ps_json_number(fn, "self_pct", 0) / 100 };
		const char *name = ps_json_string(fn, "name");

		if (!name || !(one.share > 0))
			continue;
		snprintf(one.name, sizeof(one.name), "%s", name);
		where_of(one.where, sizeof(one.where), fn);
		keep_top(h->functions, &h->nfunctions, &one, one.share, by_share);
	}
}

static void sites_of(struct ps_highlights *h, const cJSON *sites)
{
	const cJSON *site;

	cJSON_ArrayForEach(site, sites) {
		/* the site past the allocator layer (older reports: the innermost frame) */
		int at = (int)ps_json_number(site, "site_frame", 0);
		const cJSON *stack = ps_json_member(site, "stack");
		const cJSON *frame = cJSON_GetArrayItem(stack, at);
		const char *fn = ps_json_string(frame, "function");
		const char *caller = ps_json_string(cJSON_GetArrayItem(stack, at + 1), "function");
		struct ps_highlight one = { .bytes = ps_fold_site_bytes(site, PS_FOLD_ALLOCATED) };
		double lost = ps_fold_site_bytes(site, PS_FOLD_LEAKED);

		snprintf(one.name, sizeof(one.name), "%s", fn ? fn : "[unknown]");
		snprintf(one.caller, sizeof(one.caller), "%s", caller ? caller : "");
		where_of(one.where, sizeof(one.where), frame);
		if (one.bytes > 0)
			keep_top(h->sites, &h->nsites, &one, one.bytes, by_bytes);
		one.bytes = lost;
		if (lost > 0)
			keep_top(h->leaks, &h->nleaks, &one, lost, by_bytes);
	}
}

void ps_highlights_from_report(struct ps_highlights *h, const cJSON *report)
{
	const char *kind = ps_json_string(report, "kind");

	memset(h, 0, sizeof(*h));
	if (kind && strcmp(kind, "profile") == 0)
		functions_of(h, ps_json_member(ps_json_member(report, "cpu"), "functions"));
	else if (kind && strcmp(kind, "memory-profile") == 0)
		sites_of(h, ps_json_member(report, "sites"));
	else
		functions_of(h, ps_json_member(report, "functions"));
}

static cJSON *list_json(const struct ps_highlight *list, size_t n, const char *number)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", list[i].name);
		cJSON_AddStringToObject(o, "where", list[i].where);
		if (strcmp(number, "bytes") == 0)
			cJSON_AddStringToObject(o, "caller", list[i].caller);
		cJSON_AddNumberToObject(o, number, strcmp(number, "self_share") == 0 ? list[i].share :
					list[i].bytes);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *ps_highlights_json(const struct ps_highlights *h)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "functions", list_json(h->functions, h->nfunctions, "self_share"));
	cJSON_AddItemToObject(o, "sites", list_json(h->sites, h->nsites, "bytes"));
	cJSON_AddItemToObject(o, "leaks", list_json(h->leaks, h->nleaks, "bytes"));
	return o;
}
