#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/ps_util.h"
#include "symbols/ps_vdso.h"

static char vdso_path[64];
static int vdso_state;   /* 0 not tried, 1 made, -1 failed */

/* [start, end) of our own [vdso] mapping, from /proc/self/maps. */
static int find_own_vdso(uint64_t *start, uint64_t *end)
{
	char *maps = ps_read_file("/proc/self/maps", NULL), *line;
	int rc = -1;

	if (!maps)
		return -1;
	line = strstr(maps, "[vdso]");
	if (line) {
		while (line > maps && line[-1] != '\n')
			line--;
		if (sscanf(line, "%" SCNx64 "-%" SCNx64, start, end) == 2)
			rc = 0;
	}
	free(maps);
	return rc;
}

const char *ps_vdso_file(void)
{
	uint64_t start, end;
	int fd;

	if (vdso_state)
		return vdso_state > 0 ? vdso_path : NULL;
	vdso_state = -1;
	if (find_own_vdso(&start, &end) < 0)
		return NULL;
	fd = memfd_create("perfscope-vdso", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (write(fd, (const void *)(uintptr_t)start, end - start) != (ssize_t)(end - start)) {
		close(fd);
		return NULL;
	}
	/* The fd stays open for the life of the process: the path points at it. */
	snprintf(vdso_path, sizeof(vdso_path), "/proc/self/fd/%d", fd);
	vdso_state = 1;
	return vdso_path;
}
