/*
 * ps_fdetab: where each function of a module starts, from the search
 * table of its .eh_frame_hdr: every FDE's initial location.  Code that
 * can be unwound has one, stripped or not, so a pc in a function without
 * a symbol still finds its function's start, and all of that function's
 * samples become one frame ("[gzip+0x4300]") instead of one per address.
 *
 * The table is the file's: every length, count and offset is checked
 * against the section before it is read.
 */
#ifndef PS_FDETAB_H
#define PS_FDETAB_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_fdetab {
	uint64_t *starts;    /* virtual addresses, sorted, distinct */
	size_t n;
};

/*
 * Reads the search table of the .eh_frame_hdr at virtual address vaddr
 * (len bytes at hdr).  0; -1 when it has none this reader knows (another
 * table encoding, a bad header); PS_E_NOMEM.
 */
int ps_fdetab_parse(struct ps_fdetab *t, const unsigned char *hdr, size_t len, uint64_t vaddr);

/* The same from elf's .eh_frame_hdr section. */
int ps_fdetab_build(struct ps_fdetab *t, Elf *elf);
void ps_fdetab_release(struct ps_fdetab *t);

/* The start of the function holding vaddr (the last FDE start at or below it); false when none. */
bool ps_fdetab_find(const struct ps_fdetab *t, uint64_t vaddr, uint64_t *start);

#endif
