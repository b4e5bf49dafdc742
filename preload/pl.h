/*
 * The allocation tracker that perfscope memory-profile preloads into the
 * program it launches (libperfscope-preload.so).  Internal header.
 *
 * It is written to be safe inside malloc: no stdio, no locks on the hot
 * path, no allocation through the hooked functions (a thread-local guard
 * sends the tracker's own and nested allocations straight through), and
 * initial-exec TLS so that touching thread state never allocates.
 *
 *   pl_boot.c   finding the real allocator; a static arena for dlsym's
 *               allocations before it is found
 *   pl_ring.c   the shared file, per-thread slots, writing records
 *   pl_stack.c  capturing and de-duplicating call stacks
 *   pl_unwind.c the fast stack walk, from cached call-frame rules
 *   pl_maps.c   telling perfscope where code is loaded
 *   pl_hooks.c  the interposed allocation functions
 *   pl_mmap.c   the program's own anonymous mappings
 *   pl_sample.c sampling mode: which allocations to record
 *   pl_exitstate.c  registers and malloc statistics at exit, for the scan
 *   pl_life.c   start, fork, exit (freeres, then the leak-scan handshake)
 */
#ifndef PL_H
#define PL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/memory/ps_memproto.h"

#define PL_HIDDEN __attribute__((visibility("hidden")))
#define PL_TLS __thread __attribute__((tls_model("initial-exec")))

struct pl_real {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
	void *(*mmap)(void *, size_t, int, int, int, long);
	int (*munmap)(void *, size_t);
	void *(*mremap)(void *, size_t, size_t, int, ...);
};

/* Where the hooked function returns to: the caller's pc, sp and rbp. */
struct pl_context {
	uint64_t pc, sp, bp;
};

/*
 * In an exported hook (built with frame pointers): its frame address holds
 * the caller's rbp, then the return address; the caller's sp is above.
 */
#define PL_CALLER(ctx) do { \
		const uint64_t *fa_ = __builtin_frame_address(0); \
		(ctx).pc = (uint64_t)(uintptr_t)__builtin_return_address(0); \
		(ctx).sp = (uint64_t)(uintptr_t)fa_ + 16; \
		(ctx).bp = fa_[0]; \
	} while (0)

struct pl_thread {
	int slot;            /* -1: none claimed yet */
	unsigned generation; /* pl_generation when the slot was claimed */
	int in_hook;         /* >0: inside the tracker; allocations pass through */
};

extern PL_HIDDEN struct pl_real pl_real;
extern PL_HIDDEN bool pl_tracking;          /* a file is mapped and records flow */
extern PL_HIDDEN unsigned pl_generation;    /* bumped in a forked child */
extern PL_HIDDEN struct ps_mem_header *pl_file;
extern PL_HIDDEN PL_TLS struct pl_thread pl_self;

/* pl_boot.c */
#define PL_BOOT_BYTES (64 * 1024)
extern PL_HIDDEN unsigned char pl_boot_arena[PL_BOOT_BYTES];
PL_HIDDEN void pl_boot_resolve(void);

static inline bool pl_boot_owns(const void *p)
{
	const unsigned char *c = p;

	return c >= pl_boot_arena && c < pl_boot_arena + PL_BOOT_BYTES;
}
PL_HIDDEN void *pl_boot_alloc(size_t size, size_t align);
PL_HIDDEN size_t pl_boot_size(const void *p);

/* pl_ring.c */
PL_HIDDEN int pl_ring_open(void);           /* maps a new file for this process */
PL_HIDDEN void pl_ring_close(void);
PL_HIDDEN struct ps_mem_slot *pl_ring_slot(void);   /* this thread's, or NULL */
PL_HIDDEN void pl_ring_release_slot(void);
/* Space for a record of `size` bytes in this thread's ring, or NULL. */
PL_HIDDEN void *pl_ring_reserve(struct ps_mem_slot *s, uint32_t size);
PL_HIDDEN void pl_ring_publish(struct ps_mem_slot *s, uint32_t size);
PL_HIDDEN uint64_t pl_now_ns(void);          /* CLOCK_MONOTONIC */
PL_HIDDEN uint64_t pl_now(void);             /* the record clock (ps_mem_clock) */
/* Marks the slot busy and returns the time of the operation's start. */
PL_HIDDEN uint64_t pl_mark_busy(struct ps_mem_slot *s);
PL_HIDDEN int pl_gettid(void);

