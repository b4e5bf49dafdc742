#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/ps_preflight.h"
#include "base/ps_util.h"

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38

static unsigned long long read_cap_eff(void)
{
	char *status = ps_read_file("/proc/self/status", NULL);
	unsigned long long caps = 0;
	char *line;

	if (!status)
		return 0;
	line = strstr(status, "\nCapEff:");
	if (line)
		caps = strtoull(line + 8, NULL, 16);
	free(status);
	return caps;
}

void ps_preflight_read(struct ps_preflight *pf)
{
	unsigned long long caps = read_cap_eff();

	memset(pf, 0, sizeof(*pf));
	pf->perf_events_present =
		ps_read_long("/proc/sys/kernel/perf_event_paranoid", &pf->paranoid) == 0;
	if (!pf->perf_events_present)
		pf->paranoid = -99;
	if (ps_read_long("/proc/sys/kernel/perf_event_mlock_kb", &pf->mlock_kb) < 0)
		pf->mlock_kb = -1;
	if (ps_read_long("/proc/sys/kernel/perf_event_max_sample_rate", &pf->max_sample_rate) < 0)
		pf->max_sample_rate = -1;
	if (ps_read_long("/proc/sys/kernel/kptr_restrict", &pf->kptr_restrict) < 0)
		pf->kptr_restrict = -1;
	pf->is_root = geteuid() == 0;
	pf->cap_sys_admin = caps & (1ULL << CAP_SYS_ADMIN_BIT);
	pf->cap_perfmon = caps & (1ULL << CAP_PERFMON_BIT);
}

bool ps_preflight_privileged(const struct ps_preflight *pf)
{
	return pf->cap_perfmon || pf->cap_sys_admin;
}

void ps_preflight_refusal_hint(const struct ps_preflight *pf, int errno_val,
			       char *buf, size_t len)
{
	if (!pf->perf_events_present) {
		snprintf(buf, len,
			 "this kernel has no perf events (no /proc/sys/kernel/perf_event_paranoid); "
			 "use a kernel built with CONFIG_PERF_EVENTS");
		return;
	}
	if (errno_val == ENOSYS) {
		snprintf(buf, len,
			 "perf_event_open is not available here (a container's seccomp profile may block it); "
			 "run the container with --cap-add PERFMON or a seccomp profile that allows perf_event_open");
		return;
	}
	if ((errno_val == EACCES || errno_val == EPERM) && ps_preflight_privileged(pf)) {
		/* no paranoid setting refuses CAP_PERFMON: something outside the kernel's checks did */
		snprintf(buf, len,
			 "perfscope has %s, so kernel.perf_event_paranoid is not the cause: a seccomp filter "
			 "(a container's profile, systemd's SystemCallFilter=) or a security module (SELinux, "
			 "AppArmor) blocks perf_event_open; allow it there, e.g. run the container with "
			 "--security-opt seccomp=unconfined or a profile that allows perf_event_open",
			 pf->cap_sys_admin ? "CAP_SYS_ADMIN" : "CAP_PERFMON");
		return;
	}
	if (errno_val == EACCES || errno_val == EPERM) {
		if (pf->paranoid > 2)
			snprintf(buf, len,
				 "kernel.perf_event_paranoid is %ld, which forbids profiling to unprivileged users; "
				 "run 'sudo sysctl kernel.perf_event_paranoid=2' (own processes, user space) "
				 "or give perfscope CAP_PERFMON: 'sudo setcap cap_perfmon+ep $(command -v perfscope)'",
				 pf->paranoid);
		else
			snprintf(buf, len,
				 "kernel.perf_event_paranoid is %ld and perfscope lacks CAP_PERFMON; "
				 "profile a process you own, run as root, or lower the setting with "
				 "'sudo sysctl kernel.perf_event_paranoid=1'; inside a container, perf_event_open "
				 "may also be blocked by its seccomp profile",
				 pf->paranoid);
		return;
	}
	if (errno_val == EMFILE) {
		snprintf(buf, len, "too many open files: raise the limit with 'ulimit -n 65536'");
		return;
	}
	snprintf(buf, len, "check 'dmesg' for perf errors; kernel.perf_event_paranoid is %ld",
		 pf->paranoid);
}
