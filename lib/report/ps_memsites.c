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

/*
 * The `max` largest sites are found with a bounded heap whose root is the
 * smallest kept, not by sorting every site: a compiler has ~80,000 sites
 * and five measures, and the sorts were a quarter of a second.  cmp_by is
 * a total order, so the sites kept are those a full sort would put first.
 */
static void heap_sift_up(uint32_t *h, size_t i, const struct by *c)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		uint32_t t;

		if (cmp_by(&h[i], &h[parent], (void *)c) <= 0)
			return;
		t = h[i], h[i] = h[parent], h[parent] = t;
		i = parent;
	}
}

static void heap_sift_down(uint32_t *h, size_t n, size_t i, const struct by *c)
{
	for (;;) {
		size_t left = 2 * i + 1, last = i;
		uint32_t t;

		if (left < n && cmp_by(&h[left], &h[last], (void *)c) > 0)
			last = left;
		if (left + 1 < n && cmp_by(&h[left + 1], &h[last], (void *)c) > 0)
			last = left + 1;
		if (last == i)
			return;
		t = h[i], h[i] = h[last], h[last] = t;
		i = last;
	}
}

/* Marks the `max` largest sites by `measure` (those above 0). */
static int keep_largest(const struct ps_heap *hp, site_measure measure, size_t max, bool *keep)
{
	struct by c = { hp, measure };
	size_t n = 0, cap = max < hp->nsites ? max : hp->nsites;
	uint32_t *h = malloc((cap + 1) * sizeof(*h));

	if (!h)
		return PS_E_NOMEM;
	for (uint32_t s = 0; cap && s < hp->nsites; s++) {
		if (!measure(&hp->sites[s]))
			continue;
		if (n < cap) {
			h[n++] = s;
			heap_sift_up(h, n - 1, &c);
		} else if (cmp_by(&s, &h[0], &c) < 0) {
			h[0] = s;
			heap_sift_down(h, n, 0, &c);
		}
	}
	for (size_t i = 0; i < n; i++)
		keep[h[i]] = true;
	free(h);
	return 0;
}

/* The sites that the slices and growing-site lists of memory.json name. */
static void keep_named(const struct ps_heap *hp, bool *keep)
{
	for (uint32_t proc = 0; proc < hp->nprocs; proc++) {
		const struct ps_heap_slicing *sl = &hp->proc[proc]->slicing;
		struct ps_heap_growing *g;
		struct ps_heap_slice_tops tops;
		size_t n;

		ps_heap_slice_tops(hp, proc, PS_MEMSITES_SLICE_TOP, &tops);
		for (size_t k = 0; k < sl->n; k++)
			for (size_t i = 0; i < tops.n[k]; i++)
				keep[tops.site[k][i]] = true;
		g = ps_heap_growing_sites(hp, proc, &n);
		for (size_t i = 0; i < n && i < PS_MEMSITES_GROWING_MAX; i++)
			keep[g[i].site] = true;
		free(g);
	}
}

/* Sums up a site memory.json leaves out. */
static void omit(struct ps_memsites *ms, const struct ps_heap_site *s)
{
	ms->omitted.sites++;
	ms->omitted.allocations += s->allocs;
	ms->omitted.allocated_bytes += s->alloc_bytes;
	ms->omitted.temporary_bytes += s->temporary_bytes;
	ms->omitted.lost_bytes += ps_heap_lost_bytes(s->leak_bytes);
}

int ps_memsites_select(struct ps_memsites *ms, const struct ps_mem_run *r, size_t max)
{
	static const site_measure measures[] = { m_alloc, m_peak, m_lost, m_temp, m_live };
	const struct ps_heap *hp = r->heap;
	bool *keep = calloc(hp->nsites + 1, sizeof(*keep));
	struct by by_alloc = { hp, m_alloc };

	memset(ms, 0, sizeof(*ms));
	ms->rank = malloc((hp->nsites + 1) * sizeof(*ms->rank));
	ms->order = malloc((hp->nsites + 1) * sizeof(*ms->order));
	if (!keep || !ms->rank || !ms->order)
		goto nomem;
	for (size_t k = 0; k < sizeof(measures) / sizeof(measures[0]); k++)
		if (keep_largest(hp, measures[k], max ? max : PS_MEMSITES_DEFAULT_MAX, keep) < 0)
			goto nomem;
	keep_named(hp, keep);
	for (uint32_t i = 0; i < hp->nsites; i++) {
		ms->rank[i] = PS_MEMSITES_OMITTED;
		if (keep[i])
			ms->order[ms->n++] = i;
		else
			omit(ms, &hp->sites[i]);
	}
	/* only the kept sites are put in order: a few thousand, not all */
	if (ms->n)
		qsort_r(ms->order, ms->n, sizeof(*ms->order), cmp_by, &by_alloc);
	for (size_t i = 0; i < ms->n; i++)
		ms->rank[ms->order[i]] = (uint32_t)i;
	free(keep);
	return 0;
nomem:
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
