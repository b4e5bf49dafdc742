/*
 * perfscope profile: the whole picture in one run: on-CPU stacks, system
 * calls, process and machine metrics; written into a directory, with a
 * summary on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/ps_outfile.h"
#include "session/ps_profile.h"
#include "report/ps_profreport.h"
#include "report/ps_report.h"
#include "base/ps_util.h"

#define KILL_GRACE_S 2.0
#define DEFAULT_FREQUENCY 99

const char cmd_profile_help[] =
	"Usage: perfscope profile [options] [--] COMMAND [ARGS...]\n"
	"       perfscope profile [options] --pid PID\n"
	"\n"
	"Run COMMAND (or watch process PID) and record, in one run, where its time\n"
	"goes: on-CPU stacks, off-CPU stacks (where threads wait, for how long and\n"
	"why), every system call (count, errors, latency percentiles, bytes) and\n"
	"its process and machine metrics over time.\n"
	"Sections the kernel or the permissions refuse are left out with a note;\n"
	"the rest is written.\n"
	"\n"
	"Options:\n"
	"  -o, --output-dir DIR   where to write (default: a new directory\n"
	"                         perfscope-profile-NAME-YYYYMMDD-HHMMSS)\n"
	"  -d, --duration SECS    stop after SECS seconds; a launched target then gets\n"
	"                         SIGTERM, and SIGKILL 2 s later\n"
	"  -p, --pid PID          profile a running process (it keeps running)\n"
	"  -F, --frequency HZ     on-CPU samples per second per thread (default 99)\n"
	"      --interval SECS    read process and machine metrics this often\n"
	"                         (default 1, at least 0.1)\n"
	"      --no-syscalls      do not trace system calls\n"
	"      --no-offcpu        do not record where threads wait\n"
	"      --demangle STYLE   C++ and Rust names: short (default: qualified name and\n"
	"                         template arguments), full (with parameters), none\n"
	"      --no-demangle      the same as --demangle none\n"
	"      --call-graph MODE  dwarf, fp or auto (default auto: DWARF where the kernel\n"
	"                         copies user stacks); fp walks frame pointers for on- and\n"
	"                         off-CPU stacks, with a 512-byte stack copy at each\n"
	"                         context switch to step out of libc's frameless system\n"
	"                         call wrappers: cheaper per switch, for programs built\n"
	"                         with frame pointers\n"
	"      --no-html          do not write report.html\n"
	"      --repeat N         run the command N times; report.json is the last run's,\n"
	"                         with every run's figures in \"runs\", so that\n"
	"                         'perfscope recommend' can test timings for significance\n"
	CLI_BASELINE_HELP
	CLI_RULES_HELP
	"  -q, --quiet            no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Files written: report.json (everything); for flame graphs, cpu.folded\n"
	"(on-CPU samples), offcpu.folded (blocked nanoseconds, the reason as the\n"
	"leaf) and wall.folded (both, in nanoseconds), and each drawn as an\n"
	"interactive SVG flame graph: cpu.svg, offcpu.svg, wall.svg; and report.html,\n"
	"all of it as one page to open in a browser (score, findings, flame graphs,\n"
	"tables, charts of the metrics), which needs no other file.\n"
	"\n"
	"perfscope exits with the target's exit status (128+N if signal N killed it);\n"
	"when that is 0, with --fail-on-regression, 8 for a regression and 9 for an\n"
	"inconclusive timing.  Ctrl-C stops the target and still writes the reports.\n"
	"Exit codes of perfscope itself: 1 internal error, 2 usage, 3 no such\n"
	"process, 4 profiling not permitted, 5 output not writable, 6 the baseline\n"
	"unreadable or not a profile report, or a rules or config file unreadable or\n"
	"malformed, 126 not executable, 127 command not found.\n";

struct prof_options {
	const char *output_dir;
	double duration, interval;
	pid_t pid;
	unsigned long frequency, repeat;
	int call_graph;
	bool quiet, no_syscalls, no_offcpu, no_html;
	enum ps_demangle_style demangle;
	char **argv;
	struct cli_baseline baseline;
	struct cli_rules_options rule_opts;
	struct ps_rules rules;        /* loaded from rule_opts before the run */
};

