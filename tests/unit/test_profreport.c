/*
 * The profile's writers read a finished profile (run/ps_profrun.h) and
 * nothing else, so a run built here by hand (a small CPU run, a few system
 * calls, a file, two threads' off-CPU time) is all they need.  Checked:
 * report.json's values against the known input (the system calls' order,
 * counts, errors, times and percentiles; the file's figures; the off-CPU
 * totals, reasons and top waits; the sections and their notes) and the
 * blocked time in offcpu.folded and wall.folded.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ps_json.h"
#include "base/ps_notes.h"
#include "report/ps_profreport.h"
#include "run/ps_profrun.h"
#include "cpurun_fixture.h"
#include "base/ps_util.h"
#include "unit.h"

struct fx {
	struct cpurun_fixture cpu;
	struct ps_syscall_stat *stats;
	struct ps_file_stat file;
	struct ps_offcpu_thread threads[2];
	struct ps_offcpu_site sites[3];
	struct ps_syscall_procs procs;
	struct ps_process_sched sched_procs[2];
	struct ps_profile_run run;
};

static char *const argv[] = { "app", NULL };

/* app (pid 100) in main;work 5 times at 100 Hz, from 1 s to 3 s; it exited with 0. */
static int cpu_init(struct fx *x)
{
	struct cpurun_fixture *f = &x->cpu;
	struct ps_cpu_run *c = &f->run;
	uint32_t app, M, W;

	if (cpurun_fixture_init(f) < 0)
		return -1;
	app = (uint32_t)ps_modules_intern(&f->mm, "/usr/bin/app", 100);
	M = fixture_frame(&f->sy, &f->ss, app, 0x20, PS_SYM_FUNC, "main", NULL);
	W = fixture_frame(&f->sy, &f->ss, app, 0x30, PS_SYM_FUNC, "work", NULL);
	ps_procs_comm(&f->pp, 100, 100, 0, "app", false);
	ps_stacks_add(&f->ss, 0, (uint32_t[]){ W, M }, 2, 5, 0);
	c->run.argv = argv;
	c->run.pid = 100;
	c->run.start_ns = 1000000000ULL;
	c->run.end_ns = 3000000000ULL;
	c->run.exited = true;
	c->sampling = (struct ps_cpu_sampling){ .sampler = "perf_event", .event = "cpu-clock",
						.frequency = 100, .unwinder = "dwarf" };
	c->counts.samples = 5;
	return cpurun_fixture_finish(f);
}

/*
 * Latencies at the middle of their histogram bucket, so that percentiles
 * are exact: read (0) 3 calls of 1008, 2016 and 4032 ns moving 300 bytes;
 * write (1) 2 calls of 9984 ns, both failing with EBADF.
 */
static int syscalls_init(struct fx *x)
{
	static const uint64_t read_ns[] = { 1008, 2016, 4032 };

	x->stats = calloc(PS_SYSCALL_MAX, sizeof(*x->stats));
	if (!x->stats)
		return -1;
	for (int i = 0; i < 3; i++)
		if (ps_syscall_stat_add(&x->stats[0], read_ns[i], 100) < 0)
			return -1;
	x->stats[0].bytes = 300;
	for (int i = 0; i < 2; i++)
		if (ps_syscall_stat_add(&x->stats[1], 9984, -EBADF) < 0)
			return -1;
	x->file = (struct ps_file_stat){ .name = "/data/in", .kind = PS_FILE_REGULAR, .reads = 3,
					 .read_bytes = 300, .read_ns = 7056, .sequential = 2, .random = 1 };
	/* the reads are app's (pid 100), the writes its child's (pid 200) */
	ps_syscall_procs_init(&x->procs);
	for (int i = 0; i < 3; i++)
		if (ps_syscall_procs_add(&x->procs, 100, 0, read_ns[i], 100, 100) < 0)
			return -1;
	for (int i = 0; i < 2; i++)
		if (ps_syscall_procs_add(&x->procs, 200, 1, 9984, -EBADF, 0) < 0)
			return -1;
	x->run.syscalls = (struct ps_profile_syscalls){
		.collected = true, .stats = x->stats, .events = 10, .unmatched = 1,
		.paths_captured = 2, .paths_unread = 1, .files = &x->file, .nfiles = 1, .procs = &x->procs };
	return 0;
}

