/*
 * The sites memory.json lists in full (ps_memsites.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_util.h"
#include "memory/ps_heap_slices.h"
#include "report/ps_memsites.h"

typedef uint64_t (*site_measure)(const struct ps_heap_site *s);

static uint64_t m_alloc(const struct ps_heap_site *s) { return s->alloc_bytes; }
static uint64_t m_peak(const struct ps_heap_site *s) { return s->peak_bytes; }
static uint64_t m_lost(const struct ps_heap_site *s) { return ps_heap_lost_bytes(s->leak_bytes); }
static uint64_t m_temp(const struct ps_heap_site *s) { return s->temporary_bytes; }
static uint64_t m_live(const struct ps_heap_site *s) { return s->live_bytes; }

struct by {
	const struct ps_heap *hp;
	site_measure measure;
};

/* Largest first; ties by process and stack id, so the output is stable. */
static int cmp_by(const void *a, const void *b, void *ctx)
{
	const struct by *c = ctx;
	const struct ps_heap_site *x = &c->hp->sites[*(const uint32_t *)a];
	const struct ps_heap_site *y = &c->hp->sites[*(const uint32_t *)b];
	uint64_t mx = c->measure(x), my = c->measure(y);

	if (mx != my)
		return mx > my ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Marks the `max` largest sites by `measure` (those above 0). */
static int keep_largest(const struct ps_heap *hp, site_measure measure, size_t max, bool *keep)
{
	struct by c = { hp, measure };
	uint32_t *order = ps_sorted_indexes(hp->nsites, cmp_by, &c);

	if (!order)
		return PS_E_NOMEM;
	for (size_t i = 0; i < hp->nsites && i < max && measure(&hp->sites[order[i]]); i++)
		keep[order[i]] = true;
	free(order);
	return 0;
}

/* The sites that the slices and growing-site lists of memory.json name. */
static void keep_named(const struct ps_heap *hp, bool *keep)
{
	for (uint32_t proc = 0; proc < hp->nprocs; proc++) {
		const struct ps_heap_slicing *sl = &hp->proc[proc]->slicing;
		struct ps_heap_growing *g;
		uint32_t top[PS_MEMSITES_SLICE_TOP];
		size_t n;

		for (size_t k = 0; k < sl->n; k++) {
			n = ps_heap_slice_top(hp, proc, k, top, PS_MEMSITES_SLICE_TOP);
			for (size_t i = 0; i < n; i++)
				keep[top[i]] = true;
		}
		g = ps_heap_growing_sites(hp, proc, &n);
		for (size_t i = 0; i < n && i < PS_MEMSITES_GROWING_MAX; i++)
			keep[g[i].site] = true;
		free(g);
	}
}

int ps_memsites_select(struct ps_memsites *ms, const struct ps_mem_run *r, size_t max)
{
	static const site_measure measures[] = { m_alloc, m_peak, m_lost, m_temp, m_live };
	const struct ps_heap *hp = r->heap;
	bool *keep = calloc(hp->nsites + 1, sizeof(*keep));
	struct by by_alloc = { hp, m_alloc };
	uint32_t *all = NULL;

	memset(ms, 0, sizeof(*ms));
	ms->rank = malloc((hp->nsites + 1) * sizeof(*ms->rank));
	ms->order = malloc((hp->nsites + 1) * sizeof(*ms->order));
	all = ps_sorted_indexes(hp->nsites, cmp_by, &by_alloc);
	if (!keep || !ms->rank || !ms->order || !all)
		goto nomem;
	for (size_t k = 0; k < sizeof(measures) / sizeof(measures[0]); k++)
		if (keep_largest(hp, measures[k], max ? max : PS_MEMSITES_DEFAULT_MAX, keep) < 0)
			goto nomem;
	keep_named(hp, keep);
	for (size_t i = 0; i < hp->nsites; i++) {
		const struct ps_heap_site *s = &hp->sites[all[i]];

		if (keep[all[i]]) {
			ms->rank[all[i]] = (uint32_t)ms->n;
			ms->order[ms->n++] = all[i];
			continue;
		}
		ms->rank[all[i]] = PS_MEMSITES_OMITTED;
		ms->omitted.sites++;
		ms->omitted.allocations += s->allocs;
		ms->omitted.allocated_bytes += s->alloc_bytes;
		ms->omitted.temporary_bytes += s->temporary_bytes;
		ms->omitted.lost_bytes += ps_heap_lost_bytes(s->leak_bytes);
	}
	free(all);
	free(keep);
	return 0;
nomem:
	free(all);
	free(keep);
	ps_memsites_release(ms);
	return PS_E_NOMEM;
}

void ps_memsites_release(struct ps_memsites *ms)
{
	free(ms->order);
	free(ms->rank);
	memset(ms, 0, sizeof(*ms));
}
