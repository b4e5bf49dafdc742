/*
 * ps_json: writing a cJSON document to a report file.
 */
#ifndef PS_JSON_H
#define PS_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "ps_error.h"

/*
 * Parses text; NULL with PS_E_INPUT set, naming origin, the line and the
 * column where the JSON went wrong, when it is malformed or truncated.
 */
cJSON *ps_json_parse(const char *text, const char *origin, struct ps_error *err);

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
 * frame.  *text is the printed text (the caller frees it, and the tree);
 * NULL when out of memory.
 */
cJSON *ps_json_reparse(cJSON *root, char **text);

/* Prints root (indented, newline-terminated) and frees it; 0 or -1. */
int ps_json_print(FILE *fp, cJSON *root);

#endif
