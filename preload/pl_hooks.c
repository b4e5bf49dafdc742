/*
 * The interposed allocation functions.  Each one calls the real function
 * and, when tracking, writes a record to this thread's ring: a free is
 * stamped before the real free, an allocation after the real allocation
 * (see ps_memproto.h for why).  Calls made from inside the tracker, or
 * before it is set up, pass straight through.
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pl.h"

#define EXPORT __attribute__((visibility("default")))

PL_HIDDEN bool pl_tracking;

/* Starts a tracked operation: the slot, marked busy since *t0; or NULL. */
struct ps_mem_slot *pl_enter(uint64_t *t0)
{
	struct ps_mem_slot *s;

	if (!pl_tracking || pl_self.in_hook)
		return NULL;
	pl_self.in_hook++;
	s = pl_ring_slot();
	if (!s) {
		pl_self.in_hook--;
		return NULL;
	}
	*t0 = pl_mark_busy(s);
	return s;
}

void pl_leave(struct ps_mem_slot *s)
{
	__atomic_store_n(&s->busy_since, 0, __ATOMIC_RELEASE);
	pl_self.in_hook--;
}

void pl_record_alloc(struct ps_mem_slot *s, enum ps_mem_api api, void *p, size_t bytes,
		     const struct pl_context *ctx)
{
	uint64_t time = pl_now(), stack = pl_stack_capture(s, ctx);
	struct ps_mem_rec_alloc *r = pl_ring_reserve(s, sizeof(*r));

	if (!r)
		return;
	*r = (struct ps_mem_rec_alloc){
		.h = { .type = PS_MEM_REC_ALLOC, .api = (uint16_t)api, .size = sizeof(*r),
		       .tid = s->owner, .time = time },
		.addr = (uint64_t)(uintptr_t)p, .bytes = bytes, .stack = stack,
	};
	pl_ring_publish(s, sizeof(*r));
}

static void record_free(struct ps_mem_slot *s, enum ps_mem_api api, void *p, uint64_t time)
{
	struct ps_mem_rec_free *r = pl_ring_reserve(s, sizeof(*r));

	if (!r)
		return;
	*r = (struct ps_mem_rec_free){
		.h = { .type = PS_MEM_REC_FREE, .api = (uint16_t)api, .size = sizeof(*r),
		       .tid = s->owner, .time = time },
		.addr = (uint64_t)(uintptr_t)p,
	};
	pl_ring_publish(s, sizeof(*r));
}

/* True when the real allocator is known; otherwise the boot arena serves. */
static bool resolved(void)
{
	if (!pl_real.free)
		pl_boot_resolve();
	return pl_real.free != NULL;
}

static void *tracked_alloc(enum ps_mem_api api, void *p, size_t bytes, struct ps_mem_slot *s,
			   const struct pl_context *ctx)
{
	if (s) {
		if (p)
			pl_record_alloc(s, api, p, bytes, ctx);
		pl_leave(s);
	}
	return p;
}

/*
 * The body of an allocating hook: mark the operation, call the real
 * function (`call`), record it.  In sampling mode an allocation that is not
 * sampled is only the subtraction and the real call: that test comes first,
 * and when it passes the real allocator is known (pl_sample_init).  A macro
 * because the caller's context must be taken in the exported function's own
 * frame.
 */
#define TRACKED(api, call, bytes, align, zero) do { \
		struct pl_context ctx_; \
		if (__builtin_expect(pl_sample_skip(bytes), 1)) \
			return call; \
		PL_CALLER(ctx_); \
		TRACKED_SLOW(api, call, bytes, align, zero, ctx_); \
	} while (0)

/* A sampled allocation is made by pl_sample_alloc, with its tag in front. */
#define TRACKED_SLOW(api, call, bytes, align, zero, ctx) do { \
		uint64_t t0_ = 0; \
		if (!resolved()) \
			return pl_boot_alloc(bytes, align); \
		if (pl_sampling) { \
			if (pl_self.in_hook || !pl_tracking || ((align) & ((align) - 1)) || \
			    !pl_sample_crossed()) \
				return call; \
			struct ps_mem_slot *s_ = pl_enter(&t0_); \
			return tracked_alloc(api, pl_sample_alloc(bytes, align, zero), bytes, s_, &(ctx)); \
		} \
		struct ps_mem_slot *s_ = pl_enter(&t0_); \
		return tracked_alloc(api, call, bytes, s_, &(ctx)); \
	} while (0)

