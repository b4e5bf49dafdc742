/*
 * ps_cfi: the x86-64 unwind rule at one code address, read from a module's
 * .eh_frame with libdw once and cached, so that unwinding a frame we have
 * seen before costs a hash lookup and two loads instead of libdwfl's CFI
 * interpretation and per-frame allocations.
 *
 * Only the rules that nearly all compiled code uses are "simple"
 * (ps_cfa_rule.h).  Anything else (expressions, signal frames, a CFA
 * based on another register, no CFI at all) is reported as such, and the
 * caller unwinds that sample with libdwfl.
 */
#ifndef PS_CFI_H
#define PS_CFI_H

#include <stdint.h>

#include "symbols/ps_modules.h"
#include "unwind/ps_cfa_rule.h"

struct ps_cfi_module;
struct ps_cfi_slot;

struct ps_cfi {
	struct ps_modules *modules;      /* not owned */
	struct ps_cfi_module *mods;      /* by module id */
	size_t nmods;
	struct ps_cfi_slot *slots;       /* open addressing on (module, vaddr) */
	size_t cap, count;
	uint64_t lookups, misses;
};

int ps_cfi_init(struct ps_cfi *c, struct ps_modules *modules);
void ps_cfi_release(struct ps_cfi *c);

/*
 * The rule for ELF virtual address `vaddr` of file module `module`.  The
 * first query for a module opens its file; later ones for the same address
 * are a table lookup.  Never fails: problems come back as PS_CFA_NONE.
 */
struct ps_cfa_rule ps_cfi_lookup(struct ps_cfi *c, uint32_t module, uint64_t vaddr);

#endif
