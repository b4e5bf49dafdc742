#include <fcntl.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

#include "symbols/ps_elfinfo.h"
#include "base/ps_util.h"

int ps_elfinfo_read(struct ps_elfinfo *ei, const char *path)
{
	GElf_Ehdr eh;
	size_t n;
	Elf *elf;
	int fd;

	memset(ei, 0, sizeof(*ei));
	elf_version(EV_CURRENT);
	fd = ps_open_regular(path);
	if (fd < 0)
		return -1;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &n) != 0)
		goto out;
	ei->is_dyn = eh.e_type == ET_DYN;
	for (size_t i = 0; i < n && ei->nsegs < sizeof(ei->segs) / sizeof(ei->segs[0]); i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP)
			ei->has_interp = true;
		if (ph.p_type != PT_LOAD)
			continue;
		ei->segs[ei->nsegs++] = (struct ps_segment){
			.offset = ph.p_offset, .vaddr = ph.p_vaddr, .filesz = ph.p_filesz,
		};
	}
	ei->valid = ei->nsegs > 0;
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return ei->valid ? 0 : -1;
}

static const struct ps_segment *segment_of(const struct ps_elfinfo *ei, uint64_t off)
{
	for (unsigned i = 0; i < ei->nsegs; i++) {
		const struct ps_segment *s = &ei->segs[i];

		if (off >= s->offset && off < s->offset + s->filesz)
			return s;
	}
	return NULL;
}

bool ps_elfinfo_offset_to_vaddr(const struct ps_elfinfo *ei, uint64_t off, uint64_t *vaddr)
{
	const struct ps_segment *s = ei->valid ? segment_of(ei, off) : NULL;

	if (!s)
		return false;
	*vaddr = off - s->offset + s->vaddr;
	return true;
}

bool ps_elfinfo_bias(const struct ps_elfinfo *ei, uint64_t map_start, uint64_t pgoff,
		     uint64_t *bias)
{
	uint64_t vaddr;

	if (!ps_elfinfo_offset_to_vaddr(ei, pgoff, &vaddr))
		return false;
	*bias = ei->is_dyn ? map_start - vaddr : 0;
	return true;
}
