#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/ps_outfile.h"
#include "base/ps_owner.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"
#include "cli.h"
#include "report/ps_report.h"
#include "run/ps_cpurun.h"
#include "session/ps_cpuprof.h"

int cli_exit_code(int ps_code)
{
	switch (ps_code) {
	case PS_E_USAGE: return EXIT_USAGE;
	case PS_E_NOPROC: return EXIT_NOPROC;
	case PS_E_PERM: return EXIT_PERM;
	case PS_E_OUTPUT: return EXIT_OUTPUT;
	case PS_E_INPUT: return EXIT_INPUT;
	case PS_E_NOEXEC: return EXIT_NOEXEC;
	case PS_E_NOTFOUND: return EXIT_NOTFOUND;
	default: return EXIT_INTERNAL;
	}
}

int cli_fail(const struct ps_error *err)
{
	fprintf(stderr, "perfscope: %s\n", err->msg[0] ? err->msg : "unknown error");
	if (err->hint[0])
		fprintf(stderr, "hint: %s\n", err->hint);
	return cli_exit_code(err->code);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "perfscope %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'perfscope %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

int cli_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v <= 0)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_choice(const char *s, const char *const names[], int n)
{
	for (int i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

volatile sig_atomic_t cli_stop_signal;
volatile sig_atomic_t cli_hurry;

static void on_stop_signal(int sig)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	if (!cli_stop_signal) {
		cli_stop_signal = sig;
		return;
	}
	cli_hurry = 1;
	/* the next one is not caught */
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGHUP, &dfl, NULL);
}

void cli_install_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int cli_max_stack_bytes(uint64_t *out)
{
	const char *v = getenv("PERFSCOPE_MAX_STACK_MB");
	double mb;

	*out = 0;
	if (!v || !*v)
		return 0;
	if (cli_parse_double(v, &mb) < 0 || mb > 1e6) {
		fprintf(stderr, "perfscope: PERFSCOPE_MAX_STACK_MB must be a number of megabytes "
			"(above 0, at most 1000000), not '%s'\n", v);
		return -1;
	}
	*out = (uint64_t)(mb * 1048576.0);
	return 0;
}

void cli_note_pooled(uint64_t pooled, uint64_t samples, uint64_t limit)
{
	if (!pooled)
		return;
	fprintf(stderr, "  note: the stack table reached its limit (%.3g MB): %llu of %llu samples "
		"are kept with their leaf frame only (self times stay exact); raise "
		"PERFSCOPE_MAX_STACK_MB for whole stacks\n", (double)limit / 1048576.0,
		(unsigned long long)pooled, (unsigned long long)samples);
}

void cli_note_unsampled(const struct ps_cpu_run *p)
{
	double unsampled = p->counts.unsampled_cpu_s, cpu_s = p->run.target_cpu_s;

	/* a thread's last partial period is never sampled: a few ms is normal */
	if (unsampled < 0.05 || unsampled < 0.1 * cpu_s || !p->sampling.frequency)
		return;
	fprintf(stderr, "  note: the program used %.2f s of CPU and its samples stand for %.2f s: the "
		"rest went to processes or threads that lived less than a sampling period (%.0f ms "
		"at %u Hz) and were never sampled; a higher -F catches more of them\n",
		cpu_s, cpu_s - unsampled, 1000.0 / p->sampling.frequency, p->sampling.frequency);
}

void cli_note_hurried(uint64_t frames)
{
	if (frames)
		fprintf(stderr, "perfscope: interrupted again: %llu frames left unnamed, as "
			"[module+0xoffset]\n", (unsigned long long)frames);
}

struct cli_usage cli_own_usage(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (struct cli_usage){ .cpu_s = ps_self_cpu_seconds(), .peak_rss_kb = ru.ru_maxrss };
}

/*
 * A symbolic link that someone else left in a shared directory (sticky and
 * world-writable, as /tmp): writing through it would put our files where
 * that user chose.  The kernel's fs.protected_symlinks rule, for a
 * directory we are about to write into.
 */
static bool planted_link(const char *dir)
{
	char parent[4096], *slash;
	struct stat link, up;

	if (lstat(dir, &link) < 0 || !S_ISLNK(link.st_mode) || link.st_uid == geteuid() ||
	    link.st_uid == 0)
		return false;
	snprintf(parent, sizeof(parent), "%s", dir);
	while ((slash = strrchr(parent, '/')) && slash[1] == '\0' && slash > parent)
		*slash = '\0';	/* "dir/" names the link itself too */
	slash = strrchr(parent, '/');
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	return stat(parent, &up) == 0 && (up.st_mode & S_ISVTX) && (up.st_mode & S_IWOTH) &&
	       up.st_uid != link.st_uid;
}

