/*
 * The whole picture in one run (ps_profile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "session/ps_profile.h"
#include "base/ps_util.h"

#define DEFAULT_INTERVAL_NS (1000ull * 1000 * 1000)
#define PROFILE_POLL_MS 10

static void section_off(struct ps_profile_section *s, const struct ps_error *err)
{
	s->on = false;
	snprintf(s->note, sizeof(s->note), "%s%s%s", err->msg, err->hint[0] ? ": " : "", err->hint);
}

static void start_syscalls(struct ps_profile *p, pid_t pid)
{
	struct ps_error err = { 0 };

	if (p->cfg.no_syscalls) {
		snprintf(p->syscalls_section.note, sizeof(p->syscalls_section.note),
			 "not asked for (--no-syscalls)");
		return;
	}
	if (ps_tracefs_open(&p->tracefs, &err) < 0 ||
	    ps_syscalls_start(&p->syscalls, pid, &p->tracefs, &p->pf, &err) < 0) {
		section_off(&p->syscalls_section, &err);
		ps_syscalls_release(&p->syscalls);
		return;
	}
	if (p->tracefs.mounted_here)
		snprintf(p->tracefs_note, sizeof(p->tracefs_note),
			 "tracefs was not mounted: perfscope mounted it at %s", p->tracefs.root);
	p->syscalls_section.on = true;
}

static void start_offcpu(struct ps_profile *p, pid_t pid)
{
	struct ps_error err = { 0 };

	if (p->cfg.no_offcpu) {
		snprintf(p->offcpu_section.note, sizeof(p->offcpu_section.note),
			 "not asked for (--no-offcpu)");
		return;
	}
	if (ps_offcpu_start(&p->offcpu, pid, p->cfg.cpu.call_graph == PS_CALL_GRAPH_FP,
			    &p->cpu.procs, &p->cpu.stacks, &p->pf, &err) < 0) {
		section_off(&p->offcpu_section, &err);
		ps_offcpu_release(&p->offcpu);
		return;
	}
	p->offcpu_section.on = true;
	if (!p->offcpu.stacks_on)
		snprintf(p->offcpu_section.note, sizeof(p->offcpu_section.note), "%s", p->offcpu.note);
	else if (!p->syscalls_section.on)
		snprintf(p->offcpu_section.note, sizeof(p->offcpu_section.note),
			 "reasons unknown: they come from the system call a thread waits in, and "
			 "system calls are not traced");
}

/* Reads what the collectors have, the system calls and switches merged in time order. */
static void read_collectors(struct ps_profile *p, bool final)
{
	struct ps_syscalls *sc = p->syscalls_section.on ? &p->syscalls : NULL;

	if (p->offcpu_section.on)
		ps_offcpu_round(&p->offcpu, sc, final);
	else if (sc)
		ps_syscalls_poll(sc, final);
}

/* The target first, then every process the sampler saw it create (alive or not). */
static void refresh_tree(struct ps_profile *p, pid_t pid)
{
	const struct ps_procs *procs = &p->cpu.procs;

	if (ps_grow(&p->tree, &p->tree_cap, procs->nprocs + 1, sizeof(*p->tree)) < 0)
		return;
	p->ntree = 0;
	p->tree[p->ntree++] = (uint32_t)pid;
	for (size_t i = 0; i < procs->nprocs; i++)
		if (procs->procs[i].pid != (uint32_t)pid)
			p->tree[p->ntree++] = procs->procs[i].pid;
}

static void read_metrics(struct ps_profile *p, uint64_t now_ns, bool first, bool last)
{
	refresh_tree(p, p->metrics.pid);
	if (first)
		p->metrics_section.on = ps_procmetrics_sample(&p->metrics, p->tree, p->ntree, now_ns, true) == 0;
	else if (p->metrics_section.on)
		ps_procmetrics_sample(&p->metrics, p->tree, p->ntree, now_ns, last);
	/* every round (about 50 ms): a thread keeps its last reading when it ends */
	ps_schedstat_sample(&p->sched, p->tree, p->ntree, now_ns, first);
}

/*
 * Off-CPU samples with stack copies can fill their rings within one round
 * (4 MiB is ~1000 switches): have a ring at its watermark wake the loop.
 */
static void watch_rings(struct ps_profile *p)
{
	p->hooks.wake_fd = epoll_create1(EPOLL_CLOEXEC);
	if (p->hooks.wake_fd < 0)
		return;		/* the rounds still come every PROFILE_POLL_MS */
	if (p->offcpu_section.on)
		(void)ps_perf_watch(&p->offcpu.perf, p->hooks.wake_fd);
	if (p->syscalls_section.on)
		(void)ps_perf_watch(&p->syscalls.perf, p->hooks.wake_fd);
}

