/*
 * A memory profile's folded files (ps_memfold.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"
#include "report/ps_memfold.h"
#include "report/ps_report.h"

int ps_memfold_init(struct ps_memfold *mf, const struct ps_mem_run *r)
{
	memset(mf, 0, sizeof(*mf));
	mf->r = r;
	mf->line_of = calloc(r->heap->nsites + 1, sizeof(*mf->line_of));
	if (!mf->line_of || ps_strtab_init(&mf->lines) < 0 || ps_folded_init(&mf->build) < 0) {
		ps_memfold_release(mf);
		return PS_E_NOMEM;
	}
	return 0;
}

void ps_memfold_release(struct ps_memfold *mf)
{
	ps_strtab_release(&mf->lines);
	ps_folded_release(&mf->build);
	free(mf->line_of);
	free(mf->weights);
	memset(mf, 0, sizeof(*mf));
}

static const char *comm_of(const struct ps_mem_run *r, uint32_t proc)
{
	const struct ps_heap_proc *p = r->heap->proc[proc];

	return p->exe[0] ? ps_basename(p->exe) : "[unknown]";
}

/* comm;outermost;...;caller of malloc: its id, built the first time. */
static int64_t site_line(struct ps_memfold *mf, uint32_t site)
{
	const struct ps_mem_run *r = mf->r;
	const struct ps_heap_site *s = &r->heap->sites[site];
	int64_t id;

	if (mf->line_of[site])
		return mf->line_of[site];
	ps_folded_begin(&mf->build);
	if (ps_folded_frame(&mf->build, comm_of(r, s->proc)) < 0)
		return PS_E_NOMEM;
	if (s->stack < 0) {
		if (ps_folded_frame(&mf->build, "[unknown stack]") < 0)
			return PS_E_NOMEM;
	} else if (ps_report_fold_stack(&mf->build, r->symbols, r->stacks, &r->stacks->stacks[s->stack],
					ps_mem_run_tracker_frame, r) < 0) {
		return PS_E_NOMEM;
	}
	id = ps_strtab_intern(&mf->lines, ps_folded_line(&mf->build));
	if (id > 0)
		mf->line_of[site] = (uint32_t)id;
	return id;
}

/* "comm;[N smaller sites]": the id of a process's line for the lighter sites. */
static int64_t smaller_line(struct ps_memfold *mf, uint32_t proc, uint64_t sites)
{
	char label[64];

	snprintf(label, sizeof(label), "[%" PRIu64 " smaller sites]", sites);
	ps_folded_begin(&mf->build);
	if (ps_folded_frame(&mf->build, comm_of(mf->r, proc)) < 0 || ps_folded_frame(&mf->build, label) < 0)
		return PS_E_NOMEM;
	return ps_strtab_intern(&mf->lines, ps_folded_line(&mf->build));
}

/* The lines written, each listed once, and their weights in mf->weights. */
struct tally {
	uint32_t *ids;
	size_t n;
};

static int add_weight(struct ps_memfold *mf, struct tally *t, int64_t id, uint64_t w)
{
	size_t have = mf->nweights;

	if (id < 0 || ps_grow(&mf->weights, &mf->nweights, mf->lines.count, sizeof(*mf->weights)) < 0)
		return PS_E_NOMEM;
	memset(mf->weights + have, 0, (mf->nweights - have) * sizeof(*mf->weights));
	if (!mf->weights[id])
		t->ids[t->n++] = (uint32_t)id;
	mf->weights[id] += w;
	return 0;
}

struct weighed {
	uint32_t site;
	uint64_t w;
};

static int cmp_weighed(const void *a, const void *b)
{
	const struct weighed *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site;
}

/* The lighter sites, one line per process. */
static int tally_smaller(struct ps_memfold *mf, struct tally *t, const struct weighed *rest, size_t n)
{
	const struct ps_heap *hp = mf->r->heap;

	for (uint32_t proc = 0; proc < hp->nprocs; proc++) {
		uint64_t total = 0, sites = 0;

		for (size_t i = 0; i < n; i++)
			if (hp->sites[rest[i].site].proc == proc) {
				total += rest[i].w;
				sites++;
			}
		if (sites && add_weight(mf, t, smaller_line(mf, proc, sites), total) < 0)
			return PS_E_NOMEM;
	}
	return 0;
}

/* Weighs every site: the heaviest on lines of their own, the rest summed. */
static int tally_sites(struct ps_memfold *mf, ps_memfold_weight_fn weight, struct tally *t)
{
	const struct ps_heap *hp = mf->r->heap;
	struct weighed *ws = malloc((hp->nsites + 1) * sizeof(*ws));
	size_t n = 0, kept;
	int rc = PS_E_NOMEM;

	if (!ws)
		return PS_E_NOMEM;
	for (size_t i = 0; i < hp->nsites; i++) {
		uint64_t w = weight(&hp->sites[i]);

		if (w)
			ws[n++] = (struct weighed){ (uint32_t)i, w };
	}
	kept = n;
	if (n > PS_MEMFOLD_MAX_SITES) {
		qsort(ws, n, sizeof(*ws), cmp_weighed);
		kept = PS_MEMFOLD_MAX_SITES;
		if (tally_smaller(mf, t, ws + kept, n - kept) < 0)
			goto out;
	}
	for (size_t i = 0; i < kept; i++)
		if (add_weight(mf, t, site_line(mf, ws[i].site), ws[i].w) < 0)
			goto out;
	rc = 0;
out:
	free(ws);
	return rc;
}

static int cmp_line(const void *a, const void *b, void *lines)
{
	return strcmp(ps_strtab_get(lines, *(const uint32_t *)a), ps_strtab_get(lines, *(const uint32_t *)b));
}

int ps_memfold_write(struct ps_memfold *mf, ps_memfold_weight_fn weight, FILE *fp)
{
	/* at most a line a site, and one more a process */
	struct tally t = { malloc((mf->r->heap->nsites + mf->r->heap->nprocs + 1) * sizeof(*t.ids)), 0 };
	int rc = t.ids ? tally_sites(mf, weight, &t) : PS_E_NOMEM;

	if (rc == 0) {
		qsort_r(t.ids, t.n, sizeof(*t.ids), cmp_line, &mf->lines);
		for (size_t i = 0; i < t.n; i++) {
			const char *line = ps_strtab_get(&mf->lines, t.ids[i]);

			/* names from outside: valid UTF-8 whatever they were */
			ps_utf8_put(fp, line, strlen(line));
			fprintf(fp, " %" PRIu64 "\n", mf->weights[t.ids[i]]);
		}
	}
	for (size_t i = 0; t.ids && i < t.n; i++)
		mf->weights[t.ids[i]] = 0;
	free(t.ids);
	return rc;
}
