/*
 * The perfscope command: dispatch table and what subcommands share.
 * Only cli/ prints to the terminal and chooses exit codes; lib/ returns
 * errors up to here.
 *
 * Adding a subcommand:
 *   1. cli/cmd-NAME.c exporting `int cmd_NAME(int argc, char **argv)` and
 *      its help text, declared below;
 *   2. an entry in `commands[]` in cli/perfscope.c;
 *   3. man/perfscope-NAME.1 and its line in man/perfscope.1;
 *   4. its options in share/completions/perfscope.bash;
 *   5. tests: tests/NAME.bats, and the help/man check in tests/cli.bats.
 */
#ifndef PERFSCOPE_CLI_H
#define PERFSCOPE_CLI_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "analyze/ps_compare.h"
#include "model/ps_fold_report.h"
#include "base/ps_error.h"
#include "analyze/ps_rules.h"
#include "symbols/ps_demangle.h"

struct ps_cpu_run;

#ifndef PERFSCOPE_VERSION
#define PERFSCOPE_VERSION "0.1.0"
#endif

/* Exit codes of perfscope itself (documented in perfscope(1)). */
enum {
	EXIT_INTERNAL = 1,
	EXIT_USAGE = 2,
	EXIT_NOPROC = 3,
	EXIT_PERM = 4,
	EXIT_OUTPUT = 5,
	EXIT_INPUT = 6,
	EXIT_REGRESSION = 8,     /* a gate (--fail-on-regression) found a figure worse */
	EXIT_INCONCLUSIVE = 9,   /* a gate saw timings change, which one run cannot judge */
	EXIT_NOEXEC = 126,
	EXIT_NOTFOUND = 127,
};

struct cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *help;
};

extern const char cmd_cpu_profile_help[];
int cmd_cpu_profile(int argc, char **argv);

extern const char cmd_memory_profile_help[];
int cmd_memory_profile(int argc, char **argv);

extern const char cmd_profile_help[];
int cmd_profile(int argc, char **argv);

extern const char cmd_diff_help[];
int cmd_diff(int argc, char **argv);

extern const char cmd_flamegraph_help[];
int cmd_flamegraph(int argc, char **argv);

extern const char cmd_report_help[];
int cmd_report(int argc, char **argv);

extern const char cmd_recommend_help[];
int cmd_recommend(int argc, char **argv);

/* Prints "perfscope: MSG" and the hint, returns the exit code for err. */
int cli_fail(const struct ps_error *err);
/* Prints a usage error for `cmd` and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int cli_exit_code(int ps_code);

/* Parses a strictly positive number; returns 0 or -1. */
int cli_parse_double(const char *s, double *out);
int cli_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* --duration and --pid values: 0, or a usage error printed for `cmd` and EXIT_USAGE. */
int cli_parse_duration(const char *cmd, const char *arg, double *out);
int cli_parse_pid(const char *cmd, const char *arg, pid_t *out);
/* Index of s in names[0..n), or -1. */
int cli_parse_choice(const char *s, const char *const names[], int n);

/* --demangle's values, indexed by enum ps_demangle_style. */
extern const char *const cli_demangle_names[3];

/* --demangle's value: 0, or a usage error printed for `cmd` and EXIT_USAGE. */
int cli_parse_demangle(const char *cmd, const char *arg, enum ps_demangle_style *out);

/* --call-graph's values, indexed by enum ps_call_graph. */
extern const char *const cli_call_graph_names[3];

/*
 * SIGINT, SIGTERM and SIGHUP set cli_stop_signal (to the signal number):
 * the session stops, writes what it has, and passes the signal on.  A
 * second one sets cli_hurry: frames not yet named stay addresses and the
 * reports are written at once; a third ends perfscope as the signal would.
 */
extern volatile sig_atomic_t cli_stop_signal;
extern volatile sig_atomic_t cli_hurry;
/*
 * The stack table's bound from PERFSCOPE_MAX_STACK_MB (0: the default);
 * -1 with a message when the variable is not a positive number.
 */
