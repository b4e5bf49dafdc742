/*
 * The diagnosis rules a command uses: the built-in ones, then --rules
 * files; and where their thresholds come from, weakest first: the rules'
 * own values, a config file (--config FILE, else $XDG_CONFIG_HOME or
 * ~/.config/perfscope/config.json when it exists), PERFSCOPE_* variables,
 * then --set flags.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/ps_json.h"
#include "base/ps_util.h"

static const char *const keys[] = { "info", "warning", "min_value" };

/* The default config file's path, or "" when there is no home to look in. */
static void default_config(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0])
		snprintf(out, len, "%s/perfscope/config.json", xdg);
	else if (home && home[0])
		snprintf(out, len, "%s/.config/perfscope/config.json", home);
	else
		out[0] = '\0';
}

/* {"thresholds": {"ID.KEY": number, ...}}: nothing else is accepted, so typos show. */
static int apply_file(struct ps_rules *rules, const char *path, struct ps_error *err)
{
	char *text = ps_read_file(path, NULL), assignment[160];
	const cJSON *item, *thresholds;
	cJSON *root;
	int rc = 0;

	if (!text)
		return ps_error_set(err, PS_E_INPUT, "cannot read config file '%s': %s", path,
				    strerror(errno));
	root = ps_json_parse(text, path, err);
	free(text);
	if (!root)
		return PS_E_INPUT;
	cJSON_ArrayForEach(item, root) {
		if (strcmp(item->string, "thresholds") != 0) {
			rc = ps_error_set(err, PS_E_INPUT, "%s: unknown key '%s' (a config file has "
					  "'thresholds')", path, item->string);
			break;
		}
	}
	thresholds = cJSON_GetObjectItemCaseSensitive(root, "thresholds");
	if (rc == 0 && thresholds && !cJSON_IsObject(thresholds))
		rc = ps_error_set(err, PS_E_INPUT, "%s: 'thresholds' must be an object", path);
	if (rc < 0)
		thresholds = NULL;
	cJSON_ArrayForEach(item, thresholds) {
		if (!cJSON_IsNumber(item)) {
			rc = ps_error_set(err, PS_E_INPUT, "%s: threshold '%s' must be a number", path,
					  item->string);
			break;
		}
		snprintf(assignment, sizeof(assignment), "%s=%.17g", item->string, item->valuedouble);
		if ((rc = ps_rules_set(rules, assignment, err)) < 0) {
			/* name the file: the assignment alone does not say where it came from */
			ps_error_prefix(err, "%s: ", path);
			err->code = rc = PS_E_INPUT;
			break;
		}
	}
	cJSON_Delete(root);
	return rc;
}

/* PERFSCOPE_<ID>_<KEY>, the id's dots as underscores, upper case. */
static void env_name(const char *id, const char *key, char *out, size_t len)
{
	size_t n = (size_t)snprintf(out, len, "PERFSCOPE_%s_%s", id, key);

	for (size_t i = 0; i < n && i < len; i++)
		out[i] = out[i] == '.' ? '_' : (char)toupper((unsigned char)out[i]);
}

static int apply_environment(struct ps_rules *rules, struct ps_error *err)
{
	char name[128], assignment[192];
	const char *value;

	for (size_t r = 0; r < rules->n; r++) {
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			env_name(rules->items[r].id, keys[k], name, sizeof(name));
			if (!(value = getenv(name)))
				continue;
			snprintf(assignment, sizeof(assignment), "%s.%s=%s", rules->items[r].id, keys[k],
				 value);
			if (ps_rules_set(rules, assignment, err) < 0) {
				ps_error_prefix(err, "environment variable %s: ", name);
				return err->code = PS_E_USAGE;
			}
		}
	}
	return 0;
}

int cli_apply_thresholds(struct ps_rules *rules, const char *config, const char *const *sets,
			 int nsets, struct ps_error *err)
{
	char path[4096];
	int rc = 0;

	if (config) {
		rc = apply_file(rules, config, err);
	} else {
		default_config(path, sizeof(path));
		if (path[0] && access(path, F_OK) == 0)
			rc = apply_file(rules, path, err);
	}
	if (rc == 0)
		rc = apply_environment(rules, err);
	for (int i = 0; rc == 0 && i < nsets; i++)
		rc = ps_rules_set(rules, sets[i], err);
	return rc;
}

int cli_rules_option(struct cli_rules_options *r, const char *cmd, int opt, const char *arg)
{
	switch (opt) {
	case CLI_OPT_RULES:
		if (r->nfiles == CLI_MAX_RULE_FILES)
			return cli_usage_error(cmd, "at most %d --rules files", CLI_MAX_RULE_FILES);
		r->files[r->nfiles++] = arg;
		return 0;
	case CLI_OPT_SET:
		if (r->nsets == CLI_MAX_SETS)
			return cli_usage_error(cmd, "at most %d --set", CLI_MAX_SETS);
		r->sets[r->nsets++] = arg;
		return 0;
	default:
		r->config = arg;
		return 0;
	}
}

int cli_load_rules(struct ps_rules *rules, const struct cli_rules_options *r, struct ps_error *err)
{
	int rc = ps_rules_load(rules, ps_rules_default_json, "built-in rules", err);

	for (int i = 0; rc == 0 && i < r->nfiles; i++) {
		char *text = ps_read_file(r->files[i], NULL);

		if (!text)
			return ps_error_set(err, PS_E_INPUT, "cannot read rules file '%s': %s",
					    r->files[i], strerror(errno));
		rc = ps_rules_load(rules, text, r->files[i], err);
		free(text);
	}
	if (rc == 0)
		rc = cli_apply_thresholds(rules, r->config, r->sets, r->nsets, err);
	return rc;
}
