/*
 * ps_fold_report: the stacks of a perfscope JSON report as folded lines,
 * so that reports compare like folded files (perfscope diff).
 */
#ifndef PS_FOLD_REPORT_H
#define PS_FOLD_REPORT_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "base/ps_error.h"
#include "model/ps_folded_diff.h"
#include "base/ps_json.h"

/* What a memory report's allocation sites are weighed by, in bytes. */
enum ps_fold_weight { PS_FOLD_ALLOCATED, PS_FOLD_LEAKED, PS_FOLD_PEAK, PS_FOLD_TEMPORARY };
#define PS_FOLD_WEIGHTS 4
extern const char *const ps_fold_weight_names[PS_FOLD_WEIGHTS];

/* A memory.json site's bytes by `weight` (leaked: definite, indirect and not classified). */
double ps_fold_site_bytes(const cJSON *site, enum ps_fold_weight weight);

/* Whether text is JSON rather than folded lines: its first non-blank is '{'. */
bool ps_fold_is_json(const char *text);

/*
 * Into s (as ps_fold_parse does): the on-CPU samples of a cpu-profile
 * JSON report or of a profile's report.json, "process;outermost;...;leaf
 * COUNT"; or the allocation sites of a memory.json, weighed by `weight`.
 * *is_bytes says which.  PS_E_INPUT, naming origin, for other JSON.
 */
int ps_fold_from_report(struct ps_fold_set *s, const cJSON *report, enum ps_fold_weight weight,
			const char *origin, bool *is_bytes, struct ps_error *err);

/* How ps_fold_read_report folds a report's stacks. */
struct ps_fold_opts {
	enum ps_fold_weight weight;  /* a memory.json's sites, by */
	bool by_thread;              /* the first frame names the thread, "name (pid P, tid T)",
				      * not the process (a memory.json's site: "name (pid P)") */
};

/*
 * A report's text read as ps_fold_from_report folds its tree, except that
 * the CPU stacks (a cpu-profile's "stacks", a profile's "cpu"."stacks") are
 * folded one by one as they are read and never stand whole as a tree
 * (ps_json_parse_split; as one they took ~100 bytes a frame).  rest (may
 * be NULL): the rest of the document, for the caller to free, its CPU
 * stacks an empty array.
 */
int ps_fold_read_report(struct ps_fold_set *s, const char *text, const struct ps_fold_opts *o,
			const char *origin, bool *is_bytes, cJSON **rest, struct ps_error *err);

#endif