int cli_prepare_output_dir(const char *dir, const char *probe, bool *created, struct ps_error *err)
{
	char path[4096];

	*created = false;
	if (strcmp(dir, "-") == 0) {
		ps_error_set(err, PS_E_USAGE, "--output-dir - : this command writes a directory of "
			     "files, not one file to standard output");
		ps_error_hint(err, "name a directory; 'perfscope report DIR/report.json -o -' "
			      "writes the page to standard output");
		return PS_E_USAGE;
	}
	if (planted_link(dir)) {
		ps_error_set(err, PS_E_OUTPUT, "refusing to write into '%s': it is a symbolic link "
			     "another user owns, in a directory everyone can write to", dir);
		ps_error_hint(err, "choose another place with --output-dir");
		return PS_E_OUTPUT;
	}
	if (mkdir(dir, 0777) == 0) {
		/* ours to give to sudo's user; an existing directory keeps its owner */
		ps_owner_give_dir(dir);
		*created = true;
	} else if (errno != EEXIST) {
		ps_error_set(err, PS_E_OUTPUT, "cannot create the output directory '%s': %s", dir,
			     strerror(errno));
		ps_error_hint(err, "choose another place with --output-dir");
		return PS_E_OUTPUT;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, probe);
	return ps_outfile_check(path, err);
}

int cli_parse_duration(const char *cmd, const char *arg, double *out)
{
	if (cli_parse_double(arg, out) < 0)
		return cli_usage_error(cmd, "--duration takes a positive number of seconds, not '%s'", arg);
	return 0;
}

int cli_parse_pid(const char *cmd, const char *arg, pid_t *out)
{
	unsigned long v;

	if (cli_parse_uint(arg, 0x7fffffff, &v) < 0)
		return cli_usage_error(cmd, "--pid takes a process id, not '%s'", arg);
	*out = (pid_t)v;
	return 0;
}

int cli_write_output(const char *path, cli_writer write, const void *ctx, struct ps_error *err)
{
	struct ps_outfile out;
	int rc;

	if (!path) {
		rc = write(stdout, ctx);
		return rc < 0 ? ps_outfile_write_failed(err, rc, NULL) : 0;
	}
	if (ps_outfile_open(&out, path, err) < 0)
		return err->code;
	rc = write(out.fp, ctx);
	if (rc < 0) {
		ps_outfile_abort(&out);
		return ps_outfile_write_failed(err, rc, path);
	}
	return ps_outfile_commit(&out, err);
}

char *cli_default_dir(const char *command, char *const *argv, pid_t pid)
{
	char stamp[32], *path = NULL, comm_path[64], *comm = NULL;
	struct timespec ts;
	struct tm tm;

	if (!argv) {
		snprintf(comm_path, sizeof(comm_path), "/proc/%d/comm", (int)pid);
		comm = ps_read_file(comm_path, NULL);
		if (comm)
			comm[strcspn(comm, "\n/")] = '\0';
	}
	/* not time(): glibc reads the coarse clock there, which lags the
	 * real one by up to a tick, and a stamp could precede `date` run
	 * just before perfscope */
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (asprintf(&path, "perfscope-%s-%s-%s", command, argv ? ps_basename(argv[0]) :
		     comm ? comm : "process", stamp) < 0)
		path = NULL;
	free(comm);
	return path;
}

const char *cli_human_bytes(uint64_t b, char *buf, size_t len)
{
	if (b >= 1000000000)
		snprintf(buf, len, "%.2f GB", (double)b / 1e9);
	else if (b >= 1000000)
		snprintf(buf, len, "%.2f MB", (double)b / 1e6);
	else if (b >= 1000)
		snprintf(buf, len, "%.1f KB", (double)b / 1e3);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	return buf;
}

/*
 * The most perfscope reads of one input: PERFSCOPE_MAX_INPUT_MB, default
 * 4096 (a folded file of a long run is large; /dev/zero is endless).
 */
static size_t max_input_bytes(void)
{
	const char *v = getenv("PERFSCOPE_MAX_INPUT_MB");
	char *end;
	double mb = v ? strtod(v, &end) : 4096;

	if (!v || end == v || *end || mb <= 0 || mb > 1e9)
		mb = 4096;
	return (size_t)(mb * 1024 * 1024);
}

static void too_big(const char *path, size_t max, struct ps_error *err)
{
	char b[32];

	ps_error_set(err, PS_E_INPUT, "%s%s%s is larger than the %s perfscope reads of one input",
		     strcmp(path, "standard input") ? "'" : "", path, strcmp(path, "standard input") ? "'" : "",
		     cli_human_bytes(max, b, sizeof(b)));
	ps_error_hint(err, "raise PERFSCOPE_MAX_INPUT_MB (megabytes) if it is really an input");
}

