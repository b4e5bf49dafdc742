/*
 * Diagnosis rules as data (ps_rules.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_json.h"
#include "analyze/ps_rules.h"
#include "base/ps_util.h"

static const char *const areas[] = { "cpu", "memory", "io", "concurrency" };

void ps_rules_init(struct ps_rules *r)
{
	memset(r, 0, sizeof(*r));
}

static void rule_release(struct ps_rule *rule)
{
	free(rule->summary);
	free(rule->explanation);
	free(rule->solution);
}

void ps_rules_release(struct ps_rules *r)
{
	for (size_t i = 0; i < r->n; i++)
		rule_release(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* ---- reading a rule ---- */

static int text_field(const cJSON *o, const char *key, char *out, size_t len, bool required,
		      const char *where, struct ps_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v && !required)
		return 0;
	if (!v || !cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) >= len)
		return ps_error_set(err, PS_E_INPUT, "%s: '%s' must be a non-empty string of at most "
				    "%zu characters", where, key, len - 1);
	snprintf(out, len, "%s", v->valuestring);
	return 0;
}

static int number_field(const cJSON *o, const char *key, double *out, const char *where,
			struct ps_error *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		return ps_error_set(err, PS_E_INPUT, "%s: '%s' must be a number", where, key);
	*out = v->valuedouble;
	return 0;
}

static int template_field(const cJSON *o, const char *key, char **out, const char *where,
			  struct ps_error *err)
{
	char buf[1024];
	int rc = text_field(o, key, buf, sizeof(buf), true, where, err);

	if (rc < 0)
		return rc;
	*out = strdup(buf);
	return *out ? 0 : ps_error_set(err, PS_E_NOMEM, "out of memory");
}

/* The thresholds must order the way the direction says. */
static int check_thresholds(const struct ps_rule *rule, const char *where, struct ps_error *err)
{
	bool ordered = rule->below ? rule->warning < rule->info : rule->warning > rule->info;

	if (!ordered)
		return ps_error_set(err, PS_E_INPUT, "%s: 'warning' (%g) must be %s 'info' (%g)", where,
				    rule->warning, rule->below ? "below" : "above", rule->info);
	return 0;
}

static int parse_rule(const cJSON *o, struct ps_rule *rule, const char *origin, int index,
		      struct ps_error *err)
{
	const cJSON *min = cJSON_GetObjectItemCaseSensitive(o, "min_data");
	const char *direction;
	char where[160];
	bool known_area = false;
	int rc;

	memset(rule, 0, sizeof(*rule));
	snprintf(where, sizeof(where), "%s: rule %d", origin, index + 1);
	if (!cJSON_IsObject(o))
		return ps_error_set(err, PS_E_INPUT, "%s: a rule must be an object", where);
	if ((rc = text_field(o, "id", rule->id, sizeof(rule->id), true, where, err)) < 0)
		return rc;
	snprintf(where, sizeof(where), "%s: rule '%s'", origin, rule->id);
	if ((rc = text_field(o, "type", rule->type, sizeof(rule->type), true, where, err)) < 0 ||
	    (rc = text_field(o, "area", rule->area, sizeof(rule->area), true, where, err)) < 0 ||
	    (rc = text_field(o, "input", rule->input, sizeof(rule->input), true, where, err)) < 0 ||
	    (rc = text_field(o, "unit", rule->unit, sizeof(rule->unit), true, where, err)) < 0 ||
	    (rc = text_field(o, "parent", rule->parent, sizeof(rule->parent), false, where, err)) < 0 ||
	    (rc = number_field(o, "info", &rule->info, where, err)) < 0 ||
	    (rc = number_field(o, "warning", &rule->warning, where, err)) < 0)
		return rc;
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		known_area |= strcmp(rule->area, areas[i]) == 0;
	if (!known_area)
		return ps_error_set(err, PS_E_INPUT, "%s: 'area' must be cpu, memory, io or concurrency",
				    where);
	direction = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "direction"));
	if (direction && strcmp(direction, "below") != 0 && strcmp(direction, "above") != 0)
		return ps_error_set(err, PS_E_INPUT, "%s: 'direction' must be above or below", where);
	rule->below = direction && strcmp(direction, "below") == 0;
	if ((rc = check_thresholds(rule, where, err)) < 0)
		return rc;
	if (min && ((rc = text_field(min, "fact", rule->min_fact, sizeof(rule->min_fact), true, where,
				     err)) < 0 ||
		    (rc = number_field(min, "at_least", &rule->min_value, where, err)) < 0))
		return rc;
	if ((rc = template_field(o, "summary", &rule->summary, where, err)) < 0 ||
	    (rc = template_field(o, "explanation", &rule->explanation, where, err)) < 0 ||
	    (rc = template_field(o, "solution", &rule->solution, where, err)) < 0) {
		rule_release(rule);
		return rc;
	}
	return 0;
}

