/*
 * ps_cfa_rule: the x86-64 unwind rule that nearly all compiled code uses,
 * and the one step it takes from a frame to its caller.  The caller's
 * stack pointer is the CFA, the CFA is rsp or rbp plus a constant, and the
 * return address and rbp are saved at constant offsets from the CFA (or
 * rbp is unchanged).  Anything else is PS_CFA_COMPLEX and needs a general
 * CFI interpreter.
 *
 * Shared, as inline code with no dependencies, by the sampler's DWARF
 * unwinder (rules read with libdw, ps_cfi.c; stepped in
 * ps_unwind_dwarf.c) and the allocation tracker (rules read from the
 * program's own .eh_frame, preload/pl_unwind.c), which links nothing of
 * perfscope: one step, whoever found the rule.
 */
#ifndef PS_CFA_RULE_H
#define PS_CFA_RULE_H

#include <stdbool.h>
#include <stdint.h>

enum ps_cfa_kind {
	PS_CFA_SIMPLE,     /* the fields below say how to find the caller */
	PS_CFA_OUTERMOST,  /* the return address is undefined: the stack ends here */
	PS_CFA_COMPLEX,    /* CFI exists but needs the general interpreter */
	PS_CFA_NONE,       /* no CFI covers the address (or the file has none) */
};

enum ps_cfa_rbp {
	PS_CFA_RBP_SAME,       /* the caller's rbp is this frame's */
	PS_CFA_RBP_SAVED,      /* at CFA + rbp_offset */
	PS_CFA_RBP_UNDEFINED,  /* lost */
};

/* DWARF register numbers of x86-64 that rules may be based on. */
#define PS_CFA_REG_RBP 6
#define PS_CFA_REG_RSP 7
#define PS_CFA_REG_RA 16

struct ps_cfa_rule {
	uint8_t kind;       /* enum ps_cfa_kind */
	uint8_t cfa_reg;    /* PS_CFA_REG_RSP or PS_CFA_REG_RBP */
	uint8_t rbp_rule;   /* enum ps_cfa_rbp */
	int32_t cfa_offset; /* CFA = cfa_reg + cfa_offset */
	int32_t ra_offset;  /* return address at CFA + ra_offset */
	int32_t rbp_offset;
};

/* The registers a step needs and moves. */
struct ps_cfa_regs {
	uint64_t sp, bp;
	bool bp_known;
};

/* Reads the 8 bytes of stack at addr into *out; false when they are not readable. */
typedef bool (*ps_cfa_load_fn)(uint64_t addr, uint64_t *out, void *ctx);

enum ps_cfa_step_result {
	PS_CFA_STEPPED,     /* regs are the caller's, *ra its pc */
	PS_CFA_CANNOT,      /* not a simple rule, or one based on an rbp not known */
	PS_CFA_UNREADABLE,  /* the return address is not on the readable stack */
};

/*
 * One frame up by rule r: the caller's sp (the CFA) and rbp into regs, its
 * pc into *ra.  Every address comes from the program's registers and
 * stack, so loads go through load(), which checks them.
 */
static inline enum ps_cfa_step_result ps_cfa_step(const struct ps_cfa_rule *r, struct ps_cfa_regs *regs,
						  uint64_t *ra, ps_cfa_load_fn load, void *ctx)
{
	uint64_t cfa;

	if (r->kind != PS_CFA_SIMPLE || (r->cfa_reg == PS_CFA_REG_RBP && !regs->bp_known))
		return PS_CFA_CANNOT;
	cfa = (r->cfa_reg == PS_CFA_REG_RSP ? regs->sp : regs->bp) + (uint64_t)(int64_t)r->cfa_offset;
	if (!load(cfa + (uint64_t)(int64_t)r->ra_offset, ra, ctx))
		return PS_CFA_UNREADABLE;
	if (r->rbp_rule == PS_CFA_RBP_SAVED)
		regs->bp_known = load(cfa + (uint64_t)(int64_t)r->rbp_offset, &regs->bp, ctx);
	else if (r->rbp_rule == PS_CFA_RBP_UNDEFINED)
		regs->bp_known = false;
	regs->sp = cfa;
	return PS_CFA_STEPPED;
}

#endif
