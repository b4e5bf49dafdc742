/*
 * ps_error: how the engine reports failure.
 *
 * Every lib/ function that can fail returns 0 on success or a negative
 * PS_E* code, and fills a caller-owned struct ps_error with a message that
 * names the subject ("cannot open '/proc/12/maps': ...") and, where we know
 * one, a hint that says what to do.  lib/ never prints; cli/ turns the code
 * into an exit status and prints message and hint.
 *
 * The convention for what a function returns:
 *  - one that can fail only for lack of memory (its own allocation, or a
 *    callee that fails only so) returns PS_E_NOMEM, never -1;
 *  - one that reports failure in a struct ps_error returns the code it set;
 *  - a -1 that is not a failure (not found, end of input, no such entry)
 *    is documented at the function's declaration;
 *  - one that returns a count, an index or a descriptor, and -1 on failure
 *    (errno set, like the system calls), keeps its documented meaning.
 * Callers test a result with < 0, never against -1 or a particular code,
 * unless the declaration documents that code.
 */
#ifndef PS_ERROR_H
#define PS_ERROR_H

enum ps_errcode {
	PS_OK = 0,
	PS_E_INTERNAL = -1,   /* a bug or an unexpected system failure */
	PS_E_USAGE = -2,      /* the caller asked for something invalid */
	PS_E_NOPROC = -3,     /* --pid names no such process */
	PS_E_PERM = -4,       /* profiling not permitted */
	PS_E_OUTPUT = -5,     /* an output file cannot be written */
	PS_E_NOEXEC = -6,     /* command found but not executable */
	PS_E_NOTFOUND = -7,   /* command not found */
	PS_E_NOMEM = -8,      /* out of memory */
	PS_E_INPUT = -9,      /* an input file is unreadable, malformed or of the wrong shape */
};

struct ps_error {
	int code;
	char msg[512];
	char hint[512];
};

void ps_error_clear(struct ps_error *err);
/* Sets code and message; returns code so callers can `return ps_error_set(...)`. */
int ps_error_set(struct ps_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ps_error_hint(struct ps_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Puts a formatted prefix ("FILE: ") in front of the message. */
void ps_error_prefix(struct ps_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
