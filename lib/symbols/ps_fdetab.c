/*
 * Function starts from .eh_frame_hdr (ps_fdetab.h).
 *
 * The header: version 1, then the encodings of eh_frame_ptr, fde_count and
 * the table; eh_frame_ptr; fde_count; then fde_count pairs (initial
 * location, FDE address).  Linkers write the table as 4-byte signed
 * offsets from the header's start (DW_EH_PE_datarel | DW_EH_PE_sdata4),
 * the only table encoding read here.
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "symbols/ps_fdetab.h"

#define PE_OMIT 0xff
#define PE_FORMAT 0x0f
#define PE_DATAREL_SDATA4 0x3b

/* The size of a value of encoding enc, or 0 for one this reader does not take. */
static size_t encoded_size(unsigned char enc)
{
	switch (enc & PE_FORMAT) {
	case 0x00: return 8;            /* absptr, on a 64-bit target */
	case 0x02: case 0x0a: return 2; /* udata2, sdata2 */
	case 0x03: case 0x0b: return 4; /* udata4, sdata4 */
	case 0x04: case 0x0c: return 8; /* udata8, sdata8 */
	default: return 0;
	}
}

static uint64_t read_unsigned(const unsigned char *p, size_t size)
{
	uint64_t v = 0;

	for (size_t i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int ps_fdetab_parse(struct ps_fdetab *t, const unsigned char *hdr, size_t len, uint64_t vaddr)
{
	size_t ptr_size, count_size, at, n = 0;
	uint64_t count;

	memset(t, 0, sizeof(*t));
	if (len < 4 || hdr[0] != 1 || hdr[1] == PE_OMIT || hdr[2] == PE_OMIT || hdr[3] != PE_DATAREL_SDATA4)
		return -1;
	ptr_size = encoded_size(hdr[1]);
	count_size = encoded_size(hdr[2]);
	if (!ptr_size || !count_size || len < 4 + ptr_size + count_size)
		return -1;
	at = 4 + ptr_size;
	count = read_unsigned(hdr + at, count_size);
	at += count_size;
	/* no more entries than the section holds */
	if (count > (len - at) / 8)
		return -1;
	t->starts = malloc((size_t)(count ? count : 1) * sizeof(*t->starts));
	if (!t->starts)
		return PS_E_NOMEM;
	for (uint64_t i = 0; i < count; i++, at += 8) {
		int32_t rel = (int32_t)(uint32_t)read_unsigned(hdr + at, 4);

		t->starts[n++] = vaddr + (uint64_t)(int64_t)rel;
	}
	/* sorted by the linker; a file's claim is checked, not trusted */
	qsort(t->starts, n, sizeof(*t->starts), cmp_u64);
	t->n = 0;
	for (size_t i = 0; i < n; i++)
		if (!t->n || t->starts[t->n - 1] != t->starts[i])
			t->starts[t->n++] = t->starts[i];
	return 0;
}

int ps_fdetab_build(struct ps_fdetab *t, Elf *elf)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	memset(t, 0, sizeof(*t));
	if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".eh_frame_hdr") != 0)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf)
			return -1;
		return ps_fdetab_parse(t, d->d_buf, d->d_size, sh.sh_addr);
	}
	return -1;
}

void ps_fdetab_release(struct ps_fdetab *t)
{
	free(t->starts);
	memset(t, 0, sizeof(*t));
}

bool ps_fdetab_find(const struct ps_fdetab *t, uint64_t vaddr, uint64_t *start)
{
	size_t lo = 0, hi = t->n;

	/* lo: one past the last start at or below vaddr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->starts[mid] <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	*start = t->starts[lo - 1];
	return true;
}
