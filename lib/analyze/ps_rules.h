/*
 * ps_rules: diagnosis rules as data (share/rules.json, perfscope-rules(5)).
 *
 * A rule reads one fact and scores it 0-100 the way Java Mission
 * Control's rules do: 25 at its info threshold, 75 at its warning
 * threshold, linear in between, from 0 (at 0) to 25 below info, and from
 * 75 to 100 over one more info-to-warning span above warning.  A rule with
 * "direction": "below" mirrors that (smaller is worse).
 */
#ifndef PS_RULES_H
#define PS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "base/ps_error.h"

struct ps_rule {
	char id[48], type[32], area[16], input[48], unit[16], parent[48];
	bool below;                  /* smaller values are worse */
	double info, warning;
	char min_fact[48];           /* too little data below min_value: severity at most low */
	double min_value;
	char *summary, *explanation, *solution;
};

struct ps_rules {
	struct ps_rule *items;
	size_t n, cap;
};

/* The rules built in: a copy of share/rules.json made at build time. */
extern const char ps_rules_default_json[];

void ps_rules_init(struct ps_rules *r);
void ps_rules_release(struct ps_rules *r);

/*
 * Adds the rules of a rules file's text, replacing those with the same
 * id.  `origin` names the file in errors (with line and column).
 */
int ps_rules_load(struct ps_rules *r, const char *text, const char *origin, struct ps_error *err);

/* "ID.KEY=VALUE": info, warning, min_value (numbers), or a text key. */
int ps_rules_set(struct ps_rules *r, const char *assignment, struct ps_error *err);

/* The rule's 0-100 score for value v. */
double ps_rule_score(const struct ps_rule *rule, double v);

#endif
