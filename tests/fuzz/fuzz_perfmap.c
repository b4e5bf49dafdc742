/*
 * JIT symbol maps (/tmp/perf-PID.map), written by the profiled program:
 * "START SIZE name" lines in hex, or anything else.
 */
#include "../../lib/symbols/ps_perfmap.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct ps_perfmap pm;

	if (!text)
		return 0;
	ps_perfmap_init(&pm);
	(void)ps_perfmap_parse(&pm, text);
	/* addresses taken from the input itself, and the edges */
	for (size_t i = 0; i + 8 <= size && i < 256; i += 8) {
		uint64_t addr;

		memcpy(&addr, data + i, 8);
		(void)ps_perfmap_lookup(&pm, addr);
	}
	(void)ps_perfmap_lookup(&pm, 0);
	(void)ps_perfmap_lookup(&pm, UINT64_MAX);
	ps_perfmap_release(&pm);
	free(text);
	return 0;
}
