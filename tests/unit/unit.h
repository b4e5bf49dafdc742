/*
 * A tiny TAP producer for the C unit tests: each CHECK prints one
 * "ok N - what" or "not ok N - what" line; unit_done() prints the plan and
 * returns the exit status.  tests/run.sh counts the lines.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>

static int unit_count, unit_failed;

#define CHECK(cond, ...)                                                 \
	do {                                                             \
		int unit_ok_ = (cond) ? 1 : 0; /* evaluated once */      \
		unit_count++;                                            \
		if (unit_ok_) {                                          \
			printf("ok %d - ", unit_count);                  \
		} else {                                                 \
			unit_failed++;                                   \
			printf("not ok %d - ", unit_count);              \
		}                                                        \
		printf(__VA_ARGS__);                                     \
		printf("\n");                                            \
		if (!unit_ok_)                                           \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

static inline int unit_done(void)
{
	printf("1..%d\n", unit_count);
	return unit_failed ? 1 : 0;
}

#endif
