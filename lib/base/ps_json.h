/*
 * ps_json: reading perfscope's JSON reports and writing them.
 */
#ifndef PS_JSON_H
#define PS_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "base/ps_error.h"

/*
 * Parses text; NULL with PS_E_INPUT set, naming origin, the line and the
 * column where the JSON went wrong, when it is malformed or truncated.
 */
cJSON *ps_json_parse(const char *text, const char *origin, struct ps_error *err);

/*
 * A member on the way into a document: its names from the root, NULL-ended
 * ({ "cpu", "stacks", NULL } is the root's "cpu" object's "stacks").
 */
typedef const char *const *ps_json_path;

/* Called with each element of an array left out of the tree, and which path it is at. */
typedef int (*ps_json_each_fn)(const cJSON *item, size_t path, void *ctx, struct ps_error *err);

/*
 * Parses text as ps_json_parse does, except the arrays at paths[0..)
 * (NULL-ended), which are not built as trees: a report's stacks would
 * take ~100 bytes a frame as one.  Each of their elements is parsed alone
 * and handed to each() (which may be NULL), then freed, and the document
 * holds an empty array in the array's place.  A path that leads through
 * anything but objects, or to anything but an array, is parsed whole.
 * Stops at each()'s first error, returning NULL with its err.
 */
cJSON *ps_json_parse_split(const char *text, const ps_json_path *paths, ps_json_each_fn each, void *ctx,
			   const char *origin, struct ps_error *err);

/* Sets err (PS_E_INPUT) for JSON that went wrong at `at`, naming origin, the line and column. */
int ps_json_error_at(struct ps_error *err, const char *text, const char *at, const char *origin);

/* Reading a parsed document: o's member `key` (o may be NULL)... */
const cJSON *ps_json_member(const cJSON *o, const char *key);
/* ...as a number, or `fallback` when it is absent or not a number... */
double ps_json_number(const cJSON *o, const char *key, double fallback);
/* ...as a string, or NULL. */
const char *ps_json_string(const cJSON *o, const char *key);
/* The index of the string `name` in o's array member `key`, or -1. */
int ps_json_index_of(const cJSON *o, const char *key, const char *name);

/*
 * Called with a report's root just before it is printed, to add members
 * (a comparison with a baseline, say); the report's writers take one.
 */
typedef void (*ps_json_amend_fn)(cJSON *root, void *ctx);

/*
 * Prints root, frees it, and parses the text back: the document exactly
 * as its file will hold it (a number printed rounds in its last digit).
 * One tree at a time, since a report of many stacks takes ~100 bytes a
 * frame; the arrays at leave_out (NULL-ended, or NULL) come back empty
 * (ps_json_parse_split).  *text is the printed text (the caller frees it,
 * and the tree); NULL when out of memory.
 */
cJSON *ps_json_reparse(cJSON *root, char **text, const ps_json_path *leave_out);

/* A printed document to fp as its file holds it: valid UTF-8, newline-terminated. */
void ps_json_put_text(FILE *fp, const char *text);

/* Prints root (indented, newline-terminated) and frees it; 0 or PS_E_NOMEM. */
int ps_json_print(FILE *fp, cJSON *root);

#endif
