/*
 * Each site's memory at the end of each time slice (ps_heap_slices.h).
 */
#include <stdlib.h>
#include <string.h>

#include "memory/ps_heap.h"
#include "base/ps_stats.h"
#include "memory/ps_heap_slices.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

#define FIRST_SLICE_NS (100u * 1000 * 1000)

void ps_heap_slicing_init(struct ps_heap_slicing *sl, uint64_t start_ns)
{
	memset(sl, 0, sizeof(*sl));
	sl->first_ns = start_ns;
	sl->length_ns = FIRST_SLICE_NS;
}

/* Pairs of slices become one: the later snapshot of each pair stays. */
static void merge_pairs(struct ps_heap *hp, uint32_t proc, struct ps_heap_slicing *sl)
{
	size_t half = sl->n / 2;

	for (size_t i = 0; i < half; i++) {
		sl->end_ns[i] = sl->end_ns[2 * i + 1];
		sl->total[i] = sl->total[2 * i + 1];
	}
	for (size_t s = 0; s < hp->nsites; s++) {
		struct ps_heap_site *site = &hp->sites[s];

		if (site->proc != proc || !site->snaps)
			continue;
		for (size_t i = 0; i < half; i++)
			site->snaps[i] = site->snaps[2 * i + 1];
		memset(&site->snaps[half], 0, (PS_HEAP_SLICES - half) * sizeof(*site->snaps));
	}
	sl->n = half;
	sl->length_ns *= 2;
}

static int close_slice(struct ps_heap *hp, uint32_t proc, uint64_t end_ns)
{
	struct ps_heap_proc *p = hp->proc[proc];
	struct ps_heap_slicing *sl = &p->slicing;
	size_t k;

	if (sl->n == PS_HEAP_SLICES)
		merge_pairs(hp, proc, sl);
	k = sl->n;
	for (size_t s = 0; s < hp->nsites; s++) {
		struct ps_heap_site *site = &hp->sites[s];

		if (site->proc != proc)
			continue;
		if (!site->snaps) {
			site->snaps = calloc(PS_HEAP_SLICES, sizeof(*site->snaps));
			if (!site->snaps)
				return PS_E_NOMEM;
		}
		site->snaps[k] = (struct ps_heap_snap){ site->alloc_bytes, site->live_bytes };
	}
	sl->total[k] = (struct ps_heap_snap){ p->alloc_bytes, p->live_bytes };
	sl->end_ns[k] = end_ns;
	sl->n++;
	return 0;
}

int ps_heap_slices_tick(struct ps_heap *hp, uint32_t proc, uint64_t time_ns)
{
	struct ps_heap_slicing *sl = &hp->proc[proc]->slicing;

	/*
	 * Each pass closes a slice, and every PS_HEAP_SLICES of them the length
	 * doubles, so any time is reached in a few hundred passes; the bound
	 * and the check that an end moved forward (a length doubled past 2^64
	 * would not) hold whatever the times are.
	 */
	for (int pass = 0; pass < 64 * PS_HEAP_SLICES; pass++) {
		uint64_t last = sl->n ? sl->end_ns[sl->n - 1] : sl->first_ns;
		uint64_t length = sl->n == PS_HEAP_SLICES ? 2 * sl->length_ns : sl->length_ns;
		uint64_t end = last + length;

		/* a merge changes the length: the next end is computed again */
		if (time_ns < end || sl->last_partial || end <= last || length < sl->length_ns)
			return 0;
		if (close_slice(hp, proc, end) < 0)
			return PS_E_NOMEM;
	}
	return 0;
}

int ps_heap_slices_finish(struct ps_heap *hp, uint32_t proc, uint64_t time_ns)
{
	struct ps_heap_slicing *sl = &hp->proc[proc]->slicing;

	if (ps_heap_slices_tick(hp, proc, time_ns) < 0)
		return PS_E_NOMEM;
	if (sl->last_partial || (sl->n && time_ns <= sl->end_ns[sl->n - 1]))
		return 0;
	if (close_slice(hp, proc, time_ns) < 0)
		return PS_E_NOMEM;
	sl->last_partial = true;
	return 0;
}

static struct ps_heap_snap snap_of(const struct ps_heap *hp, uint32_t proc, int64_t site, size_t k)
{
	const struct ps_heap_site *s;

	if (site < 0)
		return hp->proc[proc]->slicing.total[k];
	s = &hp->sites[site];
	return s->snaps ? s->snaps[k] : (struct ps_heap_snap){ 0, 0 };
}

