#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "session/ps_cpuprof.h"
#include "sample/ps_records.h"
#include "base/ps_util.h"

#define POLL_MS 50

int ps_cpuprof_init(struct ps_cpuprof *p, const struct ps_cpuprof_config *cfg,
		    struct ps_error *err)
{
	struct ps_perf_config pcfg = {
		.frequency = cfg->frequency,
		.kernel_frames = cfg->kernel_frames,
		.dwarf = cfg->call_graph != PS_CALL_GRAPH_FP,
		.stack_size = cfg->stack_size ? cfg->stack_size : PS_DEFAULT_STACK_SIZE,
	};

	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	p->pidfd = -1;
	ps_cpu_run_init(&p->run);
	ps_lifecycle_init(&p->life, cfg->stop, cfg->duration_s, cfg->kill_grace_s);
	ps_preflight_read(&p->pf);
	ps_perf_init(&p->perf, &pcfg);
	if (ps_modules_init(&p->modules) < 0 || ps_procs_init(&p->procs, &p->modules) < 0 ||
	    ps_symbols_init(&p->symbols, &p->modules) < 0 || !p->perf.rings)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	ps_stacks_init(&p->stacks);
	p->stacks.max_bytes = cfg->max_stack_bytes;
	if (pcfg.stack_size % 8 || pcfg.stack_size < 64 || pcfg.stack_size > 65528) {
		ps_error_set(err, PS_E_USAGE, "stack size %u is not a multiple of 8 from 64 to 65528",
			     pcfg.stack_size);
		return err->code;
	}
	if (p->pf.max_sample_rate > 0 && cfg->frequency > (unsigned long)p->pf.max_sample_rate) {
		ps_error_set(err, PS_E_USAGE, "frequency %u Hz is above this kernel's limit of %ld Hz",
			     cfg->frequency, p->pf.max_sample_rate);
		ps_error_hint(err, "use -F %ld or less, or raise kernel.perf_event_max_sample_rate",
			      p->pf.max_sample_rate);
		return err->code;
	}
	return 0;
}

void ps_cpuprof_release(struct ps_cpuprof *p)
{
	if (p->launched && !p->child.exited && p->child.stopped_at_exec)
		ps_launch_abort(&p->child);
	ps_cpu_run_release(&p->run);
	ps_cpureport_release(&p->report);
	ps_ptrace_release(&p->ptrace);
	ps_perf_release(&p->perf);
	if (p->unwinder)
		p->unwinder->release(p->unwinder);
	ps_symbols_release(&p->symbols);
	ps_stacks_release(&p->stacks);
	ps_procs_release(&p->procs);
	ps_modules_release(&p->modules);
	if (p->pidfd >= 0)
		close(p->pidfd);
	ps_sampler_release(&p->sampler);
	memset(p, 0, sizeof(*p));
}

/* One event fd per (thread, CPU): many threads need many descriptors. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* JIT perf maps are trusted when they belong to the target's user (or root). */
static void note_target_owner(struct ps_cpuprof *p, pid_t pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	p->symbols.jit_owner = stat(path, &st) == 0 ? st.st_uid : 0;
}

/* The unwinder follows what the sampler could get: stacks copied or not. */
static int choose_unwinder(struct ps_cpuprof *p, struct ps_error *err)
{
	if (p->cfg.call_graph == PS_CALL_GRAPH_DWARF && !p->source.user_stacks) {
		ps_error_set(err, PS_E_PERM, "DWARF unwinding is not possible here: %s",
			     p->perf.unwind_note);
		ps_error_hint(err, "use --call-graph fp");
		return err->code;
	}
	p->unwinder = p->source.user_stacks ? ps_unwind_dwarf_new(&p->procs) : ps_unwind_fp_new();
	if (!p->unwinder)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	ps_sampler_init(&p->sampler, &p->procs, &p->stacks, p->unwinder);
	/* ptrace samples carry their weight in ticks; perf samples count one each */
	p->sampler.weight_from_period = p->source.weighted;
	return 0;
}

static unsigned stack_size_of(const struct ps_cpuprof *p)
{
	return p->cfg.stack_size ? p->cfg.stack_size : PS_DEFAULT_STACK_SIZE;
}

/* Sampling begins: the duration and the progress reports count from now. */
static void start_clock(struct ps_cpuprof *p)
{
	ps_lifecycle_start(&p->life, ps_now_ns());
}

