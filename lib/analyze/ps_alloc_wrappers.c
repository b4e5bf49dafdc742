/*
 * Allocation wrappers the allocator layer does not know (ps_alloc_wrappers.h).
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_alloc_wrappers.h"
#include "base/ps_error.h"
#include "base/ps_strtab.h"
#include "base/ps_util.h"

struct tally {
	const char *function;
	uint32_t callers, sites;
	uint64_t bytes;
};

static int cmp_bytes(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (!x->function || !y->function)
		return !x->function - !y->function;
	return strcmp(x->function, y->function);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Counts each site under its function; each (function, caller) pair goes
 * into pairs as (function id << 32 | caller id), to be counted once each
 * (a compiler has ~80,000 sites: a key string per site was most of the cost).
 */
static int tally_sites(const struct ps_mem_run *r, struct ps_strtab *functions, struct ps_strtab *callers,
		       struct tally **t, size_t *cap, size_t *used, uint64_t *pairs, size_t *npairs)
{
	for (size_t i = 0; i < r->heap->nsites; i++) {
		const struct ps_heap_site *s = &r->heap->sites[i];
		struct ps_mem_site_frame f;
		int64_t id, caller;

		ps_mem_run_site(r, s, &f);
		/* an unnamed function ([module+0xoffset]) cannot be told apart from its neighbours */
		if (!f.function || !f.caller || f.function[0] == '[')
			continue;
		id = ps_strtab_intern(functions, f.function);
		caller = ps_strtab_intern(callers, f.caller);
		if (id < 0 || caller < 0 || ps_grow(t, cap, functions->count, sizeof(**t)) < 0)
			return PS_E_NOMEM;
		while (*used < functions->count)
			(*t)[(*used)++] = (struct tally){ 0 };
		pairs[(*npairs)++] = (uint64_t)id << 32 | (uint64_t)caller;
		(*t)[id].function = f.function;
		(*t)[id].sites++;
		(*t)[id].bytes += s->alloc_bytes;
	}
	return 0;
}

/* Each function's distinct callers, from the pairs sorted. */
static void count_callers(struct tally *t, uint64_t *pairs, size_t n)
{
	qsort(pairs, n, sizeof(*pairs), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || pairs[i] != pairs[i - 1])
			t[pairs[i] >> 32].callers++;
}

int ps_alloc_wrappers_find(const struct ps_mem_run *r, struct ps_alloc_wrapper *out, size_t max)
{
	struct ps_strtab functions, callers;
	struct tally *t = NULL;
	uint64_t *pairs = malloc((r->heap->nsites + 1) * sizeof(*pairs));
	size_t cap = 0, used = 0, npairs = 0, n = 0;
	int rc;

	if (!pairs || ps_strtab_init(&functions) < 0) {
		free(pairs);
		return PS_E_NOMEM;
	}
	if (ps_strtab_init(&callers) < 0) {
		ps_strtab_release(&functions);
		free(pairs);
		return PS_E_NOMEM;
	}
	rc = tally_sites(r, &functions, &callers, &t, &cap, &used, pairs, &npairs);
	if (rc == 0 && used) {
		count_callers(t, pairs, npairs);
		qsort(t, used, sizeof(*t), cmp_bytes);
		for (size_t i = 0; i < used && n < max; i++)
			if (t[i].function && t[i].callers >= PS_WRAPPER_MIN_CALLERS)
				out[n++] = (struct ps_alloc_wrapper){ t[i].function, t[i].callers, t[i].sites, t[i].bytes };
	}
	free(t);
	free(pairs);
	ps_strtab_release(&callers);
	ps_strtab_release(&functions);
	return rc < 0 ? rc : (int)n;
}
