/*
 * perfscope flamegraph: any folded stack file (or the stacks of a
 * perfscope report) drawn as one interactive SVG file, or written in
 * speedscope's file format.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render/ps_flamegraph.h"
#include "render/ps_speedscope.h"
#include "base/ps_util.h"

const char cmd_flamegraph_help[] =
	"Usage: perfscope flamegraph [options] INPUT\n"
	"\n"
	"Draw the stacks of INPUT as an interactive flame graph in one SVG file:\n"
	"hover for a frame's count and share, click to zoom, Search (or Ctrl-F) to\n"
	"highlight frames by a regular expression with their total share, Reset\n"
	"zoom (or Escape).  INPUT is a folded file (perfscope's, or any tool's\n"
	"\"frame;frame;... count\" lines; '-' reads standard input) or a perfscope\n"
	"JSON report (cpu-profile --format json, a profile's report.json, a\n"
	"memory.json).  Colours: user code red to yellow, kernel (_[k]) orange,\n"
	"inlined (_[i]) aqua, JIT (_[j]) green, off-CPU reasons ([sleep], [disk],\n"
	"...) blue.  --format speedscope writes the stacks in speedscope's file\n"
	"format instead: a folded file as one profile, a report as one profile per\n"
	"thread (per process for a memory.json).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE      write there (whole or not at all) instead of\n"
	"                         standard output\n"
	"  -f, --format FORMAT    svg (the default) or speedscope (the default for an\n"
	"                         output name ending in .speedscope.json)\n"
	"      --title TEXT       the title (default \"Flame graph\"; speedscope: the\n"
	"                         file's name, default the input's)\n"
	"      --unit NAME        what the counts are (default: samples; bytes for a\n"
	"                         memory.json); for speedscope: samples, ns, us, ms, s\n"
	"                         or bytes\n"
	"      --icicle           roots at the top, callees below\n"
	"      --width PX         the image's width (default 1200)\n"
	"      --min-width PX     frames narrower than this are left to their callers\n"
	"                         (default 0.1), which bounds the file's size\n"
	"  -w, --weight KIND      memory.json sites by allocated (default), leaked,\n"
	"                         peak or temporary bytes\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit codes: 0 drawn, 2 usage, 5 output not writable, 6 the input\n"
	"unreadable, not folded stacks (the line is named) or not a report with\n"
	"stacks.\n";

enum format { FORMAT_SVG, FORMAT_SPEEDSCOPE };
static const char *const format_names[] = { "svg", "speedscope" };

struct fg_options {
	const char *input, *output, *unit;
	struct ps_flamegraph_opts draw;
	enum ps_fold_weight weight;
	int format;                 /* enum format, -1 until given */
};

enum { OPT_TITLE = 256, OPT_UNIT, OPT_ICICLE, OPT_WIDTH, OPT_MIN_WIDTH };

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, 'f' },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "icicle", no_argument, NULL, OPT_ICICLE },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "min-width", required_argument, NULL, OPT_MIN_WIDTH },
	{ "weight", required_argument, NULL, 'w' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 0 to go on, -1 after --help, else the exit code. */
static int parse_options(int argc, char **argv, struct fg_options *o)
{
	int c, f;

	memset(o, 0, sizeof(*o));
	o->format = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:f:w:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'f':
			if ((o->format = cli_parse_choice(optarg, format_names, 2)) < 0)
				return cli_usage_error("flamegraph", "--format is svg or speedscope, not '%s'", optarg);
			break;
		case OPT_TITLE:
			o->draw.title = optarg;
			break;
		case OPT_UNIT:
			o->unit = optarg;
			break;
		case OPT_ICICLE:
			o->draw.icicle = true;
			break;
		case OPT_WIDTH:
			if (cli_parse_double(optarg, &o->draw.width) < 0 || o->draw.width < 100 ||
			    o->draw.width > 100000)
				return cli_usage_error("flamegraph", "--width takes pixels from 100 to 100000, "
						       "not '%s'", optarg);
			break;
		case OPT_MIN_WIDTH:
			if (cli_parse_double(optarg, &o->draw.min_width) < 0 || o->draw.min_width > 100)
				return cli_usage_error("flamegraph", "--min-width takes pixels above 0 and "
						       "up to 100, not '%s'", optarg);
			break;
		case 'w':
			if ((f = cli_parse_choice(optarg, ps_fold_weight_names, PS_FOLD_WEIGHTS)) < 0)
				return cli_usage_error("flamegraph", "--weight is allocated, leaked, peak "
						       "or temporary, not '%s'", optarg);
			o->weight = (enum ps_fold_weight)f;
			break;
		case 'h':
			fputs(cmd_flamegraph_help, stdout);
			return -1;
		default:
			return cli_usage_error("flamegraph", "unknown option or missing value: '%s'",
					       argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("flamegraph", "give one input: a folded file or a report");
	o->input = argv[optind];
	if (o->format < 0) {
		size_t len = o->output ? strlen(o->output) : 0, ext = strlen(".speedscope.json");

		o->format = len > ext && strcmp(o->output + len - ext, ".speedscope.json") == 0 ? FORMAT_SPEEDSCOPE
											: FORMAT_SVG;
	}
	if (o->format == FORMAT_SPEEDSCOPE && o->unit && !ps_speedscope_unit(o->unit))
		return cli_usage_error("flamegraph", "speedscope's --unit is samples, ns, us, ms, s or bytes "
				       "(or nanoseconds, microseconds, milliseconds, seconds), not '%s'", o->unit);
	return 0;
}

struct fg_output {
	const struct ps_fold_set *stacks;
	const struct ps_flamegraph_opts *draw;
	const struct ps_speedscope_folded_opts *speedscope;   /* NULL: SVG */
};

/* A speedscope file's name: --title, else the input's file name, without its directory. */
static const char *speedscope_name(const struct fg_options *o)
{
	if (o->draw.title)
		return o->draw.title;
	return !o->input || strcmp(o->input, "-") == 0 ? "standard input" : ps_basename(o->input);
}

static int write_graph(FILE *fp, const void *ctx)
{
	const struct fg_output *w = ctx;

	if (w->speedscope)
		return ps_speedscope_folded(fp, w->stacks, w->speedscope);
	return ps_flamegraph_svg(fp, w->stacks, w->draw, NULL);
}

int cmd_flamegraph(int argc, char **argv)
{
	struct fg_options o;
	struct ps_error err = { 0 };
	struct ps_fold_set stacks = { 0 };
	struct ps_speedscope_folded_opts ss = { .exporter = "perfscope " PERFSCOPE_VERSION };
	const char *unit = NULL;
	int rc = parse_options(argc, argv, &o);

	if (rc)
		return rc < 0 ? 0 : rc;
	/* for speedscope, a report's stacks start with their thread: a profile each */
	rc = cli_load_stacks(&stacks, o.input,
			     &(struct ps_fold_opts){ .weight = o.weight, .by_thread = o.format == FORMAT_SPEEDSCOPE },
			     &unit, &err);
	ss.profile_per_first_frame = unit != NULL;
	o.draw.unit = o.unit ? o.unit : unit;
	ss.unit = ps_speedscope_unit(o.draw.unit ? o.draw.unit : "samples");
	ss.name = speedscope_name(&o);
	if (rc == 0)
		rc = cli_write_output(o.output, write_graph,
				      &(struct fg_output){ &stacks, &o.draw, o.format == FORMAT_SPEEDSCOPE ? &ss : NULL },
				      &err);
	ps_fold_release(&stacks);
	return rc < 0 ? cli_fail(&err) : 0;
}
