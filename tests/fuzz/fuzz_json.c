/*
 * Reports and metrics files as recommend, diff, flamegraph and the
 * regression gate read them: JSON of any shape.  A report's stacks folded
 * as they are read (ps_fold_read_report) must be the stacks folded from
 * its whole tree: it aborts otherwise.
 */
#include "../../lib/analyze/ps_compare.h"
#include "../../lib/analyze/ps_diagnosis.h"
#include "../../lib/analyze/ps_facts.h"
#include "../../lib/model/ps_fold_report.h"
#include "../../lib/model/ps_folded_diff.h"
#include "../../lib/base/ps_json.h"
#include "../../lib/analyze/ps_rules.h"
#include "../../lib/render/ps_speedscope.h"
#include "fuzz.h"

static struct ps_rules rules;
static int rules_loaded;

static bool same_folds(const struct ps_fold_set *a, const struct ps_fold_set *b)
{
	if (a->n != b->n || a->total != b->total)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->items[i].count != b->items[i].count || strcmp(a->items[i].stack, b->items[i].stack) != 0)
			return false;
	return true;
}

/* The stacks of text read piece by piece, against those of its tree (a failed fold set is freed too). */
static void fold_both_ways(const char *text, const cJSON *root, enum ps_fold_weight w)
{
	struct ps_fold_set tree = { 0 }, read = { 0 };
	struct ps_error err = { 0 };
	bool is_bytes, read_bytes;
	int from_tree = ps_fold_from_report(&tree, root, w, "fuzz.json", &is_bytes, &err);
	int from_text = ps_fold_read_report(&read, text, &(struct ps_fold_opts){ .weight = w }, "fuzz.json",
					    &read_bytes, NULL, &err);

	if ((from_tree == 0) != (from_text == 0) || (from_tree == 0 && !same_folds(&tree, &read)))
		abort();
	ps_fold_release(&tree);
	ps_fold_release(&read);
}

/* The stacks by thread, as flamegraph --format speedscope reads and writes them. */
static void speedscope(const char *text, enum ps_fold_weight w)
{
	struct ps_fold_set s = { 0 };
	struct ps_error err = { 0 };
	bool is_bytes;
	FILE *sink;

	if (ps_fold_read_report(&s, text, &(struct ps_fold_opts){ .weight = w, .by_thread = true }, "fuzz.json",
				&is_bytes, NULL, &err) == 0 && (sink = fopen("/dev/null", "w"))) {
		(void)ps_speedscope_folded(sink, &s, &(struct ps_speedscope_folded_opts){
			.name = "fuzz", .unit = "none", .exporter = "fuzz", .profile_per_first_frame = true });
		fclose(sink);
	}
	ps_fold_release(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct ps_error err = { 0 };
	cJSON *root;

	if (!text)
		return 0;
	if (!rules_loaded) {
		ps_rules_init(&rules);
		rules_loaded = ps_rules_load(&rules, ps_rules_default_json, "default", &err) == 0 ? 1 : -1;
	}
	root = ps_json_parse(text, "fuzz.json", &err);
	if (!root) {
		free(text);
		return 0;
	}
	for (int w = 0; w < PS_FOLD_WEIGHTS; w++) {
		fold_both_ways(text, root, (enum ps_fold_weight)w);
		speedscope(text, (enum ps_fold_weight)w);
	}
	free(text);
	{
		struct ps_facts facts;
		struct ps_diagnosis d = { 0 };

		ps_facts_init(&facts);
		if (ps_facts_from_report(&facts, root, &err) == 0 && rules_loaded > 0 &&
		    ps_diagnose(&d, &rules, &facts, &err) == 0) {
			cJSON_Delete(ps_diagnosis_json(&d));
			ps_diagnosis_release(&d);
		}
		ps_facts_release(&facts);
	}
	{
		struct ps_comparison c = { 0 };

		(void)ps_compare_kind(root);
		cJSON_Delete(ps_compare_figures(root));
		if (ps_compare_reports(&c, root, root, 10, &err) == 0)
			cJSON_Delete(ps_comparison_json(&c));
		ps_comparison_release(&c);
	}
	cJSON_Delete(root);
	return 0;
}
