/*
 * ps_diagnosis: rules applied to a report's facts.
 *
 * Each rule gives a result: a finding (score >= 25, with a severity),
 * ok, not_applicable (its input is missing: the reason says why), or
 * suppressed (its parent rule found nothing).  Severities by score, a
 * stable table: below 25 none, 25 low, 50 medium, 75 high, 90 critical.
 * Too little data (the rule's min_data) caps the severity at low.
 *
 * Area score (cpu, memory, io, concurrency): 100 minus the highest
 * finding score in the area, a capped finding counted as 49.9 at most
 * (100 with no finding; null when no rule of the area applied).
 * Overall: the lowest area score.  Findings are ordered by that same
 * score, highest first, then by rule id: the same input gives the same
 * output, byte for byte.
 */
#ifndef PS_DIAGNOSIS_H
#define PS_DIAGNOSIS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "analyze/ps_facts.h"
#include "analyze/ps_rules.h"

enum ps_severity { PS_SEV_NONE, PS_SEV_LOW, PS_SEV_MEDIUM, PS_SEV_HIGH, PS_SEV_CRITICAL };
enum ps_result_status { PS_RESULT_FOUND, PS_RESULT_OK, PS_RESULT_NOT_APPLICABLE, PS_RESULT_SUPPRESSED };

extern const char *const ps_severity_names[];
extern const char *const ps_result_status_names[];

#define PS_AREAS 4
extern const char *const ps_area_names[PS_AREAS];

struct ps_result {
	const struct ps_rule *rule;
	enum ps_result_status status;
	enum ps_severity severity;
	double value, score;
	bool capped;                 /* too little data: severity held at low */
	char subject[160];
	char reason[256];            /* not_applicable, suppressed or capped: why */
	char *summary, *explanation, *solution;   /* filled templates (findings only) */
};

struct ps_diagnosis {
	struct ps_result *results;   /* findings first (by score, then id), then the rest by id */
	size_t n, nfindings;
	double area_score[PS_AREAS];
	bool area_measured[PS_AREAS];
	double overall;
	bool overall_measured;
	char kind[32];
	char notes[512];
	struct ps_rules owned_rules;     /* released with the diagnosis, when it holds its rules */
};

/* Applies every rule to the facts.  0 or PS_E_NOMEM. */
int ps_diagnose(struct ps_diagnosis *d, const struct ps_rules *rules, const struct ps_facts *facts,
		struct ps_error *err);
void ps_diagnosis_release(struct ps_diagnosis *d);

/* The diagnosis as JSON (its keys: perfscope-recommend(1)). */
cJSON *ps_diagnosis_json(const struct ps_diagnosis *d);

#endif
