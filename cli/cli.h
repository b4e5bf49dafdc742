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

#include "../lib/ps_error.h"
#include "../lib/ps_rules.h"

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

/*
 * SIGINT, SIGTERM and SIGHUP set cli_stop_signal (to the signal number):
 * the session stops, writes what it has, and passes the signal on.
 */
extern volatile sig_atomic_t cli_stop_signal;
void cli_install_stop_signals(void);

/*
 * Creates the output directory `dir` if needed and checks that `probe`
 * (a file name) can be written there; 0 or PS_E_OUTPUT set in err.
 */
int cli_prepare_output_dir(const char *dir, const char *probe, struct ps_error *err);

/*
 * Diagnosis thresholds from, weakest first: the config file (`config`, or
 * the default one when it exists), PERFSCOPE_<RULE_ID>_<KEY> variables,
 * then `sets` ("ID.KEY=VALUE" flags).  0, PS_E_INPUT (a bad file) or
 * PS_E_USAGE.
 */
int cli_apply_thresholds(struct ps_rules *rules, const char *config, const char *const *sets,
			 int nsets, struct ps_error *err);

/*
 * Writes with write(fp, ctx) to path, whole or not at all (a temporary
 * renamed into place), or to standard output when path is NULL.
 */
typedef int (*cli_writer)(FILE *fp, const void *ctx);
int cli_write_output(const char *path, cli_writer write, const void *ctx, struct ps_error *err);

/* perfscope's own cost, for the summaries and the benchmarks. */
struct cli_usage {
	double cpu_s;
	long peak_rss_kb;
};
struct cli_usage cli_own_usage(void);

#endif
