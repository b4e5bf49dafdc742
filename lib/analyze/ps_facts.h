/*
 * ps_facts: the numbers a diagnosis rule reads, taken out of a report.
 *
 * A fact is a named number ("offcpu.lock_share") with the subject it is
 * about ("take_lock", a file, an allocation site), so that rules never
 * know a report's layout: ps_facts_from_report() reads any of perfscope's
 * reports (profile, cpu-profile JSON, memory-profile) or a plain metrics
 * file, and says, for a section that was not collected, why (a gap).
 */
#ifndef PS_FACTS_H
#define PS_FACTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "base/ps_error.h"

struct ps_fact {
	char name[48];
	double value;
	char subject[160];       /* what the number is about, or "" */
};

/* Facts under `prefix` ("offcpu.") are missing, for `reason`. */
struct ps_fact_gap {
	char prefix[32];
	char reason[200];
};

struct ps_facts {
	char kind[32];           /* profile, cpu-profile, memory-profile or metrics */
	struct ps_fact *items;
	size_t n, cap;
	struct ps_fact_gap *gaps;
	size_t ngaps, gaps_cap;
	char notes[512];         /* unknown fields of a metrics file, ignored */
};

void ps_facts_init(struct ps_facts *f);
void ps_facts_release(struct ps_facts *f);

/* Adds or replaces a fact; subject may be NULL.  0 or PS_E_NOMEM. */
int ps_facts_set(struct ps_facts *f, const char *name, double value, const char *subject);
void ps_facts_gap(struct ps_facts *f, const char *prefix, const char *reason);
const struct ps_fact *ps_facts_get(const struct ps_facts *f, const char *name);
/* Why `name` is missing, when a gap covers it; NULL otherwise. */
const char *ps_facts_gap_reason(const struct ps_facts *f, const char *name);

/*
 * The facts of a parsed report or metrics file.  PS_E_INPUT with the field
 * named when a metrics file's field has the wrong type.
 */
int ps_facts_from_report(struct ps_facts *f, const cJSON *root, struct ps_error *err);

#endif