/*
 * malloc and calloc, the hottest, are split: the exported function is only
 * the sampling test, built without a frame, and it tail-calls the rest,
 * which takes its caller's context from its own frame.  Should a build not
 * make that a tail call, the hook's frame is stepped over.
 */
#if defined(__OPTIMIZE__) && !defined(__clang__)
#define PL_FRAMELESS __attribute__((optimize("omit-frame-pointer")))
#else
#define PL_FRAMELESS
#endif
#define PL_HOOK_SIZE 256   /* more than the frameless hooks' code */

#define CALLER_OF_TAIL_CALLED(ctx, hook) do { \
		PL_CALLER(ctx); \
		if ((ctx).pc - (uint64_t)(uintptr_t)(hook) < PL_HOOK_SIZE) { \
			const uint64_t *up_ = (const uint64_t *)(uintptr_t)(ctx).bp; \
			(ctx).pc = up_[1]; \
			(ctx).sp = (uint64_t)(uintptr_t)up_ + 16; \
			(ctx).bp = up_[0]; \
		} \
	} while (0)

static __attribute__((noinline)) void *malloc_tracked(size_t n)
{
	struct pl_context ctx;

	CALLER_OF_TAIL_CALLED(ctx, malloc);
	TRACKED_SLOW(PS_MEM_API_MALLOC, pl_real.malloc(n), n, 16, false, ctx);
}

EXPORT PL_FRAMELESS void *malloc(size_t n)
{
	if (__builtin_expect(pl_sample_skip(n), 1))
		return pl_real.malloc(n);
	return malloc_tracked(n);
}

/* Records the free of p when it is tracked; always frees it. */
static __attribute__((noinline)) void free_tracked(void *p)
{
	struct ps_mem_slot *s;
	uint64_t t0 = 0;
	void *block = p;

	if (!p || pl_boot_owns(p) || !resolved())
		return;
	/* in sampling mode only sampled (tagged) blocks come here */
	if (pl_sampling)
		block = pl_sample_base(p);
	s = pl_enter(&t0);
	if (s)
		record_free(s, PS_MEM_API_FREE, p, t0);
	pl_real.free(block);
	if (s)
		pl_leave(s);
}

EXPORT void free(void *p)
{
	/* sampling mode: a block that was not sampled is only the real free */
	if (__builtin_expect(pl_sampling && p && !pl_boot_owns(p) && !pl_sample_tagged(p), 1))
		pl_real.free(p);
	else
		free_tracked(p);
}

static __attribute__((noinline)) void *calloc_tracked(size_t n, size_t m, size_t bytes)
{
	struct pl_context ctx;

	CALLER_OF_TAIL_CALLED(ctx, calloc);
	/* the boot arena is static memory: already zero */
	TRACKED_SLOW(PS_MEM_API_CALLOC, pl_real.calloc(n, m), bytes, 16, true, ctx);
}

EXPORT PL_FRAMELESS void *calloc(size_t n, size_t m)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, m, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (__builtin_expect(pl_sample_skip(bytes), 1))
		return pl_real.calloc(n, m);
	return calloc_tracked(n, m, bytes);
}

/*
 * realloc in sampling mode: the real realloc when neither the old block nor
 * the new one is sampled; else a move (a sampled block has its tag in
 * front, which the real realloc would not carry), recorded as a free and
 * an allocation of the sampled sides.
 */
static void *sampled_realloc(enum ps_mem_api api, void *p, size_t bytes, const struct pl_context *ctx)
{
	bool was = p && pl_sample_tagged(p);
	bool take = bytes && !pl_self.in_hook && !pl_sample_skip(bytes) && pl_tracking &&
		    pl_sample_crossed();
	struct ps_mem_slot *s = NULL;
	size_t old;
	uint64_t t0 = 0;
	void *r;

	if (!was && !take)
		return pl_real.realloc(p, bytes);
	if (bytes == 0) {
		free(p);	/* glibc's realloc(p, 0) frees p and returns NULL */
		return NULL;
	}
	old = !p ? 0 : was ? pl_sample_usable(p) : pl_real.malloc_usable_size(p);
	if (!pl_self.in_hook)
		s = pl_enter(&t0);
	r = take ? pl_sample_alloc(bytes, 16, false) : pl_real.malloc(bytes);
	if (r) {
		if (p)
			memcpy(r, p, old < bytes ? old : bytes);
		if (was && s)
			record_free(s, api, p, t0);
		if (p)
			pl_real.free(was ? pl_sample_base(p) : p);
		if (take && s)
			pl_record_alloc(s, api, r, bytes, ctx);
	} else {
		errno = ENOMEM;	/* the old block stays as it was */
	}
	if (s)
		pl_leave(s);
	return r;
}

