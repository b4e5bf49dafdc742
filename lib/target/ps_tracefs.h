/*
 * ps_tracefs: finding the kernel's tracepoints.  A tracepoint event for
 * perf_event_open is named by the id in tracefs
 * (/sys/kernel/tracing/events/GROUP/NAME/id), and its raw record's layout
 * is in the "format" file beside it.
 *
 * tracefs is often not mounted.  As root perfscope mounts it where the
 * kernel expects it (and says so); otherwise the sections that need
 * tracepoints are reported as unavailable, with the command that fixes it.
 */
#ifndef PS_TRACEFS_H
#define PS_TRACEFS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ps_error.h"

struct ps_tracefs {
	char root[256];          /* the mount point, e.g. /sys/kernel/tracing */
	bool mounted_here;       /* perfscope mounted it */
};

/* Finds tracefs, mounting it as root if needed; PS_E_PERM when unreachable. */
int ps_tracefs_open(struct ps_tracefs *t, struct ps_error *err);

/* The perf event id of tracepoint GROUP:NAME; PS_E_PERM or PS_E_INTERNAL when absent. */
int ps_tracefs_event_id(const struct ps_tracefs *t, const char *group, const char *name,
			uint32_t *id, struct ps_error *err);

/* Where FIELD lies in the raw record of GROUP:NAME; -1 when the format does not say. */
int ps_tracefs_field(const struct ps_tracefs *t, const char *group, const char *name,
		     const char *field, unsigned *offset, unsigned *size);

#endif
