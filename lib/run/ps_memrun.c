/*
 * A finished memory profile (ps_memrun.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "model/ps_stacks.h"

#include "run/ps_memrun.h"

void ps_mem_run_init(struct ps_mem_run *r)
{
	memset(r, 0, sizeof(*r));
	ps_run_init(&r->run);
}

void ps_mem_run_release(struct ps_mem_run *r)
{
	ps_run_release(&r->run);
	free(r->site_frames);
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

size_t ps_mem_run_largest(const struct ps_mem_run *r)
{
	size_t best = r->heap->nprocs;

	for (size_t i = 0; i < r->heap->nprocs; i++)
		if (best == r->heap->nprocs || r->heap->proc[i]->peak_bytes > r->heap->proc[best]->peak_bytes)
			best = i;
	return best;
}

bool ps_mem_run_tracker_frame(const struct ps_sym *sym, const void *ctx)
{
	const struct ps_mem_run *r = ctx;

	return r->tracking.tracker && strcmp(r->modules->mods[sym->module].path, r->tracking.tracker) == 0;
}

/*
 * What the allocator layer says of names, by their id in the run's
 * symbols: asked once a name, not once a frame of every site (a name is
 * hashed to be asked).  NULL: asked every time.
 */
enum { LAYER_UNKNOWN, LAYER_IN, LAYER_OUT };

static bool in_layer(const struct ps_mem_run *r, const struct ps_sym *sym, uint8_t *known)
{
	bool in;

	if (known && known[sym->name] != LAYER_UNKNOWN)
		return known[sym->name] == LAYER_IN;
	in = ps_alloc_layer_has(r->alloc_layer, ps_sym_name(r->symbols, sym));
	if (known)
		known[sym->name] = in ? LAYER_IN : LAYER_OUT;
	return in;
}

static void find_site(const struct ps_mem_run *r, const struct ps_heap_site *s, struct ps_mem_site_frame *out,
		      uint8_t *known)
{
	const struct ps_stack *st;
	const uint32_t *frames;
	bool found = false;
	int k = 0;

	*out = (struct ps_mem_site_frame){ .index = -1 };
	if (s->stack < 0)
		return;
	st = &r->stacks->stacks[s->stack];
	frames = ps_stack_frames(r->stacks, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		uint32_t count;
		const struct ps_sym *syms = ps_symbols_frame(r->symbols, frames[i], &count);

		if (ps_mem_run_tracker_frame(syms, r))
			continue;
		for (uint32_t j = 0; j < count; j++, k++) {
			const char *name = ps_sym_name(r->symbols, &syms[j]);

			if (found) {
				out->caller = name;
				return;
			}
			out->function = name;
			out->index = k;
			found = !in_layer(r, &syms[j], known);
		}
	}
}

void ps_mem_run_site(const struct ps_mem_run *r, const struct ps_heap_site *s, struct ps_mem_site_frame *out)
{
	if (r->site_frames)
		*out = r->site_frames[s - r->heap->sites];
	else
		find_site(r, s, out, NULL);
}

int ps_mem_run_find_sites(struct ps_mem_run *r)
{
	struct ps_mem_site_frame *frames = malloc((r->heap->nsites + 1) * sizeof(*frames));
	uint8_t *known = calloc(r->symbols->strs.count + 1, sizeof(*known));

	if (!frames || !known) {
		free(frames);
		free(known);
		return PS_E_NOMEM;
	}
	for (size_t i = 0; i < r->heap->nsites; i++)
		find_site(r, &r->heap->sites[i], &frames[i], known);
	free(known);
	free(r->site_frames);
	r->site_frames = frames;
	return 0;
}