/* The target is stopped at its exec (or running, attached): arm everything. */
static int on_start(void *ctx, pid_t pid, struct ps_error *err)
{
	struct ps_profile *p = ctx;
	uint64_t every = p->cfg.interval_s > 0 ? (uint64_t)(p->cfg.interval_s * 1e9) : DEFAULT_INTERVAL_NS;

	(void)err;
	start_syscalls(p, pid);
	start_offcpu(p, pid);
	watch_rings(p);
	ps_procmetrics_init(&p->metrics, pid, every);
	ps_schedstat_init(&p->sched, pid);
	read_metrics(p, ps_now_ns(), true, false);
	if (!p->metrics_section.on)
		snprintf(p->metrics_section.note, sizeof(p->metrics_section.note),
			 "cannot read /proc/%d/stat", (int)pid);
	return 0;
}

static void on_round(void *ctx, uint64_t now_ns)
{
	struct ps_profile *p = ctx;

	read_collectors(p, false);
	read_metrics(p, now_ns, false, false);
	if (p->hooks.wake_fd >= 0)
		ps_perf_unwatch_hung_up(p->hooks.wake_fd);
}

static void on_stop(void *ctx)
{
	struct ps_profile *p = ctx;

	read_collectors(p, true);
	/* the last reading, if the process is still there to read */
	if (p->metrics_section.on)
		read_metrics(p, ps_now_ns(), false, true);
}

int ps_profile_init(struct ps_profile *p, const struct ps_profile_config *cfg, struct ps_error *err)
{
	memset(p, 0, sizeof(*p));
	ps_profile_run_init(&p->run);
	p->cfg = *cfg;
	ps_preflight_read(&p->pf);
	p->hooks = (struct ps_cpuprof_hooks){ .start = on_start, .round = on_round, .stop = on_stop,
					      .ctx = p, .wake_fd = -1 };
	p->cfg.cpu.hooks = &p->hooks;
	/* system calls come at up to a million events a second: read often */
	p->cfg.cpu.poll_ms = PROFILE_POLL_MS;
	return ps_cpuprof_init(&p->cpu, &p->cfg.cpu, err);
}

int ps_profile_run(struct ps_profile *p, struct ps_error *err)
{
	return ps_cpuprof_run(&p->cpu, err);
}

/* Why each section is missing or reduced, under its id (ps_profrun.h). */
static int fill_notes(const struct ps_profile *p, struct ps_notes *ns)
{
	if (ps_notes_set(ns, "tracefs_note", p->tracefs_note) < 0 ||
	    ps_notes_set(ns, "syscalls", p->syscalls_section.note) < 0 ||
	    ps_notes_set(ns, "offcpu", p->offcpu_section.note) < 0 ||
	    ps_notes_set(ns, "metrics", p->metrics_section.note) < 0)
		return PS_E_NOMEM;
	return 0;
}

/* The finished profile: the CPU run, and views of what the other collectors filled. */
static int fill_run(struct ps_profile *p)
{
	struct ps_profile_run *r = &p->run;
	const struct ps_syscalls *sc = &p->syscalls;
	const struct ps_offcpu *o = &p->offcpu;

	r->cpu = &p->cpu.run;
	r->syscalls = (struct ps_profile_syscalls){
		.collected = p->syscalls_section.on, .stats = sc->stats,
		.events = sc->events, .lost = sc->lost, .unmatched = sc->unmatched,
		.paths_captured = sc->paths.captured, .paths_unread = sc->paths.unreadable + sc->paths.skipped,
		.files = sc->files.files, .nfiles = sc->files.nfiles, .procs = &sc->procs };
	r->offcpu = (struct ps_profile_offcpu){
		.collected = p->offcpu_section.on, .stacks_on = o->stacks_on,
		.switches = o->switches, .lost = o->lost, .unpaired = o->unpaired,
		.truncated_stacks = o->sampler.stats.truncated_samples,
		.threads = o->threads, .nthreads = o->nthreads, .sites = o->sites, .nsites = o->nsites,
		.stacks = &o->stacks };
	r->metrics = (struct ps_profile_metrics){
		.collected = p->metrics_section.on, .every_ns = p->metrics.every_ns,
		.pts = p->metrics.pts, .n = p->metrics.n };
	r->sched = (struct ps_profile_sched){
		.available = p->sched.available, .delayacct = p->sched.delayacct,
		.delayacct_note = p->sched.delayacct_note, .ticks_per_s = p->sched.ticks_per_s,
		.threads = p->sched.threads, .n = p->sched.n,
		.procs = p->sched.procs, .nprocs = p->sched.nprocs };
	r->tree = p->tree;
	r->ntree = p->ntree;
	if (ps_profile_run_tabulate(r) < 0)
		return PS_E_NOMEM;
	return fill_notes(p, &r->notes);
}

int ps_profile_finish(struct ps_profile *p, struct ps_error *err)
{
	/* filled even when symbolizing failed: the summary still reads the run */
	int rc = ps_cpuprof_finish(&p->cpu, err);

	if (fill_run(p) < 0 && rc == 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	return rc;
}

void ps_profile_release(struct ps_profile *p)
{
	ps_profile_run_release(&p->run);
	ps_offcpu_release(&p->offcpu);
	ps_syscalls_release(&p->syscalls);
	ps_procmetrics_release(&p->metrics);
	ps_schedstat_release(&p->sched);
	free(p->tree);
	ps_cpuprof_release(&p->cpu);
	if (p->hooks.wake_fd >= 0)
		close(p->hooks.wake_fd);
}
