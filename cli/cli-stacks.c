/*
 * Stacks to compare or draw, from a folded file (ours or any tool's) or
 * from one of perfscope's JSON reports: what diff and flamegraph read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../lib/ps_json.h"

int cli_load_stacks(struct ps_fold_set *s, const char *path, enum ps_fold_weight weight,
		    const char **unit, struct ps_error *err)
{
	char *text = cli_read_text(path, err);
	cJSON *report;
	bool bytes;
	int rc;

	*unit = NULL;
	if (!text)
		return err->code;
	if (!ps_fold_is_json(text))
		return ps_fold_parse(s, text, path, err);
	report = ps_json_parse(text, path, err);
	free(text);
	if (!report)
		return err->code;
	rc = ps_fold_from_report(s, report, weight, path, &bytes, err);
	*unit = bytes ? "bytes" : "samples";
	cJSON_Delete(report);
	return rc;
}
