/*
 * Resident memory over time (ps_rss.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "target/ps_proctext.h"
#include "collect/ps_rss.h"
#include "base/ps_util.h"

/* "RssAnon:	    1234 kB" */
static uint64_t kb_field(const char *status, const char *name)
{
	return ps_proctext_value(status, name) * 1024;
}

int ps_rss_read(pid_t pid, uint64_t time_ns, struct ps_rss_point *out)
{
	char path[64], *status;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = ps_read_file(path, NULL);
	if (!status)
		return -1;
	*out = (struct ps_rss_point){
		.time_ns = time_ns,
		.anon = kb_field(status, "\nRssAnon:"),
		.file = kb_field(status, "\nRssFile:"),
		.shmem = kb_field(status, "\nRssShmem:"),
		.swap = kb_field(status, "\nVmSwap:"),
	};
	free(status);
	/* a zombie has no memory (and no such lines) left */
	return out->anon + out->file == 0 ? -1 : 0;
}

int ps_rss_read_pss(pid_t pid, struct ps_rss_point *out)
{
	char path[64], *rollup;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	rollup = ps_read_file(path, NULL);
	if (!rollup)
		return -1;
	out->pss = kb_field(rollup, "\nPss:");
	out->swap_pss = kb_field(rollup, "\nSwapPss:");
	free(rollup);
	return out->pss ? 0 : -1;
}

int ps_rss_sample(struct ps_rss_series *s, pid_t pid, uint64_t now_ns)
{
	struct ps_rss_point p;

	if (now_ns < s->next_ns)
		return 0;
	if (ps_rss_read(pid, now_ns, &p) < 0)
		return -1;
	ps_rss_add(s, &p);
	return 0;
}
