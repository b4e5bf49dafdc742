/*
 * ps_outfile: write a report so that a reader never sees a torn file.
 * Data goes to a temporary file beside the target, which is flushed,
 * checked and only then renamed over it.  A full disk leaves the old
 * file (if any) intact and names the file in the error.  A file that was
 * there keeps its mode and, where perfscope may set it, its owner; a new
 * one, under sudo, is given to the invoking user (ps_owner.h).  A link in
 * the file's place is replaced, never written through.
 *
 * Two destinations are not renamed over: "-" is standard output, and a
 * character or block device or a FIFO (/dev/null, a terminal, a pipe made
 * with mkfifo) is opened and written as it is, as a shell's redirection
 * would; a socket is refused.
 *
 * Not fsync'ed: the rename already means a reader sees the whole file or
 * none, whatever happens to perfscope; only a power cut in the next few
 * seconds could lose a report, and syncing each file cost ~10 ms a run
 * (the journal's commit), half of what profiling /bin/true costs.
 */
#ifndef PS_OUTFILE_H
#define PS_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/ps_error.h"

enum ps_outfile_kind {
	PS_OUT_RENAME,          /* a temporary renamed over path */
	PS_OUT_DIRECT,          /* a device or FIFO, written as it is */
	PS_OUT_STDOUT,          /* "-" */
};

struct ps_outfile {
	char *path;
	char *tmp_path;         /* PS_OUT_RENAME only */
	FILE *fp;
	enum ps_outfile_kind kind;
};

/* Checks, before any work is done, that `path` can be created (or, for
 * "-", a device or a FIFO, written). */
int ps_outfile_check(const char *path, struct ps_error *err);

int ps_outfile_open(struct ps_outfile *out, const char *path, struct ps_error *err);
/* Flushes, checks and renames into place; on failure removes the temporary. */
int ps_outfile_commit(struct ps_outfile *out, struct ps_error *err);
/* Drops the temporary (error paths). */
void ps_outfile_abort(struct ps_outfile *out);

/*
 * One file of a command's output directory: DIR/name, written by
 * write(fp, ctx, arg).  A command's files are a table of these: a new
 * output is one writer and one row.
 */
struct ps_outfile_entry {
	const char *name;
	int (*write)(FILE *fp, const void *ctx, const void *arg);
	const void *arg;
	bool page;                 /* an HTML page: left out when pages are not wanted */
};

/*
 * A writer returned rc < 0 for `path` (NULL: standard output): err says
 * out of memory for PS_E_NOMEM, else that it cannot be written
 * (PS_E_OUTPUT).  Returns the code set.
 */
int ps_outfile_write_failed(struct ps_error *err, int rc, const char *path);

/* The entry of files[0..n) named `name`, or NULL. */
const struct ps_outfile_entry *ps_outfile_entry_find(const struct ps_outfile_entry *files, size_t n,
						     const char *name);

/*
 * Writes each of files[0..n) (the pages only with `pages`) into dir, each
 * through its own temporary file, so each is complete or absent; stops at
 * the first failure (a write returning < 0 means out of memory).
 */
int ps_outfile_write_dir(const char *dir, const struct ps_outfile_entry *files, size_t n, bool pages,
			 const void *ctx, struct ps_error *err);

#endif