int cli_max_stack_bytes(uint64_t *out);
/* The summary's line when the stack table was full (nothing if it was not). */
void cli_note_pooled(uint64_t pooled, uint64_t samples, uint64_t limit);
/* Says how much of a launched program's CPU time no sample stands for, when
 * that is much (short-lived children: ps_cpu_run's unsampled_cpu_s). */
void cli_note_unsampled(const struct ps_cpu_run *p);

/*
 * The top `max` functions of a CPU run on stderr, each with its share of
 * the samples: its own and the kernel's under it (a page fault counts for
 * the code that touched the page; the kernel's part is said beside it).
 * counts: the sample count and module columns too (cpu-profile's layout).
 */
void cli_print_top_functions(const struct ps_cpu_run *p, size_t max, bool counts);

/* Says (on stderr, even with -q) how many frames a second signal left unnamed. */
void cli_note_hurried(uint64_t frames);
void cli_install_stop_signals(void);

/*
 * Creates the output directory `dir` if needed and checks that `probe`
 * (a file name) can be written there; *created says whether it was made
 * now (so a run that never started can remove it).  0 or PS_E_OUTPUT.
 */
int cli_prepare_output_dir(const char *dir, const char *probe, bool *created, struct ps_error *err);

/*
 * The default output directory, perfscope-COMMAND-NAME-YYYYMMDD-HHMMSS
 * (NAME: the program of argv, else the comm of pid), so that runs in a CI
 * job's directory keep a history in order (malloc'ed, NULL on no memory).
 */
char *cli_default_dir(const char *command, char *const *argv, pid_t pid);

/*
 * Diagnosis thresholds from, weakest first: the config file (`config`, or
 * the default one when it exists), PERFSCOPE_<RULE_ID>_<KEY> variables,
 * then `sets` ("ID.KEY=VALUE" flags).  0, PS_E_INPUT (a bad file) or
 * PS_E_USAGE.
 */
int cli_apply_thresholds(struct ps_rules *rules, const char *config, const char *const *sets,
			 int nsets, struct ps_error *err);
/*
 * --rules FILE, --set ID.KEY=VALUE and --config FILE: the diagnosis rules
 * of recommend and profile (cli-thresholds.c).
 */
#define CLI_MAX_RULE_FILES 16
#define CLI_MAX_SETS 64
enum { CLI_OPT_RULES = 1100, CLI_OPT_SET, CLI_OPT_CONFIG };
#define CLI_RULES_OPTIONS \
	{ "rules", required_argument, NULL, CLI_OPT_RULES }, \
	{ "set", required_argument, NULL, CLI_OPT_SET }, \
	{ "config", required_argument, NULL, CLI_OPT_CONFIG }
#define CLI_RULES_HELP \
	"      --rules FILE       rules to add, or to replace by id (the built-in\n" \
	"                         ones are share/rules.json); may be repeated\n" \
	"      --set ID.KEY=VAL   change one rule's info, warning or min_value,\n" \
	"                         e.g. --set io.disk_wait.warning=0.5; may be repeated\n" \
	"      --config FILE      thresholds from FILE ({\"thresholds\": {\"ID.KEY\": N}});\n" \
	"                         default ~/.config/perfscope/config.json if it exists\n"

struct cli_rules_options {
	const char *files[CLI_MAX_RULE_FILES];
	int nfiles;
	const char *sets[CLI_MAX_SETS];
	int nsets;
	const char *config;
};

/* Takes CLI_OPT_RULES, CLI_OPT_SET or CLI_OPT_CONFIG: 0 or EXIT_USAGE (printed). */
int cli_rules_option(struct cli_rules_options *r, const char *cmd, int opt, const char *arg);
/* The built-in rules, then the files, then the thresholds (below): 0 or err set. */
int cli_load_rules(struct ps_rules *rules, const struct cli_rules_options *r, struct ps_error *err);


