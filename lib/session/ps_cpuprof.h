/*
 * ps_cpuprof: a CPU profiling session, from launch (or attach) to the
 * aggregated, symbolized result that the report writers read.
 *
 * Calling sequence:
 *   ps_cpuprof_init(&p, &cfg);
 *   ps_cpuprof_run(&p, &err);       samples until the target ends, the
 *                                   duration passes or *cfg.stop is set
 *   ps_cpuprof_finish(&p, &err);    symbolizes, builds p.report and
 *                                   fills p.run, all the writers read
 *   ... write reports ...
 *   ps_cpuprof_release(&p);
 *
 * Each round of the per-CPU rings goes through ps_sampler: side-band
 * records in time order, then samples unwound in place.
 */
#ifndef PS_CPUPROF_H
#define PS_CPUPROF_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "run/ps_cpureport.h"
#include "run/ps_cpurun.h"
#include "base/ps_error.h"
#include "target/ps_launch.h"
#include "target/ps_lifecycle.h"
#include "symbols/ps_modules.h"
#include "sample/ps_perf.h"
#include "target/ps_preflight.h"
#include "symbols/ps_procs.h"
#include "sample/ps_ptrace.h"
#include "collect/ps_cpu_source.h"
#include "collect/ps_sampler.h"
#include "model/ps_stacks.h"
#include "symbols/ps_symbols.h"
#include "unwind/ps_unwind.h"

struct ps_cpuprof_progress {
	double elapsed_s;
	uint64_t samples;
	uint64_t lost;
};

enum ps_call_graph {
	PS_CALL_GRAPH_AUTO,   /* DWARF where the kernel copies stacks, else fp */
	PS_CALL_GRAPH_FP,
	PS_CALL_GRAPH_DWARF,
};

#define PS_DEFAULT_STACK_SIZE 32768

enum ps_sampler_kind {
	PS_SAMPLER_AUTO,      /* perf_event_open, else ptrace with a notice */
	PS_SAMPLER_PERF,
	PS_SAMPLER_PTRACE,
};

/* Collectors that run in the same session (perfscope profile). */
struct ps_cpuprof_hooks {
	/* The target is stopped at its exec (or running, attached): arm what they need. */
	int (*start)(void *ctx, pid_t pid, struct ps_error *err);
	/* Once per round, after the CPU samples are read. */
	void (*round)(void *ctx, uint64_t now_ns);
	/* Sampling is over: read what is left. */
	void (*stop)(void *ctx);
	void *ctx;
	/* Readable when the hooks' own rings fill (an epoll set): start a round early. -1: none */
	int wake_fd;
};

struct ps_cpuprof_config {
	char *const *argv;          /* command to launch, or NULL with attach_pid */
	pid_t attach_pid;
	unsigned frequency;
	double duration_s;          /* <= 0: until the target ends or stop is set */
	bool kernel_frames;
	enum ps_call_graph call_graph;
	unsigned stack_size;        /* bytes of user stack copied per sample */
	enum ps_demangle_style demangle;  /* how C++ and Rust names are made readable */
	enum ps_sampler_kind sampler;
	bool keep_running;          /* at the duration, leave a launched target running */
	double kill_grace_s;        /* SIGTERM -> SIGKILL delay */
	unsigned poll_ms;           /* longest wait between rounds (0: 50 ms) */
	/* Set to a signal number by a signal handler: stop sampling and pass
	 * that signal on to a launched target that is still running. */
	volatile sig_atomic_t *stop;
	/* Set by a second signal: name no more frames (the rest are kept as
	 * [module+0xoffset]) so that the reports are written at once. */
	volatile sig_atomic_t *hurry;
	/* The stack table's bound in bytes (0: PS_STACKS_DEFAULT_MAX_BYTES);
	 * past it new stacks keep their leaf frame alone (ps_stacks.h). */
	uint64_t max_stack_bytes;
	/* Called about once a second while sampling (may be NULL). */
	void (*progress)(const struct ps_cpuprof_progress *p, void *ctx);
	void *progress_ctx;
	const struct ps_cpuprof_hooks *hooks;  /* may be NULL */
};


struct ps_cpuprof {
	struct ps_cpuprof_config cfg;
	struct ps_preflight pf;
	struct ps_perf perf;
	struct ps_modules modules;
	struct ps_procs procs;
	struct ps_stacks stacks;
	struct ps_symbols symbols;
	struct ps_unwinder *unwinder;
	struct ps_child child;
	bool launched;
	struct ps_ptrace ptrace;
	struct ps_cpu_source source;  /* perf's events or ptrace: what round reads */
	char sampler_note[1100];    /* why ptrace was chosen over perf events */
	bool target_ended;          /* the target (or attached process) is gone */
	struct ps_lifecycle life;   /* when sampling stops, how the target is ended */
	bool left_running;          /* --keep-running left it alive */
	pid_t target_pid;
	int pidfd;
	uint64_t end_ns;            /* sampling ended; it began at life.start_ns */
	double sampling_cpu_s;      /* perfscope's CPU time until sampling ended */
	struct ps_sampler sampler;  /* records -> stacks; its stats are the session's */

	struct ps_cpureport report;
	struct ps_cpu_run run;      /* filled by ps_cpuprof_finish: what the writers read */
};

int ps_cpuprof_init(struct ps_cpuprof *p, const struct ps_cpuprof_config *cfg,
		    struct ps_error *err);
int ps_cpuprof_run(struct ps_cpuprof *p, struct ps_error *err);
int ps_cpuprof_finish(struct ps_cpuprof *p, struct ps_error *err);
void ps_cpuprof_release(struct ps_cpuprof *p);

#endif
