/*
 * ps_perfmap: names for JIT-compiled code from /tmp/perf-PID.map, the
 * format Node's --perf-basic-prof and the JVM agents write: one
 * "START SIZE name" line (hex, hex, rest of line) per function.
 *
 * Because perfscope often runs as root next to other users' programs, a
 * map file is read only if it is a regular file (never through a symlink)
 * owned by the target's user or by root.
 */
#ifndef PS_PERFMAP_H
#define PS_PERFMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ps_jitsym {
	uint64_t start, size;
	char *name;
};

struct ps_perfmap {
	struct ps_jitsym *syms;   /* sorted by start */
	size_t count, cap;
	bool loaded;
	char note[256];           /* why a file was refused, if it was */
};

void ps_perfmap_init(struct ps_perfmap *pm);
void ps_perfmap_release(struct ps_perfmap *pm);
/* Loads `path` if it is trusted (see above); returns 0, or -1 (see note). */
int ps_perfmap_load(struct ps_perfmap *pm, const char *path, uid_t owner);
/* Parses map text (also used by the fuzzer); returns entries added. */
size_t ps_perfmap_parse(struct ps_perfmap *pm, const char *text);
/* The function holding addr, or NULL; ps_perfmap_lookup() gives its name. */
const struct ps_jitsym *ps_perfmap_find(const struct ps_perfmap *pm, uint64_t addr);
const char *ps_perfmap_lookup(const struct ps_perfmap *pm, uint64_t addr);

#endif
