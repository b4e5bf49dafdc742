/*
 * ps_procs: the processes and threads we have seen, with each process's
 * memory mappings, rebuilt from the perf side-band records (MMAP2, COMM,
 * FORK, EXIT) and, for what existed before sampling began, /proc.
 *
 * Mappings are versioned by time: a mapping replaced by a later mmap (or
 * an exec) is retired with the time it ended, and lookups take the time of
 * the sample, so samples may be applied after side-band records that came
 * later without being named after what was mapped later.
 *
 * Samples are attributed to a "thread instance": a (pid, tid, name) triple.
 * A thread that renames itself or execs starts a new instance, so samples
 * taken before and after keep their own names.  Nothing is freed before
 * the end of the run: exited processes are still needed to name their
 * samples in the report.
 */
#ifndef PS_PROCS_H
#define PS_PROCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ps_idmap.h"
#include "symbols/ps_modules.h"

/* A thread's name: the kernel's 15 bytes, each of which may become the 3
 * of U+FFFD (names are the program's to set: ps_utf8.h), and a NUL. */
#define PS_COMM_LEN 48

struct ps_map {
	uint64_t start, end, pgoff;
	uint32_t module;
	uint64_t since, until;  /* when it was mapped, and unmapped (retired only) */
};

struct ps_process {
	uint32_t pid;
	unsigned execs;         /* images it exec'ed into, seen as they happened */
	char exec_comm[PS_COMM_LEN];  /* the name the last of them started with */
	struct ps_map *maps;    /* live: sorted by start, non-overlapping */
	size_t nmaps, maps_cap;
	struct ps_map *retired; /* replaced mappings, for samples older than that */
	size_t nretired, retired_cap;
};

struct ps_thread_instance {
	uint32_t pid, tid;
	char comm[PS_COMM_LEN];       /* the thread's own name */
	char proc_comm[PS_COMM_LEN];  /* its process's name (the main thread's) */
};

struct ps_procs {
	struct ps_modules *modules;   /* not owned */
	char *last_maps;              /* ps_procs_refresh_maps(): the text last applied */
	struct ps_process *procs;
	size_t nprocs, procs_cap;
	struct ps_idmap proc_by_pid;
	struct ps_thread_instance *threads;
	size_t nthreads, threads_cap;
	struct ps_idmap thread_by_tid; /* tid -> current instance */
};

int ps_procs_init(struct ps_procs *pp, struct ps_modules *modules);
void ps_procs_release(struct ps_procs *pp);

/*
 * Records that from `time` on, [start, start+len) of pid maps `path` at
 * pgoff; 0 or PS_E_NOMEM.
 */
int ps_procs_add_map(struct ps_procs *pp, uint32_t pid, uint64_t time, uint64_t start,
		     uint64_t len, uint64_t pgoff, const char *path);

/*
 * Resolves ip in pid's address space, as it was at `time`, to (module,
 * offset).  Unmapped addresses give PS_MODULE_UNKNOWN with the absolute
 * address.
 */
void ps_procs_resolve(const struct ps_procs *pp, uint32_t pid, uint64_t time, uint64_t ip,
		      uint32_t *module, uint64_t *offset);

/* The mapping of pid that held ip at `time`, or NULL. */
const struct ps_map *ps_procs_find_map(const struct ps_procs *pp, uint32_t pid, uint64_t time,
				       uint64_t ip);

/* A thread's name (exec: a new program image) and a fork; each 0 or PS_E_NOMEM. */
int ps_procs_comm(struct ps_procs *pp, uint32_t pid, uint32_t tid, uint64_t time,
		  const char *name, bool exec);
int ps_procs_fork(struct ps_procs *pp, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid);

/*
 * The current instance of tid, made from /proc if we have not met it yet;
 * its index, or PS_E_NOMEM (< 0).
 */
int64_t ps_procs_thread(struct ps_procs *pp, uint32_t pid, uint32_t tid);

/*
 * Reads /proc/PID/maps and the names of its threads (state before
 * sampling); 0, -1 when /proc/PID cannot be read (the process is gone),
 * or PS_E_NOMEM.
 */
int ps_procs_synthesize(struct ps_procs *pp, uint32_t pid);

/*
 * Re-reads /proc/PID/maps (for samplers that get no mmap records); does
 * nothing when it has not changed since the last call.  0, -1 when it
 * cannot be read (the process is gone), or PS_E_NOMEM.
 */
int ps_procs_refresh_maps(struct ps_procs *pp, uint32_t pid, uint64_t time);

/*
 * The executable mappings of /proc/PID/maps text (changed in place), as
 * of time; 0 or PS_E_NOMEM.
 */
int ps_procs_apply_maps(struct ps_procs *pp, uint32_t pid, uint64_t time, char *text);

#endif
