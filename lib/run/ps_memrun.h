/*
 * ps_mem_run: a finished memory profile, what the memory writers
 * (lib/report/ps_memreport.h) and the summary read: the run, how
 * allocations were seen, what the tracker's files and the leak scan
 * counted, the page faults, and the heap with its stacks and symbols.  The
 * tables are the session's and live as long as it does; a test points them
 * at tables it built.
 *
 * Its notes (run.notes), by id: tracker_note (allocations cannot be
 * tracked), uprobe_note (a static program's allocator not traced),
 * allocator_note (an allocator of the program's own), untracked_note (the
 * program images that ran without the tracker, by name), leak_scan_note
 * (leaks not classified) and faults_note (page faults not sampled).
 */
#ifndef PS_MEMRUN_H
#define PS_MEMRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "memory/ps_alloc_layer.h"
#include "memory/ps_heap.h"
#include "model/ps_stacks.h"
#include "run/ps_run.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "symbols/ps_symbols.h"

/* How allocations were seen. */
struct ps_mem_tracking {
	bool launched;              /* the tracker was preloaded; false: a running process's view */
	const char *tracker;        /* the tracker library's path; NULL when attached */
	uint64_t sample_bytes;      /* sampling mode's mean interval; 0: every allocation */
	uint64_t sample_seed;
	double interval_s;          /* resident memory was read this often */
	bool uprobes;               /* a static program: its allocator traced with uprobes */
	uint64_t uprobe_hits, uprobe_lost, uprobe_unpaired;
	double uprobe_cost_us;      /* per hit; 0 unknown */
};

/* What reading the tracker's files counted. */
struct ps_mem_counts {
	uint64_t records;
	uint64_t dropped;           /* records the tracker could not write */
	uint64_t rejected;          /* stamped outside the session */
	uint64_t corrupt_files;     /* a ring made no sense: its reading stopped */
	uint64_t truncated_files;   /* of those, files the program shrank under perfscope */
	uint64_t refused_files;     /* not perfscope's (another owner): not read */
	uint64_t untracked_images;  /* program images that ran without the tracker */
	uint64_t untracked_threads; /* threads that found no ring */
	uint64_t unwind_fallbacks, unwind_verified, unwind_mismatches;
};

struct ps_mem_scan {
	uint64_t root_bytes, heap_bytes, unreadable;
};

struct ps_mem_faults {
	bool sampled;
	unsigned period;            /* faults per stack sample */
	uint64_t total;             /* counted */
	uint64_t samples, lost;
	const struct ps_stacks *stacks;
};

struct ps_mem_site_frame;

struct ps_mem_run {
	struct ps_run run;
	struct ps_mem_tracking tracking;
	struct ps_mem_counts counts;
	struct ps_mem_scan scan;
	struct ps_mem_faults faults;
	const struct ps_heap *heap;
	const struct ps_stacks *stacks;      /* the allocation stacks */
	const struct ps_symbols *symbols;
	const struct ps_procs *procs;
	const struct ps_modules *modules;
	const struct ps_alloc_layer *alloc_layer;  /* what a site looks past; NULL: nothing */
	struct ps_mem_site_frame *site_frames;     /* per heap site once found (owned); NULL: not yet */
};

void ps_mem_run_init(struct ps_mem_run *r);
void ps_mem_run_release(struct ps_mem_run *r);

/* The main (first) process image: the target's pid, latest exec; NULL if the tracker never started. */
const struct ps_heap_proc *ps_mem_run_main(const struct ps_mem_run *r);

/* Its index in heap->proc (heap->nprocs when there is none). */
size_t ps_mem_run_main_index(const struct ps_mem_run *r);

/* The index of the process image with the largest peak heap (heap->nprocs when there is none). */
size_t ps_mem_run_largest(const struct ps_mem_run *r);

/* Whether sym is a frame of perfscope's own tracker, never shown (ctx: the run). */
bool ps_mem_run_tracker_frame(const struct ps_sym *sym, const void *ctx);

/* Where an allocation site is, past the allocator layer. */
struct ps_mem_site_frame {
	const char *function;   /* the site; NULL for a site without a stack */
	const char *caller;     /* the frame after it, or NULL */
	int index;              /* its position in the stack as memory.json lists it; -1 */
};

/*
 * The site of heap site s: the first frame of its stack (innermost first,
 * inlined functions counted as memory.json lists them, the tracker's frames
 * left out) whose function is not in the run's allocator layer; the
 * outermost when all are.
 */
void ps_mem_run_site(const struct ps_mem_run *r, const struct ps_heap_site *s, struct ps_mem_site_frame *out);

/*
 * Finds every heap site's frame once, for ps_mem_run_site to read: the
 * reports and the summary ask for all of a compiler's ~80,000 sites
 * several times over.  Call it when the heap and the names are final;
 * 0 or PS_E_NOMEM (then each call finds its site again).
 */
int ps_mem_run_find_sites(struct ps_mem_run *r);

#endif
