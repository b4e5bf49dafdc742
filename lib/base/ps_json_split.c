/*
 * A JSON document parsed with some of its arrays left out of the tree
 * (ps_json.h, ps_json_parse_split).  Only the objects on the way to those
 * arrays are walked here, member by member; every other value, and each
 * element of a left-out array, is parsed by cJSON on its own
 * (cJSON_ParseWithLengthOpts stops after one value and says where).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/ps_json.h"

/* Paths still followed at some depth: bit i for paths[i]. */
typedef uint64_t pathset;
#define MAX_PATHS 64

struct walk {
	const char *text, *end;     /* the document; end: its NUL */
	const ps_json_path *paths;
	ps_json_each_fn each;
	void *ctx;
	const char *origin;
	struct ps_error *err;
};

/* White space as cJSON has it: any byte up to ' ' (the text's NUL ends it). */
static const char *skip_space(const char *p)
{
	while (*p && (unsigned char)*p <= ' ')
		p++;
	return p;
}

static int bad(struct walk *w, const char *at)
{
	return ps_json_error_at(w->err, w->text, at, w->origin);
}

/* The value at *p, parsed alone; *p moved past it.  NULL (err set) when malformed. */
static cJSON *value(struct walk *w, const char **p)
{
	const char *end = NULL;
	cJSON *v;

	/* cJSON skips a byte-order mark at the start of each text it parses: here none may be */
	if ((unsigned char)*skip_space(*p) == 0xef) {
		bad(w, skip_space(*p));
		return NULL;
	}
	/* the NUL counted in, as cJSON_ParseWithOpts does: a cut-off value ends there */
	v = cJSON_ParseWithLengthOpts(*p, (size_t)(w->end - *p) + 1, &end, 0);
	if (!v) {
		bad(w, end ? end : *p);
		return NULL;
	}
	*p = end;
	return v;
}

/* Whether the next character, after white space, is c (then passed). */
static bool take(const char **p, char c)
{
	*p = skip_space(*p);
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* Each element of the array at *p to each(), then freed; 0 or an error. */
static int split(struct walk *w, const char **p, size_t path)
{
	(*p)++;         /* '[' */
	if (take(p, ']'))
		return 0;
	do {
		cJSON *item = value(w, p);
		int rc;

		if (!item)
			return w->err->code;
		rc = w->each ? w->each(item, path, w->ctx, w->err) : 0;
		cJSON_Delete(item);
		if (rc < 0)
			return rc;
	} while (take(p, ','));
	return take(p, ']') ? 0 : bad(w, *p);
}

static cJSON *object(struct walk *w, const char **p, size_t depth, pathset on);

/* The paths in `on` whose name at depth is key. */
static pathset named(const struct walk *w, pathset on, size_t depth, const char *key)
{
	pathset n = 0;

	for (size_t i = 0; i < MAX_PATHS && w->paths[i]; i++)
		if ((on >> i & 1) && strcmp(w->paths[i][depth], key) == 0)
			n |= (pathset)1 << i;
	return n;
}

/*
 * The value at *p of a member named by the paths in `hit`, depth names
 * deep: split when one of them ends here at an array, walked when they go
 * on into an object, else parsed whole.  NULL with err set.
 */
static cJSON *member(struct walk *w, const char **p, size_t depth, pathset hit)
{
	pathset next = 0;
	char c = *(*p = skip_space(*p));
	cJSON *v;

	for (size_t i = 0; i < MAX_PATHS && w->paths[i]; i++) {
		if (!(hit >> i & 1))
			continue;
		if (!w->paths[i][depth + 1] && c == '[') {
			if (split(w, p, i) < 0)
				return NULL;
			if (!(v = cJSON_CreateArray()))
				ps_error_set(w->err, PS_E_NOMEM, "%s: out of memory reading the JSON", w->origin);
			return v;
		}
		if (w->paths[i][depth + 1] && c == '{')
			next |= (pathset)1 << i;
	}
	return next ? object(w, p, depth + 1, next) : value(w, p);
}

/*
 * The object at *p (its '{' next), its members on the paths in `on` walked
 * into.  Only a name's first member is: cJSON's lookups find the first of
 * two members of one name, so a later one is not the one the path means.
 */
static cJSON *object(struct walk *w, const char **p, size_t depth, pathset on)
{
	cJSON *o = cJSON_CreateObject();

	if (!o) {
		ps_error_set(w->err, PS_E_NOMEM, "%s: out of memory reading the JSON", w->origin);
		return NULL;
	}
	take(p, '{');
	if (take(p, '}'))
		return o;
	do {
		bool quoted = *(*p = skip_space(*p)) == '"';
		cJSON *key = NULL, *v = NULL;
		pathset hit = 0;

		if (quoted && (key = value(w, p)) && take(p, ':'))
			v = (hit = named(w, on, depth, key->valuestring)) ? member(w, p, depth, hit) : value(w, p);
		else if (!quoted || key)
			bad(w, *p);     /* no name, or no ':' after it; value() said what else */
		if (v && !cJSON_AddItemToObject(o, key->valuestring, v)) {
			ps_error_set(w->err, PS_E_NOMEM, "%s: out of memory reading the JSON", w->origin);
			cJSON_Delete(v);
			v = NULL;
		}
		on &= ~hit;
		cJSON_Delete(key);
		if (!v) {
			cJSON_Delete(o);
			return NULL;
		}
	} while (take(p, ','));
	if (take(p, '}'))
		return o;
	bad(w, *p);
	cJSON_Delete(o);
	return NULL;
}

cJSON *ps_json_parse_split(const char *text, const ps_json_path *paths, ps_json_each_fn each, void *ctx,
			   const char *origin, struct ps_error *err)
{
	struct walk w = { text, text + strlen(text), paths, each, ctx, origin, err };
	const char *p = skip_space(text);
	pathset on = 0;
	cJSON *root;

	for (size_t i = 0; i < MAX_PATHS && paths[i]; i++)
		if (paths[i][0])
			on |= (pathset)1 << i;
	if (!on || *p != '{')
		return ps_json_parse(text, origin, err);
	root = object(&w, &p, 0, on);
	if (root && *skip_space(p)) {
		bad(&w, skip_space(p));
		cJSON_Delete(root);
		root = NULL;
	}
	return root;
}
