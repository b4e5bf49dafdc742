/*
 * I/O per file and per socket peer (ps_files.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collect/ps_files.h"
#include "target/ps_proctext.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

void ps_files_init(struct ps_files *f)
{
	memset(f, 0, sizeof(*f));
}

void ps_files_release(struct ps_files *f)
{
	free(f->files);
	free(f->fds);
	memset(f, 0, sizeof(*f));
}

/* ---- naming a descriptor ---- */

/* "0100007F:1F90" (a little-endian IPv4 address and a port) -> "127.0.0.1:8080". */
/* The peer of socket `inode` of pid, from /proc/PID/net; false if not found. */
static bool socket_peer(uint32_t pid, unsigned long inode, char *out, size_t len)
{
	static const char *const tables[] = { "tcp", "udp", "tcp6", "udp6" };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		char path[64], peer[80], *text;
		bool found = false;

		snprintf(path, sizeof(path), "/proc/%u/net/%s", pid, tables[t]);
		text = ps_read_file(path, NULL);
		if (text && ps_proctext_net_peer(text, t >= 2, inode, peer, sizeof(peer))) {
			snprintf(out, len, "%s %s", tables[t], peer);
			found = true;
		}
		free(text);
		if (found)
			return true;
	}
	return false;
}

static void name_fd(uint32_t pid, int32_t fd, char *name, size_t len, uint8_t *kind)
{
	char path[64], target[240];
	ssize_t n;
	unsigned long inode;
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/fd/%d", pid, fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0) {
		name[0] = '\0';	/* closed since */
		*kind = PS_FILE_OTHER;
		return;
	}
	target[n] = '\0';
	if (sscanf(target, "socket:[%lu]", &inode) == 1) {
		*kind = PS_FILE_SOCKET;
		if (!socket_peer(pid, inode, name, len))
			snprintf(name, len, "socket (unix or unknown)");
		return;
	}
	if (strncmp(target, "pipe:", 5) == 0) {
		*kind = PS_FILE_PIPE;
		snprintf(name, len, "pipe");
		return;
	}
	*kind = stat(path, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) ?
		PS_FILE_REGULAR : PS_FILE_OTHER;
	snprintf(name, len, "%s", target);
}

/* ---- descriptors ---- */

static size_t fd_slot(const struct ps_files *f, uint32_t pid, int32_t fd)
{
	return (size_t)ps_hash_u64(((uint64_t)pid << 32) | (uint32_t)fd) & (f->fds_cap - 1);
}

static int grow_fds(struct ps_files *f)
{
	size_t cap = f->fds_cap ? f->fds_cap * 2 : 64;
	struct ps_fd_state *fds = calloc(cap, sizeof(*fds));

	if (!fds)
		return PS_E_NOMEM;
	for (size_t i = 0; i < f->fds_cap; i++) {
		size_t j;

		if (!f->fds[i].pid)
			continue;
		for (j = (size_t)ps_hash_u64(((uint64_t)f->fds[i].pid << 32) | (uint32_t)f->fds[i].fd) &
			 (cap - 1); fds[j].pid; j = (j + 1) & (cap - 1))
			;
		fds[j] = f->fds[i];
	}
	free(f->fds);
	f->fds = fds;
	f->fds_cap = cap;
	return 0;
}

static uint32_t file_named(struct ps_files *f, const char *name, uint8_t kind)
{
	for (size_t i = 0; i < f->nfiles; i++)
		if (strcmp(f->files[i].name, name) == 0)
			return (uint32_t)i;
	if (ps_grow(&f->files, &f->files_cap, f->nfiles + 1, sizeof(*f->files)) < 0)
		return UINT32_MAX;
	memset(&f->files[f->nfiles], 0, sizeof(f->files[0]));
	snprintf(f->files[f->nfiles].name, sizeof(f->files[0].name), "%s", name);
	f->files[f->nfiles].kind = kind;
	return (uint32_t)f->nfiles++;
}

