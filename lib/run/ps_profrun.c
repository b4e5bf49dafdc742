/*
 * A finished profile (ps_profrun.h).
 */
#include <string.h>

#include "run/ps_profrun.h"

void ps_profile_run_init(struct ps_profile_run *r)
{
	memset(r, 0, sizeof(*r));
	ps_notes_init(&r->notes);
}

void ps_profile_run_release(struct ps_profile_run *r)
{
	ps_notes_release(&r->notes);
	ps_proc_table_release(&r->procs);
	memset(r, 0, sizeof(*r));
}

int ps_profile_run_tabulate(struct ps_profile_run *r)
{
	ps_proc_table_release(&r->procs);
	return ps_proc_table_build(&r->procs, r);
}
