/*
 * Finding the kernel's tracepoints (ps_tracefs.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "target/ps_tracefs.h"
#include "base/ps_util.h"

#define DEFAULT_MOUNT "/sys/kernel/tracing"

static bool has_events(const char *root)
{
	char path[300];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", root);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A tracefs mount listed in /proc/mounts, else the usual places. */
static bool find_mount(char *out, size_t len)
{
	static const char *const usual[] = { DEFAULT_MOUNT, "/sys/kernel/debug/tracing" };
	char *mounts = ps_read_file("/proc/mounts", NULL), *line, *save = NULL;
	bool found = false;

	for (line = mounts ? strtok_r(mounts, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char dev[64], dir[256], type[32];

		if (sscanf(line, "%63s %255s %31s", dev, dir, type) == 3 && strcmp(type, "tracefs") == 0 &&
		    has_events(dir)) {
			snprintf(out, len, "%s", dir);
			found = true;
		}
	}
	free(mounts);
	for (size_t i = 0; !found && i < sizeof(usual) / sizeof(usual[0]); i++) {
		if (has_events(usual[i])) {
			snprintf(out, len, "%s", usual[i]);
			found = true;
		}
	}
	return found;
}

int ps_tracefs_open(struct ps_tracefs *t, struct ps_error *err)
{
	memset(t, 0, sizeof(*t));
	if (find_mount(t->root, sizeof(t->root)))
		return 0;
	if (geteuid() == 0 && mount("nodev", DEFAULT_MOUNT, "tracefs", 0, NULL) == 0 &&
	    has_events(DEFAULT_MOUNT)) {
		snprintf(t->root, sizeof(t->root), DEFAULT_MOUNT);
		t->mounted_here = true;
		return 0;
	}
	ps_error_set(err, PS_E_PERM, "tracefs is not mounted (no %s/events)", DEFAULT_MOUNT);
	ps_error_hint(err, "run 'sudo mount -t tracefs nodev %s' (in a container: it must be "
		      "mounted by the host and the container given access)", DEFAULT_MOUNT);
	return PS_E_PERM;
}

int ps_tracefs_event_id(const struct ps_tracefs *t, const char *group, const char *name,
			uint32_t *id, struct ps_error *err)
{
	char path[512];
	long v;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", t->root, group, name);
	if (ps_read_long(path, &v) == 0 && v > 0) {
		*id = (uint32_t)v;
		return 0;
	}
	if (errno == EACCES || errno == EPERM) {
		ps_error_set(err, PS_E_PERM, "cannot read %s: %s", path, strerror(errno));
		ps_error_hint(err, "tracepoints need root or CAP_PERFMON with read access to tracefs");
		return PS_E_PERM;
	}
	return ps_error_set(err, PS_E_INTERNAL, "this kernel has no tracepoint %s:%s (%s)", group, name,
			    path);
}

int ps_tracefs_field(const struct ps_tracefs *t, const char *group, const char *name,
		     const char *field, unsigned *offset, unsigned *size)
{
	char path[512], *fmt, *line, *save = NULL;
	size_t flen = strlen(field);
	int rc = -1;

	snprintf(path, sizeof(path), "%s/events/%s/%s/format", t->root, group, name);
	fmt = ps_read_file(path, NULL);
	for (line = fmt ? strtok_r(fmt, "\n", &save) : NULL; line && rc < 0;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "	field:long id;	offset:8;	size:8;	signed:1;" */
		char *decl = strstr(line, "field:"), *semi = decl ? strchr(decl, ';') : NULL, *name_at;
		char *o = strstr(line, "offset:"), *s = strstr(line, "size:");

		if (!semi || !o || !s)
			continue;
		name_at = semi - flen;
		/* the field name ends the declaration; an array keeps its [N] */
		if (name_at > decl && strncmp(name_at, field, flen) == 0 &&
		    (name_at[-1] == ' ' || name_at[-1] == '*')) {
			*offset = (unsigned)strtoul(o + 7, NULL, 10);
			*size = (unsigned)strtoul(s + 5, NULL, 10);
			rc = 0;
		}
	}
	free(fmt);
	return rc;
}
