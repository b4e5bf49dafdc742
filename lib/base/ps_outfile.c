#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/ps_outfile.h"
#include "base/ps_owner.h"

static char *temp_name(const char *path)
{
	size_t len = strlen(path) + sizeof(".tmp.XXXXXX");
	char *t = malloc(len);

	if (t)
		snprintf(t, len, "%s.tmp.XXXXXX", path);
	return t;
}

static int output_error(struct ps_error *err, const char *path, int e)
{
	ps_error_set(err, PS_E_OUTPUT, "cannot write '%s': %s", path, strerror(e));
	if (e == ENOSPC || e == EDQUOT)
		ps_error_hint(err, "free some space or choose another place with --output");
	else if (e == EACCES || e == EROFS)
		ps_error_hint(err, "choose a writable place with --output");
	else if (e == ENOENT)
		ps_error_hint(err, "create the directory first, or choose another place with --output");
	return PS_E_OUTPUT;
}

/*
 * What path names, without following a link: PS_OUT_STDOUT for "-",
 * PS_OUT_DIRECT for a device or a FIFO, PS_OUT_RENAME for a regular file,
 * a link or nothing (*existing then says whether a regular file is there,
 * with its stat in *st); < 0 with err set for a directory or a socket.
 */
/* The descriptor that path names, for /dev/stdout, /dev/stderr, /dev/fd/N
 * and /proc/self/fd/N (links to open descriptors, whatever they are); -1
 * for any other path. */
static int named_fd(const char *path)
{
	const char *n = NULL;
	char *end;
	long fd;

	if (strcmp(path, "/dev/stdout") == 0)
		return STDOUT_FILENO;
	if (strcmp(path, "/dev/stderr") == 0)
		return STDERR_FILENO;
	if (strncmp(path, "/dev/fd/", 8) == 0)
		n = path + 8;
	else if (strncmp(path, "/proc/self/fd/", 14) == 0)
		n = path + 14;
	if (!n || !*n)
		return -1;
	fd = strtol(n, &end, 10);
	return *end || fd < 0 || fd > INT32_MAX ? -1 : (int)fd;
}

static int classify(const char *path, struct stat *st, bool *existing, struct ps_error *err)
{
	*existing = false;
	/* a descriptor of ours, even one redirected to a file: written as it
	 * is, never renamed over (that would replace /dev/stdout itself) */
	if (strcmp(path, "-") == 0 || named_fd(path) == STDOUT_FILENO)
		return PS_OUT_STDOUT;
	if (named_fd(path) >= 0)
		return PS_OUT_DIRECT;
	if (lstat(path, st) != 0)
		return PS_OUT_RENAME;
	if (S_ISDIR(st->st_mode)) {
		ps_error_set(err, PS_E_OUTPUT, "cannot write '%s': it is a directory", path);
		ps_error_hint(err, "give a file name, e.g. --output %s/profile.folded", path);
		return PS_E_OUTPUT;
	}
	if (S_ISSOCK(st->st_mode)) {
		ps_error_set(err, PS_E_OUTPUT, "cannot write '%s': it is a socket", path);
		ps_error_hint(err, "give a file name, or - for standard output");
		return PS_E_OUTPUT;
	}
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode))
		return PS_OUT_DIRECT;
	/* a link to a device or a FIFO (/dev/stdout, /dev/fd/3, a shell's
	 * >(cmd)) is written through; a link to anything else is replaced */
	if (S_ISLNK(st->st_mode)) {
		struct stat target;

		if (stat(path, &target) == 0 &&
		    (S_ISCHR(target.st_mode) || S_ISBLK(target.st_mode) || S_ISFIFO(target.st_mode))) {
			*st = target;
			return PS_OUT_DIRECT;
		}
	}
	*existing = S_ISREG(st->st_mode);
	return PS_OUT_RENAME;
}

int ps_outfile_check(const char *path, struct ps_error *err)
{
	struct stat st;
	bool existing;
	char *tmp;
	int fd, kind = classify(path, &st, &existing, err);

	if (kind < 0)
		return kind;
	if (kind == PS_OUT_STDOUT)
		return 0;
	if (kind == PS_OUT_DIRECT)
		return access(path, W_OK) == 0 ? 0 : output_error(err, path, errno);
	tmp = temp_name(path);
	if (!tmp)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		return output_error(err, path, e);
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	return 0;
}

/* A device or a FIFO, opened for writing as it is (a FIFO waits for its
 * reader); still one when opened, not a file swapped in meanwhile. */
static int open_direct(struct ps_outfile *out, struct ps_error *err)
{
	int named = named_fd(out->path);
	int fd = named >= 0 ? fcntl(named, F_DUPFD_CLOEXEC, 3) : open(out->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return output_error(err, out->path, errno);
	if (named < 0 && (fstat(fd, &st) < 0 ||
	    !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)))) {
		close(fd);
		ps_error_set(err, PS_E_OUTPUT, "cannot write '%s': it changed from a device or FIFO "
			     "while perfscope ran", out->path);
		return PS_E_OUTPUT;
	}
	out->fp = fdopen(fd, "w");
	if (!out->fp) {
		int e = errno;
		close(fd);
		return output_error(err, out->path, e);
	}
	return 0;
}