enum { OPT_NO_DEMANGLE = 256, OPT_DEMANGLE, OPT_INTERVAL, OPT_NO_SYSCALLS, OPT_NO_OFFCPU, OPT_REPEAT,
       OPT_CALL_GRAPH, OPT_NO_HTML };

static const struct option long_options[] = {
	{ "output-dir", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'p' },
	{ "frequency", required_argument, NULL, 'F' },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "no-syscalls", no_argument, NULL, OPT_NO_SYSCALLS },
	{ "no-offcpu", no_argument, NULL, OPT_NO_OFFCPU },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "no-html", no_argument, NULL, OPT_NO_HTML },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "call-graph", required_argument, NULL, OPT_CALL_GRAPH },
	CLI_BASELINE_OPTIONS,
	CLI_RULES_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct prof_options *o)
{
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:d:p:F:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output_dir = optarg;
			break;
		case 'd':
			if (cli_parse_duration("profile", optarg, &o->duration))
				return EXIT_USAGE;
			break;
		case 'p':
			if (cli_parse_pid("profile", optarg, &o->pid))
				return EXIT_USAGE;
			break;
		case 'F':
			if (cli_parse_uint(optarg, 100000, &o->frequency) < 0)
				return cli_usage_error("profile",
						       "--frequency takes samples per second (1 to 100000), not '%s'",
						       optarg);
			break;
		case OPT_INTERVAL:
			if (cli_parse_double(optarg, &o->interval) < 0 || o->interval < 0.1)
				return cli_usage_error("profile",
						       "--interval takes a number of seconds of at least 0.1, not '%s'",
						       optarg);
			break;
		case OPT_REPEAT:
			if (cli_parse_uint(optarg, 1000, &o->repeat) < 0 || o->repeat < 1)
				return cli_usage_error("profile", "--repeat takes a number of runs (1 to 1000), "
						       "not '%s'", optarg);
			break;
		case OPT_CALL_GRAPH:
			if ((o->call_graph = cli_parse_choice(optarg, cli_call_graph_names, 3)) < 0)
				return cli_usage_error("profile",
						       "unknown --call-graph '%s' (use dwarf, fp or auto)", optarg);
			break;
		case CLI_OPT_BASELINE:
		case CLI_OPT_FAIL_ON_REGRESSION:
			if (cli_baseline_option(&o->baseline, "profile", c, optarg))
				return EXIT_USAGE;
			break;
		case CLI_OPT_RULES:
		case CLI_OPT_SET:
		case CLI_OPT_CONFIG:
			if (cli_rules_option(&o->rule_opts, "profile", c, optarg))
				return EXIT_USAGE;
			break;
		case OPT_NO_SYSCALLS: o->no_syscalls = true; break;
		case OPT_NO_OFFCPU: o->no_offcpu = true; break;
		case OPT_NO_DEMANGLE: o->demangle = PS_DEMANGLE_NONE; break;
		case OPT_DEMANGLE:
			if (cli_parse_demangle("profile", optarg, &o->demangle))
				return EXIT_USAGE;
			break;
		case OPT_NO_HTML: o->no_html = true; break;
		case 'q': o->quiet = true; break;
		case 'h':
			fputs(cmd_profile_help, stdout);
			return 0;
		case ':':
			return cli_usage_error("profile", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->argv && !o->pid)
		return cli_usage_error("profile", "give a command to run, or --pid PID");
	if (o->argv && o->pid)
		return cli_usage_error("profile", "give either a command or --pid, not both");
	if (o->pid && o->repeat > 1)
		return cli_usage_error("profile", "--repeat runs a command again: it needs a command, "
				       "not --pid");
	if (!o->repeat)
		o->repeat = 1;
	if (cli_baseline_check_usage(&o->baseline, "profile"))
		return EXIT_USAGE;
	return -1;
}

/* Section id's note, "" for none. */
static const char *section_note(const struct ps_profile_run *r, const char *id)
{
	const char *note = ps_notes_get(&r->notes, id);

	return note ? note : "";
}

