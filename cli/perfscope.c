/*
 * perfscope: entry point and subcommand dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "base/ps_owner.h"

static const struct cli_command commands[] = {
	{ "profile", cmd_profile,
	  "The whole picture in one run: on-CPU stacks, system calls, metrics",
	  cmd_profile_help },
	{ "cpu-profile", cmd_cpu_profile,
	  "Sample CPU stacks of a program and write a folded flame graph or JSON",
	  cmd_cpu_profile_help },
	{ "memory-profile", cmd_memory_profile,
	  "Track every allocation of a program: sites, leaks, peak heap, temporaries",
	  cmd_memory_profile_help },
	{ "recommend", cmd_recommend,
	  "Read a report or metrics file: bottlenecks, scores and what to do",
	  cmd_recommend_help },
	{ "diff", cmd_diff,
	  "Compare two folded stack files: function shares, differential flame graph",
	  cmd_diff_help },
	{ "flamegraph", cmd_flamegraph,
	  "Draw folded stacks or a report as a flame graph (SVG) or a speedscope file",
	  cmd_flamegraph_help },
	{ "report", cmd_report,
	  "Write the HTML page of a profile's or memory profile's JSON report",
	  cmd_report_help },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *fp)
{
	fprintf(fp,
		"Usage: perfscope [--version] [--help] COMMAND [ARGS]\n"
		"       perfscope help COMMAND\n"
		"\n"
		"perfscope launches or attaches to a program and shows where its time goes.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %-14s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"\n"
		"Run 'perfscope help COMMAND' or 'perfscope COMMAND --help' for its options,\n"
		"and 'man perfscope' for exit codes and files.\n");
}

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "perfscope: '%s' is not a perfscope command.\n", name);
	fprintf(stderr, "Try 'perfscope --help' for the list of commands.\n");
	return EXIT_USAGE;
}

static int help_command(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	fputs(cmd->help, stdout);
	return 0;
}

/* Like git's run_builtin(): a report on stdout that did not arrive is an error. */
static int finish_stdout(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("perfscope: cannot write to standard output");
		return rc ? rc : EXIT_OUTPUT;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_usage(stdout);
		return finish_stdout(0);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("perfscope %s\n", PERFSCOPE_VERSION);
		return finish_stdout(0);
	}
	if (strcmp(argv[1], "help") == 0)
		return finish_stdout(help_command(argc - 1, argv + 1));
	if (argv[1][0] == '-') {
		fprintf(stderr, "perfscope: unknown option '%s'\n", argv[1]);
		print_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[1]);
	if (!cmd)
		return unknown_command(argv[1]);
	/* under sudo, what we write belongs to the user who asked for it */
	ps_owner_from_sudo();
	return finish_stdout(cmd->run(argc - 1, argv + 1));
}
