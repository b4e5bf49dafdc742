/*
 * ps_utf8: text that comes from outside (a program's thread names and
 * symbols, paths, folded files, metrics) made valid UTF-8 before it reaches
 * a report.  JSON parsers refuse invalid UTF-8 and an SVG with it is not
 * well-formed XML, so each invalid byte becomes U+FFFD (the replacement
 * character), as browsers and most decoders show it.  Overlong forms,
 * surrogates and code points past U+10FFFF are invalid too.
 */
#ifndef PS_UTF8_H
#define PS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The length of the valid sequence at s (of at most len bytes), 0 if none. */
size_t ps_utf8_seq(const unsigned char *s, size_t len);

bool ps_utf8_valid(const char *s, size_t len);

/* A valid copy of s (len bytes), malloc'ed and NUL-terminated; NULL on ENOMEM. */
char *ps_utf8_fix(const char *s, size_t len);

/* Writes s (len bytes) to fp, each invalid byte as U+FFFD. */
void ps_utf8_put(FILE *fp, const char *s, size_t len);

#endif
