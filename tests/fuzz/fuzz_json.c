/*
 * Reports and metrics files as recommend, diff, flamegraph and the
 * regression gate read them: JSON of any shape.
 */
#include "../../lib/ps_compare.h"
#include "../../lib/ps_diagnosis.h"
#include "../../lib/ps_facts.h"
#include "../../lib/ps_fold_report.h"
#include "../../lib/ps_folded_diff.h"
#include "../../lib/ps_json.h"
#include "../../lib/ps_rules.h"
#include "fuzz.h"

static struct ps_rules rules;
static int rules_loaded;

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
	free(text);
	if (!root)
		return 0;
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
	for (int w = 0; w < PS_FOLD_WEIGHTS; w++) {
		struct ps_fold_set s = { 0 };
		bool is_bytes;

		if (ps_fold_from_report(&s, root, (enum ps_fold_weight)w, "fuzz.json", &is_bytes, &err) == 0)
			ps_fold_release(&s);
	}
	cJSON_Delete(root);
	return 0;
}
