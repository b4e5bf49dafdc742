/*
 * perfscope cpu-profile: sample a program's CPU stacks and write them as
 * folded stacks, JSON, a flame graph, speedscope's, pprof's or perf
 * script's format, then print a short summary on stderr.
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "session/ps_cpuprof.h"
#include "base/ps_outfile.h"
#include "report/ps_report.h"
#include "base/ps_util.h"
#include "cli.h"

#define DEFAULT_FREQUENCY 99
#define KILL_GRACE_S 2.0

const char cmd_cpu_profile_help[] =
	"Usage: perfscope cpu-profile [OPTIONS] [--] CMD [ARGS...]\n"
	"       perfscope cpu-profile [OPTIONS] --pid PID\n"
	"\n"
	"Sample the CPU stacks of a program (launched, or attached with --pid) and\n"
	"write them as folded stacks for flame graphs, as JSON, or for other tools.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE      where to write (default: perfscope-NAME-PID.folded in\n"
	"                         the current directory); checked before the target starts\n"
	"      --format FMT       folded, json, svg (an interactive flame graph),\n"
	"                         speedscope (its JSON file format, a profile per thread),\n"
	"                         pprof (gzipped profile.proto: pprof, Pyroscope, Parca,\n"
	"                         Grafana) or perf-script (perf script's text: speedscope,\n"
	"                         Firefox Profiler, inferno, stackcollapse-perf.pl);\n"
	"                         default: from the FILE extension (.folded, .json, .svg,\n"
	"                         .speedscope.json, .pb.gz, .perf-script or .perf.txt),\n"
	"                         else folded\n"
	"  -F, --frequency HZ     samples per second per thread (default 99)\n"
	"  -d, --duration SECS    stop after SECS seconds; a launched target then gets\n"
	"                         SIGTERM, and SIGKILL 2 s later, unless --keep-running\n"
	"  -p, --pid PID          attach to a running process and all its threads; it\n"
	"                         keeps running afterwards\n"
	"      --keep-running     at the end of --duration, leave a launched target running\n"
	"      --per-thread       folded output: thread name after the process name\n"
	"      --no-kernel        do not record kernel frames\n"
	"      --call-graph MODE  dwarf, fp or auto (default auto: DWARF where the kernel\n"
	"                         copies user stacks, else frame pointers)\n"
	"      --stack-size BYTES user stack copied per sample for DWARF (default 32768,\n"
	"                         a multiple of 8 up to 65528)\n"
	"      --demangle STYLE   C++ and Rust names: short (default: qualified name and\n"
	"                         template arguments), full (with parameters), none\n"
	"      --no-demangle      the same as --demangle none\n"
	"      --sampler KIND     perf (perf_event_open), ptrace, or auto (default: perf,\n"
	"                         and ptrace with a notice where perf events are refused)\n"
	"      --repeat N         run the command N times (Ctrl-C ends the series); the\n"
	"                         output is the last run's, and a JSON one keeps every\n"
	"                         run's figures in \"runs\", which --baseline compares\n"
	"                         with the Mann-Whitney U test\n"
	CLI_BASELINE_HELP
	"  -q, --quiet            no live status line and no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"The target starts stopped at its exec, sampling is armed before its first\n"
	"instruction, and perfscope exits with the target's exit status (128+N if\n"
	"signal N killed it); when that is 0, with --fail-on-regression, 8 for a\n"
	"regression and 9 for an inconclusive timing (the figures of a CPU profile,\n"
	"its duration and each function's share, are all timings).  Ctrl-C stops\n"
	"sampling and still writes the output.  Exit codes of perfscope itself:\n"
	"1 internal error, 2 usage, 3 no such process, 4 profiling not permitted,\n"
	"5 output not writable, 6 the baseline unreadable or not a cpu-profile JSON\n"
	"report, 126 not executable, 127 command not found.\n";

struct cpu_options {
	const char *output;
	const struct ps_report_writer *writer;
	unsigned frequency;
	double duration;
	pid_t pid;
	bool keep_running, per_thread, no_kernel, quiet;
	enum ps_demangle_style demangle;
	enum ps_call_graph call_graph;
	enum ps_sampler_kind sampler;
	unsigned stack_size;
	char **argv;
	unsigned long repeat;
	struct cli_baseline baseline;
	cJSON *runs;                  /* --repeat: the figures of the runs so far */
};

