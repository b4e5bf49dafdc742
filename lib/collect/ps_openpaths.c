/*
 * The paths open calls name (ps_openpaths.h).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "collect/ps_openpaths.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

int ps_openpaths_arg(int64_t nr)
{
	switch (nr) {
	case SYS_open: case SYS_creat:
		return 0;
	case SYS_openat: case SYS_openat2:
		return 1;
	default:
		return -1;
	}
}

/* The string at addr in tid's memory, cut at PS_OPENPATH_BYTES - 1 bytes; NULL if unreadable. */
static char *read_string(uint32_t tid, uint64_t addr)
{
	char buf[PS_OPENPATH_BYTES];
	size_t want = sizeof(buf) - 1, first = 4096 - (size_t)(addr & 4095);
	ssize_t n, m;

	/* up to the end of the page first: the next one may not be mapped */
	if (first > want)
		first = want;
	n = process_vm_readv((pid_t)tid, &(struct iovec){ buf, first }, 1,
			     &(struct iovec){ (void *)(uintptr_t)addr, first }, 1, 0);
	if (n == (ssize_t)first && (size_t)n < want && !memchr(buf, '\0', (size_t)n)) {
		m = process_vm_readv((pid_t)tid, &(struct iovec){ buf + n, want - (size_t)n }, 1,
				     &(struct iovec){ (void *)(uintptr_t)(addr + (uint64_t)n),
						      want - (size_t)n }, 1, 0);
		if (m > 0)
			n += m;
	}
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* read after the call was made: the program may have reused the
	 * buffer (glibc's setlocale does, under xz), and what is there now
	 * is not a path.  Garbage nearly always has control characters or
	 * bytes that are not UTF-8; such a file stays "[closed]" rather than
	 * get a false name (a real name that is not UTF-8 does too). */
	for (const unsigned char *c = (const unsigned char *)buf; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return NULL;
	if (!ps_utf8_valid(buf, strlen(buf)))
		return NULL;
	return buf[0] ? strdup(buf) : NULL;
}

/* "DIR/path" for a relative path, DIR being where dirfd of tid points; path itself otherwise. */
static char *absolute(uint32_t tid, int dirfd, char *path)
{
	char link[64], dir[PATH_MAX], *joined;
	ssize_t n;

	if (path[0] == '/')
		return path;
	if (dirfd == AT_FDCWD)
		snprintf(link, sizeof(link), "/proc/%u/cwd", tid);
	else
		snprintf(link, sizeof(link), "/proc/%u/fd/%d", tid, dirfd);
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n <= 0)
		return path;
	dir[n] = '\0';
	if (asprintf(&joined, "%s/%s", strcmp(dir, "/") ? dir : "", path) < 0)
		return path;
	free(path);
	return joined;
}

void ps_openpaths_capture(struct ps_openpaths *op, uint32_t tid, uint64_t time, uint64_t addr,
			  int dirfd)
{
	char *path;

	if (op->n >= PS_OPENPATHS_MAX ||
	    ps_grow(&op->v, &op->cap, op->n + 1, sizeof(*op->v)) < 0) {
		op->skipped++;
		return;
	}
	path = read_string(tid, addr);
	if (!path) {
		op->unreadable++;
		return;
	}
	path = absolute(tid, dirfd, path);
	op->v[op->n++] = (struct ps_open_path){ .tid = tid, .time = time, .path = path };
	op->captured++;
}

char *ps_openpaths_take(struct ps_openpaths *op, uint32_t tid, uint64_t time)
{
	for (size_t i = 0; i < op->n; i++) {
		char *path = op->v[i].path;

		if (op->v[i].tid != tid || op->v[i].time != time)
			continue;
		op->v[i] = op->v[--op->n];
		return path;
	}
	return NULL;
}

void ps_openpaths_release(struct ps_openpaths *op)
{
	for (size_t i = 0; i < op->n; i++)
		free(op->v[i].path);
	free(op->v);
	memset(op, 0, sizeof(*op));
}
