/*
 * ps_leakscan: which of a process's still-allocated blocks are leaks, by a
 * conservative scan of its memory (what memcheck and LeakSanitizer do),
 * run by perfscope while the process waits in its exit path.
 *
 * Roots are the writable mappings that hold no heap block (globals, .bss,
 * thread stacks, TLS), but not the tracker's own file and library; the
 * exiting thread's stack from the frame that called exit() up, and other
 * threads' stacks from their stack pointers (less the red zone) when they
 * are known; and registers: the exiting frame's callee-saved ones, the
 * other threads' all.  Any aligned word that
 * points into a block (interior pointers too, except to where glibc's
 * malloc keeps the next chunk's header) keeps it alive.  Blocks not
 * reachable from the roots are leaks: "indirect" when another leaked block
 * points to them, "definite" otherwise (so of two leaked blocks pointing
 * at each other, both count as indirect).
 */
#ifndef PS_LEAKSCAN_H
#define PS_LEAKSCAN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/ps_error.h"
#include "memory/ps_heap.h"

struct ps_leakscan_config {
	pid_t pid;
	uint64_t exit_sp;           /* 0 if unknown: whole stacks are roots */
	const uint64_t *sps;        /* other threads' stack pointers */
	size_t nsps;
	const uint64_t *regs;       /* register values, each a root */
	size_t nregs;
	const char *skip_paths[4];  /* mappings never used as roots (NULL-ended) */
	/* the scan ends, unfinished, when *stop is set or when it has read
	 * max_bytes (0: no bound): the program chooses its mappings and its
	 * blocks' sizes, and a scan of terabytes is no answer */
	const volatile sig_atomic_t *stop;
	uint64_t max_bytes;
};

struct ps_leakscan_stats {
	uint64_t root_bytes;        /* scanned as roots */
	uint64_t heap_bytes;        /* of blocks scanned */
	uint64_t unreadable;        /* ranges that could not be read */
};

/*
 * Sets kinds[i] (enum ps_leak_kind) for blocks[0..n), sorted by address.
 * Fails (PS_E_PERM) when the process's memory cannot be read at all, and
 * (PS_E_INTERNAL, kinds unset) when stopped or past max_bytes.
 */
int ps_leakscan_run(const struct ps_leakscan_config *cfg, const struct ps_heap_block *blocks,
		    size_t n, uint8_t *kinds, struct ps_leakscan_stats *st, struct ps_error *err);

#endif
