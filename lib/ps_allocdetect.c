/*
 * Finding an allocator of the program's own (ps_allocdetect.h).
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ps_allocdetect.h"

/* Entry points that only an allocator linked into the program defines. */
static const struct { const char *symbol, *allocator; } known[] = {
	{ "je_malloc", "jemalloc" },      { "_rjem_malloc", "jemalloc (Rust's jemallocator)" },
	{ "_rjem_mallocx", "jemalloc (Rust's jemallocator)" },
	{ "tc_malloc", "tcmalloc" },      { "mi_malloc", "mimalloc" },
	{ "rpmalloc", "rpmalloc" },       { "snmalloc_malloc", "snmalloc" },
	{ "hoard_malloc", "Hoard" },
};

/* A function defined in this file (not an import). */
static bool defined_function(const GElf_Sym *sym)
{
	return sym->st_shndx != SHN_UNDEF && GELF_ST_TYPE(sym->st_info) == STT_FUNC;
}

static int scan_symbols(Elf *elf, char *what, size_t what_size)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) || !defined_function(&sym))
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!name)
				continue;
			/* the dynamic symbol table is what the loader resolves against */
			if (sh.sh_type == SHT_DYNSYM && (strcmp(name, "malloc") == 0 || strcmp(name, "free") == 0)) {
				snprintf(what, what_size, "it defines malloc and free itself (found %s)", name);
				return 1;
			}
			for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
				if (strcmp(name, known[k].symbol) == 0) {
					snprintf(what, what_size, "%s is linked into it (symbol %s)",
						 known[k].allocator, name);
					return 1;
				}
			}
		}
	}
	return 0;
}

int ps_allocdetect(const char *path, char *what, size_t what_size)
{
	int fd, rc = -1;
	Elf *elf;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		rc = scan_symbols(elf, what, what_size);
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}
