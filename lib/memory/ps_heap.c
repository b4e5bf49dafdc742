/*
 * Rebuilding each process's heap from the tracker's records (ps_heap.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/ps_heap.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

#define FIRST_POINT_EVERY_NS (10u * 1000 * 1000)

int ps_heap_init(struct ps_heap *hp, struct ps_procs *procs, struct ps_stacks *stacks)
{
	memset(hp, 0, sizeof(*hp));
	hp->procs = procs;
	hp->stacks = stacks;
	return 0;
}

static void release_proc(struct ps_heap_proc *p)
{
	free(p->live);
	free(p->mmaps);
	free(p->site_keys);
	free(p->site_vals);
	free(p->last_alloc);
	free(p->timeline);
	ps_rss_release(&p->rss);
	ps_idmap_release(&p->tid_slot);
	free(p);
}

void ps_heap_release(struct ps_heap *hp)
{
	for (size_t i = 0; i < hp->nprocs; i++)
		release_proc(hp->proc[i]);
	for (size_t i = 0; i < hp->nsites; i++)
		free(hp->sites[i].snaps);
	free(hp->proc);
	free(hp->sites);
	memset(hp, 0, sizeof(*hp));
}

int64_t ps_heap_add_proc(struct ps_heap *hp, uint32_t pid, unsigned gen, const char *exe,
			 uint64_t start_ns)
{
	struct ps_heap_proc *p;

	if (ps_grow(&hp->proc, &hp->procs_cap, hp->nprocs + 1, sizeof(*hp->proc)) < 0)
		return PS_E_NOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		return PS_E_NOMEM;
	p->pid = pid;
	p->gen = gen;
	snprintf(p->exe, sizeof(p->exe), "%s", exe);
	p->start_ns = start_ns;
	p->point_every_ns = FIRST_POINT_EVERY_NS;
	ps_heap_slicing_init(&p->slicing, start_ns);
	ps_rss_init(&p->rss, 100u * 1000 * 1000);
	ps_idmap_init(&p->tid_slot);
	hp->proc[hp->nprocs] = p;
	return (int64_t)hp->nprocs++;
}

/* ---- live blocks: open addressing on the address, backward-shift delete ---- */

static size_t block_home(uint64_t addr, size_t cap)
{
	return ps_hash_u64(addr) & (cap - 1);
}

static int live_grow(struct ps_heap_proc *p)
{
	size_t cap = p->live_cap ? p->live_cap * 2 : 1024;
	struct ps_heap_block *old = p->live, *nb = calloc(cap, sizeof(*nb));

	if (!nb)
		return PS_E_NOMEM;
	for (size_t i = 0; i < p->live_cap; i++) {
		size_t j;

		if (!old[i].addr)
			continue;
		for (j = block_home(old[i].addr, cap); nb[j].addr; j = (j + 1) & (cap - 1))
			;
		nb[j] = old[i];
	}
	free(old);
	p->live = nb;
	p->live_cap = cap;
	return 0;
}

static struct ps_heap_block *live_find(struct ps_heap_proc *p, uint64_t addr)
{
	if (!p->live_cap)
		return NULL;
	for (size_t i = block_home(addr, p->live_cap); p->live[i].addr; i = (i + 1) & (p->live_cap - 1))
		if (p->live[i].addr == addr)
			return &p->live[i];
	return NULL;
}

static void live_remove(struct ps_heap_proc *p, struct ps_heap_block *b)
{
	size_t mask = p->live_cap - 1, hole = (size_t)(b - p->live), i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & mask;
		if (!p->live[i].addr)
			break;
		home = block_home(p->live[i].addr, p->live_cap);
		/* move it back if the hole lies between its home and where it is */
		if (((i - home) & mask) >= ((i - hole) & mask)) {
			p->live[hole] = p->live[i];
			hole = i;
		}
	}
	p->live[hole].addr = 0;
	p->live_count--;
}

/* ---- sites ---- */

