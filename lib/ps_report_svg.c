/*
 * A CPU profile as an interactive SVG flame graph: its folded stacks
 * (ps_report_folded), drawn by ps_flamegraph.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ps_flamegraph.h"
#include "ps_report.h"
#include "ps_util.h"

static int write_svg(FILE *fp, const struct ps_cpuprof *p, const struct ps_report_opts *o)
{
	struct ps_flamegraph_opts draw = { .unit = "samples" };
	struct ps_fold_set stacks = { 0 };
	struct ps_error err = { 0 };
	char *text = NULL, title[256];
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	int rc;

	if (!mem)
		return -1;
	rc = ps_report_folded.write(mem, p, o);
	if (fclose(mem) != 0 || rc < 0) {
		free(text);
		return -1;
	}
	if (p->cfg.argv)
		snprintf(title, sizeof(title), "CPU flame graph: %s", ps_basename(p->cfg.argv[0]));
	else
		snprintf(title, sizeof(title), "CPU flame graph: pid %d", (int)p->target_pid);
	draw.title = title;
	/* ps_fold_parse owns text from here, parsed or not */
	rc = ps_fold_parse(&stacks, text, "the profile's stacks", &err);
	if (rc == 0)
		rc = ps_flamegraph_svg(fp, &stacks, &draw, NULL);
	ps_fold_release(&stacks);
	return rc < 0 ? -1 : 0;
}

const struct ps_report_writer ps_report_svg = {
	.name = "svg",
	.extension = ".svg",
	.write = write_svg,
};