static void print_syscalls(const struct ps_profile_run *r)
{
	const struct ps_profile_syscalls *sc = &r->syscalls;
	size_t n;
	int *order;

	if (!sc->collected) {
		fprintf(stderr, "  system calls: not traced: %s\n", section_note(r, "syscalls"));
		return;
	}
	order = ps_syscall_order(sc->stats, &n);
	fprintf(stderr, "  system calls: %llu traced%s; by total time:\n",
		(unsigned long long)sc->events / 2,
		sc->lost ? " (some lost: the report is marked incomplete)" : "");
	for (size_t i = 0; order && i < n && i < 8; i++) {
		const struct ps_syscall_stat *st = &sc->stats[order[i]];
		char buf[32];

		fprintf(stderr, "   %-16s %9llu calls %10.3f s  p50 %8.1f us  p99 %9.1f us%s\n",
			ps_syscall_name(order[i], buf, sizeof(buf)), (unsigned long long)st->count,
			(double)st->total_ns / 1e9, (double)ps_syscall_quantile(st, 0.5) / 1e3,
			(double)ps_syscall_quantile(st, 0.99) / 1e3, st->errors ? "  (errors)" : "");
	}
	free(order);
}

static void print_offcpu(const struct ps_profile_run *run)
{
	struct ps_offcpu_totals tot;
	bool first = true;

	if (!run->offcpu.collected) {
		fprintf(stderr, "  off CPU: not recorded: %s\n", section_note(run, "offcpu"));
		return;
	}
	ps_offcpu_totals(run->offcpu.threads, run->offcpu.nthreads, &tot);
	fprintf(stderr, "  off CPU: %.3f s blocked (", (double)tot.blocked_ns / 1e9);
	for (int r = 0; r < PS_OFF_REASONS; r++) {
		if (!tot.reason_ns[r])
			continue;
		fprintf(stderr, "%s%s %.3f s", first ? "" : ", ", ps_offcpu_reason_names[r],
			(double)tot.reason_ns[r] / 1e9);
		first = false;
	}
	fprintf(stderr, "), %.3f s runnable but waiting for a CPU\n", (double)tot.runnable_ns / 1e9);
	if (section_note(run, "offcpu")[0])
		fprintf(stderr, "  note: %s\n", section_note(run, "offcpu"));
}

/* The diagnosis's score and findings, most severe first. */
static void print_diagnosis(const struct ps_diagnosis *d)
{
	if (!d->n)
		return;
	if (d->overall_measured)
		fprintf(stderr, "  diagnosis: score %.0f/100", d->overall);
	else
		fprintf(stderr, "  diagnosis: no rule applied");
	fprintf(stderr, d->nfindings ? "\n" : ", nothing found\n");
	for (size_t i = 0; i < d->nfindings && i < 5; i++)
		fprintf(stderr, "   [%s] %s\n", ps_severity_names[d->results[i].severity],
			d->results[i].summary);
	if (d->nfindings)
		fprintf(stderr, "   (what to do: perfscope recommend --metrics REPORT)\n");
}

/* "profile of 'make' (pid N): ...", and which process took the most CPU when it is another one. */
static void print_headline(const struct ps_profile_run *r)
{
	const struct ps_cpu_run *c = r->cpu;
	const struct ps_proc_row *target = ps_proc_table_find(&r->procs, (uint32_t)c->run.pid);
	const struct ps_proc_row *busiest = r->procs.n ? &r->procs.rows[0] : NULL;
	const char *name = target && target->name[0] ? target->name :
			   c->run.argv ? ps_basename(c->run.argv[0]) : "?";

	fprintf(stderr, "perfscope: profile of '%s' (pid %d): %.2f s, %llu on-CPU samples", name, (int)c->run.pid,
		ps_run_seconds(&c->run), (unsigned long long)c->counts.samples);
	if (busiest && busiest != target && busiest->samples)
		fprintf(stderr, ", the most in '%s' (pid %u)", busiest->name, busiest->pid);
	fputc('\n', stderr);
}