/* app (pid 100, parent 1) peaked at 2 MiB; its child (pid 200) at 4 MiB, and ended at 1.5 s. */
static void sched_init(struct fx *x)
{
	x->sched_procs[0] = (struct ps_process_sched){ .pid = 100, .ppid = 1, .first_ns = 1000000000ULL,
						       .last_ns = 3000000000ULL, .peak_rss_kb = 2048 };
	x->sched_procs[1] = (struct ps_process_sched){ .pid = 200, .ppid = 100, .first_ns = 1250000000ULL,
						       .last_ns = 1500000000ULL, .peak_rss_kb = 4096 };
	x->run.sched.procs = x->sched_procs;
	x->run.sched.nprocs = 2;
}

/*
 * Thread 100 blocked 1.5 s asleep and 0.25 s on disk, 0.1 s runnable;
 * thread 101 blocked 0.5 s on a lock, 0.05 s runnable.  No stacks.
 */
static void offcpu_init(struct fx *x)
{
	x->threads[0] = (struct ps_offcpu_thread){ .pid = 100, .tid = 100, .runnable_ns = 100000000,
						   .voluntary = 5, .involuntary = 2 };
	x->threads[0].blocked_ns[PS_OFF_SLEEP] = 1500000000;
	x->threads[0].blocked_ns[PS_OFF_DISK] = 250000000;
	x->threads[1] = (struct ps_offcpu_thread){ .pid = 100, .tid = 101, .runnable_ns = 50000000,
						   .voluntary = 3, .involuntary = 1 };
	x->threads[1].blocked_ns[PS_OFF_LOCK] = 500000000;
	x->sites[0] = (struct ps_offcpu_site){ .stack = -1, .thread = 0, .reason = PS_OFF_DISK,
					       .ns = 250000000, .count = 2 };
	x->sites[1] = (struct ps_offcpu_site){ .stack = -1, .thread = 1, .reason = PS_OFF_LOCK,
					       .ns = 500000000, .count = 3 };
	x->sites[2] = (struct ps_offcpu_site){ .stack = -1, .thread = 0, .reason = PS_OFF_SLEEP,
					       .ns = 1500000000, .count = 3 };
	x->run.offcpu = (struct ps_profile_offcpu){
		.collected = true, .switches = 20, .threads = x->threads, .nthreads = 2,
		.sites = x->sites, .nsites = 3 };
}

static int fx_init(struct fx *x)
{
	memset(x, 0, sizeof(*x));
	ps_profile_run_init(&x->run);
	if (cpu_init(x) < 0 || syscalls_init(x) < 0)
		return -1;
	offcpu_init(x);
	sched_init(x);
	x->run.cpu = &x->cpu.run;
	if (ps_profile_run_tabulate(&x->run) < 0)
		return -1;
	x->run.metrics.every_ns = 1000000000;
	return ps_notes_set(&x->run.notes, "metrics", "cannot read /proc/100/stat");
}

static void fx_release(struct fx *x)
{
	ps_profile_run_release(&x->run);
	if (x->stats)
		ps_syscall_stats_release(x->stats, PS_SYSCALL_MAX);
	free(x->stats);
	ps_syscall_procs_release(&x->procs);
	cpurun_fixture_release(&x->cpu);
}

/* File dir/name's text, to free; NULL when unreadable. */
static char *slurp(const char *dir, const char *name)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *in, *out;
	int c;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	in = fopen(path, "r");
	if (!in)
		return NULL;
	out = open_memstream(&text, &len);
	while (out && (c = fgetc(in)) != EOF)
		fputc(c, out);
	if (out)
		fclose(out);
	fclose(in);
	return text;
}

