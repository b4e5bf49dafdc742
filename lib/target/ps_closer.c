/*
 * Closing file descriptors without waiting for the kernel (ps_closer.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target/ps_closer.h"

static bool listed(int fd, const int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] == fd)
			return true;
	return false;
}

/*
 * In the detached process: keep only fds (so that a reader of our stdout
 * or stderr sees its end), wait until the caller has closed its copies
 * (end of file on the gate), then close the last copies.
 */
static _Noreturn void closer(int gate, const int *fds, size_t n)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	DIR *dir;
	struct dirent *d;
	char byte;

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	dir = opendir("/proc/self/fd");
	while (dir && (d = readdir(dir))) {
		int fd = atoi(d->d_name);

		if (d->d_name[0] != '.' && fd > 2 && fd != gate && fd != dirfd(dir) && !listed(fd, fds, n))
			close(fd);
	}
	if (dir)
		closedir(dir);
	while (read(gate, &byte, 1) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	_exit(0);
}

void ps_close_detached(const int *fds, size_t n)
{
	int gate[2] = { -1, -1 };
	pid_t middle = -1;

	if (n && pipe2(gate, O_CLOEXEC) == 0)
		middle = fork();
	if (middle == 0) {
		/* orphaned at once: never our child to reap, never a zombie of ours */
		close(gate[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		if (fork() == 0)
			closer(gate[0], fds, n);
		_exit(0);
	}
	if (middle > 0)
		while (waitpid(middle, NULL, 0) < 0 && errno == EINTR)
			;
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	if (gate[0] >= 0) {
		close(gate[0]);
		close(gate[1]);
	}
}
