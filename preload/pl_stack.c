/*
 * Call stacks of allocations, captured in the target and sent once.
 *
 * A stack is identified by a hash of its return addresses; each slot keeps
 * a small direct-mapped cache of the ids it has already defined in the
 * file, so a hot allocation site costs a capture and a hash, and its
 * addresses are written once (perfscope names them, not the target).
 *
 * Capture walks the stack with cached call-frame rules (pl_unwind.c) from
 * the hook's return address; a stack that walk cannot do goes through
 * glibc's backtrace() (libgcc's DWARF unwinder), whose frames inside the
 * tracker are cut.  Either way the leaf is the return address into the
 * code that called the allocator.
 */
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pl.h"

#define SENT_CAP 1024   /* a power of two */

static uint64_t sent[PS_MEM_SLOTS][SENT_CAP];
static uint64_t stack_lo[PS_MEM_SLOTS], stack_hi[PS_MEM_SLOTS];  /* of the slot's thread */
static uintptr_t own_lo, own_hi;   /* this library's code */
static bool verify;

static int find_own_range(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t me = (uintptr_t)arg, lo = UINTPTR_MAX, hi = 0;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (info->dlpi_addr + ph->p_vaddr < lo)
			lo = info->dlpi_addr + ph->p_vaddr;
		if (info->dlpi_addr + ph->p_vaddr + ph->p_memsz > hi)
			hi = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
	}
	if (me < lo || me >= hi)
		return 0;
	own_lo = lo;
	own_hi = hi;
	return 1;
}

void pl_stack_init(void)
{
	void *warm[4];

	dl_iterate_phdr(find_own_range, (void *)(uintptr_t)pl_stack_init);
	/* The first backtrace() loads libgcc_s: do it now, not inside a malloc. */
	backtrace(warm, 4);
	pl_unwind_init();
	verify = getenv(PS_MEM_ENV_VERIFY) != NULL;
}

void pl_stack_claim_slot(int slot)
{
	pthread_attr_t attr;
	void *addr;
	size_t size;

	memset(sent[slot], 0, sizeof(sent[slot]));
	pl_unwind_forget_slot(slot);
	stack_lo[slot] = stack_hi[slot] = 0;
	if (pthread_getattr_np(pthread_self(), &attr) == 0) {
		if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
			stack_lo[slot] = (uint64_t)(uintptr_t)addr;
			stack_hi[slot] = (uint64_t)(uintptr_t)addr + size;
		}
		pthread_attr_destroy(&attr);
	}
}

/* libgcc's walk, without the tracker's own frames. */
static int slow_capture(void **pcs, int max)
{
	void *all[PS_MEM_MAX_FRAMES + 16];
	int n = backtrace(all, PS_MEM_MAX_FRAMES + 16), first = 0;

	while (first < n && (uintptr_t)all[first] >= own_lo && (uintptr_t)all[first] < own_hi)
		first++;
	n -= first;
	if (n > max)
		n = max;
	memcpy(pcs, all + first, (size_t)(n > 0 ? n : 0) * sizeof(*pcs));
	return n;
}

static int capture(int slot, const struct pl_context *ctx, void **pcs)
{
	int n = -1;

	if (ctx->sp >= stack_lo[slot] && ctx->sp < stack_hi[slot])
		n = pl_unwind(slot, ctx, stack_hi[slot], pcs, PS_MEM_MAX_FRAMES);
	if (n < 0) {
		__atomic_fetch_add(&pl_file->unwind_fallbacks, 1, __ATOMIC_RELAXED);
		n = slow_capture(pcs, PS_MEM_MAX_FRAMES);
	}
	return n;
}

static uint64_t hash_pcs(void *const *pcs, int n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;

	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)pcs[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h ? h : 1;	/* 0 means "no stack" */
}

static void define_stack(struct ps_mem_slot *s, uint64_t id, void *const *pcs, int n)
{
	uint32_t size = (uint32_t)(sizeof(struct ps_mem_rec_stack) + (size_t)n * sizeof(uint64_t));
	struct ps_mem_rec_stack *r;

	/* where the code is must be known before the stack that uses it */
	for (int i = 0; i < n; i++)
		if (!pl_maps_known((uintptr_t)pcs[i])) {
			pl_maps_send(s);
			break;
		}
	r = pl_ring_reserve(s, size);
	if (!r)
		return;
	r->h = (struct ps_mem_rec){ .type = PS_MEM_REC_STACK, .size = size,
				    .tid = s->owner };
	r->stack = id;
	r->nframes = (uint32_t)n;
	r->pad = 0;
	for (int i = 0; i < n; i++)
		r->pcs[i] = (uint64_t)(uintptr_t)pcs[i];
	pl_ring_publish(s, size);
}

uint64_t pl_stack_capture(struct ps_mem_slot *s, const struct pl_context *ctx)
{
	void *pcs[PS_MEM_MAX_FRAMES];
	int slot = (int)(s - pl_file->slots);
	int n = capture(slot, ctx, pcs);
	uint64_t id, *cached;

	if (n <= 0)
		return 0;
	id = hash_pcs(pcs, n);
	cached = &sent[slot][id & (SENT_CAP - 1)];
	if (*cached != id) {
		if (verify) {
			void *check[PS_MEM_MAX_FRAMES];
			int m = slow_capture(check, PS_MEM_MAX_FRAMES);

			__atomic_fetch_add(&pl_file->unwind_verified, 1, __ATOMIC_RELAXED);
			if (m != n || memcmp(check, pcs, (size_t)n * sizeof(*pcs)) != 0)
				__atomic_fetch_add(&pl_file->unwind_mismatches, 1, __ATOMIC_RELAXED);
		}
		define_stack(s, id, pcs, n);
		*cached = id;
	}
	return id;
}

/* Code of the C runtime and of the tracker: libc, the dynamic loader, us. */
static int runtime_ranges(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t (*r)[2] = arg;
	const char *base = strrchr(info->dlpi_name, '/');

	(void)size;
	base = base ? base + 1 : info->dlpi_name;
	if (strncmp(base, "libc.so", 7) != 0 && strncmp(base, "ld-linux", 8) != 0)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		int k = strncmp(base, "libc.so", 7) == 0 ? 0 : 1;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
			r[k][0] = info->dlpi_addr + ph->p_vaddr;
			r[k][1] = r[k][0] + ph->p_memsz;
		}
	}
	return 0;
}

uint64_t pl_stack_user_sp(struct ps_mem_slot *s, const struct pl_context *ctx)
{
	void *pcs[PS_MEM_MAX_FRAMES];
	uint64_t sps[PS_MEM_MAX_FRAMES];
	uintptr_t r[2][2] = { { 0, 0 }, { 0, 0 } };
	int slot = (int)(s - pl_file->slots), n;

	dl_iterate_phdr(runtime_ranges, r);
	n = pl_unwind_sps(slot, ctx, stack_hi[slot], pcs, sps, PS_MEM_MAX_FRAMES);
	for (int i = 0; i < n; i++) {
		uintptr_t pc = (uintptr_t)pcs[i];

		if ((pc >= own_lo && pc < own_hi) || (pc >= r[0][0] && pc < r[0][1]) ||
		    (pc >= r[1][0] && pc < r[1][1]))
			continue;
		return sps[i];
	}
	return ctx->sp;
}
