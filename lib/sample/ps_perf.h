/*
 * ps_perf: the perf_event_open sampler.
 *
 * One sampling event per (thread we were given, CPU), all with inherit=1 so
 * threads and children created later are followed.  The kernel refuses
 * mmap() on inherited per-task (cpu == -1) events, so events are per CPU:
 * the first event on each CPU owns that CPU's ring buffer and the others
 * are redirected into it with PERF_EVENT_IOC_SET_OUTPUT.
 *
 * Event choice: hardware cycles where the machine has them, else the
 * cpu-clock software event; kernel samples where allowed, else user only.
 * What was chosen, and why, is kept in event_name / notes for the report.
 */
#ifndef PS_PERF_H
#define PS_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "target/ps_preflight.h"
#include "sample/ps_records.h"

struct perf_event_attr;
struct perf_event_header;

struct ps_perf_config {
	unsigned frequency;      /* samples per second per thread */
	bool kernel_frames;      /* record kernel call chains if allowed */
	bool force_software;     /* skip the hardware cycles attempt */
	unsigned ring_pages;     /* data pages per CPU ring (power of 2); 0 = auto */
	bool dwarf;              /* copy user registers and stack for DWARF unwinding */
	unsigned stack_size;     /* bytes of user stack copied per sample (multiple of 8) */
	bool close_detached;     /* tracepoints and uprobes: see ps_closer.h */
};

struct ps_ring {
	int fd;
	void *base;              /* the mmap()ed header page + data */
	size_t data_size;
	unsigned char *scratch;  /* a record that wraps around is copied here */
	size_t scratch_cap;
	uint64_t snap_head;      /* data_head at the last ps_perf_snapshot() */
	bool hung_up;            /* its events are gone: poll reports it for ever */
};

struct ps_perf {
	struct ps_perf_config cfg;
	int ncpus;
	struct ps_ring *rings;   /* one per CPU */
	int *fds;                /* every event fd we opened */
	size_t nfds, fds_cap;
	pid_t *tids;             /* threads we opened events for (attach) */
	size_t ntids, tids_cap;
	bool exclude_kernel;
	bool kernel_callchains;
	bool hardware;
	bool dwarf;              /* stacks are being copied (may fall back to fp) */
	struct ps_rec_format format;
	char event_name[32];
	char event_note[256];    /* why the event fell back, if it did */
	char kernel_note[256];   /* why kernel frames are missing, if they are */
	char unwind_note[256];   /* why DWARF unwinding fell back, if it did */
};

/* Call-chain depth the kernel gives at most (kernel.perf_event_max_stack). */
#define PS_PERF_MAX_STACK 127

void ps_perf_init(struct ps_perf *perf, const struct ps_perf_config *cfg);
void ps_perf_release(struct ps_perf *perf);

/*
 * Releases n sets of events at once, those with close_detached in one
 * detached process: the last close of each uprobe waits for the others
 * (the kernel serializes them against every fork), so one closer for all
 * is one wait, not n.
 */
void ps_perf_release_many(struct ps_perf *const *perfs, size_t n);

/* Starts sampling one task (and, by inheritance, what it creates). */
int ps_perf_add_task(struct ps_perf *perf, pid_t tid, const struct ps_preflight *pf,
		     struct ps_error *err);

/* Starts sampling every thread of a running process, including racing ones. */
int ps_perf_add_process(struct ps_perf *perf, pid_t pid, const struct ps_preflight *pf,
			struct ps_error *err);

/*
 * Instead of the sampling event: opens the caller's event `attr` (a uprobe,
 * say: type, config, config1, config2, sample_period, sample_type,
 * sample_regs_user and sample_stack_user set) for every thread of process
 * pid on every CPU (the one thread of a program stopped at exec, or all of a
 * running one, racing ones included), inherited by the threads and children
 * they create.  Its samples must use PS_SAMPLE_TYPE_DWARF's layout with
 * PS_REGS_MASK.
 */
int ps_perf_add_event(struct ps_perf *perf, const struct perf_event_attr *attr, pid_t pid,
		      const struct ps_preflight *pf, struct ps_error *err);

/*
 * Reading the rings in rounds, records left in place (no copy):
 *   ps_perf_snapshot()   fixes, per ring, how far this round reads;
 *   ps_perf_scan(fn)     hands each record of the round to fn, in ring
 *                        order (may be called more than once per round);
 *   ps_perf_consume()    gives the round's space back to the kernel.
 * A record pointer is valid only during its call (a record that wraps
 * around the ring's end is copied to a scratch buffer).  ps_perf_scan
 * returns 0, or PS_E_NOMEM when that buffer cannot grow.
 */
typedef void (*ps_record_fn)(const struct perf_event_header *rec, void *ctx);
void ps_perf_snapshot(struct ps_perf *perf);
int ps_perf_scan(struct ps_perf *perf, ps_record_fn fn, void *ctx);
void ps_perf_consume(struct ps_perf *perf);

/* Waits for ring data or the timeout; returns on signals too. */
void ps_perf_wait(struct ps_perf *perf, const int *extra_fds, int nextra, int timeout_ms);
/* Adds every ring of perf to the epoll set epfd (readable at a ring's watermark). */
int ps_perf_watch(const struct ps_perf *perf, int epfd);
/* Drops from epfd the rings that hung up (see ps_perf_wait), which would keep it readable. */
void ps_perf_unwatch_hung_up(int epfd);

/* Stops counting (before the last drain). */
void ps_perf_disable(struct ps_perf *perf);

#endif