static int64_t site_for(struct ps_heap *hp, uint32_t proc, uint64_t hash)
{
	struct ps_heap_proc *p = hp->proc[proc];
	size_t i;

	if (p->site_cap) {
		for (i = ps_hash_u64(hash) & (p->site_cap - 1); p->site_keys[i];
		     i = (i + 1) & (p->site_cap - 1))
			if (p->site_keys[i] == hash)
				return p->site_vals[i];
	}
	if ((p->site_count + 1) * 2 > p->site_cap) {
		size_t cap = p->site_cap ? p->site_cap * 2 : 256;
		uint64_t *keys = calloc(cap, sizeof(*keys));
		uint32_t *vals = calloc(cap, sizeof(*vals));

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return PS_E_NOMEM;
		}
		for (size_t k = 0; k < p->site_cap; k++) {
			if (!p->site_keys[k])
				continue;
			for (i = ps_hash_u64(p->site_keys[k]) & (cap - 1); keys[i]; i = (i + 1) & (cap - 1))
				;
			keys[i] = p->site_keys[k];
			vals[i] = p->site_vals[k];
		}
		free(p->site_keys);
		free(p->site_vals);
		p->site_keys = keys;
		p->site_vals = vals;
		p->site_cap = cap;
	}
	if (ps_grow(&hp->sites, &hp->sites_cap, hp->nsites + 1, sizeof(*hp->sites)) < 0)
		return PS_E_NOMEM;
	hp->sites[hp->nsites] = (struct ps_heap_site){ .proc = proc, .stack = -1, .hash = hash };
	for (i = ps_hash_u64(hash) & (p->site_cap - 1); p->site_keys[i]; i = (i + 1) & (p->site_cap - 1))
		;
	p->site_keys[i] = hash;
	p->site_vals[i] = (uint32_t)hp->nsites;
	p->site_count++;
	return (int64_t)hp->nsites++;
}

/* Before a site changes: if a peak happened since it last changed, note what it held then. */
static void snapshot_peak(const struct ps_heap_proc *p, struct ps_heap_site *s)
{
	if (s->peak_version != p->peak_version) {
		s->peak_bytes = s->live_bytes;
		s->peak_blocks = s->live_blocks;
		s->peak_version = p->peak_version;
	}
}

static void add_point(struct ps_heap_proc *p, uint64_t time_ns)
{
	if (time_ns < p->next_point_ns)
		return;
	if (!p->timeline) {
		p->timeline = malloc(PS_HEAP_TIMELINE_MAX * sizeof(*p->timeline));
		if (!p->timeline)
			return;
	}
	if (p->npoints == PS_HEAP_TIMELINE_MAX) {
		for (size_t i = 0; i < PS_HEAP_TIMELINE_MAX / 2; i++)
			p->timeline[i] = p->timeline[2 * i];
		p->npoints = PS_HEAP_TIMELINE_MAX / 2;
		p->point_every_ns *= 2;
	}
	p->timeline[p->npoints++] = (struct ps_heap_point){ time_ns, p->live_bytes };
	p->next_point_ns = time_ns + p->point_every_ns;
}

/* ---- records ---- */

static int define_stack(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec_stack *r)
{
	struct ps_heap_proc *p = hp->proc[proc];
	uint32_t ids[PS_MEM_MAX_FRAMES];
	uint32_t n = r->nframes < PS_MEM_MAX_FRAMES ? r->nframes : PS_MEM_MAX_FRAMES;
	bool refreshed = false;
	int64_t site, stack;

	if (sizeof(*r) + (size_t)n * sizeof(uint64_t) > r->h.size)
		return 0;	/* malformed: ignore */
	site = site_for(hp, proc, r->stack);
	if (site < 0)
		return PS_E_NOMEM;
	if (hp->sites[site].stack >= 0)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t module;
		uint64_t offset;
		int64_t id;

		ps_procs_resolve(hp->procs, p->pid, UINT64_MAX, r->pcs[i], &module, &offset);
		if (module == PS_MODULE_UNKNOWN && !refreshed) {
			/* a library loaded since we last looked */
			refreshed = true;
			ps_procs_refresh_maps(hp->procs, p->pid, ps_now_ns());
			ps_procs_resolve(hp->procs, p->pid, UINT64_MAX, r->pcs[i], &module, &offset);
		}
		/* return addresses: name the call, not the instruction after it */
		if (offset > 0)
			offset--;
		id = ps_stacks_frame(hp->stacks, module, offset);
		if (id < 0)
			return PS_E_NOMEM;
		ids[i] = (uint32_t)id;
	}
	stack = ps_stacks_add(hp->stacks, proc, ids, n, 0, 0);
	if (stack < 0)
		return PS_E_NOMEM;
	hp->sites[site].stack = stack;
	return 0;
}

