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
	if (!mf->line_of || ps_folded_init(&mf->build) < 0) {
		ps_memfold_release(mf);
		return PS_E_NOMEM;
	}
	return 0;
}

void ps_memfold_release(struct ps_memfold *mf)
{
	for (size_t i = 0; mf->line_of && i < mf->r->heap->nsites; i++)
		free(mf->line_of[i]);
	free(mf->line_of);
	ps_folded_release(&mf->build);
	memset(mf, 0, sizeof(*mf));
}

static const char *comm_of(const struct ps_mem_run *r, uint32_t proc)
{
	const struct ps_heap_proc *p = r->heap->proc[proc];

	return p->exe[0] ? ps_basename(p->exe) : "[unknown]";
}

/* comm;outermost;...;caller of malloc, built the first time; NULL: out of memory. */
static const char *site_line(struct ps_memfold *mf, uint32_t site)
{
	const struct ps_mem_run *r = mf->r;
	const struct ps_heap_site *s = &r->heap->sites[site];

	if (mf->line_of[site])
		return mf->line_of[site];
	ps_folded_begin(&mf->build);
	if (ps_folded_frame(&mf->build, comm_of(r, s->proc)) < 0)
		return NULL;
	if (s->stack < 0) {
		if (ps_folded_frame(&mf->build, "[unknown stack]") < 0)
			return NULL;
	} else if (ps_report_fold_stack(&mf->build, r->symbols, r->stacks, &r->stacks->stacks[s->stack],
					ps_mem_run_tracker_frame, r) < 0) {
		return NULL;
	}
	return mf->line_of[site] = strdup(ps_folded_line(&mf->build));
}

/* One file's lines: a line a site kept, and one a process for the rest (owned). */
struct entry {
	const char *line;
	uint64_t w;
};

struct entries {
	struct entry *v;
	size_t n;
	char **owned;          /* the processes' lines for the lighter sites */
	size_t nowned;
};

/* "comm;[N smaller sites]" for the lighter sites of proc. */
static int add_smaller(struct ps_memfold *mf, struct entries *e, uint32_t proc, uint64_t sites, uint64_t w)
{
	char label[64];
	char *line;

	snprintf(label, sizeof(label), "[%" PRIu64 " smaller sites]", sites);
	ps_folded_begin(&mf->build);
	if (ps_folded_frame(&mf->build, comm_of(mf->r, proc)) < 0 || ps_folded_frame(&mf->build, label) < 0 ||
	    !(line = strdup(ps_folded_line(&mf->build))))
		return PS_E_NOMEM;
	e->owned[e->nowned++] = line;
	e->v[e->n++] = (struct entry){ line, w };
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

/* The lighter sites, one line per process: summed in one pass (a build has thousands of processes). */
static int add_smaller_sites(struct ps_memfold *mf, struct entries *e, const struct weighed *rest, size_t n)
{
	const struct ps_heap *hp = mf->r->heap;
	uint64_t *total = calloc(hp->nprocs + 1, sizeof(*total)), *sites = calloc(hp->nprocs + 1, sizeof(*sites));
	int rc = total && sites ? 0 : PS_E_NOMEM;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		uint32_t proc = hp->sites[rest[i].site].proc;

		if (proc >= hp->nprocs)
			continue;	/* as before: a site counts for the processes there are */
		total[proc] += rest[i].w;
		sites[proc]++;
	}
	for (uint32_t proc = 0; rc == 0 && proc < hp->nprocs; proc++)
		if (sites[proc])
			rc = add_smaller(mf, e, proc, sites[proc], total[proc]);
	free(total);
	free(sites);
	return rc;
}

/* Weighs every site: the heaviest on lines of their own, the rest summed. */
static int add_sites(struct ps_memfold *mf, ps_memfold_weight_fn weight, struct entries *e)
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
		if (add_smaller_sites(mf, e, ws + kept, n - kept) < 0)
			goto out;
	}
	for (size_t i = 0; i < kept; i++) {
		const char *line = site_line(mf, ws[i].site);

		if (!line)
			goto out;
		e->v[e->n++] = (struct entry){ line, ws[i].w };
	}
	rc = 0;
out:
	free(ws);
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->line, ((const struct entry *)b)->line);
}

/* Sorted, each line once with the weights of its sites added. */
static void write_entries(struct entries *e, FILE *fp)
{
	qsort(e->v, e->n, sizeof(*e->v), cmp_line);
	for (size_t i = 0; i < e->n; i++) {
		const char *line = e->v[i].line;
		uint64_t w = e->v[i].w;

		for (; i + 1 < e->n && strcmp(e->v[i + 1].line, line) == 0; i++)
			w += e->v[i + 1].w;
		/* names from outside: valid UTF-8 whatever they were */
		ps_utf8_put(fp, line, strlen(line));
		fprintf(fp, " %" PRIu64 "\n", w);
	}
}

int ps_memfold_write(struct ps_memfold *mf, ps_memfold_weight_fn weight, FILE *fp)
{
	const struct ps_heap *hp = mf->r->heap;
	/* at most a line a site, and one more a process */
	struct entries e = { malloc((hp->nsites + hp->nprocs + 1) * sizeof(*e.v)), 0,
			     malloc((hp->nprocs + 1) * sizeof(*e.owned)), 0 };
	int rc = e.v && e.owned ? add_sites(mf, weight, &e) : PS_E_NOMEM;

	if (rc == 0)
		write_entries(&e, fp);
	for (size_t i = 0; i < e.nowned; i++)
		free(e.owned[i]);
	free(e.owned);
	free(e.v);
	return rc;
}