/*
 * Writes with write(fp, ctx) to path, whole or not at all (a temporary
 * renamed into place), or to standard output when path is NULL.
 */
typedef int (*cli_writer)(FILE *fp, const void *ctx);
int cli_write_output(const char *path, cli_writer write, const void *ctx, struct ps_error *err);

/* Reads a whole file ("-": standard input); NULL with PS_E_INPUT set. */
char *cli_read_text(const char *path, struct ps_error *err);

/*
 * The stacks of a folded file or of a perfscope JSON report ("-": standard
 * input), into s (ps_fold_parse's); a report's folded as o says.  *unit:
 * what the counts are, "samples" or "bytes" for a report, NULL for a
 * folded file (unknown).
 */
int cli_load_stacks(struct ps_fold_set *s, const char *path, const struct ps_fold_opts *o,
		    const char **unit, struct ps_error *err);

/* Reads and parses a JSON file ("-": standard input); NULL with err set. */
cJSON *cli_read_json(const char *path, struct ps_error *err);

/*
 * --baseline FILE and --fail-on-regression PCT (cli-baseline.c), the same
 * on recommend and the profiling commands.  The baseline is read before
 * the program runs; cli_baseline_amend (a report writer's amend hook)
 * compares the report being written with it and adds "comparison".
 */
#define CLI_DEFAULT_LIMIT_PCT 10.0
enum { CLI_OPT_BASELINE = 1000, CLI_OPT_FAIL_ON_REGRESSION };
#define CLI_BASELINE_OPTIONS \
	{ "baseline", required_argument, NULL, CLI_OPT_BASELINE }, \
	{ "fail-on-regression", required_argument, NULL, CLI_OPT_FAIL_ON_REGRESSION }
#define CLI_BASELINE_HELP \
	"      --baseline FILE    compare with an earlier report of this command: each\n" \
	"                         figure that changed by the limit or more\n" \
	"      --fail-on-regression PCT\n" \
	"                         the limit (default 10), and exit 8 when a count (system\n" \
	"                         calls, bytes, allocations, leaks, peak heap) grew by\n" \
	"                         more, or 9 when only timings did (one run each cannot\n" \
	"                         tell a change from noise)\n"

struct cli_baseline {
	const char *path;             /* --baseline; NULL: none */
	double limit_pct;
	bool gate;                    /* --fail-on-regression given */
	cJSON *root;                  /* the baseline report */
	struct ps_comparison cmp;     /* with the last report written */
	bool compared;
	struct ps_error err;          /* why it was not compared */
};

/* Takes CLI_OPT_BASELINE or CLI_OPT_FAIL_ON_REGRESSION: 0 or EXIT_USAGE (printed). */
int cli_baseline_option(struct cli_baseline *b, const char *cmd, int opt, const char *arg);
/* After the options: 0, or EXIT_USAGE for a gate without a baseline. */
int cli_baseline_check_usage(const struct cli_baseline *b, const char *cmd);
/*
 * Reads the baseline; it must be a `kind` report (NULL: any).  0, or err
 * set and nothing to release.
 */
int cli_baseline_load(struct cli_baseline *b, const char *kind, struct ps_error *err);
void cli_baseline_amend(cJSON *report, void *ctx);
/* The figures that changed, as text or a markdown table. */
void cli_baseline_print(FILE *fp, const struct cli_baseline *b, bool markdown);
/* 0, EXIT_REGRESSION or EXIT_INCONCLUSIVE (only with --fail-on-regression). */
int cli_baseline_status(const struct cli_baseline *b);
void cli_baseline_release(struct cli_baseline *b);

/* "12.3 MB", "4.0 KB", "17 B": decimal units, as reports count bytes. */
const char *cli_human_bytes(uint64_t b, char *buf, size_t len);

/* perfscope's own cost, for the summaries and the benchmarks. */
struct cli_usage {
	double cpu_s;
	long peak_rss_kb;
};
struct cli_usage cli_own_usage(void);

#endif