struct ps_heap_snap ps_heap_slice_delta(const struct ps_heap *hp, uint32_t proc, int64_t site,
					size_t k)
{
	struct ps_heap_snap now = snap_of(hp, proc, site, k);

	if (k)
		now.allocated -= snap_of(hp, proc, site, k - 1).allocated;
	return now;
}

/* Puts site s, which allocated a bytes, into a top list of at most max (a tie keeps the earlier site first). */
static void top_insert(uint64_t *best, uint32_t *site, size_t *n, size_t max, uint64_t a, uint32_t s)
{
	size_t at;

	if (!a || (*n == max && a <= best[*n - 1]))
		return;
	at = *n < max ? *n : max - 1;
	while (at > 0 && best[at - 1] < a) {
		best[at] = best[at - 1];
		site[at] = site[at - 1];
		at--;
	}
	best[at] = a;
	site[at] = s;
	if (*n < max)
		(*n)++;
}

void ps_heap_slice_tops(const struct ps_heap *hp, uint32_t proc, size_t max, struct ps_heap_slice_tops *out)
{
	size_t slices = hp->proc[proc]->slicing.n;
	uint64_t best[PS_HEAP_SLICES][PS_HEAP_SLICE_TOP_MAX] = { { 0 } };

	memset(out->n, 0, sizeof(out->n));
	if (max > PS_HEAP_SLICE_TOP_MAX)
		max = PS_HEAP_SLICE_TOP_MAX;
	if (max == 0)
		return;
	for (size_t s = 0; s < hp->nsites; s++) {
		const struct ps_heap_site *site = &hp->sites[s];

		if (site->proc != proc || !site->snaps)
			continue;
		for (size_t k = 0; k < slices; k++)
			top_insert(best[k], out->site[k], &out->n[k], max,
				   ps_heap_slice_delta(hp, proc, (int64_t)s, k).allocated, (uint32_t)s);
	}
}

static int cmp_growing(const void *a, const void *b)
{
	const struct ps_heap_growing *x = a, *y = b;

	if (x->bytes_per_s != y->bytes_per_s)
		return x->bytes_per_s > y->bytes_per_s ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

/* The least-squares slope of v over t, every point counted. */
static double slope(const double *t, const double *v, size_t n)
{
	double mt = 0, mv = 0, num = 0, den = 0;

	for (size_t i = 0; i < n; i++) {
		mt += t[i] / (double)n;
		mv += v[i] / (double)n;
	}
	for (size_t i = 0; i < n; i++) {
		num += (t[i] - mt) * (v[i] - mv);
		den += (t[i] - mt) * (t[i] - mt);
	}
	return den > 0 ? num / den : 0;
}

struct ps_heap_growing *ps_heap_growing_sites(const struct ps_heap *hp, uint32_t proc, size_t *n)
{
	const struct ps_heap_slicing *sl = &hp->proc[proc]->slicing;
	size_t full = sl->n - (sl->last_partial ? 1 : 0), count = 0, cap = 0;
	struct ps_heap_growing *out = NULL;
	double t[PS_HEAP_SLICES], v[PS_HEAP_SLICES];

	*n = 0;
	if (full < 4)
		return NULL;
	for (size_t k = 0; k < full; k++)
		t[k] = (double)(sl->end_ns[k] - sl->first_ns) / 1e9;
	for (size_t s = 0; s < hp->nsites; s++) {
		const struct ps_heap_site *site = &hp->sites[s];
		size_t rising = 0;
		double rate;

		if (site->proc != proc || !site->snaps)
			continue;
		for (size_t k = 0; k < full; k++) {
			v[k] = (double)site->snaps[k].live;
			if (k && site->snaps[k].live > site->snaps[k - 1].live)
				rising++;
		}
		if (3 * rising < 2 * (full - 1) || site->snaps[full - 1].live <= site->snaps[0].live)
			continue;
		rate = slope(t, v, full);
		if (rate <= 0)
			continue;
		if (ps_grow(&out, &cap, count + 1, sizeof(*out)) < 0) {
			free(out);
			return NULL;
		}
		out[count++] = (struct ps_heap_growing){
			.site = (uint32_t)s, .bytes_per_s = rate, .first_live = site->snaps[0].live,
			.last_live = site->snaps[full - 1].live,
			.rising_share = (double)rising / (double)(full - 1),
			.span_s = t[full - 1], .judged = t[full - 1] >= PS_TREND_MIN_STEADY_S,
		};
	}
	if (count)
		qsort(out, count, sizeof(*out), cmp_growing);
	*n = count;
	return out;
}
