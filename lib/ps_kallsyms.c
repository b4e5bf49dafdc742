#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_kallsyms.h"
#include "ps_util.h"

void ps_kallsyms_init(struct ps_kallsyms *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void ps_kallsyms_release(struct ps_kallsyms *ks)
{
	for (size_t i = 0; i < ks->count; i++)
		free(ks->syms[i].name);
	free(ks->syms);
	memset(ks, 0, sizeof(*ks));
}

static int cmp_ksym(const void *a, const void *b)
{
	const struct ps_ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool is_text_type(char t)
{
	return t == 't' || t == 'T' || t == 'w' || t == 'W';
}

int ps_kallsyms_load(struct ps_kallsyms *ks, const char *path)
{
	char line[512];
	FILE *f;

	ks->loaded = true;
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		uint64_t addr;
		char type, name[256];

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) != 3 || !is_text_type(type))
			continue;
		if (addr)
			ks->usable = true;
		if (ps_grow(&ks->syms, &ks->cap, ks->count + 1, sizeof(*ks->syms)) < 0)
			break;
		ks->syms[ks->count].addr = addr;
		ks->syms[ks->count].name = strdup(name);
		if (!ks->syms[ks->count].name)
			break;
		ks->count++;
	}
	fclose(f);
	if (ks->count)
		qsort(ks->syms, ks->count, sizeof(*ks->syms), cmp_ksym);
	return 0;
}

const char *ps_kallsyms_lookup(const struct ps_kallsyms *ks, uint64_t addr)
{
	size_t lo = 0, hi = ks->count;

	if (!ks->usable || !ks->count || addr < ks->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return ks->syms[lo].name;
}