/*
 * The path an open call of pid was given, absolute: a relative one is
 * taken from the directory descriptor dirfd, or the working directory.
 */
static void name_opened(uint32_t pid, int64_t dirfd, const char *opened, char *name, size_t len,
			uint8_t *kind)
{
	char link[64], dir[PATH_MAX];
	ssize_t n = -1;
	struct stat st;

	if (opened[0] != '/') {
		if (dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "/proc/%u/cwd", pid);
		else
			snprintf(link, sizeof(link), "/proc/%u/fd/%d", pid, (int)dirfd);
		n = readlink(link, dir, sizeof(dir) - 1);
	}
	name[0] = '\0';
	if (n > 0) {
		dir[n] = '\0';
		if (strcmp(dir, "/") != 0)
			ps_strlcat(name, dir, len);
		ps_strlcat(name, "/", len);
	}
	ps_strlcat(name, opened, len);
	/* opened with open(): a file, unless what is at its path now says otherwise */
	*kind = stat(name, &st) < 0 || S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ?
		PS_FILE_REGULAR : PS_FILE_OTHER;
}

/* The state of (pid, fd) as of time t, named on first sight; NULL when out of memory. */
static struct ps_fd_state *fd_state_opened(struct ps_files *f, uint32_t pid, int32_t fd, uint64_t t,
					   const char *opened, int64_t dirfd)
{
	struct ps_fd_state *s;
	char name[256];
	uint8_t kind;
	uint32_t file;
	size_t i;

	if ((f->nfds + 1) * 2 > f->fds_cap && grow_fds(f) < 0)
		return NULL;
	for (i = fd_slot(f, pid, fd); f->fds[i].pid; i = (i + 1) & (f->fds_cap - 1))
		if (f->fds[i].pid == pid && f->fds[i].fd == fd)
			return &f->fds[i];
	if (f->closed_after && f->closed_after(f->closed_ctx, pid, fd, t))
		name[0] = '\0';	/* its number may mean something else in /proc now */
	else
		name_fd(pid, fd, name, sizeof(name), &kind);
	if (!name[0] && opened)
		name_opened(pid, dirfd, opened, name, sizeof(name), &kind);
	if (!name[0]) {
		snprintf(name, sizeof(name), "[closed]");
		kind = PS_FILE_OTHER;
	}
	file = file_named(f, name, kind);
	if (file == UINT32_MAX)
		return NULL;
	s = &f->fds[i];
	*s = (struct ps_fd_state){ .pid = pid, .fd = fd, .file = file };
	f->nfds++;
	return s;
}

static struct ps_fd_state *fd_state(struct ps_files *f, uint32_t pid, int32_t fd, uint64_t t)
{
	return fd_state_opened(f, pid, fd, t, NULL, 0);
}

/* The descriptor now means something else (closed, or a new open took its number). */
static void forget_fd(struct ps_files *f, uint32_t pid, int32_t fd)
{
	size_t i, hole;

	if (!f->fds_cap)
		return;
	for (i = fd_slot(f, pid, fd); f->fds[i].pid; i = (i + 1) & (f->fds_cap - 1))
		if (f->fds[i].pid == pid && f->fds[i].fd == fd)
			break;
	if (!f->fds[i].pid)
		return;
	/* backward-shift deletion keeps every probe chain whole */
	hole = i;
	for (;;) {
		size_t home;

		i = (i + 1) & (f->fds_cap - 1);
		if (!f->fds[i].pid)
			break;
		home = fd_slot(f, f->fds[i].pid, f->fds[i].fd);
		if (((i - home) & (f->fds_cap - 1)) >= ((i - hole) & (f->fds_cap - 1))) {
			f->fds[hole] = f->fds[i];
			hole = i;
		}
	}
	f->fds[hole].pid = 0;
	f->nfds--;
}

/* ---- calls ---- */

