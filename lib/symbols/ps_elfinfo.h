/*
 * ps_elfinfo: the loadable segments of an ELF file, read once per module
 * with libelf, so that file offsets (what the kernel's mappings give) can
 * be turned into ELF virtual addresses (what symbols and CFI use) and a
 * mapping's load bias can be computed.
 */
#ifndef PS_ELFINFO_H
#define PS_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_segment {
	uint64_t offset, vaddr, filesz;
};

struct ps_elfinfo {
	bool valid;
	bool is_dyn;            /* ET_DYN (shared object, PIE) */
	bool has_interp;        /* PT_INTERP: started by the dynamic loader */
	struct ps_segment segs[16];
	unsigned nsegs;
};

/* Reads the PT_LOAD segments of `path`; returns 0 or -1 (then !valid). */
int ps_elfinfo_read(struct ps_elfinfo *ei, const char *path);

/* File offset -> ELF virtual address; false if no segment holds it. */
bool ps_elfinfo_offset_to_vaddr(const struct ps_elfinfo *ei, uint64_t off, uint64_t *vaddr);

/*
 * The load bias (runtime address - ELF vaddr) of a mapping that starts at
 * `map_start` with file offset `pgoff`; 0 for ET_EXEC files.
 */
bool ps_elfinfo_bias(const struct ps_elfinfo *ei, uint64_t map_start, uint64_t pgoff,
		     uint64_t *bias);

#endif
