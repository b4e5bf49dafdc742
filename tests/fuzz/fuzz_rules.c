/*
 * Rules files (--rules), threshold settings (--set ID.KEY=VALUE) and
 * config files (--config): the input's first line is one setting, the
 * rest a rules file, then the same text as a config file.
 */
#include <stdio.h>
#include <unistd.h>

#include "../../cli/cli.h"
#include "../../lib/analyze/ps_rules.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size), *rest, path[64];
	struct ps_error err = { 0 };
	struct ps_rules rules;
	const char *sets[2] = { NULL, NULL };
	FILE *f;

	if (!text)
		return 0;
	rest = strchr(text, '\n');
	if (rest)
		*rest++ = '\0';
	else
		rest = text + strlen(text);
	ps_rules_init(&rules);
	if (ps_rules_load(&rules, ps_rules_default_json, "default", &err) == 0) {
		(void)ps_rules_load(&rules, rest, "fuzz-rules.json", &err);
		(void)ps_rules_set(&rules, text, &err);
		for (size_t i = 0; i < rules.n; i++)
			(void)ps_rule_score(&rules.items[i], (double)i);
		/* the same text as a config file, and the first line as --set */
		snprintf(path, sizeof(path), "/tmp/perfscope-fuzz-config.%d", (int)getpid());
		f = fopen(path, "w");
		if (f) {
			fputs(rest, f);
			fclose(f);
			sets[0] = text;
			(void)cli_apply_thresholds(&rules, path, sets, 1, &err);
			unlink(path);
		}
	}
	ps_rules_release(&rules);
	free(text);
	return 0;
}
