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
		/* a sampled block whose free could not be watched is not recorded */
		if (p && (!pl_sampling || pl_sample_remember(p)))
			pl_record_alloc(s, api, p, bytes, ctx);
		pl_leave(s);
	}
	return p;
}

/*
 * The body of an allocating hook once the allocator is known: mark the
 * operation, call the real function (`call`), record it.  In sampling mode
 * an allocation that is not sampled is only the real call.  A macro because
 * the caller's context must be taken in the exported function's own frame.
 */
#define TRACKED(api, call, bytes) do { \
		struct pl_context ctx_; \
		if (pl_sampling && (pl_self.in_hook || !pl_tracking || !pl_sample_take(bytes))) \
			return call; \
		uint64_t t0_ = 0; \
		struct ps_mem_slot *s_ = pl_enter(&t0_); \
		PL_CALLER(ctx_); \
		return tracked_alloc(api, call, bytes, s_, &ctx_); \
	} while (0)

EXPORT void *malloc(size_t n)
{
	if (!resolved())
		return pl_boot_alloc(n, 16);
	TRACKED(PS_MEM_API_MALLOC, pl_real.malloc(n), n);
}

EXPORT void free(void *p)
{
	struct ps_mem_slot *s;
	uint64_t t0 = 0;

	if (!p || pl_boot_owns(p) || !resolved())
		return;
	if (pl_sampling && (pl_self.in_hook || !pl_sample_forget(p))) {
		pl_real.free(p);
		return;
	}
	s = pl_enter(&t0);
	if (s)
		record_free(s, PS_MEM_API_FREE, p, t0);
	pl_real.free(p);
	if (s)
		pl_leave(s);
}

EXPORT void *calloc(size_t n, size_t m)
{
	size_t bytes;

	if (__builtin_mul_overflow(n, m, &bytes)) {
		errno = ENOMEM;
		return NULL;
	}
	if (!resolved())
		return pl_boot_alloc(bytes, 16);	/* static memory: already zero */
	TRACKED(PS_MEM_API_CALLOC, pl_real.calloc(n, m), bytes);
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
	if (pl_sampling && !pl_self.in_hook) {
		bool was = p && pl_sample_forget(p), take = bytes && pl_sample_take(bytes);

		if (!was && !take)
			return real(p, bytes);
		s = pl_enter(&t0);
		r = real(p, bytes);
		if (was && !r && bytes)
			pl_sample_remember(p);	/* failed: p is still there */
		if (s) {
			if (was && (r || bytes == 0))
				record_free(s, api, p, t0);
			if (take && r && pl_sample_remember(r))
				pl_record_alloc(s, api, r, bytes, ctx);
			pl_leave(s);
		}
		return r;
	}
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
	if (pl_sampling && (pl_self.in_hook || !pl_tracking || !pl_sample_take(n)))
		return pl_real.posix_memalign(out, align, n);
	s = pl_enter(&t0);
	rc = pl_real.posix_memalign(out, align, n);
	PL_CALLER(ctx);
	tracked_alloc(PS_MEM_API_POSIX_MEMALIGN, rc == 0 ? *out : NULL, n, s, &ctx);
	return rc;
}

EXPORT void *aligned_alloc(size_t align, size_t n)
{
	if (!resolved())
		return pl_boot_alloc(n, align);
	TRACKED(PS_MEM_API_ALIGNED_ALLOC, pl_real.aligned_alloc(align, n), n);
}

EXPORT void *memalign(size_t align, size_t n)
{
	if (!resolved())
		return pl_boot_alloc(n, align);
	TRACKED(PS_MEM_API_MEMALIGN, pl_real.memalign(align, n), n);
}

EXPORT void *valloc(size_t n)
{
	if (!resolved())
		return pl_boot_alloc(n, 4096);
	TRACKED(PS_MEM_API_VALLOC, pl_real.valloc(n), n);
}

/* pvalloc rounds the size up to whole pages: that is what is recorded. */
EXPORT void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = n ? (n + page - 1) & ~(page - 1) : page;

	if (!resolved())
		return pl_boot_alloc(bytes, page);
	TRACKED(PS_MEM_API_PVALLOC, pl_real.pvalloc(n), bytes);
}

EXPORT size_t malloc_usable_size(void *p)
{
	if (!p)
		return 0;
	if (pl_boot_owns(p))
		return pl_boot_size(p);
	return resolved() ? pl_real.malloc_usable_size(p) : 0;
}