/* From here on samples come from ps_ptrace, which holds the target. */
static int sample_with_ptrace(struct ps_cpuprof *p, pid_t pid, struct ps_error *err)
{
	ps_cpu_source_ptrace(&p->source, &p->ptrace, &p->procs, pid, p->cfg.frequency, stack_size_of(p));
	start_clock(p);
	return choose_unwinder(p, err);
}

/* From here on samples come from the perf events opened for the target. */
static int sample_with_perf(struct ps_cpuprof *p, struct ps_error *err)
{
	ps_cpu_source_perf(&p->source, &p->perf);
	return choose_unwinder(p, err);
}

/* Takes the launched child, stopped at its exec, under the ptrace sampler. */
static int start_ptrace(struct ps_cpuprof *p, struct ps_error *err)
{
	int rc = ps_ptrace_init(&p->ptrace, &p->child, stack_size_of(p), p->cfg.frequency, err);

	return rc < 0 ? rc : sample_with_ptrace(p, p->child.pid, err);
}

/*
 * perf_event_open was refused and --sampler is auto: keep the reason for
 * the report, close whatever events did open, and let ptrace sample.
 */
static bool fall_back_to_ptrace(struct ps_cpuprof *p, int rc, struct ps_error *err)
{
	struct ps_perf_config pcfg = p->perf.cfg;

	if (rc != PS_E_PERM || p->cfg.sampler != PS_SAMPLER_AUTO)
		return false;
	snprintf(p->sampler_note, sizeof(p->sampler_note),
		 "%s; sampling with ptrace instead (slower, user stacks only). %s",
		 err->msg, err->hint);
	ps_error_clear(err);
	ps_perf_release(&p->perf);
	ps_perf_init(&p->perf, &pcfg);
	return true;
}

static int start_sampler(struct ps_cpuprof *p, struct ps_error *err)
{
	int rc;

	if (p->cfg.sampler == PS_SAMPLER_PTRACE)
		return start_ptrace(p, err);
	rc = ps_perf_add_task(&p->perf, p->child.pid, &p->pf, err);
	if (fall_back_to_ptrace(p, rc, err))
		return start_ptrace(p, err);
	return rc == 0 ? sample_with_perf(p, err) : rc;
}

static int start_hooks(struct ps_cpuprof *p, pid_t pid, struct ps_error *err)
{
	const struct ps_cpuprof_hooks *h = p->cfg.hooks;

	return h && h->start ? h->start(h->ctx, pid, err) : 0;
}

static int start_launched(struct ps_cpuprof *p, struct ps_error *err)
{
	int rc = ps_launch_start(p->cfg.argv, NULL, p->cfg.keep_running, &p->child, err);

	if (rc < 0)
		return rc;
	p->launched = true;
	p->target_pid = p->child.pid;
	note_target_owner(p, p->child.pid);
	/* The exec is done: what it mapped so far is only in /proc. */
	ps_procs_synthesize(&p->procs, (uint32_t)p->child.pid);
	rc = start_sampler(p, err);
	if (rc == 0)
		rc = start_hooks(p, p->child.pid, err);
	if (rc < 0) {
		ps_launch_abort(&p->child);
		return rc;
	}
	if (p->source.owns_target)
		return 0;	/* ptrace keeps the child traced: it is already running */
	p->pidfd = open_pidfd(p->child.pid);
	start_clock(p);
	rc = ps_launch_release_stop(&p->child, err);
	if (rc < 0)
		ps_launch_abort(&p->child);
	return rc;
}

/* Samples a running process with ptrace; it is detached, alive, at the end. */
static int start_attached_ptrace(struct ps_cpuprof *p, struct ps_error *err)
{
	pid_t pid = p->cfg.attach_pid;
	int rc;

	p->target_pid = pid;
	note_target_owner(p, pid);
	rc = ps_ptrace_attach(&p->ptrace, pid, &p->child, stack_size_of(p), p->cfg.frequency, err);
	if (rc < 0)
		return rc;
	ps_procs_synthesize(&p->procs, (uint32_t)pid);
	rc = sample_with_ptrace(p, pid, err);
	return rc < 0 ? rc : start_hooks(p, pid, err);
}

