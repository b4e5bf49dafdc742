/*
 * ps_memread: perfscope's side of the allocation tracker's files (layout in
 * ps_memproto.h).  Finds the file each traced process image creates in the
 * session directory, and hands its records over in time order, merged
 * across the threads' rings.
 *
 * A record is delivered only when it is older than every write still in
 * progress, so the order is exact; a file whose process is gone (or has
 * exec'ed into a new file) is drained completely and then ended.
 *
 * Every byte of a file is the profiled program's to write, so none is
 * trusted: a file named after a live process is read only when that
 * process descends from perfscope (the launched program and its children:
 * perfscope is their subreaper, so orphans stay under it); one whose
 * process is gone (a child reaped before perfscope looked) is read, never
 * stopped or scanned; and its header must say the same pid.  The file's
 * clock is taken once, when it is found;
 * a ring whose head runs more than a ring ahead of its tail, or whose
 * records do not fit, is corrupt and no longer read; a record stamped
 * before the reader started or after the moment it is read is dropped and
 * counted; and the mapping is guarded (ps_memguard.h), so a file truncated
 * under perfscope reads as zeros and is marked corrupt, not a SIGBUS.
 */
#ifndef PS_MEMREAD_H
#define PS_MEMREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include "memory/ps_memproto.h"

enum ps_memfile_end {
	PS_MEMFILE_LIVE,
	PS_MEMFILE_EXITED,     /* went through exit() and the leak scan */
	PS_MEMFILE_EXECED,     /* replaced by a new image (a newer file, same pid) */
	PS_MEMFILE_VANISHED,   /* died without exit(): _exit, a signal, a crash */
};

struct ps_memfile {
	uint32_t pid;
	unsigned gen;                 /* exec generation within the pid */
	struct ps_mem_header *h;      /* the whole file, mapped shared */
	enum ps_memfile_end end;
	bool corrupt;                 /* a record made no sense: reading stopped */
	bool truncated;               /* the file shrank under us (caught SIGBUS) */
	int guard;                    /* its ps_memguard slot */
	uint32_t clock;               /* PS_MEM_CLOCK_*, as read when the file was found */
	uint64_t rejected;            /* records stamped outside the session: dropped */
	bool exit_seen;               /* the EXIT record arrived */
	bool scanned;                 /* its leak scan was done (once, whatever it asks) */
	void *user;                   /* the consumer's per-process state */
	uint64_t last_fence_ns;       /* when records were last taken (CLOCK_MONOTONIC) */
	/* where reading has got to in each ring: ours, copied to the file's
	 * tails for the writers, never read back from there */
	uint64_t tails[PS_MEM_SLOTS];
};

struct ps_memread {
	char *dir;
	/* time-stamp counter -> CLOCK_MONOTONIC, measured from init to the first file */
	uint64_t tsc_ref, ns_ref;
	double ns_per_tick;
	struct ps_memfile *files;
	size_t nfiles, cap;
	pid_t owner;                  /* perfscope: whose descendants may be read */
	/* files refused: named after a process not ours, or a header that
	 * disagrees with the name (each counted once) */
	struct { uint32_t pid; unsigned gen; } *refused;
	size_t nrefused, refused_cap;
};

/* 0 or PS_E_NOMEM. */
int ps_memread_init(struct ps_memread *mr, const char *dir);
/* Unmaps and deletes the files (and the directory when it is empty). */
void ps_memread_release(struct ps_memread *mr);

/*
 * Maps files that appeared since the last call; returns how many, -1 when
 * the directory cannot be read, or PS_E_NOMEM.
 */
int ps_memread_discover(struct ps_memread *mr);

typedef void (*ps_memread_fn)(struct ps_memfile *f, const struct ps_mem_rec *r, void *ctx);

/* True when a ring of f holds records not delivered yet. */
bool ps_memread_unread(const struct ps_memfile *f);

/* When a poll takes records (each take fences the program's CPUs). */
enum ps_memread_when {
	PS_MEMREAD_WHEN_DUE,    /* a ring is filling, or records waited 10 ms */
	PS_MEMREAD_NOW,         /* whatever is there (before a leak scan, say) */
};

/*
 * Delivers the records of `f` that are safe to order now (all of them when
 * `drain`), oldest first.  Returns how many.
 */
uint64_t ps_memread_poll(const struct ps_memread *mr, struct ps_memfile *f, bool drain,
			 enum ps_memread_when poll, ps_memread_fn fn, void *ctx);

/* A record time of `f`, in CLOCK_MONOTONIC nanoseconds. */
uint64_t ps_memread_time_ns(const struct ps_memread *mr, const struct ps_memfile *f, uint64_t t);

/* Whether pid is perfscope's program or one of its descendants now: asked
 * before a process is stopped or its memory read. */
bool ps_memread_ours(const struct ps_memread *mr, uint32_t pid);

/* Whether the process behind `f` still exists. */
bool ps_memfile_alive(const struct ps_memfile *f);

#endif
