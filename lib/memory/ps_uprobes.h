/*
 * ps_uprobes: exact allocation tracking without the preloaded tracker, for
 * programs that cannot load it (statically linked ones): uprobes on the
 * program's own malloc, calloc, realloc and free through perf_event_open,
 * entry and return, turned into the tracker's records and applied to the
 * heap, so every report is the same.
 *
 * Each probe hit is a trap into the kernel: microseconds, not nanoseconds.
 * The cost is measured (ps_uprobes_measure) so the user is told.
 *
 * Pairing: a call's entry (size, caller's stack) and its return (the
 * block's address) are matched per thread, last in first out; a call made
 * inside another traced call (realloc(NULL, n) calling malloc, say) is the
 * C library's own business and is not recorded twice.  Stacks come from a
 * small user-stack copy taken at entry, unwound with DWARF.
 */
#ifndef PS_UPROBES_H
#define PS_UPROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "memory/ps_heap.h"
#include "base/ps_idmap.h"
#include "sample/ps_perf.h"
#include "target/ps_preflight.h"
#include "symbols/ps_procs.h"
#include "unwind/ps_unwind.h"

enum ps_uprobe_fn { PS_UP_MALLOC, PS_UP_CALLOC, PS_UP_REALLOC, PS_UP_FREE, PS_UP_FNS };

struct ps_uprobe_event {
	uint64_t time;
	uint32_t tid;
	uint8_t fn;                  /* enum ps_uprobe_fn */
	bool ret;                    /* a return, else an entry */
	uint64_t a0, a1;             /* entry: the arguments; return: a0 = the result */
	uint64_t stack;              /* entry: the stack id */
};

struct ps_uprobe_call {
	uint8_t fn;
	bool nested;                 /* inside another traced call: not recorded */
	uint64_t a0, a1, stack, time;
};

#define PS_UPROBE_DEPTH 8

struct ps_uprobes {
	pid_t pid;
	uint32_t proc;               /* the heap's process */
	struct ps_perf entry[PS_UP_FNS], ret[PS_UP_FNS];
	bool probed[PS_UP_FNS];
	struct ps_procs *procs;      /* not owned */
	struct ps_unwinder *unwinder;
	struct ps_heap *heap;        /* not owned: where records go */
	struct ps_uprobe_event *queue;   /* events read, not yet applied */
	size_t nqueue, queue_cap;
	struct ps_idmap tid_calls;   /* tid -> index into calls */
	struct ps_uprobe_call (*calls)[PS_UPROBE_DEPTH];
	unsigned *depth;
	size_t nthreads, threads_cap;
	uint64_t hits, unpaired, lost;
	int failed;                  /* out of memory while applying: -1 */
};

/*
 * Finds the allocation functions in the executable `path` and probes them
 * in task pid (stopped, not yet run) and what it creates.  Fails when the
 * kernel has no uprobe events, the program no malloc and free symbols, or
 * perf_event_open refuses.
 */
int ps_uprobes_start(struct ps_uprobes *u, pid_t pid, const char *path, uint32_t proc,
		     struct ps_heap *heap, struct ps_procs *procs, const struct ps_preflight *pf,
		     struct ps_error *err);

/*
 * Reads what the probes recorded and applies what is complete (events of
 * the last 2 ms wait for the next poll, unless `final`); returns how many
 * events were applied, or PS_E_NOMEM.
 */
long ps_uprobes_poll(struct ps_uprobes *u, bool final);

void ps_uprobes_release(struct ps_uprobes *u);

/*
 * The time one probe hit adds, in microseconds: a function of perfscope's
 * own called with and without a uprobe on it.  0 when it cannot tell.
 */
double ps_uprobes_measure(void);

#endif
