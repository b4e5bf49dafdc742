#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_strtab.h"
#include "base/ps_util.h"

static uint64_t str_hash(const char *s)
{
	return ps_hash_bytes(s, strlen(s));
}

static size_t slot_for(const struct ps_strtab *st, const char *s, uint64_t h)
{
	size_t i = (size_t)h & (st->index_cap - 1);

	while (st->index[i] && strcmp(st->strs[st->index[i] - 1], s) != 0)
		i = (i + 1) & (st->index_cap - 1);
	return i;
}

static int grow_index(struct ps_strtab *st)
{
	size_t ncap = st->index_cap ? st->index_cap * 2 : 256;
	uint32_t *n = calloc(ncap, sizeof(*n));

	if (!n)
		return PS_E_NOMEM;
	free(st->index);
	st->index = n;
	st->index_cap = ncap;
	for (size_t id = 0; id < st->count; id++)
		st->index[slot_for(st, st->strs[id], str_hash(st->strs[id]))] = (uint32_t)id + 1;
	return 0;
}

int ps_strtab_init(struct ps_strtab *st)
{
	memset(st, 0, sizeof(*st));
	return ps_strtab_intern(st, "") == 0 ? 0 : PS_E_NOMEM;
}

void ps_strtab_release(struct ps_strtab *st)
{
	for (size_t i = 0; i < st->count; i++)
		free(st->strs[i]);
	free(st->strs);
	free(st->index);
	memset(st, 0, sizeof(*st));
}

int64_t ps_strtab_intern(struct ps_strtab *st, const char *s)
{
	uint64_t h = str_hash(s);
	size_t slot;
	char *copy;

	if ((st->count + 1) * 2 > st->index_cap && grow_index(st) < 0)
		return PS_E_NOMEM;
	slot = slot_for(st, s, h);
	if (st->index[slot])
		return st->index[slot] - 1;
	if (ps_grow(&st->strs, &st->cap, st->count + 1, sizeof(*st->strs)) < 0)
		return PS_E_NOMEM;
	copy = strdup(s);
	if (!copy)
		return PS_E_NOMEM;
	st->strs[st->count] = copy;
	st->index[slot] = (uint32_t)st->count + 1;
	return (int64_t)st->count++;
}
