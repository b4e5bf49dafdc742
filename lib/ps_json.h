/*
 * ps_json: writing a cJSON document to a report file.
 */
#ifndef PS_JSON_H
#define PS_JSON_H

#include <cjson/cJSON.h>
#include <stdio.h>

/* Prints root (indented, newline-terminated) and frees it; 0 or -1. */
int ps_json_print(FILE *fp, cJSON *root);

#endif