/* An operation of `bytes` at `start`: sequential when it starts where the last one ended. */
static void count_pattern(struct ps_file_stat *st, struct ps_fd_state *s, uint64_t start, int64_t ret)
{
	if (st->kind == PS_FILE_REGULAR && s->end_known) {
		if (start == s->last_end)
			st->sequential++;
		else
			st->random++;
	}
	s->last_end = start + (uint64_t)(ret > 0 ? ret : 0);
	s->end_known = true;
}

void ps_files_call(struct ps_files *f, uint32_t pid, int64_t nr, const uint64_t *args, int64_t ret,
		   uint64_t ns, uint64_t end_ns, const char *path)
{
	int32_t fd = (int32_t)args[0];
	struct ps_fd_state *s;
	struct ps_file_stat *st;
	bool read_op = false, write_op = false, explicit_offset = false;

	switch (nr) {
	case SYS_close:
		forget_fd(f, pid, fd);
		return;
	case SYS_open: case SYS_openat: case SYS_creat: case SYS_openat2:
		/* a new file starts at offset 0 (O_APPEND aside) */
		if (ret >= 0) {
			int64_t dirfd = nr == SYS_openat || nr == SYS_openat2 ? (int32_t)args[0] : AT_FDCWD;

			forget_fd(f, pid, (int32_t)ret);
			if ((s = fd_state_opened(f, pid, (int32_t)ret, end_ns, path, dirfd))) {
				s->pos_known = s->end_known = true;
				s->pos = s->last_end = 0;
			}
		}
		return;
	case SYS_socket: case SYS_accept: case SYS_accept4: case SYS_dup: case SYS_dup2:
	case SYS_dup3: case SYS_pipe: case SYS_pipe2:
		/* a descriptor number returned is a new one: forget what it was */
		if (ret >= 0 && nr != SYS_pipe && nr != SYS_pipe2)
			forget_fd(f, pid, (int32_t)ret);
		if (nr == SYS_dup2 || nr == SYS_dup3)
			forget_fd(f, pid, (int32_t)args[1]);
		return;
	case SYS_connect:
		forget_fd(f, pid, fd);	/* named again with its peer at its next use */
		return;
	case SYS_lseek:
		if (ret >= 0 && (s = fd_state(f, pid, fd, end_ns))) {
			s->pos = (uint64_t)ret;
			s->pos_known = true;
		}
		return;
	case SYS_read: case SYS_readv: case SYS_recvfrom: case SYS_recvmsg:
		read_op = true;
		break;
	case SYS_pread64: case SYS_preadv: case SYS_preadv2:
		read_op = explicit_offset = true;
		break;
	case SYS_write: case SYS_writev: case SYS_sendto: case SYS_sendmsg:
		write_op = true;
		break;
	case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
		write_op = explicit_offset = true;
		break;
	case SYS_fsync: case SYS_fdatasync: case SYS_sync_file_range:
		if ((s = fd_state(f, pid, fd, end_ns))) {
			f->files[s->file].syncs++;
			f->files[s->file].sync_ns += ns;
		}
		return;
	default:
		return;
	}
	if (fd < 0 || !(s = fd_state(f, pid, fd, end_ns)))
		return;
	st = &f->files[s->file];
	if (read_op) {
		st->reads++;
		st->read_ns += ns;
		st->read_bytes += ret > 0 ? (uint64_t)ret : 0;
	} else if (write_op) {
		st->writes++;
		st->write_ns += ns;
		st->written_bytes += ret > 0 ? (uint64_t)ret : 0;
	}
	if (ret < 0)
		return;
	if (explicit_offset) {
		/* pread and friends say where, and leave the file position alone */
		count_pattern(st, s, args[3], ret);
	} else if (s->pos_known) {
		count_pattern(st, s, s->pos, ret);
		s->pos += (uint64_t)(ret > 0 ? ret : 0);
	}
}

void ps_files_scan_process(struct ps_files *f, uint32_t pid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/fd", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			(void)fd_state(f, pid, (int32_t)atoi(d->d_name), 0);
	closedir(dir);
}
