/*
 * The functions an ELF file defines (ps_elffuncs.h).
 */
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include "symbols/ps_elffuncs.h"
#include "base/ps_util.h"

static uint64_t file_offset(Elf *elf, uint64_t vaddr)
{
	size_t n;

	if (elf_getphdrnum(elf, &n) != 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_filesz)
			return vaddr - ph.p_vaddr + ph.p_offset;
	}
	return 0;
}

static int walk(Elf *elf, ps_elffunc_fn fn, void *ctx)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			struct ps_elffunc f;
			GElf_Sym sym;
			int rc;

			if (!gelf_getsym(data, (int)i, &sym) || sym.st_shndx == SHN_UNDEF ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
				continue;
			f.name = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!f.name)
				continue;
			f.vaddr = sym.st_value;
			f.file_offset = file_offset(elf, sym.st_value);
			f.dynamic = sh.sh_type == SHT_DYNSYM;
			f.local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
			rc = fn(&f, ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int ps_elffuncs_each(const char *path, ps_elffunc_fn fn, void *ctx)
{
	int fd = ps_open_regular(path), rc = -1;
	Elf *elf;

	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF)
		rc = walk(elf, fn, ctx);
	if (elf)
		elf_end(elf);
	close(fd);
	return rc;
}