static int start_attached(struct ps_cpuprof *p, struct ps_error *err)
{
	pid_t pid = p->cfg.attach_pid;
	int rc;

	if (p->cfg.sampler == PS_SAMPLER_PTRACE)
		return start_attached_ptrace(p, err);

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)pid);
	p->target_pid = pid;
	note_target_owner(p, pid);
	p->pidfd = open_pidfd(pid);
	rc = ps_perf_add_process(&p->perf, pid, &p->pf, err);
	if (fall_back_to_ptrace(p, rc, err))
		return start_attached_ptrace(p, err);
	if (rc == 0)
		rc = sample_with_perf(p, err);
	if (rc == 0)
		rc = start_hooks(p, pid, err);
	if (rc < 0)
		return rc;
	/* Maps after the events: a library mapped in between is in both. */
	ps_procs_synthesize(&p->procs, (uint32_t)pid);
	start_clock(p);
	return 0;
}

static bool target_gone(struct ps_cpuprof *p)
{
	int ended = p->source.ops->target_ended(&p->source);

	if (ended >= 0)
		return ended;
	if (p->launched)
		return ps_launch_reap(&p->child, false) != 0;
	if (p->pidfd >= 0) {
		struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };

		return poll(&pfd, 1, 0) > 0;
	}
	return kill(p->target_pid, 0) < 0 && errno == ESRCH;
}

/*
 * Ends a launched target that outlived sampling.  At the duration it gets
 * SIGTERM; after a signal to perfscope it gets that signal, unless it
 * already ended by itself (a terminal's Ctrl-C reaches it directly).
 * SIGKILL follows after the grace period.
 */
static void end_launched_target(struct ps_cpuprof *p)
{
	if (p->life.stopped_by_duration && p->cfg.keep_running) {
		p->left_running = true;
		return;
	}
	if (p->life.stopped_by_signal && ps_launch_wait(&p->child, 0.2))
		return;
	ps_launch_terminate(&p->child, ps_lifecycle_end_signal(&p->life), p->cfg.kill_grace_s);
}

static void report_progress(struct ps_cpuprof *p, uint64_t now)
{
	struct ps_cpuprof_progress pr;

	if (!p->cfg.progress || !ps_lifecycle_progress_due(&p->life, now))
		return;
	pr.elapsed_s = (double)(now - p->life.start_ns) / 1e9;
	pr.samples = p->sampler.stats.samples;
	pr.lost = p->sampler.stats.lost;
	p->cfg.progress(&pr, p->cfg.progress_ctx);
}

/* Told to stop, the target gone, or the duration passed: in that order of precedence. */
static bool should_stop(struct ps_cpuprof *p, uint64_t now)
{
	if (ps_lifecycle_signalled(&p->life))
		return true;
	if (target_gone(p)) {
		p->target_ended = true;
		return true;
	}
	return ps_lifecycle_expired(&p->life, now);
}

int ps_cpuprof_run(struct ps_cpuprof *p, struct ps_error *err)
{
	int rc;

	raise_fd_limit();
	rc = p->cfg.argv ? start_launched(p, err) : start_attached(p, err);
	if (rc < 0)
		return rc;
	for (;;) {
		int wake[2] = { p->pidfd, p->cfg.hooks ? p->cfg.hooks->wake_fd : -1 };
		uint64_t now;

		p->source.ops->round(&p->source, &p->sampler, wake, 2,
				     p->cfg.poll_ms ? (int)p->cfg.poll_ms : POLL_MS);
		now = ps_now_ns();
		if (p->cfg.hooks && p->cfg.hooks->round)
			p->cfg.hooks->round(p->cfg.hooks->ctx, now);
		report_progress(p, now);
		if (should_stop(p, now))
			break;
	}
	p->end_ns = ps_now_ns();
	p->source.ops->stop(&p->source, &p->sampler);
	if (p->cfg.hooks && p->cfg.hooks->stop)
		p->cfg.hooks->stop(p->cfg.hooks->ctx);
	p->sampling_cpu_s = ps_self_cpu_seconds();
	if (p->launched && !p->target_ended)
		end_launched_target(p);
	return 0;
}

/*
 * CPU time the launched program (with the children it waited for) used
 * that no sample stands for: each thread is sampled once a period of its
 * own CPU time, so a process or thread that lives less than a period is
 * never sampled, and many of them add up.  -1 when it cannot be known
 * (attached, still running, or an event that does not count time).
 */
static double unsampled_cpu(const struct ps_cpuprof *p)
{
	const char *ev = p->source.event;
	double sampled;

	if (!p->launched || p->left_running || !p->child.exited || !p->cfg.frequency ||
	    (strcmp(ev, "cpu-clock") != 0 && strcmp(ev, "task-clock") != 0 && strcmp(ev, "ptrace-timer") != 0))
		return -1;
	sampled = (double)p->sampler.stats.samples / (double)p->cfg.frequency;
	return p->child.cpu_s > sampled ? p->child.cpu_s - sampled : 0;
}

