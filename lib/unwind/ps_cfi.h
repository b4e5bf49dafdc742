/*
 * ps_cfi: the x86-64 unwind rule at one code address, read from a module's
 * .eh_frame with libdw once and cached, so that unwinding a frame we have
 * seen before costs a hash lookup and two loads instead of libdwfl's CFI
 * interpretation and per-frame allocations.
 *
 * Only the rules that nearly all compiled code uses are "simple": the
 * caller's stack pointer is the CFA, the CFA is rsp or rbp plus a constant,
 * the return address and rbp are saved at a constant offset from the CFA
 * (or rbp is unchanged).  Anything else (expressions, signal frames, a CFA
 * based on another register, no CFI at all) is reported as such, and the
 * caller unwinds that sample with libdwfl.
 */
#ifndef PS_CFI_H
#define PS_CFI_H

#include <stdint.h>

#include "symbols/ps_modules.h"

enum ps_cfi_kind {
	PS_CFI_SIMPLE,     /* the fields below say how to find the caller */
	PS_CFI_OUTERMOST,  /* the return address is undefined: the stack ends here */
	PS_CFI_COMPLEX,    /* CFI exists but needs the general interpreter */
	PS_CFI_NONE,       /* no CFI covers the address (or the file has none) */
};

enum ps_cfi_rbp {
	PS_CFI_RBP_SAME,       /* the caller's rbp is this frame's */
	PS_CFI_RBP_SAVED,      /* at CFA + rbp_offset */
	PS_CFI_RBP_UNDEFINED,  /* lost */
};

/* DWARF register numbers of x86-64 that rules may be based on. */
#define PS_CFI_REG_RBP 6
#define PS_CFI_REG_RSP 7

struct ps_cfi_rule {
	uint8_t kind;       /* enum ps_cfi_kind */
	uint8_t cfa_reg;    /* PS_CFI_REG_RSP or PS_CFI_REG_RBP */
	uint8_t rbp_rule;   /* enum ps_cfi_rbp */
	int32_t cfa_offset; /* CFA = cfa_reg + cfa_offset */
	int32_t ra_offset;  /* return address at CFA + ra_offset */
	int32_t rbp_offset;
};

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
 * are a table lookup.  Never fails: problems come back as PS_CFI_NONE.
 */
struct ps_cfi_rule ps_cfi_lookup(struct ps_cfi *c, uint32_t module, uint64_t vaddr);

#endif
