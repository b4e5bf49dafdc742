/*
 * A finished CPU profile (ps_cpurun.h).
 */
#include <string.h>

#include "run/ps_cpurun.h"

void ps_cpu_run_init(struct ps_cpu_run *r)
{
	memset(r, 0, sizeof(*r));
	ps_run_init(&r->run);
	r->counts.unsampled_cpu_s = -1;
}

void ps_cpu_run_release(struct ps_cpu_run *r)
{
	ps_run_release(&r->run);
	memset(r, 0, sizeof(*r));
}
