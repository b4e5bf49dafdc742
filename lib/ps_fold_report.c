/*
 * A report's stacks as folded lines (ps_fold_report.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_fold_report.h"
#include "ps_json.h"
#include "ps_util.h"

const char *const ps_fold_weight_names[PS_FOLD_WEIGHTS] = { "allocated", "leaked", "peak", "temporary" };

bool ps_fold_is_json(const char *text)
{
	while (*text && isspace((unsigned char)*text))
		text++;
	return *text == '{';
}

/* One frame of a folded line: ';' separates frames, so it cannot be in a name. */
static void put_frame(FILE *fp, const char *name, bool first)
{
	if (!first)
		fputc(';', fp);
	for (; *name; name++)
		fputc(*name == ';' || *name == '\n' ? ':' : *name, fp);
}

/* stacks[]: {process, frames (outermost first, with their suffixes), count} */
static void fold_cpu(FILE *fp, const cJSON *stacks)
{
	const cJSON *st, *frame;

	cJSON_ArrayForEach(st, stacks) {
		double count = ps_json_number(st, "count", 0);
		const char *process = ps_json_string(st, "process");

		if (!(count >= 1))
			continue;
		put_frame(fp, process ? process : "[unknown]", true);
		cJSON_ArrayForEach(frame, ps_json_member(st, "frames"))
			if (cJSON_IsString(frame))
				put_frame(fp, frame->valuestring, false);
		fprintf(fp, " %.0f\n", count);
	}
}

double ps_fold_site_bytes(const cJSON *site, enum ps_fold_weight weight)
{
	const cJSON *leaks = ps_json_member(site, "leaks");

	switch (weight) {
	case PS_FOLD_LEAKED:
		/* what leaks.folded counts: definite, indirect and not classified */
		return ps_json_number(ps_json_member(leaks, "definite"), "bytes", 0) +
		       ps_json_number(ps_json_member(leaks, "indirect"), "bytes", 0) +
		       ps_json_number(ps_json_member(leaks, "unclassified"), "bytes", 0);
	case PS_FOLD_PEAK:
		return ps_json_number(ps_json_member(site, "peak"), "bytes", 0);
	case PS_FOLD_TEMPORARY:
		return ps_json_number(site, "temporary_bytes", 0);
	default:
		return ps_json_number(site, "allocated_bytes", 0);
	}
}

/* The program a site's pid ran: the last part of its executable's path. */
static const char *process_name(const cJSON *report, double pid)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, ps_json_member(report, "processes")) {
		const char *exe = ps_json_string(p, "exe");

		if (ps_json_number(p, "pid", -1) == pid && exe)
			return ps_basename(exe);
	}
	return "[unknown]";
}

/* sites[]: {pid, stack (innermost first: {function, inline}), bytes by weight} */
static void fold_memory(FILE *fp, const cJSON *report, enum ps_fold_weight weight)
{
	const cJSON *site;

	cJSON_ArrayForEach(site, ps_json_member(report, "sites")) {
		const cJSON *stack = ps_json_member(site, "stack");
		double bytes = ps_fold_site_bytes(site, weight);
		int n = cJSON_GetArraySize(stack);

		if (!(bytes >= 1))
			continue;
		put_frame(fp, process_name(report, ps_json_number(site, "pid", -1)), true);
		for (int i = n - 1; i >= 0; i--) {
			const cJSON *frame = cJSON_GetArrayItem(stack, i);
			const char *fn = ps_json_string(frame, "function");

			put_frame(fp, fn ? fn : "[unknown]", false);
			if (cJSON_IsTrue(ps_json_member(frame, "inline")))
				fputs("_[i]", fp);
		}
		fprintf(fp, " %.0f\n", bytes);
	}
}

int ps_fold_from_report(struct ps_fold_set *s, const cJSON *report, enum ps_fold_weight weight,
			const char *origin, bool *is_bytes, struct ps_error *err)
{
	const char *kind = ps_json_string(report, "kind");
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	*is_bytes = kind && strcmp(kind, "memory-profile") == 0;
	if (!kind || (strcmp(kind, "cpu-profile") != 0 && strcmp(kind, "profile") != 0 && !*is_bytes))
		return ps_error_set(err, PS_E_INPUT, "%s: not a perfscope report with stacks (a "
				    "cpu-profile JSON report, a profile's report.json or a memory.json)",
				    origin);
	fp = open_memstream(&text, &len);
	if (!fp)
		return ps_error_set(err, PS_E_NOMEM, "out of memory reading the stacks of %s", origin);
	if (*is_bytes)
		fold_memory(fp, report, weight);
	else if (strcmp(kind, "profile") == 0)
		fold_cpu(fp, ps_json_member(ps_json_member(report, "cpu"), "stacks"));
	else
		fold_cpu(fp, ps_json_member(report, "stacks"));
	if (fclose(fp) != 0) {
		free(text);
		return ps_error_set(err, PS_E_NOMEM, "out of memory reading the stacks of %s", origin);
	}
	return ps_fold_parse(s, text, origin, err);
}