/* report.json's member key of o: a number (NAN when absent), a string ("" when absent) */
static double num(const cJSON *o, const char *key)
{
	return ps_json_number(o, key, NAN);
}

static const char *str(const cJSON *o, const char *key)
{
	const char *s = ps_json_string(o, key);

	return s ? s : "";
}

/* a == b to the last digit or so (both went through report.json's text) */
static int same(double a, double b)
{
	return fabs(a - b) <= 1e-12 * fmax(1.0, fabs(b));
}

static void check_metadata(const cJSON *root)
{
	const cJSON *md = ps_json_member(root, "metadata"), *sections = ps_json_member(md, "sections");
	const cJSON *metrics = ps_json_member(sections, "metrics"), *sc = ps_json_member(sections, "syscalls");

	CHECK(strcmp(str(root, "kind"), "profile") == 0 && num(md, "pid") == 100 &&
	      same(num(md, "duration_s"), 2.0) && num(md, "exit_code") == 0 &&
	      strcmp(str(md, "stopped_by"), "target_exit") == 0,
	      "metadata: pid 100, 2 s from 1 s to 3 s, exit code 0, stopped as the target exited");
	CHECK(cJSON_IsTrue(ps_json_member(sc, "collected")) && cJSON_IsNull(ps_json_member(sc, "note")) &&
	      cJSON_IsFalse(ps_json_member(metrics, "collected")) &&
	      strcmp(str(metrics, "note"), "cannot read /proc/100/stat") == 0 &&
	      cJSON_IsNull(ps_json_member(md, "tracefs_note")),
	      "sections: system calls collected with no note; metrics not, with the run's note");
}

static void check_syscalls(const cJSON *root)
{
	const cJSON *s = ps_json_member(root, "syscalls"), *calls = ps_json_member(s, "calls");
	const cJSON *w = cJSON_GetArrayItem(calls, 0), *r = cJSON_GetArrayItem(calls, 1);

	CHECK(num(s, "events") == 10 && num(s, "lost_events") == 0 && num(s, "unmatched_exits") == 1 &&
	      num(ps_json_member(s, "open_paths"), "captured") == 2 &&
	      num(ps_json_member(s, "open_paths"), "unreadable") == 1 && cJSON_IsTrue(ps_json_member(s, "complete")),
	      "system calls: 10 events, 1 unmatched exit, 2 paths read and 1 not, complete");
	CHECK(cJSON_GetArraySize(calls) == 2 && strcmp(str(w, "name"), "write") == 0 &&
	      strcmp(str(r, "name"), "read") == 0,
	      "two calls, most total time first: write (19968 ns), then read (7056 ns)");
	CHECK(num(w, "nr") == 1 && num(w, "count") == 2 && num(w, "errors") == 2 &&
	      num(ps_json_member(w, "errnos"), "EBADF") == 2 && same(num(w, "total_s"), 19968 / 1e9) &&
	      same(num(w, "avg_us"), 9.984) && same(num(w, "p50_us"), 9.984) &&
	      same(num(w, "p99_us"), 9.984) && same(num(w, "max_us"), 9.984) &&
	      num(w, "bytes") == 0,
	      "write: 2 calls of 9.984 us, both EBADF (got p50 %g us)", num(w, "p50_us"));
	CHECK(num(r, "nr") == 0 && num(r, "count") == 3 && num(r, "errors") == 0 &&
	      cJSON_GetArraySize(ps_json_member(r, "errnos")) == 0 && same(num(r, "total_s"), 7056 / 1e9) &&
	      same(num(r, "avg_us"), 2.352) && same(num(r, "p50_us"), 2.016) &&
	      same(num(r, "p95_us"), 4.032) && same(num(r, "p99_us"), 4.032) &&
	      same(num(r, "max_us"), 4.032) && num(r, "bytes") == 300,
	      "read: 3 calls of 1.008, 2.016, 4.032 us: avg 2.352, p50 2.016, p95 and p99 4.032 (got %g, %g, %g)",
	      num(r, "avg_us"), num(r, "p50_us"), num(r, "p95_us"));
}

