/*
 * ps_preflight: what this machine lets us profile, read before anything is
 * started, so that a refusal can be explained with the command that fixes
 * it instead of a bare EACCES.
 */
#ifndef PS_PREFLIGHT_H
#define PS_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

struct ps_preflight {
	long paranoid;          /* kernel.perf_event_paranoid; -99 if unknown */
	bool perf_events_present; /* the perf_event_paranoid file exists */
	bool is_root;
	bool cap_perfmon;       /* CAP_PERFMON (38) in the effective set */
	bool cap_sys_admin;     /* CAP_SYS_ADMIN (21) */
	long mlock_kb;          /* kernel.perf_event_mlock_kb; -1 if unknown */
	long max_sample_rate;   /* kernel.perf_event_max_sample_rate; -1 if unknown */
	long kptr_restrict;     /* kernel.kptr_restrict; -1 if unknown */
};

void ps_preflight_read(struct ps_preflight *pf);

/* Privileged enough that the paranoid setting does not apply to us. */
bool ps_preflight_privileged(const struct ps_preflight *pf);

/* Fills buf with what to run when perf_event_open was refused with errno_val. */
void ps_preflight_refusal_hint(const struct ps_preflight *pf, int errno_val,
			       char *buf, size_t len);

#endif
