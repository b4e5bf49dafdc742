/*
 * A fast stack walk inside the program, for allocation stacks.
 *
 * libgcc's unwinder (backtrace()) interprets the call-frame information of
 * every frame on every call: about 1.5 us for a 10-frame stack.  Here each
 * pc's rule (CFA = rsp or rbp + offset; return address and rbp saved at
 * fixed offsets from the CFA) is computed once from the FDE that libgcc
 * finds (_Unwind_Find_FDE), and kept in a small per-slot cache, so a frame
 * seen before costs a lookup and two loads.  Anything else (expressions,
 * signal frames, a CFA based on another register, a pc without an FDE)
 * makes the caller fall back to backtrace() for that stack.
 *
 * Every load is checked against the thread's stack bounds, so a wrong rule
 * can end a walk early but never fault.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "pl.h"
#include "../lib/unwind/ps_cfa_rule.h"

#define CACHE_SIZE 2048            /* per slot, a power of two */
#define REG_RBP PS_CFA_REG_RBP
#define REG_RSP PS_CFA_REG_RSP
#define REG_RA PS_CFA_REG_RA

/* A cached rule: the one step the sampler's unwinder takes too (ps_cfa_rule.h). */
struct rule {
	uint64_t pc;
	bool filled;
	struct ps_cfa_rule r;
};

struct dwarf_eh_bases {
	void *tbase, *dbase, *func;
};

static struct rule cache[PS_MEM_SLOTS][CACHE_SIZE];
static const void *(*find_fde)(void *pc, struct dwarf_eh_bases *bases);

/* libgcc_s is loaded (locally) by backtrace(): look in it, not globally. */
void pl_unwind_init(void)
{
	void *gcc = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (!gcc)
		gcc = dlopen("libgcc_s.so.1", RTLD_NOW);
	if (gcc)
		find_fde = (const void *(*)(void *, struct dwarf_eh_bases *))dlsym(gcc, "_Unwind_Find_FDE");
}

void pl_unwind_forget_slot(int slot)
{
	memset(cache[slot], 0, sizeof(cache[slot]));
}

/* ---- reading .eh_frame ---- */

