/*
 * perfscope memory-profile: run a program with the allocation tracker,
 * write the memory reports into a directory, print a summary on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/ps_alloc_wrappers.h"
#include "session/ps_memprof.h"
#include "report/ps_memreport.h"
#include "report/ps_memsites.h"
#include "report/ps_report.h"
#include "base/ps_util.h"
#include "cli.h"

#define KILL_GRACE_S 2.0

const char cmd_memory_profile_help[] =
	"Usage: perfscope memory-profile [OPTIONS] [--] CMD [ARGS...]\n"
	"       perfscope memory-profile [OPTIONS] --pid PID\n"
	"\n"
	"Run a program with perfscope's allocation tracker preloaded and record\n"
	"every allocation and free with its call stack: allocation sites, exact\n"
	"leaks (definite, indirect, still reachable), the peak heap and what held\n"
	"it, temporary allocations and growth over time.  Forked children and\n"
	"exec'ed programs are followed, each reported as its own process.  Resident\n"
	"memory (anonymous, file-backed, swap) is read alongside, and fragmentation\n"
	"measured at exit.  With --pid, a running process gets its resident memory\n"
	"and the stacks of its page faults (every thread): no tracker can be\n"
	"loaded into it.\n"
	"\n"
	"Options:\n"
	"  -o, --output-dir DIR   where to write the reports (default:\n"
	"                         perfscope-memory-NAME-YYYYMMDD-HHMMSS here);\n"
	"                         created if missing, checked before the target starts\n"
	"  -d, --duration SECS    stop after SECS seconds; a launched target then gets\n"
	"                         SIGTERM, and SIGKILL 2 s later\n"
	"  -p, --pid PID          watch a running process's resident memory (it keeps\n"
	"                         running); ends when it exits, at --duration or Ctrl-C\n"
	"      --interval SECS    read resident memory this often (default 0.1, at least\n"
	"                         0.01)\n"
	"      --sampled          record a sample of the allocations, one per 512 KiB\n"
	"                         allocated on average; bytes and counts are estimates\n"
	"      --sample-bytes N   the same with a mean of N bytes between samples\n"
	"      --sample-seed N    seed of the sampling (default: from the clock)\n"
	"      --fault-period N   take the stack of one page fault in N (default 16;\n"
	"                         1 for every one, at a few microseconds each);\n"
	"                         faults.folded says which code makes memory resident\n"
	"      --no-faults        do not sample page faults\n"
	"      --site-skip REGEX  functions matching REGEX (extended, repeatable) only\n"
	"                         pass allocations on: a site is the first frame past\n"
	"                         them, as past malloc, operator new, xmalloc and the\n"
	"                         other wrappers of share/perfscope/alloc-layer.txt\n"
	"      --max-sites N      memory.json lists the N largest sites by each of\n"
	"                         allocated, peak, lost, temporary and live bytes in full\n"
	"                         (default 1000); the others are summed\n"
	"      --demangle STYLE   C++ and Rust names: short (default: qualified name and\n"
	"                         template arguments), full (with parameters), none\n"
	"      --no-demangle      the same as --demangle none\n"
	"      --no-html          do not write memory.html\n"
	CLI_BASELINE_HELP
	"  -q, --quiet            no live status line and no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Files written: memory.json (everything), and folded stacks weighted by\n"
	"bytes for flame graphs: leaks.folded, allocations.folded, peak.folded,\n"
	"temporary.folded; faults.folded, page faults by the stack that took them;\n"
	"and memory.html, one page to open in a browser: heap and resident memory\n"
	"over time, leaks and top allocation sites, their flame graphs.\n"
	"\n"
	"perfscope exits with the target's exit status (128+N if signal N killed it);\n"
	"when that is 0, with --fail-on-regression, 8 for a regression and 9 for an\n"
	"inconclusive timing.  Ctrl-C stops the target and still writes the reports.\n"
	"Exit codes of perfscope itself: 1 internal error, 2 usage, 3 no such\n"
	"process, 5 output not writable, 6 the baseline unreadable or not a\n"
	"memory.json, 126 not executable, 127 command not found.\n";

struct mem_options {
	const char *output_dir;
	double duration, interval;
	pid_t pid;
	uint64_t sample_bytes, sample_seed;
	unsigned fault_period;
	size_t max_sites;
	bool quiet, no_faults, no_html;
	enum ps_demangle_style demangle;
	char **argv;
	struct cli_baseline baseline;
	struct ps_alloc_layer layer;   /* the built-in allocator layer and --site-skip */
};

