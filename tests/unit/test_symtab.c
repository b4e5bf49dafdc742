/*
 * ps_symtab against libdwfl's own dwfl_module_addrinfo(), over every
 * function of the C library this test runs with: the same symbol (by
 * address) must come back for the middle of each function.
 */
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_symtab.h"
#include "base/ps_util.h"
#include "unit.h"

static char *debuginfo_path;
static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

/* The path of the libc this process runs with, from /proc/self/maps. */
static char *libc_path(void)
{
	char *maps = ps_read_file("/proc/self/maps", NULL), *p, *end, *path = NULL;

	if (!maps)
		return NULL;
	p = strstr(maps, "/libc.so");
	if (p) {
		while (p > maps && p[-1] != ' ')
			p--;
		end = strchr(p, '\n');
		path = strndup(p, (size_t)(end - p));
	}
	free(maps);
	return path;
}

static uint64_t start_of(const struct ps_symtab *st, const char *name)
{
	for (size_t i = 0; i < st->count; i++)
		if (st->entries[i].name == name)
			return st->entries[i].addr;
	return 0;
}

int main(void)
{
	char *path = libc_path();
	Dwfl *dwfl = dwfl_begin(&callbacks);
	Dwfl_Module *mod;
	struct ps_symtab st;
	int n, checked = 0, differ = 0;

	CHECK(path != NULL, "found the C library in /proc/self/maps");
	dwfl_report_begin(dwfl);
	mod = dwfl_report_elf(dwfl, "libc", path, -1, 0, false);
	dwfl_report_end(dwfl, NULL, NULL);
	CHECK(mod && ps_symtab_build(&st, mod) == 0 && st.count > 1000,
	      "table built with %zu functions", mod ? st.count : 0);
	n = dwfl_module_getsymtab(mod);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym, got_sym;
		GElf_Addr addr;
		GElf_Off off;
		const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
		const char *want, *got;

		if (!name || GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size < 2 ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		want = dwfl_module_addrinfo(mod, addr + sym.st_size / 2, &off, &got_sym, NULL, NULL, NULL);
		got = ps_symtab_lookup(&st, addr + sym.st_size / 2);
		checked++;
		/* aliases may differ in name, never in where they start */
		if (!want || !got || (strcmp(want, got) != 0 &&
				      start_of(&st, got) != addr + sym.st_size / 2 - off))
			differ++;
	}
	CHECK(checked > 1000 && differ == 0, "%d of %d functions agree with libdwfl",
	      checked - differ, checked);
	ps_symtab_release(&st);
	dwfl_end(dwfl);
	free(path);
	return unit_done();
}
