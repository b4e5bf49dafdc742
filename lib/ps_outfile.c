#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "ps_outfile.h"
#include "ps_owner.h"

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

int ps_outfile_check(const char *path, struct ps_error *err)
{
	struct stat st;
	char *tmp;
	int fd;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		ps_error_set(err, PS_E_OUTPUT, "cannot write '%s': it is a directory", path);
		ps_error_hint(err, "give a file name, e.g. --output %s/profile.folded", path);
		return PS_E_OUTPUT;
	}
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

int ps_outfile_open(struct ps_outfile *out, const char *path, struct ps_error *err)
{
	int fd;

	memset(out, 0, sizeof(*out));
	out->path = strdup(path);
	out->tmp_path = temp_name(path);
	if (!out->path || !out->tmp_path) {
		ps_outfile_abort(out);
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	}
	fd = mkostemp(out->tmp_path, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		ps_outfile_abort(out);
		return output_error(err, path, e);
	}
	/* mkstemp makes 0600; a report is as readable as any file we create. */
	{
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
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
	if (out->fp) {
		fclose(out->fp);
		unlink(out->tmp_path);
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
	/* under sudo, the user's file; not fatal: a root-owned report is still readable */
	if (!e)
		ps_owner_give_fd(fileno(out->fp));
	if (fclose(out->fp) != 0 && !e)
		e = errno;
	out->fp = NULL;
	if (!e && rename(out->tmp_path, out->path) != 0)
		e = errno;
	if (e) {
		unlink(out->tmp_path);
		output_error(err, out->path, e);
		ps_outfile_abort(out);
		return PS_E_OUTPUT;
	}
	ps_outfile_abort(out);
	return 0;
}

int ps_outfile_write_dir(const char *dir, const char *const *names, ps_outfile_writer write,
			 const void *ctx, struct ps_error *err)
{
	for (const char *const *name = names; *name; name++) {
		struct ps_outfile out;
		char path[4096];
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, *name);
		rc = ps_outfile_open(&out, path, err);
		if (rc < 0)
			return rc;
		if (write(out.fp, *name, ctx) < 0) {
			ps_outfile_abort(&out);
			return ps_error_set(err, PS_E_NOMEM, "out of memory while writing '%s'", path);
		}
		rc = ps_outfile_commit(&out, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}
