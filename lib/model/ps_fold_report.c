/*
 * A report's stacks as folded lines (ps_fold_report.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_fold_report.h"
#include "base/ps_json.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

const char *const ps_fold_weight_names[PS_FOLD_WEIGHTS] = { "allocated", "leaked", "peak", "temporary" };

bool ps_fold_is_json(const char *text)
{
	while (*text && isspace((unsigned char)*text))
		text++;
	return *text == '{';
}

/* One frame of a folded line: ';' separates frames, so it cannot be in a
 * name; and the name as valid UTF-8. */
static void put_frame(FILE *fp, const char *name, bool first)
{
	size_t len = strlen(name);

	if (!first)
		fputc(';', fp);
	for (size_t i = 0; i < len;) {
		size_t n = ps_utf8_seq((const unsigned char *)name + i, len - i);

		if (n == 1)
			fputc(name[i] == ';' || name[i] == '\n' ? ':' : name[i], fp);
		else if (n)
			fwrite(name + i, 1, n, fp);
		else
			fputs("\xef\xbf\xbd", fp);
		i += n ? n : 1;
	}
}

/* A label "name (pid P, tid T)" (or "name (pid P)" for tid < 0) as the first frame. */
static void put_label(FILE *fp, const char *name, double pid, double tid)
{
	char label[256];

	if (tid < 0)
		snprintf(label, sizeof(label), "%s (pid %.0f)", name, pid);
	else
		snprintf(label, sizeof(label), "%s (pid %.0f, tid %.0f)", name, pid, tid);
	put_frame(fp, label, true);
}

/* stack: {pid, tid, process, thread, frames (outermost first, with their suffixes), count} */
static void fold_cpu_stack(FILE *fp, const cJSON *st, bool by_thread)
{
	double count = ps_json_number(st, "count", 0);
	const char *process = ps_json_string(st, "process"), *thread = ps_json_string(st, "thread");
	const cJSON *frame;

	if (!(count >= 1))
		return;
	if (by_thread)
		put_label(fp, thread ? thread : "[unknown]", ps_json_number(st, "pid", -1),
			  ps_json_number(st, "tid", -1));
	else
		put_frame(fp, process ? process : "[unknown]", true);
	cJSON_ArrayForEach(frame, ps_json_member(st, "frames"))
		if (cJSON_IsString(frame))
			put_frame(fp, frame->valuestring, false);
	fprintf(fp, " %.0f\n", count);
}