static uint64_t uleb(const uint8_t **p, const uint8_t *end)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (*p < end) {
		uint8_t b = *(*p)++;

		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t sleb(const uint8_t **p, const uint8_t *end)
{
	/* built unsigned: shifting a signed value into its sign bit is not defined */
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b = 0;

	while (*p < end) {
		b = *(*p)++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			break;
	}
	if (shift < 64 && (b & 0x40))
		v |= ~(uint64_t)0 << shift;	/* sign-extend */
	return (int64_t)v;
}

/* A pointer in DW_EH_PE encoding `enc`; false for encodings we do not read. */
static bool read_encoded(const uint8_t **p, const uint8_t *end, uint8_t enc, uint64_t *out)
{
	const uint8_t *start = *p;
	uint64_t v;

	if (enc == 0xff)	/* DW_EH_PE_omit */
		return false;
	switch (enc & 0x0f) {
	case 0x00: if (end - *p < 8) return false; memcpy(&v, *p, 8); *p += 8; break;
	case 0x01: v = uleb(p, end); break;
	case 0x02: { uint16_t x; if (end - *p < 2) return false; memcpy(&x, *p, 2); *p += 2; v = x; break; }
	case 0x03: { uint32_t x; if (end - *p < 4) return false; memcpy(&x, *p, 4); *p += 4; v = x; break; }
	case 0x04: if (end - *p < 8) return false; memcpy(&v, *p, 8); *p += 8; break;
	case 0x09: v = (uint64_t)sleb(p, end); break;
	case 0x0a: { int16_t x; if (end - *p < 2) return false; memcpy(&x, *p, 2); *p += 2; v = (uint64_t)(int64_t)x; break; }
	case 0x0b: { int32_t x; if (end - *p < 4) return false; memcpy(&x, *p, 4); *p += 4; v = (uint64_t)(int64_t)x; break; }
	case 0x0c: if (end - *p < 8) return false; memcpy(&v, *p, 8); *p += 8; break;
	default: return false;
	}
	switch (enc & 0x70) {
	case 0x00: break;
	case 0x10: v += (uint64_t)(uintptr_t)start; break;	/* pcrel */
	default: return false;
	}
	*out = v;
	return true;
}

/* The register state the CFA program builds, for the registers we follow. */
struct cfa_state {
	uint8_t cfa_reg, rbp_rule;
	bool hard, ra_undefined;
	int64_t cfa_off, ra_off, rbp_off;
};

struct cie {
	const uint8_t *insns, *insns_end;
	uint64_t code_align;
	int64_t data_align;
	uint8_t fde_enc;
	bool has_aug_data, signal_frame;
	uint64_t ra_reg;
};

static bool parse_cie(const uint8_t *p, struct cie *c)
{
	uint32_t len;
	const uint8_t *end;
	const char *aug;

	memcpy(&len, p, 4);
	if (len == 0 || len == 0xffffffff)
		return false;
	end = p + 4 + len;
	p += 8;				/* length, CIE id */
	if (*p++ != 1 && p[-1] != 3)	/* version */
		return false;
	aug = (const char *)p;
	p += strlen(aug) + 1;
	memset(c, 0, sizeof(*c));
	c->code_align = uleb(&p, end);
	c->data_align = sleb(&p, end);
	c->ra_reg = uleb(&p, end);
	c->fde_enc = 0;
	if (aug[0] == 'z') {
		uint64_t alen = uleb(&p, end);
		const uint8_t *adata = p;

		c->has_aug_data = true;
		for (const char *a = aug + 1; *a; a++) {
			uint64_t skip;

			switch (*a) {
			case 'R': c->fde_enc = *p++; break;
			case 'L': p++; break;
			case 'P': { uint8_t e = *p++; if (!read_encoded(&p, end, e & 0x7f, &skip)) return false; break; }
			case 'S': c->signal_frame = true; break;
			default: return false;
			}
		}
		p = adata + alen;
	} else if (aug[0]) {
		return false;
	}
	c->insns = p;
	c->insns_end = end;
	return p <= end;
}

/* DW_CFA_restore: back to what the CIE's instructions said. */
static void restore_initial(struct cfa_state *st, const struct cfa_state *initial, uint64_t reg)
{
	if (!initial)
		return;
	if (reg == REG_RBP) {
		st->rbp_rule = initial->rbp_rule;
		st->rbp_off = initial->rbp_off;
	} else if (reg == REG_RA) {
		st->ra_off = initial->ra_off;
		st->ra_undefined = initial->ra_undefined;
	}
}

/* Runs CFA instructions until the location passes `target`. */
static bool run_cfa(const uint8_t *p, const uint8_t *end, const struct cie *c, uint64_t loc,
		    uint64_t target, struct cfa_state *st, const struct cfa_state *initial)
{
	struct cfa_state saved[4];
	int nsaved = 0;

	while (p < end && loc <= target) {
		uint8_t op = *p++, low = op & 0x3f;
		uint64_t reg, off;

		switch (op >> 6) {
		case 1:
			loc += low * c->code_align;
			continue;
		case 2:
			off = uleb(&p, end);
			if (low == REG_RA)
				st->ra_off = (int64_t)off * c->data_align;
			else if (low == REG_RBP) {
				st->rbp_rule = PS_CFA_RBP_SAVED;
				st->rbp_off = (int64_t)off * c->data_align;
			}
			continue;
		case 3:
			restore_initial(st, initial, low);
			continue;
		}
		switch (op) {
		case 0x00: break;
		case 0x02: loc += (uint64_t)*p++ * c->code_align; break;
		case 0x03: { uint16_t d; memcpy(&d, p, 2); p += 2; loc += d * c->code_align; break; }
		case 0x04: { uint32_t d; memcpy(&d, p, 4); p += 4; loc += d * c->code_align; break; }
		case 0x05: case 0x11:	/* offset_extended(_sf) */
			reg = uleb(&p, end);
			off = op == 0x05 ? uleb(&p, end) * (uint64_t)c->data_align
					 : (uint64_t)(sleb(&p, end) * c->data_align);
			if (reg == REG_RA)
				st->ra_off = (int64_t)off;
			else if (reg == REG_RBP) {
				st->rbp_rule = PS_CFA_RBP_SAVED;
				st->rbp_off = (int64_t)off;
			}
			break;
		case 0x06:		/* restore_extended */
			restore_initial(st, initial, uleb(&p, end));
			break;
		case 0x08:		/* same_value */
			reg = uleb(&p, end);
			if (reg == REG_RBP)
				st->rbp_rule = PS_CFA_RBP_SAME;
			else if (reg == REG_RA || reg == REG_RSP)
				st->hard = true;
			break;
		case 0x07:		/* undefined */
			reg = uleb(&p, end);
			if (reg == REG_RA)
				st->ra_undefined = true;
			else if (reg == REG_RBP)
				st->rbp_rule = PS_CFA_RBP_UNDEFINED;
			break;
		case 0x09:		/* register */
			reg = uleb(&p, end);
			uleb(&p, end);
			if (reg == REG_RA || reg == REG_RBP || reg == REG_RSP)
				st->hard = true;
			break;
		case 0x0a:
			if (nsaved == 4)
				return false;
			saved[nsaved++] = *st;
			break;
		case 0x0b:
			/* the CFA comes back too, as libgcc and libdw do (epilogues rely on it) */
			if (nsaved == 0)
				return false;
			*st = saved[--nsaved];
			break;
		case 0x0c: st->cfa_reg = (uint8_t)uleb(&p, end); st->cfa_off = (int64_t)uleb(&p, end); break;
		case 0x0d: st->cfa_reg = (uint8_t)uleb(&p, end); break;
		case 0x0e: st->cfa_off = (int64_t)uleb(&p, end); break;
		case 0x12: st->cfa_reg = (uint8_t)uleb(&p, end); st->cfa_off = sleb(&p, end) * c->data_align; break;
		case 0x13: st->cfa_off = sleb(&p, end) * c->data_align; break;
		case 0x0f:		/* def_cfa_expression */
			st->hard = true;
			return true;
		case 0x10: case 0x16:	/* expression, val_expression */
			reg = uleb(&p, end);
			off = uleb(&p, end);
			p += off;
			if (reg == REG_RA || reg == REG_RBP || reg == REG_RSP)
				st->hard = true;
			break;
		case 0x14: case 0x15:	/* val_offset(_sf) */
			reg = uleb(&p, end);
			if (op == 0x14)
				uleb(&p, end);
			else
				sleb(&p, end);
			if (reg == REG_RA || reg == REG_RBP || reg == REG_RSP)
				st->hard = true;
			break;
		case 0x2e: uleb(&p, end); break;	/* GNU_args_size */
		default:
			return false;
		}
	}
	return true;
}

/* The rule at `pc`, from its FDE. */
static struct rule compute_rule(uint64_t pc)
{
	struct rule r = { .pc = pc, .filled = true, .r = { .kind = PS_CFA_COMPLEX } };
	struct dwarf_eh_bases bases;
	const uint8_t *fde, *p, *end, *cie_ptr;
	struct cfa_state st = { .cfa_reg = REG_RSP, .cfa_off = 8, .ra_off = -8 }, initial;
	uint32_t len, cie_off;
	uint64_t start, range;
	struct cie c;

	if (!find_fde)
		return r;
	fde = find_fde((void *)(uintptr_t)pc, &bases);
	if (!fde)
		return r;
	memcpy(&len, fde, 4);
	memcpy(&cie_off, fde + 4, 4);
	if (len == 0 || len == 0xffffffff)
		return r;
	end = fde + 4 + len;
	cie_ptr = fde + 4 - cie_off;
	if (!parse_cie(cie_ptr, &c) || c.ra_reg != REG_RA || c.signal_frame)
		return r;
	p = fde + 8;
	if (!read_encoded(&p, end, c.fde_enc, &start) || !read_encoded(&p, end, c.fde_enc & 0x0f, &range))
		return r;
	if (c.has_aug_data) {
		uint64_t alen = uleb(&p, end);

		p += alen;
	}
	if (!run_cfa(c.insns, c.insns_end, &c, start, UINT64_MAX, &st, NULL))
		return r;
	initial = st;
	if (!run_cfa(p, end, &c, start, pc, &st, &initial) || st.hard)
		return r;
	if (st.ra_undefined) {
		r.r.kind = PS_CFA_OUTERMOST;
		return r;
	}
	if ((st.cfa_reg != REG_RSP && st.cfa_reg != REG_RBP) || st.cfa_off > INT32_MAX ||
	    st.cfa_off < INT32_MIN)
		return r;
	r.r = (struct ps_cfa_rule){
		.kind = PS_CFA_SIMPLE, .cfa_reg = st.cfa_reg, .rbp_rule = st.rbp_rule,
		.cfa_offset = (int32_t)st.cfa_off, .ra_offset = (int32_t)st.ra_off,
		.rbp_offset = (int32_t)st.rbp_off,
	};
	return r;
}

static const struct rule *rule_at(int slot, uint64_t pc)
{
	struct rule *r = &cache[slot][(pc ^ (pc >> 11)) & (CACHE_SIZE - 1)];

	if (!r->filled || r->pc != pc)
		*r = compute_rule(pc);
	return r;
}

/* The thread's stack, from the sp at the hook to its top: what may be read. */
struct stack_bounds {
	uint64_t lo, hi;
};

static bool load(uint64_t addr, uint64_t *out, void *ctx)
{
	const struct stack_bounds *b = ctx;

	if (addr < b->lo || addr > b->hi - 8 || b->hi < 8 || (addr & 7))
		return false;
	memcpy(out, (const void *)(uintptr_t)addr, 8);
	return true;
}

int pl_unwind(int slot, const struct pl_context *ctx, uint64_t stack_hi, void **pcs, int max)
{
	return pl_unwind_sps(slot, ctx, stack_hi, pcs, NULL, max);
}

int pl_unwind_sps(int slot, const struct pl_context *ctx, uint64_t stack_hi, void **pcs,
		  uint64_t *sps, int max)
{
	uint64_t pc = ctx->pc;
	struct ps_cfa_regs regs = { .sp = ctx->sp, .bp = ctx->bp, .bp_known = true };
	struct stack_bounds bounds = { .lo = ctx->sp, .hi = stack_hi };
	int n = 0;

	while (n < max) {
		const struct rule *r;
		enum ps_cfa_step_result step;
		uint64_t sp = regs.sp, ra;

		if (!pl_maps_known(pc))
			return n ? n : -1;
		if (sps)
			sps[n] = sp;
		pcs[n++] = (void *)(uintptr_t)pc;
		r = rule_at(slot, pc - 1);	/* every pc here is a return address */
		if (r->r.kind == PS_CFA_OUTERMOST)
			return n;
		step = ps_cfa_step(&r->r, &regs, &ra, load, &bounds);
		if (step == PS_CFA_CANNOT)
			return -1;
		/* a stack that does not grow toward its callers is corrupt: stop */
		if (step == PS_CFA_UNREADABLE || ra == 0 || regs.sp <= sp)
			return n;
		pc = ra;
	}
	return n;
}