#define PROCESS_ROWS 5

/* One process's figures on a line: what each collector measured of it. */
static void print_process(const struct ps_profile_run *r, const struct ps_proc_row *p)
{
	char rss[32];

	fprintf(stderr, "   %6.1f%%  %s (pid %u", r->procs.samples ? 100.0 * (double)p->samples / (double)r->procs.samples : 0,
		p->name[0] ? p->name : "?", p->pid);
	if (p->ppid)
		fprintf(stderr, ", parent %u", p->ppid);
	fputc(')', stderr);
	if (p->sched)
		fprintf(stderr, ": %.2f s CPU", (double)p->cpu_ns / 1e9);
	if (r->syscalls.collected)
		fprintf(stderr, ", %llu system calls",
			(unsigned long long)(p->syscalls ? p->syscalls->calls : 0));
	if (r->offcpu.collected)
		fprintf(stderr, ", %.2f s blocked", (double)p->blocked_ns / 1e9);
	if (p->peak_rss_kb)
		fprintf(stderr, ", peak RSS %s", cli_human_bytes(p->peak_rss_kb * 1024, rss, sizeof(rss)));
	if (p->top_function)
		fprintf(stderr, "; most in %s", p->top_function);
	fputc('\n', stderr);
}

/* Several processes: each one's figures, most on-CPU samples first. */
static void print_processes(const struct ps_profile_run *r)
{
	if (r->procs.n < 2)
		return;
	fprintf(stderr, "  by process, share of the on-CPU samples first:\n");
	for (size_t i = 0; i < PROCESS_ROWS && i < r->procs.n; i++)
		print_process(r, &r->procs.rows[i]);
	if (r->procs.n > PROCESS_ROWS)
		fprintf(stderr, "   ... and %zu more (report.json's processes)\n", r->procs.n - PROCESS_ROWS);
}

static void print_summary(const struct ps_profile_run *r, const struct ps_diagnosis *d,
			  const struct cli_baseline *baseline, const char *dir, bool html)
{
	const struct ps_cpu_run *c = r->cpu;
	struct cli_usage use = cli_own_usage();

	print_headline(r);
	for (size_t i = 0; i < c->run.notes.n; i++)
		fprintf(stderr, "  note: %s\n", c->run.notes.items[i].text);
	if (section_note(r, "tracefs_note")[0])
		fprintf(stderr, "  note: %s\n", section_note(r, "tracefs_note"));
	cli_note_unsampled(c);
	cli_note_pooled(c->stacks->pooled, c->counts.samples,
			c->stacks->max_bytes ? c->stacks->max_bytes : PS_STACKS_DEFAULT_MAX_BYTES);
	cli_print_top_functions(c, 5, false);
	print_processes(r);
	print_offcpu(r);
	print_syscalls(r);
	if (!r->metrics.collected)
		fprintf(stderr, "  metrics: not read: %s\n", section_note(r, "metrics"));
	print_diagnosis(d);
	cli_baseline_print(stderr, baseline, false);
	fprintf(stderr, "  perfscope: %.3f s CPU, peak RSS %.1f MB\n", use.cpu_s,
		(double)use.peak_rss_kb / 1024.0);
	if (dir)
		fprintf(stderr, "  wrote %s/: %sreport.json, flame graphs cpu.svg, offcpu.svg, wall.svg "
			"(and their .folded stacks)\n", dir, html ? "report.html (all of it, one page), " : "");
}

/*
 * One profile into dir.  0 with *status the target's exit status, or the
 * exit code of perfscope's own failure (after saying it).
 */
