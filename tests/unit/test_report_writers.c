/*
 * The CPU writers read a finished run (run/ps_cpurun.h) and nothing else,
 * so a run built here by hand, with no perf events and no root, is all
 * they need.  Checked: the folded lines with and without threads, the
 * JSON metadata (sampler, event, notes under their ids, how the run
 * stopped, exit status, unsampled CPU time) and function shares, and the
 * perf-script blocks' count and periods.  Also ps_notes itself.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_notes.h"
#include "report/ps_report.h"
#include "run/ps_cpurun.h"
#include "cpurun_fixture.h"
#include "unit.h"

struct fx {
	struct cpurun_fixture f;
	uint32_t app, libc;
};

static uint32_t frame(struct fx *x, uint32_t module, uint64_t offset, const char *name, const char *inlined)
{
	return fixture_frame(&x->f.sy, &x->f.ss, module, offset, PS_SYM_FUNC, name, inlined);
}

static char *const argv[] = { "app", "--work", NULL };

/*
 * app (pid 100): its main thread in _start;main;work(hot_loop inlined);compute
 * 6 times and in _start;main;work;hot_loop 3 times; its thread "worker"
 * (tid 101) in start_thread;memcpy 4 times.  13 samples at 100 Hz over 2 s.
 */
static int fx_init(struct fx *x)
{
	uint32_t S, M, W, C, T, L;

	memset(x, 0, sizeof(*x));
	if (cpurun_fixture_init(&x->f) < 0)
		return -1;
	x->app = (uint32_t)ps_modules_intern(&x->f.mm, "/usr/bin/app", 100);
	x->libc = (uint32_t)ps_modules_intern(&x->f.mm, "/usr/lib/x86_64-linux-gnu/libc.so.6", 100);
	S = frame(x, x->app, 0x10, "_start", NULL);
	M = frame(x, x->app, 0x20, "main", NULL);
	W = frame(x, x->app, 0x30, "work", "hot_loop");
	C = frame(x, x->app, 0x40, "compute", NULL);
	T = frame(x, x->libc, 0x50, "start_thread", NULL);
	L = frame(x, x->libc, 0x60, "memcpy", NULL);
	ps_procs_comm(&x->f.pp, 100, 100, 0, "app", false);
	ps_procs_comm(&x->f.pp, 100, 101, 0, "worker", false);
	ps_stacks_add(&x->f.ss, 0, (uint32_t[]){ C, W, M, S }, 4, 6, 0);
	ps_stacks_add(&x->f.ss, 0, (uint32_t[]){ W, M, S }, 3, 3, 0);
	ps_stacks_add(&x->f.ss, 1, (uint32_t[]){ L, T }, 2, 4, 0);
	if (cpurun_fixture_finish(&x->f) < 0)
		return -1;
	x->f.run.run.argv = argv;
	x->f.run.run.pid = 100;
	x->f.run.run.start_ns = 5000000000ULL;
	x->f.run.run.end_ns = 7000000000ULL;
	x->f.run.run.stopped_by = PS_RUN_DURATION;
	x->f.run.run.target_cpu_s = 1.55;
	x->f.run.sampling = (struct ps_cpu_sampling){ .sampler = "perf_event", .event = "cpu-clock",
						    .frequency = 100, .unwinder = "dwarf", .stack_size = 8192 };
	x->f.run.counts = (struct ps_cpu_counts){ .samples = 13, .lost = 2, .sampling_cpu_s = 0.01,
						.unsampled_cpu_s = 1.42 };
	if (ps_notes_set(&x->f.run.run.notes, "event_fallback_reason", "no hardware counters: cpu-clock") < 0 ||
	    ps_notes_set(&x->f.run.run.notes, "lost_samples_note", "2 samples were lost") < 0)
		return -1;
	return 0;
}

static void fx_release(struct fx *x)
{
	cpurun_fixture_release(&x->f);
}