/* pl_hooks.c: a tracked operation, for pl_mmap.c */
PL_HIDDEN struct ps_mem_slot *pl_enter(uint64_t *t0);
PL_HIDDEN void pl_leave(struct ps_mem_slot *s);
PL_HIDDEN void pl_record_alloc(struct ps_mem_slot *s, enum ps_mem_api api, void *p, size_t bytes,
			       const struct pl_context *ctx);

/* pl_stack.c */
PL_HIDDEN void pl_stack_init(void);
/* The caller's stack id, writing its definition first if this slot has not. */
PL_HIDDEN uint64_t pl_stack_capture(struct ps_mem_slot *s, const struct pl_context *ctx);
/* A thread took the slot: its caches start empty, its stack bounds are read. */
PL_HIDDEN void pl_stack_claim_slot(int slot);

/* pl_unwind.c */
PL_HIDDEN void pl_unwind_init(void);
PL_HIDDEN void pl_unwind_forget_slot(int slot);
/* Return addresses from ctx outwards into pcs; -1 when it cannot (use libgcc). */
PL_HIDDEN int pl_unwind(int slot, const struct pl_context *ctx, uint64_t stack_hi, void **pcs,
			int max);
/* The same, with each frame's stack pointer in sps[]. */
PL_HIDDEN int pl_unwind_sps(int slot, const struct pl_context *ctx, uint64_t stack_hi, void **pcs,
			    uint64_t *sps, int max);
/* The stack pointer of the innermost frame outside the C runtime and the
 * tracker (the code that called exit(), or _start once main returned). */
PL_HIDDEN uint64_t pl_stack_user_sp(struct ps_mem_slot *s, const struct pl_context *ctx);

/* pl_maps.c */
PL_HIDDEN void pl_maps_reset(void);
PL_HIDDEN bool pl_maps_known(uintptr_t pc);
/* Sends the code segments not sent yet, through slot s. */
PL_HIDDEN void pl_maps_send(struct ps_mem_slot *s);

/* pl_sample.c */
extern PL_HIDDEN bool pl_sampling;
PL_HIDDEN void pl_sample_init(void);
PL_HIDDEN void pl_sample_reset(void);

/* A thread's bytes to its next sampling point: above 0 only in sampling
 * mode, once the thread has drawn its first point. */
struct pl_sample_thread {
	int64_t bytes_left;
	uint64_t rng;
	bool started;
};
extern PL_HIDDEN PL_TLS struct pl_sample_thread pl_sample_self;

/* Counts size against the next sampling point: true while it is not
 * reached (the allocation is not sampled).  This subtraction is the whole
 * cost of an unsampled allocation, so it is inline. */
static inline bool pl_sample_skip(size_t size)
{
	int64_t left;

	/* a size beyond int64_t (a failing malloc(SIZE_MAX)) reaches the point */
	if (__builtin_sub_overflow(pl_sample_self.bytes_left, size, &left))
		left = -1;
	pl_sample_self.bytes_left = left;
	return left > 0;
}

/* The point was reached (pl_sample_skip said false): draws the next one;
 * true to record the allocation. */
PL_HIDDEN bool pl_sample_crossed(void);

/*
 * A sampled block carries 16 bytes of its own just before it: a tag (a
 * constant mixed with the block's address) and the distance back to the
 * block the real allocator returned.  So free() knows a sampled block by
 * reading the 8 bytes at p - 16, which for any other block is the
 * allocator's own chunk header, in the cache line free() reads anyway:
 * no table, no lock, no limit on how many are live.
 */
#define PL_SAMPLE_TAG 0x7073616d706c6564ull
#define PL_SAMPLE_PREFIX 16

static inline bool pl_sample_tagged(const void *p)
{
	uint64_t tag;

	__builtin_memcpy(&tag, (const unsigned char *)p - PL_SAMPLE_PREFIX, sizeof(tag));
	return tag == (PL_SAMPLE_TAG ^ (uint64_t)(uintptr_t)p);
}

/* The block the real allocator returned for sampled block p. */
static inline void *pl_sample_base(void *p)
{
	uint64_t back;

	__builtin_memcpy(&back, (unsigned char *)p - 8, sizeof(back));
	return (unsigned char *)p - back;
}

/*
 * A sampled block of `bytes` aligned to `align` (zeroed if `zero`), from
 * the real allocator with room for the tag in front; NULL on failure.
 */
PL_HIDDEN void *pl_sample_alloc(size_t bytes, size_t align, bool zero);
/* The usable size of sampled block p. */
PL_HIDDEN size_t pl_sample_usable(void *p);

/* pl_exitstate.c: the exit registers and mallinfo into the header */
PL_HIDDEN void pl_exitstate_write(struct ps_mem_header *h);

/* pl_life.c */
PL_HIDDEN void pl_start(void);

#endif