static int add_rule(struct ps_rules *r, struct ps_rule *rule)
{
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->items[i].id, rule->id) == 0) {
			rule_release(&r->items[i]);
			r->items[i] = *rule;
			return 0;
		}
	}
	if (ps_grow(&r->items, &r->cap, r->n + 1, sizeof(*r->items)) < 0) {
		rule_release(rule);
		return PS_E_NOMEM;
	}
	r->items[r->n++] = *rule;
	return 0;
}

int ps_rules_load(struct ps_rules *r, const char *text, const char *origin, struct ps_error *err)
{
	cJSON *root = ps_json_parse(text, origin, err);
	const cJSON *list, *o;
	int rc = 0, i = 0;

	if (!root)
		return PS_E_INPUT;
	list = cJSON_GetObjectItemCaseSensitive(root, "rules");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(root);
		return ps_error_set(err, PS_E_INPUT, "%s: expected an object with a list 'rules'", origin);
	}
	cJSON_ArrayForEach(o, list) {
		struct ps_rule rule;

		if ((rc = parse_rule(o, &rule, origin, i++, err)) < 0 || (rc = add_rule(r, &rule)) < 0)
			break;
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- --set ID.KEY=VALUE ---- */

int ps_rules_set(struct ps_rules *r, const char *assignment, struct ps_error *err)
{
	const char *eq = strchr(assignment, '='), *dot;
	char id[48], key[32], *end;
	struct ps_rule *rule = NULL, saved;
	double v;

	/* the id holds dots itself: the key is after the last dot before '=' */
	for (dot = eq ? eq : assignment; dot > assignment && *dot != '.'; dot--)
		;
	if (!eq || dot == assignment || (size_t)(dot - assignment) >= sizeof(id) ||
	    (size_t)(eq - dot - 1) >= sizeof(key) || eq == dot + 1)
		return ps_error_set(err, PS_E_USAGE, "'%s' is not RULE.KEY=VALUE", assignment);
	snprintf(id, sizeof(id), "%.*s", (int)(dot - assignment), assignment);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - dot - 1), dot + 1);
	for (size_t i = 0; i < r->n && !rule; i++)
		if (strcmp(r->items[i].id, id) == 0)
			rule = &r->items[i];
	if (!rule)
		return ps_error_set(err, PS_E_USAGE, "no rule '%s' (in '%s')", id, assignment);
	if (strcmp(key, "info") != 0 && strcmp(key, "warning") != 0 && strcmp(key, "min_value") != 0)
		return ps_error_set(err, PS_E_USAGE, "'%s': a rule's info, warning or min_value can be "
				    "set; for anything else, give a rules file (--rules)", assignment);
	v = strtod(eq + 1, &end);
	if (end == eq + 1 || *end || !isfinite(v))
		return ps_error_set(err, PS_E_USAGE, "'%s': '%s' is not a number", assignment, eq + 1);
	saved = *rule;
	if (strcmp(key, "info") == 0)
		rule->info = v;
	else if (strcmp(key, "warning") == 0)
		rule->warning = v;
	else
		rule->min_value = v;
	if (check_thresholds(rule, assignment, err) < 0) {
		*rule = saved;
		err->code = PS_E_USAGE;
		return PS_E_USAGE;
	}
	return 0;
}

/* ---- scoring ---- */

double ps_rule_score(const struct ps_rule *rule, double v)
{
	double info = rule->info, warning = rule->warning, span, score;

	if (rule->below) {
		/* mirrored: smaller is worse */
		v = -v;
		info = -info;
		warning = -warning;
	}
	span = warning - info;
	if (v >= warning)
		score = 75 + 25 * (v - warning) / span;
	else if (v >= info)
		score = 25 + 50 * (v - info) / span;
	else if (!rule->below)
		score = info > 0 && v > 0 ? 25 * v / info : 0;
	else
		score = 25 - 25 * (info - v) / span;	/* 0 one span above info */
	return score < 0 ? 0 : score > 100 ? 100 : score;
}
