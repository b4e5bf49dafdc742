/*
 * Folded stack files of any tool (diff, flamegraph): parsed, compared
 * with themselves, and drawn.
 */
#include <stdio.h>

#include "../../lib/ps_flamegraph.h"
#include "../../lib/ps_folded_diff.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct ps_fold_set s = { 0 };
	struct ps_fold_diff d = { 0 };
	struct ps_error err = { 0 };
	struct ps_flamegraph_opts opts = { .title = "fuzz" };
	FILE *sink;

	if (!text)
		return 0;
	if (ps_fold_parse(&s, text, "fuzz.folded", &err) < 0) {
		ps_fold_release(&s);
		return 0;
	}
	if (ps_fold_diff(&d, &s, &s, true, &err) == 0) {
		sink = fopen("/dev/null", "w");
		if (sink) {
			(void)ps_flamegraph_diff_svg(sink, &d, &opts, NULL);
			fclose(sink);
		}
	}
	ps_fold_diff_release(&d);
	sink = fopen("/dev/null", "w");
	if (sink) {
		(void)ps_flamegraph_svg(sink, &s, &opts, NULL);
		fclose(sink);
	}
	ps_fold_release(&s);
	return 0;
}