static uint64_t *last_alloc_of(struct ps_heap_proc *p, uint32_t tid)
{
	uint32_t at;

	/* records come in runs from one thread: remember the last one asked */
	if (p->nlast && p->cached_tid == tid)
		return &p->last_alloc[p->cached_at];
	if (ps_idmap_get(&p->tid_slot, tid, &at)) {
		p->cached_tid = tid;
		p->cached_at = at;
		return &p->last_alloc[at];
	}
	if (ps_grow(&p->last_alloc, &p->last_cap, p->nlast + 1, sizeof(*p->last_alloc)) < 0 ||
	    ps_idmap_put(&p->tid_slot, tid, (uint32_t)p->nlast) < 0)
		return NULL;
	p->last_alloc[p->nlast] = 0;
	return &p->last_alloc[p->nlast++];
}

static void drop_block(struct ps_heap *hp, struct ps_heap_proc *p, struct ps_heap_block *b)
{
	struct ps_heap_site *s = &hp->sites[b->site];

	snapshot_peak(p, s);
	s->frees++;
	s->live_blocks--;
	s->live_bytes -= b->counted;
	p->live_blocks--;
	p->live_bytes -= b->counted;
	live_remove(p, b);
}

/* Puts a block in the live table (which must not hold its address). */
static int live_insert(struct ps_heap_proc *p, const struct ps_heap_block *b)
{
	size_t i;

	if ((p->live_count + 1) * 2 > p->live_cap && live_grow(p) < 0)
		return PS_E_NOMEM;
	for (i = block_home(b->addr, p->live_cap); p->live[i].addr; i = (i + 1) & (p->live_cap - 1))
		;
	p->live[i] = *b;
	p->live_count++;
	return 0;
}

static int apply_alloc(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec_alloc *r,
		       uint64_t time_ns)
{
	struct ps_heap_proc *p = hp->proc[proc];
	struct ps_heap_block *b;
	struct ps_heap_site *s;
	uint64_t *last, counted = r->bytes;
	double weight = 1.0;
	int64_t site;

	if (!r->addr)
		return 0;
	if (hp->sample_bytes > 0 && r->bytes > 0) {
		/* sampled with probability 1 - e^(-s/N) */
		weight = 1.0 / -expm1(-(double)r->bytes / hp->sample_bytes);
		counted = (uint64_t)llround((double)r->bytes * weight);
	}
	site = site_for(hp, proc, r->stack);
	if (site < 0)
		return PS_E_NOMEM;
	s = &hp->sites[site];
	if (s->stack < 0 && r->stack)
		hp->missing_stacks++;
	/* a block we never saw freed (freed behind our back): it is gone */
	b = live_find(p, r->addr);
	if (b)
		drop_block(hp, p, b);
	if (live_insert(p, &(struct ps_heap_block){ .addr = r->addr, .size = r->bytes,
						   .counted = counted, .site = (uint32_t)site }) < 0)
		return PS_E_NOMEM;
	if (r->h.api == PS_MEM_API_MMAP || r->h.api == PS_MEM_API_MREMAP) {
		if (ps_grow(&p->mmaps, &p->mmaps_cap, p->nmmaps + 1, sizeof(*p->mmaps)) < 0)
			return PS_E_NOMEM;
		p->mmaps[p->nmmaps++] = (struct ps_heap_range){ r->addr, r->addr + r->bytes };
	}

	s = &hp->sites[site];	/* site_for may have moved the array */
	snapshot_peak(p, s);
	s->allocs++;
	s->est_allocs += weight;
	s->var_bytes += (double)counted * (double)counted * (1.0 - 1.0 / weight);
	s->alloc_bytes += counted;
	s->live_blocks++;
	s->live_bytes += counted;
	if (s->live_bytes > s->max_live_bytes)
		s->max_live_bytes = s->live_bytes;
	p->allocs++;
	p->est_allocs += weight;
	p->alloc_bytes += counted;
	p->live_blocks++;
	p->live_bytes += counted;
	if (r->h.api < PS_MEM_API_COUNT) {
		p->api_calls[r->h.api]++;
		p->api_bytes[r->h.api] += counted;
	}
	p->size_calls[ps_heap_size_bucket(r->bytes)]++;
	p->size_bytes[ps_heap_size_bucket(r->bytes)] += counted;
	if (p->live_bytes > p->peak_bytes) {
		p->peak_bytes = p->live_bytes;
		p->peak_blocks = p->live_blocks;
		p->peak_time_ns = time_ns;
		p->peak_version++;
	}
	last = last_alloc_of(p, r->h.tid);
	if (last)
		*last = r->addr;
	add_point(p, time_ns);
	return 0;
}

