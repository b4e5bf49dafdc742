/*
 * The allocator layer as compiled regular expressions (ps_alloc_layer.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_util.h"
#include "memory/ps_alloc_layer.h"

extern const char ps_alloc_layer_default_text[];

/* Open addressing over name hashes; 0 marks a free slot (a name hashing to 0 is asked every time). */
struct ps_alloc_layer_seen {
	uint64_t *hash;
	bool *in;
	size_t n, cap;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* Finds h's slot: where it is, or the free one where it would go. */
static size_t seen_slot(const struct ps_alloc_layer_seen *sn, uint64_t h)
{
	size_t i = h & (sn->cap - 1);

	while (sn->hash[i] && sn->hash[i] != h)
		i = (i + 1) & (sn->cap - 1);
	return i;
}

/* Doubles the table (at least 1024 slots): false when memory ran out (the old one is kept). */
static bool seen_grow(struct ps_alloc_layer_seen *sn)
{
	size_t cap = sn->cap ? 2 * sn->cap : 1024;
	uint64_t *hash = calloc(cap, sizeof(*hash));
	bool *in = calloc(cap, sizeof(*in));

	if (!hash || !in) {
		free(hash);
		free(in);
		return false;
	}
	for (size_t k = 0; k < sn->cap; k++) {
		size_t j;

		if (!sn->hash[k])
			continue;
		for (j = sn->hash[k] & (cap - 1); hash[j]; j = (j + 1) & (cap - 1))
			;
		hash[j] = sn->hash[k];
		in[j] = sn->in[k];
	}
	free(sn->hash);
	free(sn->in);
	sn->hash = hash;
	sn->in = in;
	sn->cap = cap;
	return true;
}

/* Remembers (h, in) if there is room; forgetting is only slower. */
static void seen_put(struct ps_alloc_layer_seen *sn, uint64_t h, bool in)
{
	size_t i;

	if (!h || (2 * (sn->n + 1) > sn->cap && !seen_grow(sn)))
		return;
	i = seen_slot(sn, h);
	if (!sn->hash[i])
		sn->n++;
	sn->hash[i] = h;
	sn->in[i] = in;
}

int ps_alloc_layer_add(struct ps_alloc_layer *al, const char *regex, struct ps_error *err)
{
	char why[256];
	int rc;

	if (al->seen && al->seen->n) {
		/* a new pattern changes the answers */
		memset(al->seen->hash, 0, al->seen->cap * sizeof(*al->seen->hash));
		al->seen->n = 0;
	}
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
	al->seen = calloc(1, sizeof(*al->seen));
	if (!al->seen)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
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
	if (al->seen) {
		free(al->seen->hash);
		free(al->seen->in);
		free(al->seen);
	}
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
	uint64_t h;
	bool in = false;

	if (!al || !function || !*function)
		return false;
	h = name_hash(function);
	if (al->seen && al->seen->cap) {
		size_t i = seen_slot(al->seen, h);

		if (al->seen->hash[i] == h)
			return al->seen->in[i];
	}
	name = ps_alloc_layer_qualified(function, buf, sizeof(buf));
	for (size_t i = 0; i < al->n && !in; i++)
		in = regexec(&al->res[i], name, 0, NULL, 0) == 0;
	if (al->seen)
		seen_put(al->seen, h, in);
	return in;
}