enum {
	OPT_NO_DEMANGLE = 256, OPT_DEMANGLE, OPT_NO_HTML, OPT_INTERVAL, OPT_SAMPLED, OPT_SAMPLE_BYTES, OPT_SAMPLE_SEED,
	OPT_FAULT_PERIOD, OPT_NO_FAULTS, OPT_SITE_SKIP, OPT_MAX_SITES,
};

/* The sampling interval when --sampled gives none: tcmalloc's default. */
#define DEFAULT_SAMPLE_BYTES (512u * 1024u)

static const struct option long_options[] = {
	{ "output-dir", required_argument, NULL, 'o' },
	{ "duration", required_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'p' },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "sampled", no_argument, NULL, OPT_SAMPLED },
	{ "sample-bytes", required_argument, NULL, OPT_SAMPLE_BYTES },
	{ "sample-seed", required_argument, NULL, OPT_SAMPLE_SEED },
	{ "fault-period", required_argument, NULL, OPT_FAULT_PERIOD },
	{ "no-faults", no_argument, NULL, OPT_NO_FAULTS },
	{ "site-skip", required_argument, NULL, OPT_SITE_SKIP },
	{ "max-sites", required_argument, NULL, OPT_MAX_SITES },
	{ "no-demangle", no_argument, NULL, OPT_NO_DEMANGLE },
	{ "demangle", required_argument, NULL, OPT_DEMANGLE },
	{ "no-html", no_argument, NULL, OPT_NO_HTML },
	CLI_BASELINE_OPTIONS,
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct mem_options *o)
{
	struct ps_error err = { 0 };
	unsigned long v;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:d:p:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->output_dir = optarg;
			break;
		case 'd':
			if (cli_parse_duration("memory-profile", optarg, &o->duration))
				return EXIT_USAGE;
			break;
		case 'p':
			if (cli_parse_pid("memory-profile", optarg, &o->pid))
				return EXIT_USAGE;
			break;
		case OPT_INTERVAL:
			if (cli_parse_double(optarg, &o->interval) < 0 || o->interval < 0.01)
				return cli_usage_error("memory-profile",
						       "--interval takes a number of seconds of at least 0.01, not '%s'",
						       optarg);
			break;
		case OPT_SAMPLED:
			if (!o->sample_bytes)
				o->sample_bytes = DEFAULT_SAMPLE_BYTES;
			break;
		case OPT_SAMPLE_BYTES:
			if (cli_parse_uint(optarg, 1ul << 40, &v) < 0)
				return cli_usage_error("memory-profile",
						       "--sample-bytes takes a positive number of bytes, not '%s'",
						       optarg);
			o->sample_bytes = v;
			break;
		case OPT_SAMPLE_SEED:
			if (cli_parse_uint(optarg, ~0ul, &v) < 0)
				return cli_usage_error("memory-profile",
						       "--sample-seed takes a positive whole number, not '%s'", optarg);
			o->sample_seed = v;
			break;
		case OPT_FAULT_PERIOD:
			if (cli_parse_uint(optarg, 1u << 30, &v) < 0 || v == 0)
				return cli_usage_error("memory-profile",
						       "--fault-period takes a positive whole number, not '%s'",
						       optarg);
			o->fault_period = (unsigned)v;
			break;
		case OPT_SITE_SKIP:
			if (ps_alloc_layer_add(&o->layer, optarg, &err) < 0)
				return cli_usage_error("memory-profile", "--site-skip: %s", err.msg);
			break;
		case OPT_MAX_SITES:
			if (cli_parse_uint(optarg, 1u << 24, &v) < 0 || v == 0)
				return cli_usage_error("memory-profile",
						       "--max-sites takes a positive whole number, not '%s'", optarg);
			o->max_sites = v;
			break;
		case OPT_NO_FAULTS: o->no_faults = true; break;
		case OPT_NO_DEMANGLE: o->demangle = PS_DEMANGLE_NONE; break;
		case OPT_DEMANGLE:
			if (cli_parse_demangle("memory-profile", optarg, &o->demangle))
				return EXIT_USAGE;
			break;
		case OPT_NO_HTML: o->no_html = true; break;
		case CLI_OPT_BASELINE:
		case CLI_OPT_FAIL_ON_REGRESSION:
			if (cli_baseline_option(&o->baseline, "memory-profile", c, optarg))
				return EXIT_USAGE;
			break;
		case 'q': o->quiet = true; break;
		case 'h':
			fputs(cmd_memory_profile_help, stdout);
			return 0;
		case ':':
			return cli_usage_error("memory-profile", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("memory-profile", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (!o->argv && !o->pid)
		return cli_usage_error("memory-profile", "give a command to run, or --pid PID");
	if (o->argv && o->pid)
		return cli_usage_error("memory-profile", "give either a command or --pid, not both");
	if (o->pid && o->sample_bytes)
		return cli_usage_error("memory-profile", "sampling applies to a launched command, not --pid");
	if (cli_baseline_check_usage(&o->baseline, "memory-profile"))
		return EXIT_USAGE;
	return -1;
}

static void show_progress(const struct ps_memprof_progress *pr, void *ctx)
{
	(void)ctx;
	fprintf(stderr, "\rperfscope: %.0f s, %llu allocations, %.1f MB live\033[K", pr->elapsed_s,
		(unsigned long long)pr->allocations, (double)pr->live_bytes / 1e6);
}

/* Note `id` of the run, or "". */
static const char *note_text(const struct ps_mem_run *r, const char *id)
{
	const char *text = ps_notes_get(&r->run.notes, id);

	return text ? text : "";
}

/* The site's function past the allocator layer. */
static const char *site_name(const struct ps_mem_run *r, const struct ps_heap_site *s)
{
	struct ps_mem_site_frame f;

	ps_mem_run_site(r, s, &f);
	return f.function ? f.function : "[unknown stack]";
}

static void print_top(const struct ps_mem_run *r, const char *title,
		      uint64_t (*weight)(const struct ps_heap_site *), uint64_t (*blocks)(const struct ps_heap_site *))
{
	const struct ps_heap_site *top[5] = { 0 };
	char b[32];
	int n = 0;

	for (size_t i = 0; i < r->heap->nsites; i++) {
		const struct ps_heap_site *s = &r->heap->sites[i];
		int at;

		if (!weight(s))
			continue;
		for (at = n; at > 0 && weight(top[at - 1]) < weight(s); at--)
			if (at < 5)
				top[at] = top[at - 1];
		if (at < 5) {
			top[at] = s;
			if (n < 5)
				n++;
		}
	}
	if (!n)
		return;
	fprintf(stderr, "  %s:\n", title);
	for (int i = 0; i < n; i++)
		fprintf(stderr, "   %10s in %8llu blocks  %s\n", cli_human_bytes(weight(top[i]), b, sizeof(b)),
			(unsigned long long)blocks(top[i]), site_name(r, top[i]));
}

static uint64_t lost_bytes(const struct ps_heap_site *s) { return ps_heap_lost_bytes(s->leak_bytes); }
static uint64_t lost_blocks(const struct ps_heap_site *s)
{
	return s->leak_blocks[PS_LEAK_DEFINITE] + s->leak_blocks[PS_LEAK_INDIRECT] +
	       s->leak_blocks[PS_LEAK_UNCLASSIFIED];
}
static uint64_t alloc_bytes(const struct ps_heap_site *s) { return s->alloc_bytes; }
static uint64_t alloc_calls(const struct ps_heap_site *s) { return s->allocs; }

/* The main process's sites whose live bytes kept growing, fastest first. */
/* What the program did to the tracker's files that perfscope would not take. */
static void print_distrust(const struct ps_mem_run *r)
{
	if (r->counts.rejected)
		fprintf(stderr, "  note: %llu records stamped outside this run were dropped: the program "
			"wrote into the tracker's rings\n", (unsigned long long)r->counts.rejected);
	if (r->counts.truncated_files)
		fprintf(stderr, "  note: %llu tracker files were truncated under perfscope: what they "
			"held after that point is lost\n", (unsigned long long)r->counts.truncated_files);
	if (r->counts.corrupt_files > r->counts.truncated_files)
		fprintf(stderr, "  note: %llu tracker files made no sense part way (a corrupt ring): "
			"their later records are lost\n",
			(unsigned long long)(r->counts.corrupt_files - r->counts.truncated_files));
	if (r->counts.untracked_images)
		fprintf(stderr, "  note: %llu program images ran without the tracker, their allocations "
			"not seen: %s (did they replace LD_PRELOAD?)\n",
			(unsigned long long)r->counts.untracked_images, note_text(r, "untracked_note"));
	if (r->counts.refused_files)
		fprintf(stderr, "  note: %llu tracker files named processes that are not the program's "
			"(nor its children): not read\n", (unsigned long long)r->counts.refused_files);
}

/* "trend +1.20 MB/min (fit R² 0.98 over 8.9 s)", or the raw change of a run too short to judge. */
static const char *trend_text(const struct ps_trend *tr, char *buf, size_t len)
{
	char b[32];

	if (tr->judged)
		snprintf(buf, len, "trend %+.2f MB/min (fit R\u00b2 %.2f over %.1f s)", tr->per_s * 60 / 1e6, tr->r2,
			 tr->steady_s);
	else if (tr->span_s > 0)
		snprintf(buf, len, "too short to judge a trend (%s%s in %.1f s)", tr->change < 0 ? "-" : "+",
			 cli_human_bytes((uint64_t)fabs(tr->change), b, sizeof(b)), tr->span_s);
	else
		snprintf(buf, len, "too short to judge a trend");
	return buf;
}

static void print_growing(const struct ps_mem_run *r)
{
	size_t proc = ps_mem_run_main_index(r), n = 0;
	struct ps_heap_growing *g;
	char b1[32], b2[32];

	if (proc >= r->heap->nprocs)
		return;
	g = ps_heap_growing_sites(r->heap, (uint32_t)proc, &n);
	if (n)
		fprintf(stderr, "  growing during the run%s:\n", g[0].judged ? "" : " (too short to judge a rate)");
	for (size_t i = 0; i < n && i < 5; i++) {
		if (g[i].judged)
			fprintf(stderr, "   %+8.2f MB/min (%s to %s live)  %s\n", g[i].bytes_per_s * 60 / 1e6,
				cli_human_bytes(g[i].first_live, b1, sizeof(b1)),
				cli_human_bytes(g[i].last_live, b2, sizeof(b2)), site_name(r, &r->heap->sites[g[i].site]));
		else
			fprintf(stderr, "   %s to %s live in %.1f s  %s\n", cli_human_bytes(g[i].first_live, b1, sizeof(b1)),
				cli_human_bytes(g[i].last_live, b2, sizeof(b2)), g[i].span_s,
				site_name(r, &r->heap->sites[g[i].site]));
	}
	free(g);
}

/* The innermost frame of a fault stack that is the program's, not the C library's internals. */
static const char *fault_site_name(const struct ps_mem_run *r, const struct ps_stack *st)
{
	const uint32_t *frames = ps_stack_frames(r->faults.stacks, st);

	for (uint32_t i = 0; i < st->nframes; i++) {
		uint32_t count;
		const struct ps_sym *sym = ps_symbols_frame(r->symbols, frames[i], &count);
		const char *name = ps_sym_name(r->symbols, &sym[0]);

		if (strncmp(name, "__", 2) != 0 && strncmp(name, "_int_", 5) != 0 &&
		    strcmp(name, "sysmalloc") != 0 && strncmp(name, "[", 1) != 0)
			return name;
	}
	return "[unknown]";
}

/* Page faults: how many, and the code that took the most. */
static void print_faults(const struct ps_mem_run *r, bool no_faults)
{
	const struct ps_stacks *ss = r->faults.stacks;
	const struct ps_stack *top = NULL;
	uint64_t samples = r->faults.samples;

	if (!r->faults.sampled) {
		if (r->tracking.launched && note_text(r, "faults_note")[0] && !no_faults)
			fprintf(stderr, "  note: page faults not sampled: %s\n", note_text(r, "faults_note"));
		return;
	}
	for (size_t i = 0; i < ss->nstacks; i++)
		if (!top || ss->stacks[i].count > top->count)
			top = &ss->stacks[i];
	fprintf(stderr, "  page faults: %llu", (unsigned long long)r->faults.total);
	if (top && samples)
		fprintf(stderr, ", %.0f%% of them in %s", 100.0 * (double)top->count / (double)samples,
			fault_site_name(r, top));
	fprintf(stderr, " (faults.folded)\n");
}

#define PROCESS_ROWS 5

static bool peak_above(const struct ps_heap_proc *a, const struct ps_heap_proc *b)
{
	return a->peak_bytes > b->peak_bytes || (a->peak_bytes == b->peak_bytes && a->pid < b->pid);
}

/* Several process images: the largest peaks first, each with what it allocated and lost. */
static void print_processes(const struct ps_mem_run *r)
{
	const struct ps_heap_proc *top[PROCESS_ROWS];
	size_t n = 0;
	char b1[32], b2[32];

	if (r->heap->nprocs < 2)
		return;
	for (size_t i = 0; i < r->heap->nprocs; i++) {
		const struct ps_heap_proc *q = r->heap->proc[i];
		size_t at = n < PROCESS_ROWS ? n++ : PROCESS_ROWS;

		for (; at > 0 && peak_above(q, top[at - 1]); at--)
			if (at < PROCESS_ROWS)
				top[at] = top[at - 1];
		if (at < PROCESS_ROWS)
			top[at] = q;
	}
	fprintf(stderr, "  processes, largest peak heap first:\n");
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "   %10s peak  %10llu allocations  %10s lost  %s (pid %u%s)\n",
			cli_human_bytes(top[i]->peak_bytes, b1, sizeof(b1)), (unsigned long long)top[i]->allocs,
			cli_human_bytes(ps_heap_lost_bytes(top[i]->leak_bytes), b2, sizeof(b2)),
			top[i]->exe[0] ? ps_basename(top[i]->exe) : "?", top[i]->pid,
			top[i]->gen ? ", after an exec" : "");
	if (r->heap->nprocs > n)
		fprintf(stderr, "   ... and %zu more (memory.json's processes)\n", r->heap->nprocs - n);
}

/* How much memory.json left out: a compiler has tens of thousands of sites. */
static void print_omitted(const struct ps_memreport_sites *sites, size_t max)
{
	char b[32];

	if (sites->omitted)
		fprintf(stderr, "  memory.json lists %zu of %zu sites in full (the %zu largest by each measure; "
			"--max-sites for more); the other %zu allocated %s\n", sites->listed,
			sites->listed + sites->omitted, max ? max : (size_t)PS_MEMSITES_DEFAULT_MAX, sites->omitted,
			cli_human_bytes(sites->omitted_bytes, b, sizeof(b)));
}

/* Functions the allocator layer does not know that look like wrappers, with the option that looks past them. */
static void print_wrappers(const struct ps_mem_run *r)
{
	struct ps_alloc_wrapper w[3];
	int n = ps_alloc_wrappers_find(r, w, 3);
	char b[32], pattern[512];

	for (int i = 0; i < n; i++) {
		char qualified[512];
		size_t k = 0;

		for (const char *c = ps_alloc_layer_qualified(w[i].function, qualified, sizeof(qualified));
		     *c && k + 3 < sizeof(pattern); c++) {
			if (strchr(".[]{}()\\*+?^$|", *c))
				pattern[k++] = '\\';
			pattern[k++] = *c;
		}
		pattern[k] = '\0';
		fprintf(stderr, "  note: %s looks like an allocation wrapper (%u callers, %s allocated through it); "
			"--site-skip '^%s$' makes its callers the sites\n", w[i].function, w[i].callers,
			cli_human_bytes(w[i].bytes, b, sizeof(b)), pattern);
	}
}

static void print_summary(const struct ps_mem_run *r, const struct mem_options *o,
			  const struct ps_memreport_sites *sites, const char *dir, struct cli_usage use)
{
	const struct ps_heap_proc *p = ps_mem_run_main(r);
	size_t big = ps_mem_run_largest(r);
	const struct ps_heap_proc *largest = big < r->heap->nprocs ? r->heap->proc[big] : NULL;
	const char *tracker_note = note_text(r, "tracker_note");
	uint64_t allocs = 0, lost[PS_LEAK_KINDS] = { 0 }, lost_n[PS_LEAK_KINDS] = { 0 };
	char b1[32], b2[32], b3[32];

	for (size_t i = 0; i < r->heap->nprocs; i++) {
		allocs += r->heap->proc[i]->allocs;
		for (int k = 0; k < PS_LEAK_KINDS; k++) {
			lost[k] += r->heap->proc[i]->leak_bytes[k];
			lost_n[k] += r->heap->proc[i]->leak_blocks[k];
		}
	}
	fprintf(stderr, "perfscope: memory-profile of '%s' (pid %d): %.2f s, %llu allocations in "
		"%zu process%s", p && p->exe[0] ? ps_basename(p->exe) : o->argv ? ps_basename(o->argv[0]) : "?",
		(int)r->run.pid, ps_run_seconds(&r->run), (unsigned long long)allocs,
		r->heap->nprocs, r->heap->nprocs == 1 ? "" : "es");
	if (largest && largest != p)
		fprintf(stderr, ", the largest peak in '%s' (pid %u)", largest->exe[0] ? ps_basename(largest->exe) : "?",
			largest->pid);
	fputc('\n', stderr);
	if (p && p->rss.n) {
		struct ps_trend tr;
		char trend[128];

		ps_rss_trend(&p->rss, &tr);
		fprintf(stderr, "  resident memory: peak %s (anonymous %s), %s\n",
			cli_human_bytes(ps_rss_total(&p->rss.peak), b1, sizeof(b1)),
			cli_human_bytes(p->rss.peak.anon, b2, sizeof(b2)), trend_text(&tr, trend, sizeof(trend)));
	}
	if (tracker_note[0])
		fprintf(stderr, "  note: %s\n", tracker_note);
	if (note_text(r, "uprobe_note")[0])
		fprintf(stderr, "  note: uprobes on its allocator could not be used either: %s\n",
			note_text(r, "uprobe_note"));
	if (note_text(r, "allocator_note")[0])
		fprintf(stderr, "  note: %s\n", note_text(r, "allocator_note"));
	if (!r->tracking.launched) {
		fprintf(stderr, "  note: a running process gets its resident memory and page-fault stacks only; launch it "
			"under perfscope for allocation sites and leaks\n");
	} else if (!r->heap->nprocs)
		fprintf(stderr, "  note: the tracker never started in the target: a static binary, "
			"or a program that clears LD_PRELOAD\n");
	if (!r->tracking.launched || (tracker_note[0] && !r->tracking.uprobes))
		goto own_cost;
	if (r->tracking.sample_bytes)
		fprintf(stderr, "  sampled: one allocation per %llu bytes on average; the bytes below are "
			"estimates (a site of %s or more in all is found 95%% of the time)\n",
			(unsigned long long)r->tracking.sample_bytes,
			cli_human_bytes((uint64_t)((double)r->tracking.sample_bytes * 3.0), b3, sizeof(b3)));
	if (p)
		fprintf(stderr, "  peak heap%s %s at %.2f s; %s allocated in total\n",
			r->heap->nprocs > 1 ? " of the launched process" : "", cli_human_bytes(p->peak_bytes, b1, sizeof(b1)),
			p->peak_time_ns > p->start_ns ? (double)(p->peak_time_ns - p->start_ns) / 1e9 : 0.0,
			cli_human_bytes(p->alloc_bytes, b2, sizeof(b2)));
	print_processes(r);
	fprintf(stderr, "  at exit: %s definitely lost in %llu blocks, %s indirectly, %s still "
		"reachable\n", cli_human_bytes(lost[PS_LEAK_DEFINITE], b1, sizeof(b1)),
		(unsigned long long)lost_n[PS_LEAK_DEFINITE], cli_human_bytes(lost[PS_LEAK_INDIRECT], b2, sizeof(b2)),
		cli_human_bytes(lost[PS_LEAK_REACHABLE], b3, sizeof(b3)));
	if (lost_n[PS_LEAK_UNCLASSIFIED])
		fprintf(stderr, "  note: %s in %llu blocks were still allocated when a process ended "
			"without exit() (a crash, _exit or a signal): not classified\n",
			cli_human_bytes(lost[PS_LEAK_UNCLASSIFIED], b1, sizeof(b1)),
			(unsigned long long)lost_n[PS_LEAK_UNCLASSIFIED]);
	if (note_text(r, "leak_scan_note")[0])
		fprintf(stderr, "  note: leaks not classified: %s\n", note_text(r, "leak_scan_note"));
	if (r->counts.dropped)
		fprintf(stderr, "  note: %llu records were dropped: perfscope could not keep up\n",
			(unsigned long long)r->counts.dropped);
	if (r->counts.untracked_threads)
		fprintf(stderr, "  note: %llu allocations of threads beyond %d at once were not tracked\n",
			(unsigned long long)r->counts.untracked_threads, PS_MEM_SLOTS);
	print_distrust(r);
	if (p && p->rss_at_exit_known && p->rss_at_exit.anon > p->live_at_exit)
		fprintf(stderr, "  at exit %s of live blocks in %s of anonymous resident memory "
			"(%.0f%% not holding live blocks)\n", cli_human_bytes(p->live_at_exit, b1, sizeof(b1)),
			cli_human_bytes(p->rss_at_exit.anon, b2, sizeof(b2)),
			100.0 * (1.0 - (double)p->live_at_exit / (double)p->rss_at_exit.anon));
	print_top(r, "largest leaks", lost_bytes, lost_blocks);
	print_top(r, "top allocation sites by bytes", alloc_bytes, alloc_calls);
	print_wrappers(r);
	print_omitted(sites, o->max_sites);
	print_growing(r);
	print_faults(r, o->no_faults);
own_cost:
	fprintf(stderr, "  perfscope: %.3f s CPU, peak RSS %.1f MB\n", use.cpu_s,
		(double)use.peak_rss_kb / 1024.0);
	if (dir)
		fprintf(stderr, "  wrote %s/: %smemory.json, leaks.folded, allocations.folded, "
			"peak.folded, temporary.folded, faults.folded, %.3f s after the target ended\n", dir,
			o->no_html ? "" : "memory.html (one page), ",
			(double)(ps_now_ns() - r->run.end_ns) / 1e9);
	cli_baseline_print(stderr, &o->baseline, false);
}

static int profile(struct mem_options *o)
{
	struct ps_memreport_sites sites = { 0 };
	struct ps_memprof_config cfg = {
		.argv = o->argv, .attach_pid = o->pid, .interval_s = o->interval,
		.sample_bytes = o->sample_bytes, .sample_seed = o->sample_seed,
		.duration_s = o->duration, .kill_grace_s = KILL_GRACE_S,
		.demangle = o->demangle, .stop = &cli_stop_signal, .hurry = &cli_hurry,
		.fault_period = o->fault_period, .no_faults = o->no_faults, .alloc_layer = &o->layer,
	};
	struct ps_memreport_opts ropts = { .version = PERFSCOPE_VERSION, .amend = cli_baseline_amend,
					   .amend_ctx = &o->baseline, .no_html = o->no_html,
					   .max_sites = o->max_sites, .sites = &sites };
	struct ps_error err = { 0 };
	struct ps_memprof m;
	/* named when the program starts */
	char *dir = o->output_dir ? strdup(o->output_dir) : cli_default_dir("memory", o->argv, o->pid);
	int rc, status;
	bool created = false;

	if (!dir)
		return EXIT_INTERNAL;
	rc = cli_prepare_output_dir(dir, "memory.json", &created, &err);
	if (rc < 0) {
		free(dir);
		return cli_fail(&err);
	}
	if (!o->quiet && isatty(STDERR_FILENO))
		cfg.progress = show_progress;
	cli_install_stop_signals();
	rc = ps_memprof_init(&m, &cfg, &err);
	if (rc == 0)
		rc = ps_memprof_run(&m, &err);
	if (rc < 0) {
		ps_memprof_release(&m);
		if (created)
			rmdir(dir);	/* nothing ran: no empty directory of ours left behind */
		free(dir);
		return cli_fail(&err);
	}
	if (cfg.progress)
		fprintf(stderr, "\r\033[K");
	rc = ps_memprof_finish(&m, &err);
	status = ps_run_exit_status(&m.run.run);
	cli_note_hurried(m.run.symbols->hurried);
	ropts.perfscope_cpu_s = cli_own_usage().cpu_s;
	if (rc == 0)
		rc = ps_memreport_write_all(&m.run, dir, &ropts, &err);
	if (!o->quiet)
		print_summary(&m.run, o, &sites, rc == 0 ? dir : NULL, cli_own_usage());
	if (rc < 0)
		status = cli_fail(&err);
	else if (status == 0)
		status = cli_baseline_status(&o->baseline);
	ps_memprof_release(&m);
	free(dir);
	return status;
}

int cmd_memory_profile(int argc, char **argv)
{
	struct mem_options o = { 0 };
	struct ps_error err = { 0 };
	int rc;

	if (ps_alloc_layer_init(&o.layer, &err) < 0)
		return cli_fail(&err);
	rc = parse_options(argc, argv, &o);
	/* a baseline that cannot be compared stops the run before it starts */
	if (rc < 0 && cli_baseline_load(&o.baseline, "memory-profile", &err) < 0)
		rc = cli_fail(&err);
	if (rc < 0)
		rc = profile(&o);
	cli_baseline_release(&o.baseline);
	ps_alloc_layer_release(&o.layer);
	return rc;
}
