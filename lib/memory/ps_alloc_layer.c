/*
 * The allocator layer as compiled regular expressions (ps_alloc_layer.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_util.h"
#include "memory/ps_alloc_layer.h"

extern const char ps_alloc_layer_default_text[];

int ps_alloc_layer_add(struct ps_alloc_layer *al, const char *regex, struct ps_error *err)
{
	char why[256];
	int rc;

	if (ps_grow(&al->res, &al->cap, al->n + 1, sizeof(*al->res)) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	rc = regcomp(&al->res[al->n], regex, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		regerror(rc, &al->res[al->n], why, sizeof(why));
		return ps_error_set(err, PS_E_USAGE, "'%s' is not a regular expression: %s", regex, why);
	}
	al->n++;
	return 0;
}

int ps_alloc_layer_init(struct ps_alloc_layer *al, struct ps_error *err)
{
	const char *line = ps_alloc_layer_default_text;

	memset(al, 0, sizeof(*al));
	while (*line) {
		const char *end = strchrnul(line, '\n');
		char *pattern;
		int rc = 0;

		if (end > line && *line != '#') {
			pattern = strndup(line, (size_t)(end - line));
			if (!pattern)
				return ps_error_set(err, PS_E_NOMEM, "out of memory");
			rc = ps_alloc_layer_add(al, pattern, err);
			free(pattern);
		}
		if (rc < 0)
			return rc;
		line = *end ? end + 1 : end;
	}
	return 0;
}

void ps_alloc_layer_release(struct ps_alloc_layer *al)
{
	for (size_t i = 0; i < al->n; i++)
		regfree(&al->res[i]);
	free(al->res);
	memset(al, 0, sizeof(*al));
}

const char *ps_alloc_layer_qualified(const char *name, char *buf, size_t len)
{
	const char *start = name, *p = name;
	int depth = 0;

	if (!strchr(name, '('))
		return name;   /* a C name */

	if (strncmp(p, "(anonymous namespace)", 21) == 0)
		p += 21;
	for (; *p; p++) {
		if (*p == '<')
			depth++;
		else if (*p == '>' && depth > 0)
			depth--;
		else if (depth == 0 && *p == ' ' && !(p - name >= 8 && strncmp(p - 8, "operator", 8) == 0))
			start = p + 1;   /* what came before was the return type */
		else if (depth == 0 && *p == '(' && !(p - name >= 8 && strncmp(p - 8, "operator", 8) == 0))
			break;
	}
	snprintf(buf, len, "%.*s", (int)(p - start), start);
	return buf;
}

bool ps_alloc_layer_has(const struct ps_alloc_layer *al, const char *function)
{
	char buf[1024];
	const char *name;

	if (!al || !function || !*function)
		return false;
	name = ps_alloc_layer_qualified(function, buf, sizeof(buf));
	for (size_t i = 0; i < al->n; i++)
		if (regexec(&al->res[i], name, 0, NULL, 0) == 0)
			return true;
	return false;
}
