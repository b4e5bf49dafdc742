/*
 * ps_memprof: a memory profiling session, from launching the program with
 * the allocation tracker preloaded to the aggregated, symbolized heap that
 * the memory report writers read.
 *
 * Calling sequence:
 *   ps_memprof_init(&m, &cfg, &err);
 *   ps_memprof_run(&m, &err);      until the target and its children end,
 *                                  the duration passes or *cfg.stop is set
 *   ps_memprof_finish(&m, &err);   names the frames, fills m.run
 *   ... write reports from m.run (ps_memreport.h) ...
 *   ps_memprof_release(&m);
 *
 * Every process image of the target (forked children, exec'ed programs)
 * writes its own file in a private session directory; they are read while
 * the program runs, and deleted at the end.
 */
#ifndef PS_MEMPROF_H
#define PS_MEMPROF_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/ps_error.h"
#include "collect/ps_faults.h"
#include "memory/ps_heap.h"
#include "target/ps_launch.h"
#include "target/ps_lifecycle.h"
#include "memory/ps_leakscan.h"
#include "memory/ps_memread.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "model/ps_stacks.h"
#include "symbols/ps_symbols.h"
#include "memory/ps_uprobes.h"
#include "run/ps_memrun.h"

struct ps_memprof_progress {
	double elapsed_s;
	uint64_t allocations;
	uint64_t live_bytes;     /* of the main process */
};

struct ps_memprof_config {
	char *const *argv;       /* the command to launch, or NULL with attach_pid */
	pid_t attach_pid;        /* the process-level view of a running process */
	double interval_s;       /* resident memory read this often (0: 0.1 s) */
	uint64_t sample_bytes;   /* sampling mode's mean interval; 0: every allocation */
	uint64_t sample_seed;    /* 0: from the clock */
	double duration_s;       /* <= 0: until the target ends or stop is set */
	double kill_grace_s;     /* SIGTERM -> SIGKILL delay */
	enum ps_demangle_style demangle;
	unsigned fault_period;   /* page faults per stack sample (0: PS_FAULTS_DEFAULT_PERIOD) */
	bool no_faults;          /* do not sample page faults */
	const struct ps_alloc_layer *alloc_layer;  /* what sites look past (the run's); may be NULL */
	/* Set to a signal number by a signal handler: stop, passing that
	 * signal on to the target. */
	volatile sig_atomic_t *stop;
	/* Set by a second signal: name no more frames (the rest are kept as
	 * [module+0xoffset]) so that the reports are written at once. */
	volatile sig_atomic_t *hurry;
	void (*progress)(const struct ps_memprof_progress *p, void *ctx);
	void *progress_ctx;
};

struct ps_memprof {
	struct ps_memprof_config cfg;
	char preload[PATH_MAX];   /* the tracker library, by absolute path */
	char dir[PATH_MAX];       /* the session directory */
	struct ps_child child;
	bool launched;
	pid_t target_pid;
	struct ps_memread reader;
	struct ps_modules modules;
	struct ps_procs procs;
	struct ps_stacks stacks;
	struct ps_symbols symbols;
	struct ps_heap heap;
	uint64_t end_ns;          /* the run ended; it began at life.start_ns */
	struct ps_lifecycle life;    /* when it stops, how the target is ended */
	uint64_t records;
	uint64_t dropped;         /* records the tracker could not write */
	uint64_t lost_threads;    /* allocations of threads that found no ring */
	uint64_t corrupt_files;       /* a ring made no sense: its reading stopped */
	uint64_t truncated_files;     /* of those, files the program shrank under perfscope */
	uint64_t rejected_records;    /* stamped outside the session: dropped */
	uint64_t unwind_fallbacks;    /* stacks the tracker's fast walk left to libgcc */
	uint64_t unwind_verified;     /* PERFSCOPE_MEM_VERIFY: new stacks walked both ways */
	uint64_t unwind_mismatches;   /* of those, where the two walks disagreed */
	struct ps_leakscan_stats scan;
	char scan_note[512];      /* why leaks could not be classified */
	char tracker_note[1100];  /* why allocations cannot be tracked, if known up front */
	char allocator_note[1100]; /* why some allocations will not be seen (an allocator of its own) */
	bool go_runtime;          /* a Go program: its heap bypasses malloc */
	uint64_t untracked_images;    /* program images that ran without the tracker */
	char untracked_note[256];     /* some of them, by name */
	int64_t untracked_proc;   /* heap proc of a launched program without tracker, or -1 */
	/* a statically linked program: its allocator traced with uprobes instead */
	struct ps_uprobes uprobes;
	bool uprobes_on;
	bool static_ended;        /* its leaks classified at its exit stop */
	double uprobe_cost_us;    /* measured per probe hit; 0 if unknown */
	char uprobe_note[1100];   /* why uprobes could not be used, if they could not */
	struct ps_faults faults;  /* page faults with their stacks */
	char faults_note[1100];   /* why they are not sampled, if they are not */
	uint64_t faults_total;    /* counted, at the end */
	struct ps_mem_run run;    /* the finished run, filled by ps_memprof_finish */
};

int ps_memprof_init(struct ps_memprof *m, const struct ps_memprof_config *cfg,
		    struct ps_error *err);
int ps_memprof_run(struct ps_memprof *m, struct ps_error *err);
int ps_memprof_finish(struct ps_memprof *m, struct ps_error *err);
void ps_memprof_release(struct ps_memprof *m);

#endif