/* What writer w writes of the run, as a string to free; NULL when it fails. */
static char *written(const struct ps_report_writer *w, const struct ps_cpu_run *run, bool per_thread)
{
	struct ps_report_opts o = { .per_thread = per_thread, .version = "test" };
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	int rc;

	if (!fp)
		return NULL;
	rc = w->write(fp, run, &o);
	fclose(fp);
	if (rc < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void folded(struct fx *x)
{
	char *text = written(&ps_report_folded, &x->f.run, false);
	static const char want[] = "app;_start;main;work;hot_loop_[i] 3\n"
				   "app;_start;main;work;hot_loop_[i];compute 6\n"
				   "app;start_thread;memcpy 4\n";

	CHECK(text && strcmp(text, want) == 0,
	      "folded: the process, then outermost first, inlined frames marked, lines sorted");
	if (!text || strcmp(text, want) != 0)
		printf("# got: %s\n", text ? text : "(failed)");
	free(text);
	text = written(&ps_report_folded, &x->f.run, true);
	CHECK(text && strstr(text, "app;app;_start;main;work;hot_loop_[i];compute 6\n") &&
	      strstr(text, "app;worker;start_thread;memcpy 4\n"),
	      "folded per thread: the thread's name after the process's");
	free(text);
}

static double number(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *string(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void json(struct fx *x)
{
	struct ps_report_opts o = { .version = "test", .perfscope_cpu_s = 0.5 };
	cJSON *root = ps_report_json_cpu(&x->f.run, &o), *m, *fn, *cmd;

	m = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	CHECK(m != NULL, "the JSON report has its metadata");
	if (!m) {
		cJSON_Delete(root);
		return;
	}
	cmd = cJSON_GetObjectItemCaseSensitive(m, "command");
	CHECK(cJSON_GetArraySize(cmd) == 2 && strcmp(cJSON_GetArrayItem(cmd, 1)->valuestring, "--work") == 0 &&
	      cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(m, "attached")) && number(m, "pid") == 100,
	      "the command, as launched, and its pid");
	CHECK(strcmp(string(m, "sampler"), "perf_event") == 0 && strcmp(string(m, "event"), "cpu-clock") == 0 &&
	      number(m, "frequency") == 100 && strcmp(string(m, "unwinder"), "dwarf") == 0 &&
	      number(m, "stack_size") == 8192, "how it was sampled, from the run's sampling");
	CHECK(strcmp(string(m, "event_fallback_reason"), "no hardware counters: cpu-clock") == 0 &&
	      strcmp(string(m, "lost_samples_note"), "2 samples were lost") == 0 &&
	      !cJSON_HasObjectItem(m, "unwind_note"), "each note under its id, and no key for a note not given");
	CHECK(fabs(number(m, "duration_s") - 2.0) < 1e-9 && number(m, "samples") == 13 &&
	      number(m, "lost_samples") == 2, "2 s from 5 s to 7 s, 13 samples, 2 lost");
	CHECK(strcmp(string(m, "stopped_by"), "duration") == 0 &&
	      cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(m, "exit_code")),
	      "stopped by the duration; still running, so no exit code");
	CHECK(fabs(number(m, "target_cpu_s") - 1.55) < 1e-9 && fabs(number(m, "unsampled_cpu_s") - 1.42) < 1e-9,
	      "the target's CPU time and the part no sample stands for");
	CHECK(fabs(number(m, "perfscope_cpu_s") - 0.5) < 1e-9 && fabs(number(m, "perfscope_sampling_cpu_s") - 0.01) < 1e-9,
	      "perfscope's own time from the options, while sampling from the run");
	/* complete: all three stacks reach a root (_start, start_thread) */
	CHECK(number(m, "stack_completeness") == 1 && number(m, "truncated_stacks") == 0, "every stack complete");

	fn = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "functions"), 0);
	/* compute: self 6 of 13 = 46.15%; total 6 */
	CHECK(fn && strcmp(string(fn, "name"), "compute") == 0 && strcmp(string(fn, "module"), "/usr/bin/app") == 0 &&
	      number(fn, "self") == 6 && fabs(number(fn, "self_pct") - 600.0 / 13) < 1e-9,
	      "the first function: compute, self 6 / 13 = 46.2%% (got %g)", fn ? number(fn, "self_pct") : -1);
	CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "threads")) == 2 &&
	      cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "stacks")) == 3,
	      "two threads, three stacks");

	/* attached, ended by itself with a signal */
	x->f.run.run.argv = NULL;
	x->f.run.run.stopped_by = PS_RUN_TARGET_EXIT;
	x->f.run.run.exited = true;
	x->f.run.run.exit_signal = 11;
	cJSON_Delete(root);
	root = ps_report_json_cpu(&x->f.run, &o);
	m = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	CHECK(m && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "attached")) &&
	      strcmp(string(m, "stopped_by"), "target_exit") == 0 && number(m, "exit_code") == 128 + 11 &&
	      number(m, "exit_signal") == 11, "a target killed by SIGSEGV: exit code 139, signal 11");
	cJSON_Delete(root);
	x->f.run.run.argv = argv;
	x->f.run.run.exited = false;
	x->f.run.run.exit_signal = 0;
}

static void perf_script(struct fx *x)
{
	char *text = written(&ps_report_perfscript, &x->f.run, false), *line, *save = NULL;
	unsigned long long periods = 0;
	unsigned blocks = 0, main_blocks = 0;

	CHECK(text != NULL, "perf script written");
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long period;
		char comm[32];
		unsigned pid, tid;

		/* "app   100/100   5.000000:   10000000 cpu-clock: " */
		if (sscanf(line, "%31s %u/%u %*[^:]: %llu cpu-clock:", comm, &pid, &tid, &period) != 4)
			continue;
		blocks++;
		periods += period;
		if (tid == 100)
			main_blocks++;
	}
	/* 13 samples at 100 Hz: 13 blocks of 10 ms; the main thread's 6 + 3 */
	CHECK(blocks == 13 && periods == 13ULL * 10000000ULL && main_blocks == 9,
	      "13 blocks of 10 ms each, 9 of the main thread (got %u blocks, %llu ns, %u)", blocks, periods,
	      main_blocks);
	free(text);
}

static void notes(void)
{
	struct ps_notes ns;

	ps_notes_init(&ns);
	CHECK(ps_notes_set(&ns, "a", "first") == 0 && ps_notes_set(&ns, "b", "") == 0 &&
	      ps_notes_set(&ns, "c", NULL) == 0 && ns.n == 1, "an empty or missing text adds no note");
	CHECK(ps_notes_set(&ns, "d", "second") == 0 && ps_notes_set(&ns, "a", "replaced") == 0 && ns.n == 2 &&
	      strcmp(ns.items[0].id, "a") == 0 && strcmp(ns.items[0].text, "replaced") == 0 &&
	      strcmp(ns.items[1].text, "second") == 0, "setting an id again replaces its text in place");
	CHECK(ps_notes_get(&ns, "d") && strcmp(ps_notes_get(&ns, "d"), "second") == 0 && !ps_notes_get(&ns, "b"),
	      "get by id; NULL for an id never set");
	ps_notes_release(&ns);
	CHECK(ns.n == 0 && !ns.items, "released: empty");
}

int main(void)
{
	struct fx x;
	int rc = fx_init(&x);

	CHECK(rc == 0, "a run built by hand");
	if (rc == 0) {
		folded(&x);
		json(&x);
		perf_script(&x);
	}
	fx_release(&x);
	notes();
	return unit_done();
}
