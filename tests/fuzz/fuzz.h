/*
 * The fuzz targets: each file defines LLVMFuzzerTestOneInput for one
 * parser of outside data.  Built two ways (Makefile):
 *   make fuzz      with clang's libFuzzer, run for FUZZ_SECONDS each on
 *                  tests/fuzz/corpus/NAME (seeds, and every crash found,
 *                  kept as a regression input);
 *   make check     with replay.c's main instead, every corpus file run
 *                  once under the build being tested (plain or ASan).
 */
#ifndef PS_FUZZ_H
#define PS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a NUL-terminated string (the parsers take text), malloc'ed. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
