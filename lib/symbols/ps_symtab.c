#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_symtab.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

static int binding_rank(const GElf_Sym *sym)
{
	int bind = GELF_ST_BIND(sym->st_info);
	int rank = bind == STB_GLOBAL ? 4 : bind == STB_WEAK ? 2 : 0;

	return rank + (sym->st_size > 0);
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ps_symtab_entry *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return y->rank - x->rank;	/* best first among aliases */
}

int ps_symtab_build(struct ps_symtab *st, Dwfl_Module *mod)
{
	int n = dwfl_module_getsymtab(mod);
	size_t out = 0;

	memset(st, 0, sizeof(*st));
	if (n <= 0)
		return -1;
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		int type = GELF_ST_TYPE(sym.st_info);

		if (!name || !name[0] || sym.st_shndx == SHN_UNDEF ||
		    (type != STT_FUNC && type != STT_GNU_IFUNC))
			continue;
		if (ps_grow(&st->entries, &st->cap, st->count + 1, sizeof(*st->entries)) < 0)
			return PS_E_NOMEM;
		st->entries[st->count++] = (struct ps_symtab_entry){
			.addr = addr, .size = sym.st_size, .name = name, .rank = binding_rank(&sym),
		};
	}
	if (st->count)
		qsort(st->entries, st->count, sizeof(*st->entries), cmp_entry);
	/* Keep the best alias of each address. */
	for (size_t i = 0; i < st->count; i++)
		if (out == 0 || st->entries[out - 1].addr != st->entries[i].addr)
			st->entries[out++] = st->entries[i];
	st->count = out;
	return 0;
}

void ps_symtab_release(struct ps_symtab *st)
{
	free(st->entries);
	memset(st, 0, sizeof(*st));
}

const struct ps_symtab_entry *ps_symtab_find(const struct ps_symtab *st, uint64_t addr)
{
	size_t lo = 0, hi = st->count, nearest;

	/* lo: one past the last entry at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (st->entries[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	nearest = lo - 1;
	/* A sized symbol that contains addr, the nearest first (nested ones). */
	for (size_t i = nearest + 1, steps = 0; i-- > 0 && steps < 4; steps++) {
		const struct ps_symtab_entry *e = &st->entries[i];

		if (e->size > 0 && addr < e->addr + e->size)
			return e;
	}
	/* Else the nearest one below, if it has no size to rule it out. */
	return st->entries[nearest].size == 0 ? &st->entries[nearest] : NULL;
}

const char *ps_symtab_lookup(const struct ps_symtab *st, uint64_t addr)
{
	const struct ps_symtab_entry *e = ps_symtab_find(st, addr);

	return e ? e->name : NULL;
}
