/*
 * ps_offcpu: where threads wait.  Every context switch of the profiled
 * threads: a software context-switch event samples the user stack of the
 * thread going off CPU (where it blocked), and the kernel's switch records
 * (PERF_RECORD_SWITCH) say when it left, whether it was preempted, and when
 * it came back.  A voluntary switch-out is blocked time, weighted by the
 * nanoseconds until the thread runs again and classed by the system call
 * it was in (ps_syscalls, applied in the same time order): sleep, lock
 * (futex), disk, network, pipe, poll, child wait, other; a switch-out
 * outside any system call is a page fault.  A preempted thread was
 * runnable but not running: scheduler delay.  Switch records alone give
 * each thread's on-CPU, runnable and blocked time.
 *
 * Where the kernel refuses the sampling event (a normal user at
 * perf_event_paranoid 2), switch records still come: per-thread times and
 * voluntary/involuntary counts, no stacks.
 */
#ifndef PS_OFFCPU_H
#define PS_OFFCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "base/ps_idmap.h"
#include "sample/ps_perf.h"
#include "target/ps_preflight.h"
#include "symbols/ps_procs.h"
#include "collect/ps_sampler.h"
#include "model/ps_stacks.h"
#include "collect/ps_syscalls.h"
#include "model/ps_offcpu_stats.h"
#include "unwind/ps_unwind.h"

#define PS_OFFCPU_STACK_BYTES 4096

/* A thread's switch in progress: what its next switch completes. */
struct ps_offcpu_track {
	bool out;                    /* off CPU since out_ns */
	bool ended;                  /* its exit was recorded */
	bool preempted;
	uint8_t reason;
	int64_t out_stack;           /* the stack it blocked at, or < 0 */
	uint64_t out_ns, in_ns;
	int64_t sample_stack;        /* the last switch-out sample's stack */
	uint64_t sample_ns;
};

/* In the order they apply when their times are equal. */
enum ps_offcpu_event_kind {
	PS_OFF_EV_FORK,              /* a new thread: runnable until it first runs */
	PS_OFF_EV_SAMPLE,            /* the stack of the switch-out that follows */
	PS_OFF_EV_OUT,
	PS_OFF_EV_IN,
	PS_OFF_EV_EXIT,              /* after the thread's last switch */
};

struct ps_offcpu_event {
	uint64_t time;
	uint32_t pid, tid;
	uint8_t kind;                /* enum ps_offcpu_event_kind */
	bool preempted;
	int64_t stack;
};

struct ps_offcpu {
	struct ps_perf perf;
	struct ps_unwinder *unwinder;
	struct ps_sampler sampler;
	struct ps_stacks stacks;     /* frames shared with the CPU profile's table */
	bool stacks_on;              /* the sampling event was allowed */
	bool fp;                     /* its stacks from frame pointers, not stack copies */
	char note[1100];             /* why stacks are missing, if they are */
	struct ps_offcpu_event *queue;
	size_t nqueue, queue_cap;
	struct ps_idmap tid_index;
	struct ps_offcpu_thread *threads;  /* what each thread came to... */
	struct ps_offcpu_track *tracks;    /* ...and its switch in progress, by the same index */
	size_t nthreads, threads_cap, tracks_cap;
	struct ps_idmap site_index;  /* (stack, thread, reason) hash slot -> site */
	struct ps_offcpu_site *sites;
	size_t nsites, sites_cap;
	uint64_t switches, lost;
	uint64_t unpaired;           /* switches whose other half never came (lost, or reordered) */
	uint64_t start_ns;           /* threads first seen leaving the CPU ran since then */
	bool on;
};

/*
 * Records the context switches of pid (stopped at exec, or running) and what
 * it creates.  Stack samples where allowed (else `note` says why): a copy
 * of the user stack unwound with DWARF, or with `fp` the frame-pointer
 * chain the kernel walks, after what DWARF unwinds of a 512-byte copy (a
 * frameless system-call wrapper would hide its caller from the chain);
 * switch records in any case.
 * Fails only when perf_event_open refuses both.
 */
int ps_offcpu_start(struct ps_offcpu *o, pid_t pid, bool fp, struct ps_procs *procs,
		    struct ps_stacks *frames, const struct ps_preflight *pf, struct ps_error *err);

/*
 * One round: reads the rings, then applies switch events and the system
 * calls `sc` (may be NULL) merged in time order, up to the cut.
 */
void ps_offcpu_round(struct ps_offcpu *o, struct ps_syscalls *sc, bool final);

void ps_offcpu_release(struct ps_offcpu *o);

#endif