static void check_files(const cJSON *root)
{
	const cJSON *files = ps_json_member(root, "files"), *f = cJSON_GetArrayItem(files, 0);

	CHECK(cJSON_GetArraySize(files) == 1 && strcmp(str(f, "name"), "/data/in") == 0 &&
	      strcmp(str(f, "kind"), "file") == 0 && num(f, "reads") == 3 &&
	      num(f, "read_bytes") == 300 && same(num(f, "read_s"), 7056 / 1e9) &&
	      num(f, "writes") == 0 && num(f, "sequential_ops") == 2 && num(f, "random_ops") == 1 &&
	      same(num(f, "sequential_share"), 2.0 / 3.0),
	      "files: /data/in, 3 reads of 300 bytes, 2 of 3 sequential");
}

static void check_offcpu(const cJSON *root)
{
	const cJSON *o = ps_json_member(root, "offcpu"), *by = ps_json_member(o, "blocked_by_reason_s");
	const cJSON *top = ps_json_member(o, "top"), *t0 = cJSON_GetArrayItem(top, 0);
	const cJSON *t1 = cJSON_GetArrayItem(top, 1), *t2 = cJSON_GetArrayItem(top, 2);
	const cJSON *th = cJSON_GetArrayItem(ps_json_member(o, "threads"), 1);

	CHECK(cJSON_IsFalse(ps_json_member(o, "stacks")) && num(o, "switches") == 20 &&
	      same(num(o, "blocked_s"), 2.25) && same(num(o, "runnable_s"), 0.15) &&
	      num(o, "voluntary_switches") == 8 && num(o, "involuntary_switches") == 3,
	      "off CPU: 2.25 s blocked and 0.15 s runnable over both threads, 8 + 3 switches");
	CHECK(same(num(by, "sleep"), 1.5) && same(num(by, "lock"), 0.5) && same(num(by, "disk"), 0.25) &&
	      num(by, "network") == 0,
	      "off CPU by reason: sleep 1.5 s, lock 0.5 s, disk 0.25 s, none on the network");
	CHECK(cJSON_GetArraySize(ps_json_member(o, "threads")) == 2 && num(th, "tid") == 101 &&
	      same(num(ps_json_member(th, "blocked_s"), "lock"), 0.5) && same(num(th, "runnable_s"), 0.05) &&
	      cJSON_GetArraySize(ps_json_member(th, "blocked_s")) == 1,
	      "thread 101: 0.5 s on a lock, its only reason; 0.05 s runnable");
	CHECK(cJSON_GetArraySize(top) == 3 && strcmp(str(t0, "reason"), "sleep") == 0 &&
	      num(t0, "tid") == 100 && same(num(t0, "blocked_s"), 1.5) && num(t0, "waits") == 3 &&
	      strcmp(str(t1, "reason"), "lock") == 0 && num(t1, "tid") == 101 &&
	      strcmp(str(t2, "reason"), "disk") == 0 && cJSON_GetArraySize(ps_json_member(t0, "stack")) == 0,
	      "top waits, longest first: sleep (tid 100), lock (tid 101), disk; no stacks taken");
}

/*
 * One row per process, the sampled one first: its samples and function,
 * its calls and waits; the child's own calls, parent, peak and end.
 */