static int profile_once(struct prof_options *o, const char *dir, bool quiet, cJSON *runs,
			int *status)
{
	struct ps_profile_config cfg = {
		.cpu = {
			.argv = o->argv, .attach_pid = o->pid,
			.frequency = o->frequency ? (unsigned)o->frequency : DEFAULT_FREQUENCY,
			.duration_s = o->duration, .kernel_frames = true,
			.call_graph = (enum ps_call_graph)o->call_graph, .demangle = o->demangle,
			.sampler = PS_SAMPLER_AUTO, .kill_grace_s = KILL_GRACE_S,
			.stop = &cli_stop_signal, .hurry = &cli_hurry,
		},
		.interval_s = o->interval, .no_syscalls = o->no_syscalls, .no_offcpu = o->no_offcpu,
	};
	struct ps_diagnosis diagnosis = { 0 };
	struct ps_profreport_opts ropts = { .version = PERFSCOPE_VERSION, .diagnosis = &diagnosis,
					    .runs = runs, .amend = cli_baseline_amend,
					    .amend_ctx = &o->baseline, .rules = &o->rules,
					    .no_html = o->no_html };
	struct ps_error err = { 0 };
	struct ps_profile *p;
	int rc;

	if (cli_max_stack_bytes(&cfg.cpu.max_stack_bytes) < 0)
		return EXIT_USAGE;
	p = calloc(1, sizeof(*p));
	if (!p)
		return EXIT_INTERNAL;
	rc = ps_profile_init(p, &cfg, &err);
	if (rc == 0)
		rc = ps_profile_run(p, &err);
	if (rc < 0) {
		ps_profile_release(p);
		free(p);
		return cli_fail(&err);
	}
	rc = ps_profile_finish(p, &err);
	*status = ps_run_exit_status(&p->run.cpu->run);
	cli_note_hurried(p->run.cpu->symbols && p->run.cpu->symbols->hurried);
	ropts.perfscope_cpu_s = cli_own_usage().cpu_s;
	if (rc == 0)
		rc = ps_profreport_write_all(&p->run, dir, &ropts, &err);
	if (!quiet)
		print_summary(&p->run, &diagnosis, &o->baseline, rc == 0 ? dir : NULL, !o->no_html);
	ps_diagnosis_release(&diagnosis);
	ps_profile_release(p);
	free(p);
	return rc < 0 ? cli_fail(&err) : 0;
}

static int run(struct prof_options *o)
{
	struct ps_error err = { 0 };
	char *dir = NULL;
	/* --repeat: each run's report carries the figures of the series so far */
	cJSON *runs = NULL;
	unsigned long done = 0;
	int rc, status = 0;
	bool created = false;

	/* rules or a baseline that cannot be used stop the run before it starts */
	ps_rules_init(&o->rules);
	if (cli_load_rules(&o->rules, &o->rule_opts, &err) < 0 ||
	    cli_baseline_load(&o->baseline, "profile", &err) < 0) {
		ps_rules_release(&o->rules);
		return cli_fail(&err);
	}
	dir = o->output_dir ? strdup(o->output_dir) : cli_default_dir("profile", o->argv, o->pid);
	runs = o->repeat > 1 ? cJSON_CreateArray() : NULL;
	if (!dir || (o->repeat > 1 && !runs)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	rc = cli_prepare_output_dir(dir, "report.json", &created, &err);
	if (rc < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	cli_install_stop_signals();
	/* --repeat: the same run again; Ctrl-C ends the series */
	while (done < o->repeat && !cli_stop_signal) {
		bool last = done + 1 == o->repeat;

		rc = profile_once(o, dir, o->quiet || !last, runs, &status);
		if (rc)
			break;
		done++;
	}
	if (done == 0 && created)
		rmdir(dir);	/* nothing ran: no empty directory of ours left behind */
	if (rc == 0 && o->repeat > 1 && !o->quiet)
		fprintf(stderr, "  %lu of %lu runs; the figures of each are in report.json \"runs\"\n",
			done, o->repeat);
	/* the program's own failure says more than a comparison of its figures */
	if (rc == 0 && status == 0)
		status = cli_baseline_status(&o->baseline);
out:
	cli_baseline_release(&o->baseline);
	ps_rules_release(&o->rules);
	cJSON_Delete(runs);
	free(dir);
	return rc ? rc : status;
}

int cmd_profile(int argc, char **argv)
{
	struct prof_options o = { 0 };
	int rc = parse_options(argc, argv, &o);

	if (rc >= 0)
		return rc;
	return run(&o);
}
