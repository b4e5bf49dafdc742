#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_idmap.h"
#include "base/ps_util.h"

void ps_idmap_init(struct ps_idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void ps_idmap_release(struct ps_idmap *m)
{
	free(m->keys);
	free(m->vals);
	free(m->used);
	memset(m, 0, sizeof(*m));
}

static size_t slot_of(const struct ps_idmap *m, uint32_t key)
{
	size_t i = (size_t)ps_hash_u64(key) & (m->cap - 1);

	while (m->used[i] && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

bool ps_idmap_get(const struct ps_idmap *m, uint32_t key, uint32_t *val)
{
	size_t i;

	if (!m->cap)
		return false;
	i = slot_of(m, key);
	if (!m->used[i])
		return false;
	*val = m->vals[i];
	return true;
}

static int rehash(struct ps_idmap *m, size_t ncap)
{
	struct ps_idmap n = { .cap = ncap };

	n.keys = calloc(ncap, sizeof(*n.keys));
	n.vals = calloc(ncap, sizeof(*n.vals));
	n.used = calloc(ncap, sizeof(*n.used));
	if (!n.keys || !n.vals || !n.used) {
		ps_idmap_release(&n);
		return PS_E_NOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (m->used[i]) {
			size_t j = slot_of(&n, m->keys[i]);
			n.used[j] = true;
			n.keys[j] = m->keys[i];
			n.vals[j] = m->vals[i];
			n.count++;
		}
	}
	ps_idmap_release(m);
	*m = n;
	return 0;
}

int ps_idmap_put(struct ps_idmap *m, uint32_t key, uint32_t val)
{
	size_t i;

	if ((m->count + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 64) < 0)
		return PS_E_NOMEM;
	i = slot_of(m, key);
	if (!m->used[i]) {
		m->used[i] = true;
		m->keys[i] = key;
		m->count++;
	}
	m->vals[i] = val;
	return 0;
}

int64_t ps_idmap_row(struct ps_idmap *m, uint32_t key, void *rows, size_t *n, size_t *cap,
		     size_t elem_size, bool *added)
{
	uint32_t at;

	*added = false;
	if (ps_idmap_get(m, key, &at))
		return at;
	if (*n >= UINT32_MAX || ps_grow(rows, cap, *n + 1, elem_size) < 0 ||
	    ps_idmap_put(m, key, (uint32_t)*n) < 0)
		return PS_E_NOMEM;
	memset((char *)*(void **)rows + *n * elem_size, 0, elem_size);
	*added = true;
	return (int64_t)(*n)++;
}
