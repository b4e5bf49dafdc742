/*
 * ps_owner: who owns the files perfscope creates.
 *
 * Run through sudo, perfscope is root working for the user who typed the
 * command, and that user must be able to read, move and delete what it
 * wrote.  ps_owner_from_sudo() reads who that is (SUDO_UID and SUDO_GID,
 * only when the real uid is 0); from then on every output file (at its
 * commit, ps_outfile) and every output directory perfscope makes
 * (ps_owner_give_dir, right after its mkdir) is given to that user.
 * Nothing perfscope did not create is touched, and no link is followed:
 * files are changed through their open descriptor, directories through one
 * opened with O_NOFOLLOW | O_DIRECTORY.
 *
 * The owner is process-wide, like the umask: set once by the command
 * before any output is made.
 */
#ifndef PS_OWNER_H
#define PS_OWNER_H

#include <stdbool.h>
#include <sys/types.h>

struct ps_owner {
	bool set;
	uid_t uid;
	gid_t gid;
};

/*
 * The owner sudo asks for: SUDO_UID and SUDO_GID when real_uid is 0 and
 * both are decimal numbers, the uid not 0; otherwise none (.set false).
 */
struct ps_owner ps_owner_parse(const char *sudo_uid, const char *sudo_gid, uid_t real_uid);

/* Reads SUDO_UID, SUDO_GID and the real uid; returns whether an owner was set. */
bool ps_owner_from_sudo(void);

/*
 * Gives the file open as fd to the owner, if one is set.  Returns 0 or
 * -errno; callers may ignore a failure (the file is complete, and as
 * readable as before, only still root's).
 */
int ps_owner_give_fd(int fd);
/* The same for a directory the caller has just created at path. */
int ps_owner_give_dir(const char *path);

#endif
