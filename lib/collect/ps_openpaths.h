/*
 * ps_openpaths: the path each open(), openat() or creat() names, read from
 * the calling process's memory (process_vm_readv) as soon as perfscope
 * reads the call's entry record, a few milliseconds after it was made.
 *
 * A relative path is completed at once from the thread's working directory
 * or directory descriptor.  What is read after the program has exited (its
 * last few milliseconds) cannot be read at all: those stay unnamed.
 *
 * A descriptor is normally named from /proc/PID/fd/N when its first
 * operation is applied; one opened, used and closed between two of
 * perfscope's rounds is gone by then.  The path the call was given names
 * it instead.  The string is read late, so it is exact for paths the
 * program keeps (string literals, long-lived buffers) and may be wrong for
 * a buffer reused within those milliseconds: /proc's name wins whenever
 * the descriptor is still open.
 *
 * Entries wait, keyed by (thread, entry time), until the call is applied;
 * at most PS_OPENPATHS_MAX wait at once (more are not captured).
 */
#ifndef PS_OPENPATHS_H
#define PS_OPENPATHS_H

#include <stddef.h>
#include <stdint.h>

#define PS_OPENPATHS_MAX 4096
#define PS_OPENPATH_BYTES 256

struct ps_open_path {
	uint32_t tid;
	uint64_t time;
	char *path;
};

struct ps_openpaths {
	struct ps_open_path *v;
	size_t n, cap;
	uint64_t captured, unreadable, skipped;   /* skipped: PS_OPENPATHS_MAX waited already */
};

/* The argument of system call nr that holds a path it opens, or -1. */
int ps_openpaths_arg(int64_t nr);

/*
 * Reads the NUL-terminated string at addr in tid's memory and keeps it,
 * made absolute from dirfd (AT_FDCWD: the working directory) if relative.
 */
void ps_openpaths_capture(struct ps_openpaths *op, uint32_t tid, uint64_t time, uint64_t addr,
			  int dirfd);

/* The path kept for the call tid entered at time (the caller frees it), or NULL. */
char *ps_openpaths_take(struct ps_openpaths *op, uint32_t tid, uint64_t time);

void ps_openpaths_release(struct ps_openpaths *op);

#endif