static void apply_free(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec_free *r,
		       uint64_t time_ns)
{
	struct ps_heap_proc *p = hp->proc[proc];
	struct ps_heap_block *b = live_find(p, r->addr);
	uint64_t *last = last_alloc_of(p, r->h.tid);

	if (r->h.api < PS_MEM_API_COUNT)
		p->api_calls[r->h.api]++;
	if (!b) {
		p->unknown_frees++;
		return;
	}
	if (last && *last == r->addr) {
		struct ps_heap_site *s = &hp->sites[b->site];

		s->temporary++;
		s->temporary_bytes += b->counted;
		p->temporary++;
		*last = 0;
	}
	p->frees++;
	drop_block(hp, p, b);
	add_point(p, time_ns);
}

/*
 * munmap of [addr, addr+len): every tracked mapping it overlaps loses that
 * part; what is left of it (one piece on each side, at most) stays live
 * under the same site.
 */
static int apply_unmap(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec_unmap *r,
		       uint64_t time_ns)
{
	struct ps_heap_proc *p = hp->proc[proc];
	uint64_t lo = r->addr, hi = r->addr + r->len;

	if (r->h.api < PS_MEM_API_COUNT)
		p->api_calls[r->h.api]++;
	for (size_t i = 0; i < p->nmmaps;) {
		struct ps_heap_range m = p->mmaps[i];
		struct ps_heap_block *b, old;
		struct ps_heap_site *s;
		uint64_t removed;

		if (m.end <= lo || m.start >= hi || !(b = live_find(p, m.start))) {
			i++;
			continue;
		}
		p->mmaps[i] = p->mmaps[--p->nmmaps];
		old = *b;
		if (lo <= m.start && hi >= m.end) {
			p->frees++;
			drop_block(hp, p, b);
			continue;
		}
		/* a part of it: what is cut goes, the rest stays as one or two blocks */
		removed = (hi < m.end ? hi : m.end) - (lo > m.start ? lo : m.start);
		s = &hp->sites[old.site];
		snapshot_peak(p, s);
		s->live_bytes -= removed;
		p->live_bytes -= removed;
		live_remove(p, b);
		p->live_blocks--;
		s->live_blocks--;
		for (int side = 0; side < 2; side++) {
			uint64_t start = side ? hi : m.start, end = side ? m.end : lo;

			if (start >= end || start < m.start || end > m.end)
				continue;
			if (live_insert(p, &(struct ps_heap_block){ .addr = start, .size = end - start,
								   .counted = end - start, .site = old.site }) < 0 ||
			    ps_grow(&p->mmaps, &p->mmaps_cap, p->nmmaps + 1, sizeof(*p->mmaps)) < 0)
				return PS_E_NOMEM;
			p->mmaps[p->nmmaps++] = (struct ps_heap_range){ start, end };
			p->live_blocks++;
			s->live_blocks++;
		}
	}
	add_point(p, time_ns);
	return 0;
}

int ps_heap_apply(struct ps_heap *hp, uint32_t proc, const struct ps_mem_rec *r, uint64_t time_ns)
{
	if ((r->type == PS_MEM_REC_ALLOC || r->type == PS_MEM_REC_FREE || r->type == PS_MEM_REC_UNMAP) &&
	    ps_heap_slices_tick(hp, proc, time_ns) < 0)
		return PS_E_NOMEM;
	switch (r->type) {
	case PS_MEM_REC_ALLOC:
		if (r->size < sizeof(struct ps_mem_rec_alloc))
			return 0;
		return apply_alloc(hp, proc, (const struct ps_mem_rec_alloc *)r, time_ns);
	case PS_MEM_REC_FREE:
		if (r->size < sizeof(struct ps_mem_rec_free))
			return 0;
		apply_free(hp, proc, (const struct ps_mem_rec_free *)r, time_ns);
		return 0;
	case PS_MEM_REC_UNMAP:
		if (r->size < sizeof(struct ps_mem_rec_unmap))
			return 0;
		return apply_unmap(hp, proc, (const struct ps_mem_rec_unmap *)r, time_ns);
	case PS_MEM_REC_MAP: {
		const struct ps_mem_rec_map *mr = (const void *)r;
		size_t max = r->size - sizeof(*mr);

		if (r->size <= sizeof(*mr) || !memchr(mr->path, '\0', max))
			return 0;
		return ps_procs_add_map(hp->procs, hp->proc[proc]->pid, 0, mr->start, mr->len,
					mr->pgoff, mr->path);
	}
	case PS_MEM_REC_STACK:
		if (r->size < sizeof(struct ps_mem_rec_stack))
			return 0;
		return define_stack(hp, proc, (const struct ps_mem_rec_stack *)r);
	default:
		return 0;
	}
}

