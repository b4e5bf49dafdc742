/*
 * ps_files: the program's I/O per file and per socket peer, from the
 * system calls (ps_syscalls feeds it each finished call): operations,
 * bytes and time of reads and writes, fsync and fdatasync, and the access
 * pattern: an operation is sequential when it starts where the previous
 * one on that descriptor ended, random otherwise.
 *
 * A descriptor is named when first seen, from /proc/PID/fd/N: a path, or
 * for a socket its peer's address from /proc/PID/net (tcp, tcp6, udp,
 * udp6), or "pipe".  Names are resolved while the profile runs, a few
 * milliseconds after the calls: a descriptor that was closed in between
 * (the system calls already read say so) is named after the path its open
 * call was given (ps_openpaths.h), made absolute, or "[closed]" where that
 * is not known, rather than after whatever took its number.
 */
#ifndef PS_FILES_H
#define PS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/ps_file_stats.h"

/* What a process's descriptor refers to now, and where it stands. */
struct ps_fd_state {
	uint32_t pid;
	int32_t fd;
	uint32_t file;                   /* index into files */
	bool pos_known, end_known;
	uint64_t pos;                    /* the file position: where read() and write() start */
	uint64_t last_end;               /* where the last operation ended */
};

/* True when pid closed fd after time t (so /proc no longer shows what it was). */
typedef bool (*ps_files_closed_fn)(const void *ctx, uint32_t pid, int32_t fd, uint64_t t);

struct ps_files {
	ps_files_closed_fn closed_after;  /* may be NULL */
	const void *closed_ctx;
	struct ps_file_stat *files;
	size_t nfiles, files_cap;
	struct ps_fd_state *fds;         /* open addressing on (pid, fd) */
	size_t fds_cap, nfds;
};

void ps_files_init(struct ps_files *f);
void ps_files_release(struct ps_files *f);

/*
 * A finished system call of pid: nr, its first four arguments, its result,
 * how long it took; for the open family, the path it was given if known
 * (else NULL).
 */
void ps_files_call(struct ps_files *f, uint32_t pid, int64_t nr, const uint64_t *args, int64_t ret,
		   uint64_t ns, uint64_t end_ns, const char *path);

/* Names the descriptors pid has now (inherited ones, stdout say) before it uses them. */
void ps_files_scan_process(struct ps_files *f, uint32_t pid);

#endif
