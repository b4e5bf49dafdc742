/*
 * Stacks to compare or draw, from a folded file (ours or any tool's) or
 * from one of perfscope's JSON reports: what diff and flamegraph read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/ps_json.h"

int cli_load_stacks(struct ps_fold_set *s, const char *path, const struct ps_fold_opts *o,
		    const char **unit, struct ps_error *err)
{
	char *text = cli_read_text(path, err);
	bool bytes;
	int rc;

	*unit = NULL;
	if (!text)
		return err->code;
	if (!ps_fold_is_json(text))
		return ps_fold_parse(s, text, path, err);
	rc = ps_fold_read_report(s, text, o, path, &bytes, NULL, err);
	free(text);
	if (rc == 0)
		*unit = bytes ? "bytes" : "samples";
	return rc;
}
