/*
 * Finding an allocator of the program's own (ps_allocdetect.h).
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memory/ps_allocdetect.h"
#include "symbols/ps_elffuncs.h"

/* Entry points that only an allocator linked into the program defines. */
static const struct { const char *symbol, *allocator; } known[] = {
	{ "je_malloc", "jemalloc" },      { "_rjem_malloc", "jemalloc (Rust's jemallocator)" },
	{ "_rjem_mallocx", "jemalloc (Rust's jemallocator)" },
	{ "tc_malloc", "tcmalloc" },      { "mi_malloc", "mimalloc" },
	{ "rpmalloc", "rpmalloc" },       { "snmalloc_malloc", "snmalloc" },
	{ "hoard_malloc", "Hoard" },
};

struct detect {
	char *what;
	size_t what_size;
};

static int check_function(const struct ps_elffunc *f, void *ctx)
{
	struct detect *d = ctx;

	if (f->local)
		return 0;
	/* the dynamic symbol table is what the loader resolves against */
	if (f->dynamic && (strcmp(f->name, "malloc") == 0 || strcmp(f->name, "free") == 0)) {
		snprintf(d->what, d->what_size, "it defines malloc and free itself (found %s)", f->name);
		return 1;
	}
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		if (strcmp(f->name, known[k].symbol) == 0) {
			snprintf(d->what, d->what_size, "%s is linked into it (symbol %s)",
				 known[k].allocator, f->name);
			return 1;
		}
	}
	return 0;
}

int ps_allocdetect(const char *path, char *what, size_t what_size)
{
	struct detect d = { what, what_size };

	return ps_elffuncs_each(path, check_function, &d);
}

int ps_allocdetect_go(const char *path)
{
	static const char *const go_sections[] = { ".go.buildinfo", ".gopclntab", ".note.go.buildid" };
	int fd = open(path, O_RDONLY | O_CLOEXEC), found = 0;
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
		found = -1;
		goto out;
	}
	while (!found && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)))
			continue;
		for (size_t i = 0; i < sizeof(go_sections) / sizeof(go_sections[0]); i++)
			if (strcmp(name, go_sections[i]) == 0)
				found = 1;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return found;
}