/*
 * The temporary file that will replace path: as readable as any file we
 * create (mkstemp makes 0600), or, replacing a regular file, with that
 * file's mode and, where we may set it, its owner.
 */
static void set_mode_and_owner(int fd, bool existing, const struct stat *st)
{
	if (existing) {
		/* the owner first: a change of owner clears set-id bits, and a
		 * report gets the permission bits only */
		bool given = fchown(fd, st->st_uid, st->st_gid) == 0;

		fchmod(fd, st->st_mode & 0777);
		if (given)
			return;
		/* not allowed (not root, another owner): ours, as a new file */
	} else {
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	/* under sudo, a new file is the user's; not fatal: a root-owned
	 * report is still readable */
	ps_owner_give_fd(fd);
}

int ps_outfile_open(struct ps_outfile *out, const char *path, struct ps_error *err)
{
	struct stat st;
	bool existing;
	int fd, kind;

	memset(out, 0, sizeof(*out));
	kind = classify(path, &st, &existing, err);
	if (kind < 0)
		return kind;
	out->kind = (enum ps_outfile_kind)kind;
	out->path = strdup(path);
	out->tmp_path = kind == PS_OUT_RENAME ? temp_name(path) : NULL;
	if (!out->path || (kind == PS_OUT_RENAME && !out->tmp_path)) {
		ps_outfile_abort(out);
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	}
	if (kind == PS_OUT_STDOUT) {
		out->fp = stdout;
		return 0;
	}
	if (kind == PS_OUT_DIRECT) {
		int rc = open_direct(out, err);

		if (rc < 0)
			ps_outfile_abort(out);
		return rc;
	}
	fd = mkostemp(out->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		ps_outfile_abort(out);
		return output_error(err, path, e);
	}
	set_mode_and_owner(fd, existing, &st);
	out->fp = fdopen(fd, "w");
	if (!out->fp) {
		int e = errno;
		close(fd);
		unlink(out->tmp_path);
		ps_outfile_abort(out);
		return output_error(err, path, e);
	}
	return 0;
}

void ps_outfile_abort(struct ps_outfile *out)
{
	if (out->fp && out->kind == PS_OUT_RENAME) {
		fclose(out->fp);
		if (out->tmp_path)
			unlink(out->tmp_path);
	} else if (out->fp && out->kind == PS_OUT_DIRECT) {
		fclose(out->fp);
	}
	free(out->path);
	free(out->tmp_path);
	memset(out, 0, sizeof(*out));
}

/*
 * Why an earlier write of fp failed, once stdio has forgotten (it keeps
 * only the error flag): a full file system is the usual cause, and says
 * what to do; anything else is EIO.
 */
static int lost_errno(FILE *fp)
{
	struct statvfs vfs;

	/* "full" as writes see it: less room than one more stdio buffer or two */
	if (fstatvfs(fileno(fp), &vfs) == 0 && (uint64_t)vfs.f_bavail * vfs.f_bsize < 65536)
		return ENOSPC;
	return EIO;
}

int ps_outfile_commit(struct ps_outfile *out, struct ps_error *err)
{
	int e = 0;

	errno = 0;
	if (fflush(out->fp) != 0 || ferror(out->fp))
		e = errno ? errno : lost_errno(out->fp);
	if (out->kind == PS_OUT_STDOUT) {
		out->fp = NULL;         /* stdout stays open for the summary */
	} else {
		if (fclose(out->fp) != 0 && !e)
			e = errno;
		out->fp = NULL;
	}
	if (!e && out->kind == PS_OUT_RENAME && rename(out->tmp_path, out->path) != 0)
		e = errno;
	if (e) {
		if (out->kind == PS_OUT_RENAME && out->tmp_path)
			unlink(out->tmp_path);
		output_error(err, out->kind == PS_OUT_STDOUT ? "standard output" : out->path, e);
		ps_outfile_abort(out);
		return PS_E_OUTPUT;
	}
	ps_outfile_abort(out);
	return 0;
}

int ps_outfile_write_failed(struct ps_error *err, int rc, const char *path)
{
	if (!path)
		return rc == PS_E_NOMEM ? ps_error_set(err, PS_E_NOMEM, "out of memory while writing to standard output")
					: ps_error_set(err, PS_E_OUTPUT, "cannot write to standard output");
	if (rc == PS_E_NOMEM)
		return ps_error_set(err, PS_E_NOMEM, "out of memory while writing '%s'", path);
	return ps_error_set(err, PS_E_OUTPUT, "cannot write '%s'", path);
}

const struct ps_outfile_entry *ps_outfile_entry_find(const struct ps_outfile_entry *files, size_t n,
						     const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

int ps_outfile_write_dir(const char *dir, const struct ps_outfile_entry *files, size_t n, bool pages,
			 const void *ctx, struct ps_error *err)
{
	for (size_t i = 0; i < n; i++) {
		const struct ps_outfile_entry *f = &files[i];
		struct ps_outfile out;
		char path[4096];
		int rc;

		if (f->page && !pages)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, f->name);
		rc = ps_outfile_open(&out, path, err);
		if (rc < 0)
			return rc;
		rc = f->write(out.fp, ctx, f->arg);
		if (rc < 0) {
			ps_outfile_abort(&out);
			return ps_outfile_write_failed(err, rc, path);
		}
		rc = ps_outfile_commit(&out, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