static void fold_cpu(FILE *fp, const cJSON *stacks, bool by_thread)
{
	const cJSON *st;

	cJSON_ArrayForEach(st, stacks) {
		fold_cpu_stack(fp, st, by_thread);
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
static void fold_memory(FILE *fp, const cJSON *report, enum ps_fold_weight weight, bool by_process)
{
	const cJSON *site;

	cJSON_ArrayForEach(site, ps_json_member(report, "sites")) {
		const cJSON *stack = ps_json_member(site, "stack");
		double bytes = ps_fold_site_bytes(site, weight), pid = ps_json_number(site, "pid", -1);
		int n = cJSON_GetArraySize(stack);

		if (!(bytes >= 1))
			continue;
		if (by_process)
			put_label(fp, process_name(report, pid), pid, -1);
		else
			put_frame(fp, process_name(report, pid), true);
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

/* What a report is; its stacks are at paths[kind] for the CPU kinds. */
enum kind { KIND_CPU, KIND_PROFILE, KIND_MEMORY };
static const char *const top_stacks[] = { "stacks", NULL }, *const cpu_stacks[] = { "cpu", "stacks", NULL };
static const ps_json_path paths[] = { top_stacks, cpu_stacks, NULL };

static int report_kind(const cJSON *report, const char *origin, bool *is_bytes, struct ps_error *err)
{
	const char *kind = ps_json_string(report, "kind");

	*is_bytes = kind && strcmp(kind, "memory-profile") == 0;
	if (*is_bytes)
		return KIND_MEMORY;
	if (kind && strcmp(kind, "cpu-profile") == 0)
		return KIND_CPU;
	if (kind && strcmp(kind, "profile") == 0)
		return KIND_PROFILE;
	return ps_error_set(err, PS_E_INPUT, "%s: not a perfscope report with stacks (a cpu-profile JSON "
			    "report, a profile's report.json or a memory.json)", origin);
}

/* A text of folded lines, written as a file is. */
struct lines {
	FILE *fp;
	char *text;
	size_t len;
};

static int lines_open(struct lines *l, const char *origin, struct ps_error *err)
{
	l->text = NULL;
	l->fp = open_memstream(&l->text, &l->len);
	return l->fp ? 0 : ps_error_set(err, PS_E_NOMEM, "out of memory reading the stacks of %s", origin);
}

/* Closes l and parses its lines into s (which then owns them); s NULL: drops them. */
static int lines_close(struct lines *l, struct ps_fold_set *s, const char *origin, struct ps_error *err)
{
	char *text;
	int closed;

	if (!l->fp)
		return 0;
	closed = fclose(l->fp);
	text = l->text;
	l->fp = NULL;
	l->text = NULL;
	if (s && closed == 0)
		return ps_fold_parse(s, text, origin, err);
	free(text);
	return s ? ps_error_set(err, PS_E_NOMEM, "out of memory reading the stacks of %s", origin) : 0;
}

/* The stacks of a parsed report, folded as `o` says, added to l. */
static void fold_tree(struct lines *l, const cJSON *report, enum kind kind, const struct ps_fold_opts *o)
{
	if (kind == KIND_MEMORY)
		fold_memory(l->fp, report, o->weight, o->by_thread);
	else if (kind == KIND_PROFILE)
		fold_cpu(l->fp, ps_json_member(ps_json_member(report, "cpu"), "stacks"), o->by_thread);
	else
		fold_cpu(l->fp, ps_json_member(report, "stacks"), o->by_thread);
}

int ps_fold_from_report(struct ps_fold_set *s, const cJSON *report, enum ps_fold_weight weight,
			const char *origin, bool *is_bytes, struct ps_error *err)
{
	int kind = report_kind(report, origin, is_bytes, err);
	struct lines l;

	if (kind < 0 || lines_open(&l, origin, err) < 0)
		return err->code;
	fold_tree(&l, report, (enum kind)kind, &(struct ps_fold_opts){ .weight = weight });
	return lines_close(&l, s, origin, err);
}

/* The CPU stacks as they are read: folded into lines[path], one text per path. */
struct reading {
	struct lines lines[2];
	bool by_thread;
};

static int fold_read(const cJSON *stack, size_t path, void *ctx, struct ps_error *err)
{
	struct reading *r = ctx;

	(void)err;
	fold_cpu_stack(r->lines[path].fp, stack, r->by_thread);
	return 0;
}

int ps_fold_read_report(struct ps_fold_set *s, const char *text, const struct ps_fold_opts *o,
			const char *origin, bool *is_bytes, cJSON **rest, struct ps_error *err)
{
	struct reading r = { .by_thread = o->by_thread };
	cJSON *report = NULL;
	int rc = lines_open(&r.lines[0], origin, err), kind = 0;

	if (rc == 0)
		rc = lines_open(&r.lines[1], origin, err);
	if (rc == 0 && !(report = ps_json_parse_split(text, paths, fold_read, &r, origin, err)))
		rc = err->code;
	if (rc == 0)
		rc = kind = report_kind(report, origin, is_bytes, err);
	if (kind == KIND_MEMORY) {
		/* a memory.json's sites are in the tree: folded from there alone */
		lines_close(&r.lines[0], NULL, origin, err);
		rc = lines_open(&r.lines[0], origin, err);
	}
	if (rc >= 0) {
		struct lines *l = &r.lines[kind == KIND_MEMORY ? 0 : kind];

		/* added: what was not split (stacks that are not an array) */
		fold_tree(l, report, (enum kind)kind, o);
		rc = lines_close(l, s, origin, err);
	}
	lines_close(&r.lines[0], NULL, origin, err);
	lines_close(&r.lines[1], NULL, origin, err);
	if (rc < 0 || !rest)
		cJSON_Delete(report);
	else
		*rest = report;
	return rc < 0 ? rc : 0;
}
