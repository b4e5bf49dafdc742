/*
 * The CFI rule cache (see ps_cfi.h).  libdw parses the FDE and runs its
 * CFA program; we reduce the resulting frame state to a few numbers and
 * keep them per (module, address), so the cost is paid once per distinct
 * pc of a profile, not once per sample.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind/ps_cfi.h"
#include "base/ps_util.h"

/* Past this many cached addresses the table starts over: memory stays bounded. */
#define MAX_SLOTS (1u << 18)

#define REG_RA 16

struct ps_cfi_module {
	int fd;
	Elf *elf;
	Dwarf_CFI *cfi;
	bool tried;
};

struct ps_cfi_slot {
	uint64_t vaddr;
	uint32_t module_plus1;  /* 0: empty */
	struct ps_cfa_rule rule;
};

int ps_cfi_init(struct ps_cfi *c, struct ps_modules *modules)
{
	memset(c, 0, sizeof(*c));
	c->modules = modules;
	elf_version(EV_CURRENT);
	return 0;
}

static void close_module(struct ps_cfi_module *m)
{
	if (m->cfi)
		dwarf_cfi_end(m->cfi);
	if (m->elf)
		elf_end(m->elf);
	if (m->tried && m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof(*m));
}

void ps_cfi_release(struct ps_cfi *c)
{
	for (size_t i = 0; i < c->nmods; i++)
		close_module(&c->mods[i]);
	free(c->mods);
	free(c->slots);
	memset(c, 0, sizeof(*c));
}

/* The module's .eh_frame, opened on first use; NULL if it has none. */
static Dwarf_CFI *module_cfi(struct ps_cfi *c, uint32_t module)
{
	struct ps_cfi_module *m;

	if (module >= c->nmods) {
		size_t cap = c->nmods;

		if (ps_grow(&c->mods, &cap, (size_t)module + 1, sizeof(*c->mods)) < 0)
			return NULL;
		memset(c->mods + c->nmods, 0, (cap - c->nmods) * sizeof(*c->mods));
		c->nmods = cap;
	}
	m = &c->mods[module];
	if (m->tried)
		return m->cfi;
	m->tried = true;
	m->fd = -1;
	if (module >= c->modules->count || c->modules->mods[module].kind != PS_MOD_FILE)
		return NULL;
	m->fd = ps_open_regular(ps_module_file(&c->modules->mods[module]));
	if (m->fd < 0)
		return NULL;
	m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, NULL);
	if (m->elf)
		m->cfi = dwarf_getcfi_elf(m->elf);
	return m->cfi;
}

/* A register rule that is "at CFA + offset": sets *offset. */
static bool saved_at_cfa(const Dwarf_Op *ops, size_t nops, int32_t *offset)
{
	int64_t off = 0;

	if (nops < 1 || nops > 2 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (nops == 2) {
		if (ops[1].atom != DW_OP_plus_uconst)
			return false;
		off = (int64_t)ops[1].number;
	}
	if (off < INT32_MIN || off > INT32_MAX)
		return false;
	*offset = (int32_t)off;
	return true;
}

/* Reduces libdw's frame state at one address to a rule. */
static struct ps_cfa_rule reduce_frame(Dwarf_Frame *frame)
{
	struct ps_cfa_rule r = { .kind = PS_CFA_COMPLEX };
	Dwarf_Op mem[3], *ops;
	size_t nops;
	Dwarf_Addr start, end;
	bool signal_frame;
	int64_t cfa_off;

	if (dwarf_frame_info(frame, &start, &end, &signal_frame) != REG_RA || signal_frame)
		return r;
	if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_bregx ||
	    (ops[0].number != PS_CFA_REG_RSP && ops[0].number != PS_CFA_REG_RBP))
		return r;
	cfa_off = (int64_t)ops[0].number2;
	if (cfa_off < INT32_MIN || cfa_off > INT32_MAX)
		return r;
	r.cfa_reg = (uint8_t)ops[0].number;
	r.cfa_offset = (int32_t)cfa_off;

	/* The caller's rsp must be the CFA itself (x86-64's ABI default). */
	if (dwarf_frame_register(frame, PS_CFA_REG_RSP, mem, &ops, &nops) != 0 || nops != 2 ||
	    ops[0].atom != DW_OP_call_frame_cfa || ops[1].atom != DW_OP_stack_value)
		return r;

	if (dwarf_frame_register(frame, REG_RA, mem, &ops, &nops) != 0)
		return r;
	if (nops == 0 && ops == mem) {
		r.kind = PS_CFA_OUTERMOST;
		return r;
	}
	if (!saved_at_cfa(ops, nops, &r.ra_offset))
		return r;

	if (dwarf_frame_register(frame, PS_CFA_REG_RBP, mem, &ops, &nops) != 0)
		return r;
	if (nops == 0)
		r.rbp_rule = ops ? PS_CFA_RBP_UNDEFINED : PS_CFA_RBP_SAME;
	else if (saved_at_cfa(ops, nops, &r.rbp_offset))
		r.rbp_rule = PS_CFA_RBP_SAVED;
	else
		return r;
	r.kind = PS_CFA_SIMPLE;
	return r;
}

static struct ps_cfa_rule compute_rule(struct ps_cfi *c, uint32_t module, uint64_t vaddr)
{
	struct ps_cfa_rule r = { .kind = PS_CFA_NONE };
	Dwarf_CFI *cfi = module_cfi(c, module);
	Dwarf_Frame *frame;

	if (cfi && dwarf_cfi_addrframe(cfi, vaddr, &frame) == 0) {
		r = reduce_frame(frame);
		free(frame);
	}
	return r;
}

static size_t slot_index(uint32_t module, uint64_t vaddr, size_t cap)
{
	return ps_hash_combine(module, vaddr) & (cap - 1);
}

/* Doubles the table, or empties it at the bound; false if out of memory. */
static bool make_room(struct ps_cfi *c)
{
	size_t cap = c->cap ? c->cap * 2 : 4096;
	struct ps_cfi_slot *old = c->slots, *slots;
	size_t old_cap = c->cap;

	if (cap > MAX_SLOTS) {
		memset(c->slots, 0, c->cap * sizeof(*c->slots));
		c->count = 0;
		return true;
	}
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < old_cap; i++) {
		size_t j;

		if (!old[i].module_plus1)
			continue;
		j = slot_index(old[i].module_plus1 - 1, old[i].vaddr, cap);
		while (slots[j].module_plus1)
			j = (j + 1) & (cap - 1);
		slots[j] = old[i];
	}
	free(old);
	c->slots = slots;
	c->cap = cap;
	return true;
}

struct ps_cfa_rule ps_cfi_lookup(struct ps_cfi *c, uint32_t module, uint64_t vaddr)
{
	struct ps_cfa_rule r;
	size_t i;

	c->lookups++;
	if (c->cap) {
		for (i = slot_index(module, vaddr, c->cap); c->slots[i].module_plus1;
		     i = (i + 1) & (c->cap - 1))
			if (c->slots[i].module_plus1 == module + 1 && c->slots[i].vaddr == vaddr)
				return c->slots[i].rule;
	}
	c->misses++;
	r = compute_rule(c, module, vaddr);
	if ((c->count + 1) * 2 > c->cap && !make_room(c))
		return r;
	for (i = slot_index(module, vaddr, c->cap); c->slots[i].module_plus1;
	     i = (i + 1) & (c->cap - 1))
		;
	c->slots[i] = (struct ps_cfi_slot){ .vaddr = vaddr, .module_plus1 = module + 1, .rule = r };
	c->count++;
	return r;
}
