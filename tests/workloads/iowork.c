/*
 * iowork: file I/O whose system calls are known exactly.  Writes a 64 MiB
 * file in 4 KiB write()s with an fsync() every 4 MiB (16), then makes
 * 20,000 pread()s of 4 KiB at random offsets and 2,000 sequential read()s
 * of 64 KiB (at the end of the file, the read() that returns 0 and an
 * lseek() back to the start count too), and prints
 * its own counts in one write() to stdout.  Built static: no dynamic
 * loader reads files before main.
 *
 * Usage: iowork DIR [--blkio]   (the file is DIR/iowork.data, removed at
 * the end).  With --blkio it also prints its own block I/O delay at the
 * end (field 42 of /proc/self/stat, clock ticks; that read is not counted).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_BYTES (64u << 20)
#define WRITE_BYTES 4096u
#define FSYNC_EVERY (4u << 20)
#define PREADS 20000
#define PREAD_BYTES 4096u
#define READS 2000
#define READ_BYTES (64u << 10)

static char block[READ_BYTES];

/* Field 42 of /proc/self/stat: the kernel's own block I/O delay figure. */
static unsigned long long own_blkio_ticks(void)
{
	char text[1024], *p;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	p = strrchr(text, ')');
	for (int field = 3; field <= 42 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	unsigned long writes = 0, fsyncs = 0, preads = 0, reads = 0, lseeks = 0;
	unsigned long long wbytes = 0, pbytes = 0, rbytes = 0, x = 88172645463325252ull;
	char path[4096], out[512];
	int fd, len;

	if (argc < 2)
		return 2;
	snprintf(path, sizeof(path), "%s/iowork.data", argv[1]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	memset(block, 'x', sizeof(block));
	for (unsigned off = 0; off < FILE_BYTES; off += WRITE_BYTES) {
		ssize_t n = write(fd, block, WRITE_BYTES);

		writes++;
		wbytes += n > 0 ? (unsigned long long)n : 0;
		if ((off + WRITE_BYTES) % FSYNC_EVERY == 0) {
			fsync(fd);
			fsyncs++;
		}
	}
	for (int i = 0; i < PREADS; i++) {
		ssize_t n;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		n = pread(fd, block, PREAD_BYTES, (off_t)(x % (FILE_BYTES / PREAD_BYTES)) * PREAD_BYTES);
		preads++;
		pbytes += n > 0 ? (unsigned long long)n : 0;
	}
	lseek(fd, 0, SEEK_SET);
	lseeks++;
	for (int i = 0; i < READS; i++) {
		ssize_t n = read(fd, block, READ_BYTES);

		if (n == 0) {
			/* end of the file: that read counts too, then back to the start */
			reads++;
			lseek(fd, 0, SEEK_SET);
			lseeks++;
			n = read(fd, block, READ_BYTES);
		}
		reads++;
		rbytes += n > 0 ? (unsigned long long)n : 0;
	}
	close(fd);
	unlink(path);
	len = snprintf(out, sizeof(out), "write=%lu write_bytes=%llu fsync=%lu pread64=%lu "
		       "pread64_bytes=%llu read=%lu read_bytes=%llu lseek=%lu", writes, wbytes,
		       fsyncs, preads, pbytes, reads, rbytes, lseeks);
	if (argc > 2 && strcmp(argv[2], "--blkio") == 0)
		len += snprintf(out + len, sizeof(out) - (size_t)len, " blkio_ticks=%llu", own_blkio_ticks());
	len += snprintf(out + len, sizeof(out) - (size_t)len, "\n");
	return write(1, out, (size_t)len) == len ? 0 : 1;
}
