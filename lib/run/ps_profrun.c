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
	memset(r, 0, sizeof(*r));
}