/* All of fd, up to max bytes; NULL with err set (a stream is cut there). */
static char *read_bounded(int fd, const char *path, size_t max, size_t *len, struct ps_error *err)
{
	size_t cap = 65536, used = 0;
	char *text = malloc(cap);

	while (text) {
		ssize_t n;

		/* room for one byte past max (which says there was more) and the NUL */
		if (used + 1 == cap) {
			size_t bigger = cap > max / 2 ? max + 2 : cap * 2;
			char *grown = bigger > cap ? realloc(text, bigger) : NULL;

			if (!grown)
				break;
			text = grown;
			cap = bigger;
		}
		n = read(fd, text + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ps_error_set(err, PS_E_INPUT, "cannot read '%s': %s", path, strerror(errno));
			free(text);
			return NULL;
		}
		if (n == 0) {
			text[used] = '\0';
			*len = used;
			return text;
		}
		/* text has no NUL byte: /dev/zero or a binary file is refused at
		 * once, not read to the limit */
		if (memchr(text + used, '\0', (size_t)n)) {
			ps_error_set(err, PS_E_INPUT, "'%s' is not text (it has NUL bytes)", path);
			ps_error_hint(err, "give a folded file, a perfscope report or a metrics JSON file");
			free(text);
			return NULL;
		}
		used += (size_t)n;
		if (used > max) {
			free(text);
			too_big(path, max, err);
			return NULL;
		}
	}
	free(text);
	ps_error_set(err, PS_E_NOMEM, "out of memory reading '%s'", path);
	return NULL;
}

char *cli_read_text(const char *path, struct ps_error *err)
{
	size_t max = max_input_bytes(), len = 0;
	bool in = strcmp(path, "-") == 0;
	int fd = in ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *text, *fixed;

	if (fd < 0) {
		ps_error_set(err, PS_E_INPUT, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	/* a regular file says its size: refused before it is read */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		close(fd);
		too_big(path, max, err);
		return NULL;
	}
	text = read_bounded(fd, in ? "standard input" : path, max, &len, err);
	close(fd);
	if (!text || ps_utf8_valid(text, len))
		return text;
	/* not UTF-8: what reports are made of must be */
	fixed = ps_utf8_fix(text, len);
	free(text);
	if (!fixed)
		ps_error_set(err, PS_E_NOMEM, "out of memory reading '%s'", path);
	return fixed;
}

const char *const cli_demangle_names[3] = {
	[PS_DEMANGLE_SHORT] = "short", [PS_DEMANGLE_FULL] = "full", [PS_DEMANGLE_NONE] = "none",
};

int cli_parse_demangle(const char *cmd, const char *arg, enum ps_demangle_style *out)
{
	int choice = cli_parse_choice(arg, cli_demangle_names, 3);

	if (choice < 0)
		return cli_usage_error(cmd, "unknown --demangle '%s' (use short, full or none)", arg);
	*out = (enum ps_demangle_style)choice;
	return 0;
}

const char *const cli_call_graph_names[3] = {
	[PS_CALL_GRAPH_AUTO] = "auto", [PS_CALL_GRAPH_FP] = "fp", [PS_CALL_GRAPH_DWARF] = "dwarf",
};

/* "; 12.0% in the kernel (page faults 10.0%, system calls 2.0%)": the kernel's part of f. */
static void print_kernel_part(const struct ps_func *f, uint64_t total)
{
	bool first = true;

	if (!f->kernel_under)
		return;
	fprintf(stderr, "; %.1f%% in the kernel (", 100.0 * (double)f->kernel_under / (double)total);
	for (int k = 0; k < PS_KENTRY_KINDS; k++) {
		if (!f->kernel_by[k])
			continue;
		fprintf(stderr, "%s%s %.1f%%", first ? "" : ", ", ps_kernel_entry_names[k],
			100.0 * (double)f->kernel_by[k] / (double)total);
		first = false;
	}
	fputc(')', stderr);
}

void cli_print_top_functions(const struct ps_cpu_run *p, size_t max, bool counts)
{
	const struct ps_cpureport *r = p->report;
	size_t n, *order = ps_cpureport_charged_order(r, &n);
	bool charged = false;
	char name[1024];

	if (!order || !n) {
		free(order);
		return;
	}
	for (size_t i = 0; i < n && i < max; i++)
		charged |= r->funcs[order[i]].kernel_under > 0;
	fprintf(stderr, "  %stop functions by self time%s:\n", counts ? "" : "on CPU, ",
		charged ? " (kernel time counted for the function that entered the kernel)" : "");
	for (size_t i = 0; i < n && i < max; i++) {
		const struct ps_func *f = &r->funcs[order[i]];
		struct ps_sym s = { .name = f->name, .module = f->module, .kind = PS_SYM_FUNC };
		uint64_t c = ps_func_charged(f);

		fprintf(stderr, "   %6.1f%%  ", 100.0 * (double)c / (double)r->total);
		if (counts)
			fprintf(stderr, "%8llu  ", (unsigned long long)c);
		fputs(ps_report_frame_name(p->symbols, &s, name, sizeof(name)), stderr);
		if (counts)
			fprintf(stderr, "  (%s)", p->modules->mods[f->module].name);
		print_kernel_part(f, r->total);
		fputc('\n', stderr);
	}
	free(order);
}