static int cmp_block(const void *a, const void *b)
{
	const struct ps_heap_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct ps_heap_block *ps_heap_live_sorted(const struct ps_heap *hp, uint32_t proc, size_t *n)
{
	const struct ps_heap_proc *p = hp->proc[proc];
	struct ps_heap_block *out = malloc((p->live_count + 1) * sizeof(*out));
	size_t k = 0;

	*n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < p->live_cap; i++)
		if (p->live[i].addr)
			out[k++] = p->live[i];
	qsort(out, k, sizeof(*out), cmp_block);
	*n = k;
	return out;
}

void ps_heap_set_leaks(struct ps_heap *hp, uint32_t proc, const struct ps_heap_block *blocks,
		       const uint8_t *kinds, size_t n)
{
	struct ps_heap_proc *p = hp->proc[proc];

	for (size_t i = 0; i < n; i++) {
		struct ps_heap_site *s = &hp->sites[blocks[i].site];
		unsigned k = kinds[i] < PS_LEAK_KINDS ? kinds[i] : PS_LEAK_UNCLASSIFIED;

		s->leak_blocks[k]++;
		s->leak_bytes[k] += blocks[i].counted;
		p->leak_blocks[k]++;
		p->leak_bytes[k] += blocks[i].counted;
	}
	p->leaks_classified = true;
}

void ps_heap_end(struct ps_heap *hp, uint32_t proc, uint64_t time_ns, bool exited, bool execed)
{
	struct ps_heap_proc *p = hp->proc[proc];

	p->end_ns = time_ns;
	p->exited = exited;
	p->execed = execed;
	/* out of memory here only leaves the last slice out of the report */
	(void)ps_heap_slices_finish(hp, proc, time_ns);
	/* sites not changed since the last peak still hold what they held then */
	for (size_t i = 0; i < hp->nsites; i++)
		if (hp->sites[i].proc == proc)
			snapshot_peak(p, &hp->sites[i]);
	if (p->leaks_classified || execed)
		return;
	for (size_t i = 0; i < p->live_cap; i++) {
		const struct ps_heap_block *b = &p->live[i];

		if (!b->addr)
			continue;
		hp->sites[b->site].leak_blocks[PS_LEAK_UNCLASSIFIED]++;
		hp->sites[b->site].leak_bytes[PS_LEAK_UNCLASSIFIED] += b->counted;
		p->leak_blocks[PS_LEAK_UNCLASSIFIED]++;
		p->leak_bytes[PS_LEAK_UNCLASSIFIED] += b->counted;
	}
}

void ps_heap_trend(const struct ps_heap_proc *p, struct ps_trend *out)
{
	double *t = malloc((p->npoints + 1) * sizeof(*t)), *v = malloc((p->npoints + 1) * sizeof(*v));

	*out = (struct ps_trend){ 0 };
	if (t && v) {
		for (size_t i = 0; i < p->npoints; i++) {
			t[i] = (double)p->timeline[i].time_ns / 1e9;
			v[i] = (double)p->timeline[i].live_bytes;
		}
		ps_trend_fit(t, v, p->npoints, out);
	}
	free(t);
	free(v);
}

size_t ps_heap_latest(const struct ps_heap *hp, uint32_t pid)
{
	size_t best = hp->nprocs;

	for (size_t i = 0; i < hp->nprocs; i++)
		if (hp->proc[i]->pid == pid && (best == hp->nprocs || hp->proc[i]->gen > hp->proc[best]->gen))
			best = i;
	return best;
}
