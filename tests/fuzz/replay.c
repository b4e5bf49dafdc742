/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput once on each file named on
 * the command line (make check replays every corpus this way), as
 * libFuzzer does with file arguments.  Prints a line per file; a crash or
 * a sanitizer report ends the run with a non-zero status.
 */
#include <stdio.h>

#include "fuzz.h"

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *grown;
	size_t cap = 0, n = 0, got = 1;

	if (!f)
		return NULL;
	while (got > 0) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if (!(grown = realloc(buf, cap))) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	}
	fclose(f);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t len = 0;
		unsigned char *data = read_all(argv[i], &len);

		if (!data) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		printf("replayed %s (%zu bytes)\n", argv[i], len);
	}
	return 0;
}
