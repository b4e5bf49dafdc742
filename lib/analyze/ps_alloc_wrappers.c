/*
 * Allocation wrappers the allocator layer does not know (ps_alloc_wrappers.h).
 */
#include <stdio.h>
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

/* Counts each site under its function, and each distinct (function, caller) pair once. */
static int tally_sites(const struct ps_mem_run *r, struct ps_strtab *functions, struct ps_strtab *pairs,
		       struct tally **t, size_t *cap, size_t *used)
{
	for (size_t i = 0; i < r->heap->nsites; i++) {
		const struct ps_heap_site *s = &r->heap->sites[i];
		struct ps_mem_site_frame f;
		size_t before = pairs->count;
		int64_t id, pair;
		char *key;

		ps_mem_run_site(r, s, &f);
		/* an unnamed function ([module+0xoffset]) cannot be told apart from its neighbours */
		if (!f.function || !f.caller || f.function[0] == '[')
			continue;
		id = ps_strtab_intern(functions, f.function);
		if (id < 0 || ps_grow(t, cap, functions->count, sizeof(**t)) < 0 ||
		    asprintf(&key, "%s\n%s", f.function, f.caller) < 0)
			return PS_E_NOMEM;
		while (*used < functions->count)
			(*t)[(*used)++] = (struct tally){ 0 };
		pair = ps_strtab_intern(pairs, key);
		free(key);
		if (pair < 0)
			return PS_E_NOMEM;
		(*t)[id].function = f.function;
		(*t)[id].callers += pairs->count > before;
		(*t)[id].sites++;
		(*t)[id].bytes += s->alloc_bytes;
	}
	return 0;
}

int ps_alloc_wrappers_find(const struct ps_mem_run *r, struct ps_alloc_wrapper *out, size_t max)
{
	struct ps_strtab functions, pairs;
	struct tally *t = NULL;
	size_t cap = 0, used = 0, n = 0;
	int rc;

	if (ps_strtab_init(&functions) < 0)
		return PS_E_NOMEM;
	if (ps_strtab_init(&pairs) < 0) {
		ps_strtab_release(&functions);
		return PS_E_NOMEM;
	}
	rc = tally_sites(r, &functions, &pairs, &t, &cap, &used);
	if (rc == 0 && used) {
		qsort(t, used, sizeof(*t), cmp_bytes);
		for (size_t i = 0; i < used && n < max; i++)
			if (t[i].function && t[i].callers >= PS_WRAPPER_MIN_CALLERS)
				out[n++] = (struct ps_alloc_wrapper){ t[i].function, t[i].callers, t[i].sites, t[i].bytes };
	}
	free(t);
	ps_strtab_release(&pairs);
	ps_strtab_release(&functions);
	return rc < 0 ? rc : (int)n;
}
