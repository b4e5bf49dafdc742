/*
 * A CPU profile as an interactive SVG flame graph: its folded stacks
 * (ps_report_folded), drawn by ps_flamegraph.
 */
#include <stdio.h>

#include "render/ps_flamegraph.h"
#include "report/ps_report.h"
#include "base/ps_util.h"

struct fold_ctx {
	const struct ps_cpu_run *p;
	const struct ps_report_opts *o;
};

static int fold(FILE *fp, const void *ctx)
{
	const struct fold_ctx *c = ctx;

	return ps_report_folded.write(fp, c->p, c->o);
}

static int write_svg(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	char title[256];

	if (p->run.argv)
		snprintf(title, sizeof(title), "CPU flame graph: %s", ps_basename(p->run.argv[0]));
	else
		snprintf(title, sizeof(title), "CPU flame graph: pid %d", (int)p->run.pid);
	return ps_flamegraph_svg_of(fp, fold, &(struct fold_ctx){ p, o },
				    &(struct ps_flamegraph_opts){ .title = title, .unit = "samples" });
}

const struct ps_report_writer ps_report_svg = {
	.name = "svg",
	.extension = ".svg",
	.write = write_svg,
};
