/*
 * diskwait: a program that waits for its disk.  N times (default 300) it
 * writes 4 KiB to DIR/diskwait.data and makes it durable with fdatasync(),
 * so nearly all of its time is spent blocked on the device.  Ground truth
 * for the io_bound diagnosis.
 *
 * Usage: diskwait DIR [--writes N]
 */
#include "wl_common.h"
#include <fcntl.h>
#include <unistd.h>

WL_HOT static int write_durably(int fd, const char *block)
{
	WL_KEEP_FRAME();
	return write(fd, block, 4096) == 4096 && fdatasync(fd) == 0;
}

int main(int argc, char **argv)
{
	static char block[4096];
	char path[4096];
	int writes, fd;

	if (argc < 2)
		return 2;
	writes = (int)wl_opt_double(argc, argv, "--writes", 300);
	snprintf(path, sizeof(path), "%s/diskwait.data", argv[1]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	for (int i = 0; i < writes; i++)
		if (!write_durably(fd, block))
			return 1;
	close(fd);
	unlink(path);
	return 0;
}