/* realloc and reallocarray: a free of the old block and a new allocation. */
static void *tracked_realloc(enum ps_mem_api api, void *p, size_t bytes,
			     void *(*real)(void *, size_t), const struct pl_context *ctx)
{
	struct ps_mem_slot *s;
	uint64_t t0 = 0;
	void *r;

	if (p && pl_boot_owns(p)) {
		r = malloc(bytes);
		if (r)
			memcpy(r, p, bytes < pl_boot_size(p) ? bytes : pl_boot_size(p));
		return r;
	}
	if (pl_sampling)
		return sampled_realloc(api, p, bytes, ctx);
	s = pl_enter(&t0);
	r = real(p, bytes);
	if (s) {
		/* glibc's realloc(p, 0) frees p and returns NULL */
		if (p && (r || bytes == 0))
			record_free(s, api, p, t0);
		if (r)
			pl_record_alloc(s, api, r, bytes, ctx);
		pl_leave(s);
	}
	return r;
}

EXPORT void *realloc(void *p, size_t n)
{
	struct pl_context ctx;

	if (!resolved())
		return pl_boot_alloc(n, 16);
	PL_CALLER(ctx);
	return tracked_realloc(PS_MEM_API_REALLOC, p, n, pl_real.realloc, &ctx);
}

EXPORT void *reallocarray(void *p, size_t n, size_t m)
{
	struct pl_context ctx;
	size_t bytes;

	if (__builtin_mul_overflow(n, m, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!resolved())
		return pl_boot_alloc(bytes, 16);
	PL_CALLER(ctx);
	return tracked_realloc(PS_MEM_API_REALLOCARRAY, p, bytes, pl_real.realloc, &ctx);
}

EXPORT int posix_memalign(void **out, size_t align, size_t n)
{
	struct ps_mem_slot *s;
	struct pl_context ctx;
	uint64_t t0 = 0;
	int rc;

	if (!resolved()) {
		*out = pl_boot_alloc(n, align);
		return *out ? 0 : ENOMEM;
	}
	if (pl_sampling) {
		void *p;

		if (pl_self.in_hook || !pl_tracking || pl_sample_skip(n) || align % sizeof(void *) ||
		    (align & (align - 1)) || !pl_sample_crossed())
			return pl_real.posix_memalign(out, align, n);
		s = pl_enter(&t0);
		p = pl_sample_alloc(n, align, false);
		PL_CALLER(ctx);
		tracked_alloc(PS_MEM_API_POSIX_MEMALIGN, p, n, s, &ctx);
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	s = pl_enter(&t0);
	rc = pl_real.posix_memalign(out, align, n);
	PL_CALLER(ctx);
	tracked_alloc(PS_MEM_API_POSIX_MEMALIGN, rc == 0 ? *out : NULL, n, s, &ctx);
	return rc;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	TRACKED(PS_MEM_API_ALIGNED_ALLOC, pl_real.aligned_alloc(align, n), n, align, false);
}

EXPORT void *memalign(size_t align, size_t n)
{
	TRACKED(PS_MEM_API_MEMALIGN, pl_real.memalign(align, n), n, align, false);
}

EXPORT void *valloc(size_t n)
{
	TRACKED(PS_MEM_API_VALLOC, pl_real.valloc(n), n, 4096, false);
}

/* pvalloc rounds the size up to whole pages: that is what is recorded. */
EXPORT void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = n ? (n + page - 1) & ~(page - 1) : page;

	TRACKED(PS_MEM_API_PVALLOC, pl_real.pvalloc(n), bytes, page, false);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (pl_boot_owns(p))
		return pl_boot_size(p);
	if (!resolved())
		return 0;
	return pl_sampling && pl_sample_tagged(p) ? pl_sample_usable(p) : pl_real.malloc_usable_size(p);
}