/* The notes every reader of the run sees, in the order they should read them. */
static int fill_notes(struct ps_cpuprof *p, struct ps_notes *ns)
{
	char lost[320] = "", evicted[200] = "", nameless[1024], python[512];

	if (p->sampler.stats.lost)
		snprintf(lost, sizeof(lost), "%llu samples were lost: the ring buffers overflowed; lower -F, "
			 "use --call-graph fp or a smaller --stack-size%s",
			 (unsigned long long)p->sampler.stats.lost,
			 ps_preflight_privileged(&p->pf) || p->pf.is_root ? "" :
			 ", or raise 'sudo sysctl kernel.perf_event_mlock_kb=4096'");
	if (p->unwinder && p->unwinder->stats.sessions_evicted)
		snprintf(evicted, sizeof(evicted), "more than 64 processes were unwound at once: %llu "
			 "unwinding sessions were dropped and rebuilt (slower, not less complete)",
			 (unsigned long long)p->unwinder->stats.sessions_evicted);
	ps_cpureport_nameless_note(&p->report, &p->symbols, nameless, sizeof(nameless));
	ps_cpureport_python_note(&p->report, &p->symbols, python, sizeof(python));
	if (ps_notes_set(ns, "sampler_note", p->sampler_note) < 0 ||
	    ps_notes_set(ns, "event_fallback_reason", p->perf.event_note) < 0 ||
	    ps_notes_set(ns, "kernel_note", p->perf.kernel_note) < 0 ||
	    ps_notes_set(ns, "kernel_symbols_note", p->symbols.kernel_note) < 0 ||
	    ps_notes_set(ns, "jit_note", p->symbols.jit_note) < 0 ||
	    ps_notes_set(ns, "nameless_note", nameless) < 0 ||
	    ps_notes_set(ns, "python_note", python) < 0 ||
	    ps_notes_set(ns, "unwind_note", p->perf.unwind_note) < 0 ||
	    ps_notes_set(ns, "lost_samples_note", lost) < 0 ||
	    ps_notes_set(ns, "unwind_sessions_note", evicted) < 0)
		return PS_E_NOMEM;
	return 0;
}

/* The finished run as a value: the session's figures copied, its tables lent. */
static int fill_run(struct ps_cpuprof *p)
{
	struct ps_cpu_run *r = &p->run;
	struct ps_run *run = &r->run;

	ps_run_set_target(run, p->cfg.argv, p->target_pid, &p->life, p->end_ns,
			  p->launched && !p->left_running ? &p->child : NULL);
	run->left_running = p->left_running;
	r->counts = (struct ps_cpu_counts){
		.samples = p->sampler.stats.samples, .lost = p->sampler.stats.lost,
		.throttles = p->sampler.stats.throttles, .bad_records = p->sampler.stats.bad_records,
		.broken_chains = p->sampler.stats.broken_chains, .sampling_cpu_s = p->sampling_cpu_s,
		.unsampled_cpu_s = unsampled_cpu(p),
	};
	if (r->counts.unsampled_cpu_s >= 0)
		run->target_cpu_s = p->child.cpu_s;
	r->sampling = (struct ps_cpu_sampling){
		.sampler = p->source.sampler_name, .frequency = p->cfg.frequency,
		.unwinder = p->unwinder ? p->unwinder->name : NULL,
		.stack_size = p->source.stack_size,
		.kernel_stacks = p->source.kernel_frames,
	};
	snprintf(r->sampling.event, sizeof(r->sampling.event), "%s", p->source.event);
	if (p->unwinder)
		r->unwind = p->unwinder->stats;
	r->report = &p->report;
	r->stacks = &p->stacks;
	r->symbols = &p->symbols;
	r->procs = &p->procs;
	r->modules = &p->modules;
	return fill_notes(p, &run->notes);
}

int ps_cpuprof_finish(struct ps_cpuprof *p, struct ps_error *err)
{
	p->symbols.demangle = p->cfg.demangle;
	p->symbols.hurry = p->cfg.hurry;
	bool failed = ps_symbols_resolve(&p->symbols, &p->stacks) < 0 ||
		      ps_cpureport_build(&p->report, &p->stacks, &p->symbols, &p->procs) < 0;

	/* filled either way: the summary and the exit status read the run */
	if (fill_run(p) < 0 || failed)
		return ps_error_set(err, PS_E_NOMEM, "out of memory while symbolizing");
	return 0;
}
