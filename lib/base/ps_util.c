#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/ps_error.h"
#include "base/ps_util.h"

uint64_t ps_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;

	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = ps_hash_combine(h, v);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = 0;
		memcpy(&v, p, len);
		h = ps_hash_combine(h, v ^ ((uint64_t)len << 56));
	}
	return h;
}

int ps_grow(void *ptr, size_t *cap, size_t need, size_t elem_size)
{
	void **arr = ptr;
	size_t ncap;
	void *n;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*arr, ncap * elem_size);
	if (!n)
		return PS_E_NOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

uint64_t ps_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

char *ps_read_file(const char *path, size_t *len_out)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int saved, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (ps_grow(&buf, &cap, len + 4096 + 1, 1) < 0) {
			errno = ENOMEM;
			goto out_fail;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out_fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len_out)
		*len_out = len;
	return buf;

out_fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return NULL;
}

int ps_read_long(const char *path, long *out)
{
	char *text = ps_read_file(path, NULL), *end;
	long v;

	if (!text)
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text) {
		free(text);
		errno = EINVAL;
		return -1;
	}
	free(text);
	*out = v;
	return 0;
}

const char *ps_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

double ps_self_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

uint32_t *ps_sorted_indexes(size_t n, int (*cmp)(const void *, const void *, void *), void *ctx)
{
	uint32_t *order = malloc((n + 1) * sizeof(*order));

	if (!order)
		return NULL;
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	if (n)
		qsort_r(order, n, sizeof(*order), cmp, ctx);
	return order;
}

void ps_strlcat(char *dst, const char *src, size_t len)
{
	size_t have = strnlen(dst, len), n = strlen(src);

	if (have + 1 >= len)
		return;
	if (n > len - have - 1)
		n = len - have - 1;
	memcpy(dst + have, src, n);
	dst[have + n] = '\0';
}

int ps_open_regular(const char *path)
{
	struct stat st;
	int fd;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* Empties the directory open as dirfd (consumed), depth levels at most. */
static int empty_dir(int dirfd, int depth)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		close(dirfd);
		return -1;
	}
	while ((de = readdir(d))) {
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			continue;
		if (errno != EISDIR || depth <= 0) {
			rc = -1;
			continue;
		}
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || empty_dir(sub, depth - 1) < 0 || unlinkat(dirfd, de->d_name, AT_REMOVEDIR) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int ps_remove_tree(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (empty_dir(fd, 16) < 0)
		return -1;
	return rmdir(path);
}
