#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/ps_owner.h"

static struct ps_owner owner;

/* A decimal id, nothing else: "", "12x", "-1" and overflows are refused. */
static bool parse_id(const char *s, unsigned long *out)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	/* (uid_t)-1 means "unchanged" to chown: never a real id */
	return errno == 0 && *end == '\0' && *out < UINT_MAX;
}

struct ps_owner ps_owner_parse(const char *sudo_uid, const char *sudo_gid, uid_t real_uid)
{
	struct ps_owner o = { 0 };
	unsigned long uid, gid;

	if (real_uid != 0 || !parse_id(sudo_uid, &uid) || !parse_id(sudo_gid, &gid) || uid == 0)
		return o;
	o.set = true;
	o.uid = (uid_t)uid;
	o.gid = (gid_t)gid;
	return o;
}

bool ps_owner_from_sudo(void)
{
	owner = ps_owner_parse(getenv("SUDO_UID"), getenv("SUDO_GID"), getuid());
	return owner.set;
}

int ps_owner_give_fd(int fd)
{
	if (!owner.set)
		return 0;
	return fchown(fd, owner.uid, owner.gid) < 0 ? -errno : 0;
}

int ps_owner_give_dir(const char *path)
{
	int fd, rc;

	if (!owner.set)
		return 0;
	/* the directory, not a link someone put in its place since the mkdir */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = ps_owner_give_fd(fd);
	close(fd);
	return rc;
}
