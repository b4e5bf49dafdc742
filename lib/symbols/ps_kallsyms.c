#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_kallsyms.h"
#include "base/ps_util.h"

void ps_kallsyms_init(struct ps_kallsyms *ks)
{
	memset(ks, 0, sizeof(*ks));
}

void ps_kallsyms_release(struct ps_kallsyms *ks)
{
	free(ks->text);
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

/* Parses hex digits at *p; returns the value and moves *p past them. */
static uint64_t parse_hex(char **p)
{
	uint64_t v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return v;
	}
}

/*
 * Reads the whole file once and cuts it in place: "ADDR TYPE NAME[\t[MOD]]".
 * 120,000-odd lines: sscanf and a strdup per line were most of the time
 * perfscope spent after the target exited.
 */
int ps_kallsyms_load(struct ps_kallsyms *ks, const char *path)
{
	char *p;

	ks->loaded = true;
	ks->text = ps_read_file(path, NULL);
	if (!ks->text)
		return -1;
	for (p = ks->text; *p;) {
		char *eol = strchr(p, '\n'), *name, *end;
		uint64_t addr;

		if (eol)
			*eol = '\0';
		addr = parse_hex(&p);
		if (p[0] == ' ' && p[1] && p[2] == ' ' && is_text_type(p[1])) {
			name = p + 3;
			end = name + strcspn(name, " \t");
			*end = '\0';
			if (addr)
				ks->usable = true;
			if (ps_grow(&ks->syms, &ks->cap, ks->count + 1, sizeof(*ks->syms)) < 0)
				break;
			ks->syms[ks->count++] = (struct ps_ksym){ .addr = addr, .name = name };
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	if (ks->count)
		qsort(ks->syms, ks->count, sizeof(*ks->syms), cmp_ksym);
	return 0;
}

const struct ps_ksym *ps_kallsyms_find(const struct ps_kallsyms *ks, uint64_t addr)
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
	return &ks->syms[lo];
}
