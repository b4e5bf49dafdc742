/*
 * shortopen: files opened, read and closed within microseconds, so that a
 * profiler reading /proc a few milliseconds later finds them gone.  In DIR
 * it writes short.txt (1000 bytes), then N times: open("short.txt")
 * relative to its working directory, read() it whole (1000 bytes, then a
 * read() that returns 0), close(); and N times the same with
 * openat(dirfd, "other.txt") on a directory descriptor to DIR/sub, whose
 * other.txt holds 500 bytes.  Prints its counts, then waits 300 ms before
 * exiting (what a profiler reads after a program's exit is gone with it).
 *
 * With --fail M it then makes M unlinkat() calls that fail with ENOENT
 * (DIR/sub/missing.txt) and M that fail with EISDIR (DIR/sub itself), and
 * prints how many failed with each, as the calls' errno said: a profiler
 * counting failed calls by errno must find these exactly (no other call of
 * the program, nor of the dynamic loader, is an unlinkat).
 *
 * Usage: shortopen DIR N [--fail M]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[4096];

static int write_file(int dirfd, const char *name, size_t bytes)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	memset(buf, 'x', bytes);
	if (fd < 0 || write(fd, buf, bytes) != (ssize_t)bytes)
		return -1;
	return close(fd);
}

/* Opens, reads to the end and closes; the bytes read, or -1. */
static long read_whole(int dirfd, const char *name, unsigned *reads)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	long total = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		total += n;
		(*reads)++;
	}
	(*reads)++;	/* the one that returned 0 */
	close(fd);
	return total;
}

int main(int argc, char **argv)
{
	unsigned reads_short = 0, reads_other = 0, enoent = 0, eisdir = 0;
	long bytes_short = 0, bytes_other = 0;
	int n, fails = 0, sub;

	if (argc == 5 && strcmp(argv[3], "--fail") == 0)
		fails = atoi(argv[4]);
	else if (argc != 3)
		return 2;
	if (chdir(argv[1]) < 0)
		return 2;
	n = atoi(argv[2]);
	if (mkdir("sub", 0755) < 0 || (sub = open("sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    write_file(AT_FDCWD, "short.txt", 1000) < 0 || write_file(sub, "other.txt", 500) < 0)
		return 1;
	for (int i = 0; i < n; i++)
		bytes_short += read_whole(AT_FDCWD, "short.txt", &reads_short);
	for (int i = 0; i < n; i++)
		bytes_other += read_whole(sub, "other.txt", &reads_other);
	for (int i = 0; i < fails; i++) {
		if (unlinkat(sub, "missing.txt", 0) < 0 && errno == ENOENT)
			enoent++;
		if (unlinkat(AT_FDCWD, "sub", 0) < 0 && errno == EISDIR)
			eisdir++;
	}
	printf("reads_short=%u bytes_short=%ld reads_other=%u bytes_other=%ld", reads_short,
	       bytes_short, reads_other, bytes_other);
	if (fails > 0)
		printf(" unlinkat_enoent=%u unlinkat_eisdir=%u", enoent, eisdir);
	printf("\n");
	fflush(stdout);
	usleep(300 * 1000);
	return 0;
}
