#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/ps_perfmap.h"
#include "base/ps_util.h"

#define MAX_MAP_BYTES (256u << 20)

void ps_perfmap_init(struct ps_perfmap *pm)
{
	memset(pm, 0, sizeof(*pm));
}

void ps_perfmap_release(struct ps_perfmap *pm)
{
	for (size_t i = 0; i < pm->count; i++)
		free(pm->syms[i].name);
	free(pm->syms);
	memset(pm, 0, sizeof(*pm));
}

static int cmp_jitsym(const void *a, const void *b)
{
	const struct ps_jitsym *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

size_t ps_perfmap_parse(struct ps_perfmap *pm, const char *text)
{
	size_t added = 0;

	while (*text) {
		const char *eol = strchr(text, '\n');
		size_t len = eol ? (size_t)(eol - text) : strlen(text);
		char line[1024];
		uint64_t start, size;
		int name_at = 0;

		if (len < sizeof(line)) {
			memcpy(line, text, len);
			line[len] = '\0';
			if (sscanf(line, "%" SCNx64 " %" SCNx64 " %n", &start, &size, &name_at) == 2 &&
			    name_at > 0 && line[name_at] && size > 0 &&
			    ps_grow(&pm->syms, &pm->cap, pm->count + 1, sizeof(*pm->syms)) == 0) {
				char *name = strdup(line + name_at);

				if (name) {
					pm->syms[pm->count++] = (struct ps_jitsym){ start, size, name };
					added++;
				}
			}
		}
		text += len;
		if (*text == '\n')
			text++;
	}
	if (pm->count)
		qsort(pm->syms, pm->count, sizeof(*pm->syms), cmp_jitsym);
	return added;
}

int ps_perfmap_load(struct ps_perfmap *pm, const char *path, uid_t owner)
{
	struct stat st;
	char *text;
	ssize_t n;
	int fd;

	pm->loaded = true;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(pm->note, sizeof(pm->note), "'%s' is a symlink: not read", path);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_MAP_BYTES ||
	    (st.st_uid != owner && st.st_uid != 0)) {
		snprintf(pm->note, sizeof(pm->note),
			 "'%s' is not a regular file owned by the target's user or root: not read", path);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	n = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (n < 0) {
		free(text);
		return -1;
	}
	text[n] = '\0';
	ps_perfmap_parse(pm, text);
	free(text);
	return 0;
}

const struct ps_jitsym *ps_perfmap_find(const struct ps_perfmap *pm, uint64_t addr)
{
	size_t lo = 0, hi = pm->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ps_jitsym *s = &pm->syms[mid];

		if (addr < s->start)
			hi = mid;
		else if (addr >= s->start + s->size)
			lo = mid + 1;
		else
			return s;
	}
	/* Overlapping entries (code regenerated in place): the latest start wins. */
	for (size_t i = lo; i-- > 0 && lo - i < 8;)
		if (addr >= pm->syms[i].start && addr < pm->syms[i].start + pm->syms[i].size)
			return &pm->syms[i];
	return NULL;
}

const char *ps_perfmap_lookup(const struct ps_perfmap *pm, uint64_t addr)
{
	const struct ps_jitsym *s = ps_perfmap_find(pm, addr);

	return s ? s->name : NULL;
}
