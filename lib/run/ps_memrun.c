/*
 * A finished memory profile (ps_memrun.h).
 */
#include <string.h>

#include "run/ps_memrun.h"

void ps_mem_run_init(struct ps_mem_run *r)
{
	memset(r, 0, sizeof(*r));
	ps_run_init(&r->run);
}

void ps_mem_run_release(struct ps_mem_run *r)
{
	ps_run_release(&r->run);
	memset(r, 0, sizeof(*r));
}

size_t ps_mem_run_main_index(const struct ps_mem_run *r)
{
	return r->heap ? ps_heap_latest(r->heap, (uint32_t)r->run.pid) : 0;
}

const struct ps_heap_proc *ps_mem_run_main(const struct ps_mem_run *r)
{
	size_t i = ps_mem_run_main_index(r);

	return r->heap && i < r->heap->nprocs ? r->heap->proc[i] : NULL;
}