enum { OPT_FORMAT = 256, OPT_KEEP_RUNNING, OPT_PER_THREAD, OPT_NO_KERNEL, OPT_CALL_GRAPH,
       OPT_STACK_SIZE, OPT_NO_DEMANGLE, OPT_DEMANGLE, OPT_SAMPLER, OPT_REPEAT };

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "frequency", required_argument, NULL, 'F' },
	{ "duration", required_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'p' },
	{ "keep-running", no_argument, NULL, OPT_KEEP_RUNNING },
	{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
	{ "stack-size", required_argument, NULL, OPT_STACK_SIZE },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "sampler", required_argument, NULL, OPT_SAMPLER },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	CLI_BASELINE_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Option values, in the order of their enums (checked at compile time). */
static const char *const sampler_names[] = {
	[PS_SAMPLER_AUTO] = "auto", [PS_SAMPLER_PERF] = "perf", [PS_SAMPLER_PTRACE] = "ptrace",
};
_Static_assert(sizeof(sampler_names) / sizeof(sampler_names[0]) == 3, "sampler names");

/* Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct cpu_options *o)
{
	unsigned long v;
	int c, choice;

	o->frequency = DEFAULT_FREQUENCY;
	optind = 1;
	opterr = 0;
	/* '+': options end at the command, so its own options are left alone. */
	while ((c = getopt_long(argc, argv, "+o:F:d:p:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case OPT_FORMAT:
			o->writer = ps_report_by_name(optarg);
			if (!o->writer)
				return cli_usage_error("cpu-profile",
						       "unknown --format '%s' (use folded, json, svg, speedscope, "
						       "pprof or perf-script)", optarg);
			break;
		case 'F':
			if (cli_parse_uint(optarg, 100000, &v) < 0)
				return cli_usage_error("cpu-profile",
						       "--frequency takes a whole number of Hz from 1 to 100000, not '%s'",
						       optarg);
			o->frequency = (unsigned)v;
			break;
		case 'd':
			if (cli_parse_duration("cpu-profile", optarg, &o->duration))
				return EXIT_USAGE;
			break;
		case 'p':
			if (cli_parse_pid("cpu-profile", optarg, &o->pid))
				return EXIT_USAGE;
			break;
		case OPT_CALL_GRAPH:
			if ((choice = cli_parse_choice(optarg, cli_call_graph_names, 3)) < 0)
				return cli_usage_error("cpu-profile",
						       "unknown --call-graph '%s' (use dwarf, fp or auto)", optarg);
			o->call_graph = (enum ps_call_graph)choice;
			break;
		case OPT_STACK_SIZE:
			if (cli_parse_uint(optarg, 65528, &v) < 0 || v % 8 || v < 64)
				return cli_usage_error("cpu-profile",
						       "--stack-size takes a multiple of 8 from 64 to 65528, not '%s'",
						       optarg);
			o->stack_size = (unsigned)v;
			break;
		case OPT_KEEP_RUNNING: o->keep_running = true; break;
		case OPT_PER_THREAD: o->per_thread = true; break;
		case OPT_NO_KERNEL: o->no_kernel = true; break;
		case OPT_NO_DEMANGLE: o->demangle = PS_DEMANGLE_NONE; break;
		case OPT_DEMANGLE:
			if (cli_parse_demangle("cpu-profile", optarg, &o->demangle))
				return EXIT_USAGE;
			break;
		case OPT_SAMPLER:
			if ((choice = cli_parse_choice(optarg, sampler_names, 3)) < 0)
				return cli_usage_error("cpu-profile",
						       "unknown --sampler '%s' (use perf, ptrace or auto)", optarg);
			o->sampler = (enum ps_sampler_kind)choice;
			break;
		case OPT_REPEAT:
			if (cli_parse_uint(optarg, 1000, &o->repeat) < 0 || o->repeat < 1)
				return cli_usage_error("cpu-profile", "--repeat takes a number of runs "
						       "(1 to 1000), not '%s'", optarg);
			break;
		case CLI_OPT_BASELINE:
		case CLI_OPT_FAIL_ON_REGRESSION:
			if (cli_baseline_option(&o->baseline, "cpu-profile", c, optarg))
				return EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'h':
			fputs(cmd_cpu_profile_help, stdout);
			return 0;
		case ':':
			return cli_usage_error("cpu-profile", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("cpu-profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->argv && !o->pid)
		return cli_usage_error("cpu-profile", "give a command to run, or --pid PID");
	if (o->argv && o->pid)
		return cli_usage_error("cpu-profile", "give either a command or --pid, not both");
	if (o->keep_running && !o->argv)
		return cli_usage_error("cpu-profile", "--keep-running applies to a launched command");
	if (o->repeat > 1 && (o->pid || o->keep_running))
		return cli_usage_error("cpu-profile", "--repeat runs a command again and again: not "
				       "with --pid or --keep-running");
	if (!o->repeat)
		o->repeat = 1;
	if (cli_baseline_check_usage(&o->baseline, "cpu-profile"))
		return EXIT_USAGE;
	return -1;
}

static void show_progress(const struct ps_cpuprof_progress *pr, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\rperfscope: %.0f s, %llu samples, %llu lost\033[K", pr->elapsed_s,
		(unsigned long long)pr->samples, (unsigned long long)pr->lost);
}

static const char *target_name(const struct cpu_options *o)
{
	static char comm[64];
	char path[64], *text;

	if (o->argv)
		return ps_basename(o->argv[0]);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)o->pid);
	text = ps_read_file(path, NULL);
	snprintf(comm, sizeof(comm), "%s", text ? text : "process");
	comm[strcspn(comm, "\n")] = '\0';
	free(text);
	return comm;
}

static void print_summary(const struct ps_cpu_run *p, const struct cpu_options *o,
			  const char *output, struct cli_usage use)
{
	const struct ps_cpureport *r = p->report;
	const struct ps_run *run = &p->run;
	double secs = ps_run_seconds(run);

	fprintf(stderr, "perfscope: cpu-profile of '%s' (pid %d): %.2f s, %llu samples "
		"(%s at %u Hz), %llu lost\n", target_name(o), (int)run->pid, secs,
		(unsigned long long)p->counts.samples, p->sampling.event, p->sampling.frequency,
		(unsigned long long)p->counts.lost);
	for (size_t i = 0; i < run->notes.n; i++)
		fprintf(stderr, "  note: %s\n", run->notes.items[i].text);
	fprintf(stderr, "  stack completeness %.1f%% (%s unwinding), %llu truncated stacks, "
		"%llu throttle events\n", 100.0 * ps_cpureport_completeness(r), p->sampling.unwinder,
		(unsigned long long)r->truncated, (unsigned long long)p->counts.throttles);
	if (r->total && r->truncated * 100 >= r->total)
		fprintf(stderr, "  note: %.0f%% of stacks were truncated: try --stack-size 65528 or a "
			"lower frequency\n", 100.0 * (double)r->truncated / (double)r->total);
	cli_note_unsampled(p);
	cli_note_pooled(p->stacks->pooled, p->counts.samples,
			p->stacks->max_bytes ? p->stacks->max_bytes : PS_STACKS_DEFAULT_MAX_BYTES);
	cli_print_top_functions(p, 10, true);
	fprintf(stderr, "  perfscope: %.3f s CPU while sampling (%.2f%% of one core) + %.3f s to "
		"symbolize and write, peak RSS %.1f MB\n", p->counts.sampling_cpu_s,
		secs > 0 ? 100.0 * p->counts.sampling_cpu_s / secs : 0.0, use.cpu_s - p->counts.sampling_cpu_s,
		(double)use.peak_rss_kb / 1024.0);
	if (output)
		fprintf(stderr, "  wrote %s (%s) %.3f s after sampling ended\n",
			strcmp(output, "-") == 0 ? "standard output" : output, o->writer->name,
			(double)(ps_now_ns() - run->end_ns) / 1e9);
	cli_baseline_print(stderr, &o->baseline, false);
}

/* The JSON report as it is written: the series' figures, then the comparison. */
static void amend_report(cJSON *report, void *ctx)
{
	struct cpu_options *o = ctx;

	if (o->runs) {
		cJSON_AddItemToArray(o->runs, ps_compare_figures(report));
		cJSON_AddItemToObject(report, "runs", cJSON_Duplicate(o->runs, 1));
	}
	cli_baseline_amend(report, &o->baseline);
}

/* Folded output: a JSON report is made only for the series and the comparison. */
static void amend_unwritten(const struct ps_cpu_run *run, struct cpu_options *o,
			    const struct ps_report_opts *ropts)
{
	cJSON *report;

	if ((!o->baseline.root && !o->runs) || o->writer == &ps_report_json)
		return;
	report = ps_report_json_cpu(run, ropts);
	if (report)
		amend_report(report, o);
	cJSON_Delete(report);
}

static char *default_output(const struct cpu_options *o, pid_t pid)
{
	char *path = NULL;

	if (asprintf(&path, "perfscope-%s-%d%s", target_name(o), (int)pid, o->writer->extension) < 0)
		return NULL;
	return path;
}

/* PERFSCOPE_PERF_SCRIPT_MAX_SAMPLES, or 0 for the writer's default. */
static uint64_t perf_script_max_samples(void)
{
	const char *v = getenv("PERFSCOPE_PERF_SCRIPT_MAX_SAMPLES");
	unsigned long n;

	return v && cli_parse_uint(v, 1000000000, &n) == 0 && n > 0 ? n : 0;
}

/*
 * One run.  The target's exit status (or perfscope's own failure, said);
 * *used is the output written (malloc'ed), so that a series reuses it.
 */
static int profile(struct cpu_options *o, bool quiet, char **used)
{
	struct ps_cpuprof_config cfg = {
		.argv = o->argv, .attach_pid = o->pid, .frequency = o->frequency,
		.duration_s = o->duration, .kernel_frames = !o->no_kernel,
		.call_graph = o->call_graph, .stack_size = o->stack_size,
		.demangle = o->demangle, .sampler = o->sampler,
		.keep_running = o->keep_running, .kill_grace_s = KILL_GRACE_S, .stop = &cli_stop_signal, .hurry = &cli_hurry,
	};
	struct ps_report_opts ropts = { .per_thread = o->per_thread, .version = PERFSCOPE_VERSION,
					.amend = amend_report, .amend_ctx = o,
					.perf_script_max_samples = perf_script_max_samples() };
	struct ps_error err = { 0 };
	struct ps_cpuprof p;
	char *output = o->output ? strdup(o->output) : default_output(o, 0);
	/* perfscope's own cost is this run's, not the series' */
	struct cli_usage before = cli_own_usage(), use;
	int rc, status;

	if (cli_max_stack_bytes(&cfg.max_stack_bytes) < 0) {
		free(output);
		return EXIT_USAGE;
	}

	if (!output)
		return EXIT_INTERNAL;
	/* A long run must never end on an output that cannot be written. */
	rc = ps_outfile_check(output, &err);
	if (rc < 0) {
		free(output);
		return cli_fail(&err);
	}
	if (!quiet && isatty(STDERR_FILENO))
		cfg.progress = show_progress;
	cli_install_stop_signals();
	rc = ps_cpuprof_init(&p, &cfg, &err);
	if (rc == 0)
		rc = ps_cpuprof_run(&p, &err);
	if (rc < 0) {
		ps_cpuprof_release(&p);
		free(output);
		return cli_fail(&err);
	}
	if (cfg.progress)
		fprintf(stderr, "\r\033[K");
	rc = ps_cpuprof_finish(&p, &err);
	status = ps_run_exit_status(&p.run.run);
	if (!o->output) {
		free(output);
		output = default_output(o, p.run.run.pid);
	}
	cli_note_hurried(p.run.symbols && p.run.symbols->hurried);
	ropts.perfscope_cpu_s = cli_own_usage().cpu_s - before.cpu_s;
	if (rc == 0)
		rc = ps_report_write(o->writer, output, &p.run, &ropts, &err);
	if (rc == 0)
		amend_unwritten(&p.run, o, &ropts);
	use = cli_own_usage();
	use.cpu_s -= before.cpu_s;
	if (!quiet)
		print_summary(&p.run, o, rc == 0 ? output : NULL, use);
	if (rc < 0)
		status = cli_fail(&err);
	ps_cpuprof_release(&p);
	*used = output;
	return status;
}

/*
 * --repeat: the runs one after another into the same output (the first
 * run's name), until one fails or Ctrl-C; the gate judges the last.
 */
static int run_series(struct cpu_options *o)
{
	char *named = NULL;   /* the default output name: the first run's */
	unsigned long done = 0;
	int status = 0;

	while (done < o->repeat && !cli_stop_signal) {
		char *used = NULL;

		status = profile(o, o->quiet || done + 1 < o->repeat, &used);
		done++;
		if (!o->output && used)
			o->output = named = used;
		else
			free(used);
		if (status != 0)
			break;
	}
	if (o->repeat > 1 && !o->quiet)
		fprintf(stderr, "  %lu of %lu runs%s\n", done, o->repeat, o->writer == &ps_report_json ?
			"; the figures of each are in the JSON's \"runs\"" : "");
	if (status == 0)
		status = cli_baseline_status(&o->baseline);
	if (named)
		o->output = NULL;
	free(named);
	return status;
}

int cmd_cpu_profile(int argc, char **argv)
{
	struct cpu_options o = { 0 };
	struct ps_error err = { 0 };
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	if (!o.writer)
		o.writer = o.output ? ps_report_for_path(o.output) : &ps_report_folded;
	/* a baseline that cannot be compared stops the run before it starts */
	if (cli_baseline_load(&o.baseline, "cpu-profile", &err) < 0)
		return cli_fail(&err);
	if (o.repeat > 1 && !(o.runs = cJSON_CreateArray())) {
		cli_baseline_release(&o.baseline);
		return EXIT_INTERNAL;
	}
	rc = run_series(&o);
	cJSON_Delete(o.runs);
	cli_baseline_release(&o.baseline);
	return rc;
}