static void check_processes(const cJSON *root)
{
	const cJSON *ps = ps_json_member(root, "processes");
	const cJSON *app = cJSON_GetArrayItem(ps, 0), *kid = cJSON_GetArrayItem(ps, 1);
	const cJSON *acpu = ps_json_member(app, "cpu"), *asys = ps_json_member(app, "syscalls");
	const cJSON *ksys = ps_json_member(kid, "syscalls"), *aoff = ps_json_member(app, "offcpu");
	const cJSON *kw = cJSON_GetArrayItem(ps_json_member(ksys, "top"), 0);

	CHECK(cJSON_GetArraySize(ps) == 2 && num(app, "pid") == 100 && num(app, "ppid") == 1 &&
	      strcmp(str(app, "name"), "app") == 0 && num(kid, "pid") == 200 && num(kid, "ppid") == 100,
	      "processes: app (100, parent 1) first, then its child 200");
	CHECK(num(acpu, "samples") == 5 && num(acpu, "share") == 1 && strcmp(str(acpu, "top_function"), "work") == 0 &&
	      num(acpu, "top_function_samples") == 5 && cJSON_IsNull(ps_json_member(acpu, "cpu_s")),
	      "app's samples and function; no CPU time without schedstat's threads");
	CHECK(num(asys, "calls") == 3 && num(asys, "errors") == 0 && num(asys, "bytes") == 300 &&
	      same(num(asys, "time_s"), 7056e-9) && num(ksys, "calls") == 2 && num(ksys, "errors") == 2 &&
	      strcmp(str(kw, "name"), "write") == 0 && num(kw, "calls") == 2,
	      "each process's own system calls");
	CHECK(same(num(aoff, "blocked_s"), 2.25) && same(num(ps_json_member(aoff, "by_reason"), "lock"), 0.5) &&
	      num(ps_json_member(kid, "offcpu"), "blocked_s") == 0,
	      "off-CPU time by process: app's threads' 2.25 s, none for the child");
	CHECK(num(app, "peak_rss_bytes") == 2048 * 1024 && num(kid, "peak_rss_bytes") == 4096 * 1024 &&
	      same(num(kid, "start_s"), 0.25) && same(num(kid, "end_s"), 0.5) &&
	      cJSON_IsTrue(ps_json_member(kid, "ended")) && cJSON_IsFalse(ps_json_member(app, "ended")),
	      "peak memory, lifetime and end from the readings");
}

static void check_folded(const char *dir)
{
	char *off = slurp(dir, "offcpu.folded"), *wall = slurp(dir, "wall.folded");

	CHECK(off && strstr(off, "[tid 100];[sleep] 1500000000\n") && strstr(off, "[tid 101];[lock] 500000000\n") &&
	      strstr(off, "[tid 100];[disk] 250000000\n"),
	      "offcpu.folded: each thread's blocked nanoseconds, the reason as the leaf");
	CHECK(wall && strstr(wall, "app;main;work 50000000\n") && strstr(wall, "[tid 100];[sleep] 1500000000\n"),
	      "wall.folded: 5 samples at 100 Hz as 50 ms on CPU, beside the blocked time");
	free(off);
	free(wall);
}

int main(void)
{
	struct ps_profreport_opts o = { .version = "test" };
	struct ps_error err = { 0 };
	char dir[] = "/tmp/test_profreport.XXXXXX";
	struct fx x;
	char *text, *html;
	cJSON *root;
	int rc;

	CHECK(fx_init(&x) == 0, "a profile run built by hand");
	CHECK(mkdtemp(dir) != NULL, "a temporary directory");
	rc = ps_profreport_write_all(&x.run, dir, &o, &err);
	CHECK(rc == 0, "the profile's files written (%s)", err.msg);
	text = slurp(dir, "report.json");
	root = text ? cJSON_Parse(text) : NULL;
	CHECK(root != NULL, "report.json parses");
	if (root) {
		check_metadata(root);
		check_syscalls(root);
		check_files(root);
		check_offcpu(root);
		check_processes(root);
	}
	check_folded(dir);
	html = slurp(dir, "report.html");
	CHECK(html && strstr(html, "</html>"), "report.html written whole");
	free(html);
	cJSON_Delete(root);
	free(text);
	ps_remove_tree(dir);
	fx_release(&x);
	return unit_done();
}
