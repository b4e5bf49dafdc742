/*
 * Folded stack files of any tool (diff, flamegraph): parsed, compared
 * with themselves, drawn, and written as speedscope files, which must be
 * JSON holding every stack once with its count (it aborts otherwise).
 */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "../../lib/render/ps_flamegraph.h"
#include "../../lib/model/ps_folded_diff.h"
#include "../../lib/render/ps_speedscope.h"
#include "fuzz.h"

/* s as a speedscope file, one profile or one per first frame, read back. */
static void speedscope(const struct ps_fold_set *s, bool per_first_frame)
{
	struct ps_speedscope_folded_opts o = { .name = "fuzz", .unit = "none", .exporter = "fuzz",
					       .profile_per_first_frame = per_first_frame };
	char *text = NULL;
	size_t len = 0, samples = 0;
	double total = 0;
	FILE *mem = open_memstream(&text, &len);
	const cJSON *p, *w;
	cJSON *root;

	if (!mem)
		return;
	if (ps_speedscope_folded(mem, s, &o) < 0) {
		fclose(mem);
		free(text);
		return;
	}
	fclose(mem);
	root = cJSON_Parse(text);
	free(text);
	if (!root)
		abort();
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(root, "profiles")) {
		samples += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(p, "samples"));
		cJSON_ArrayForEach(w, cJSON_GetObjectItem(p, "weights"))
			total += w->valuedouble;
	}
	if (samples != s->n || total != (double)s->total)
		abort();
	cJSON_Delete(root);
}

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
	speedscope(&s, false);
	speedscope(&s, true);
	ps_fold_release(&s);
	return 0;
}
