/*
 * When a session stops and how its target is ended (ps_lifecycle.h).
 */
#include <signal.h>
#include <string.h>

#include "target/ps_lifecycle.h"

#define NS_PER_S 1000000000ULL

void ps_lifecycle_init(struct ps_lifecycle *lc, volatile sig_atomic_t *stop, double duration_s,
		       double kill_grace_s)
{
	memset(lc, 0, sizeof(*lc));
	lc->stop = stop;
	lc->duration_s = duration_s;
	lc->kill_grace_s = kill_grace_s;
}

void ps_lifecycle_start(struct ps_lifecycle *lc, uint64_t now)
{
	lc->start_ns = now;
	lc->next_progress_ns = now + NS_PER_S;
}

static bool reason_known(const struct ps_lifecycle *lc)
{
	return lc->stopped_by_signal || lc->stopped_by_duration;
}

bool ps_lifecycle_signalled(struct ps_lifecycle *lc)
{
	if (!lc->stop || !*lc->stop)
		return false;
	if (!reason_known(lc))
		lc->stopped_by_signal = true;
	return true;
}

bool ps_lifecycle_expired(struct ps_lifecycle *lc, uint64_t now)
{
	if (lc->duration_s <= 0 || now < lc->start_ns ||
	    now - lc->start_ns < (uint64_t)(lc->duration_s * (double)NS_PER_S))
		return false;
	if (!reason_known(lc))
		lc->stopped_by_duration = true;
	return true;
}

bool ps_lifecycle_progress_due(struct ps_lifecycle *lc, uint64_t now)
{
	if (now < lc->next_progress_ns)
		return false;
	lc->next_progress_ns = now + NS_PER_S;
	return true;
}

int ps_lifecycle_end_signal(const struct ps_lifecycle *lc)
{
	return lc->stop && *lc->stop ? (int)*lc->stop : SIGTERM;
}

void ps_lifecycle_end_target(struct ps_lifecycle *lc, struct ps_child *child, uint64_t now)
{
	if (child->exited)
		return;
	if (!lc->kill_at_ns) {
		kill(child->pid, ps_lifecycle_end_signal(lc));
		lc->kill_at_ns = now + (uint64_t)(lc->kill_grace_s * (double)NS_PER_S);
		if (!lc->kill_at_ns)
			lc->kill_at_ns = 1;
	} else if (lc->kill_at_ns != UINT64_MAX && now >= lc->kill_at_ns) {
		kill(child->pid, SIGKILL);
		lc->kill_at_ns = UINT64_MAX;
	}
}
