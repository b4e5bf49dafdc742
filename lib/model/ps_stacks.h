/*
 * ps_stacks: interned frames and stacks, the aggregate we keep while
 * sampling.  Memory grows with the number of unique frames and unique
 * (thread, stack) pairs, never with the number of samples.
 *
 * A frame is (module id, offset) -> frame id.  A stack is (thread instance,
 * frame ids leaf first) -> sample count.  Lookups hash once and compare
 * the frame array only on a hash match.
 *
 * The table is bounded (max_bytes, 1 GiB by default): once it holds that
 * much, a new stack is kept as its leaf frame alone, flagged
 * PS_STACK_POOLED, so every sample and every function's self count stay
 * exact while memory stops growing; `pooled` counts what was so cut.
 */
#ifndef PS_STACKS_H
#define PS_STACKS_H

#include <stddef.h>
#include <stdint.h>

struct ps_frame_key {
	uint32_t module;
	uint64_t offset;
};

struct ps_stack {
	uint32_t thread;      /* ps_procs thread instance */
	uint32_t nframes;
	size_t first;         /* index of the leaf frame id in ps_stacks.arena */
	uint64_t count;
	uint64_t hash;
	uint32_t flags;       /* PS_STACK_* */
};

#define PS_STACK_TRUNCATED 1u  /* the kernel cut the chain at its depth limit */
#define PS_STACK_POOLED 2u     /* the table was full: the leaf frame alone */

#define PS_STACKS_DEFAULT_MAX_BYTES (1ull << 30)

struct ps_stacks {
	struct ps_frame_key *frames;
	size_t nframes, frames_cap;
	uint32_t *frame_index;       /* open addressing: frame id + 1 */
	size_t frame_index_cap;

	struct ps_stack *stacks;
	size_t nstacks, stacks_cap;
	uint32_t *stack_index;       /* open addressing: stack id + 1 */
	size_t stack_index_cap;

	uint32_t *arena;
	size_t arena_len, arena_cap;

	/* Not NULL: frames are interned in that table instead (its ids are
	 * ours), so one ps_symbols_resolve() of it names both tables. */
	struct ps_stacks *frames_from;

	uint64_t max_bytes;          /* 0: PS_STACKS_DEFAULT_MAX_BYTES */
	uint64_t pooled;             /* counts added as their leaf alone, the table full */
};

void ps_stacks_init(struct ps_stacks *ss);
/* A table of its own stacks whose frames are those of `frames_from`. */
void ps_stacks_init_sharing(struct ps_stacks *ss, struct ps_stacks *frames_from);
void ps_stacks_release(struct ps_stacks *ss);

/* Returns the frame id, or PS_E_NOMEM (< 0). */
int64_t ps_stacks_frame(struct ps_stacks *ss, uint32_t module, uint64_t offset);

/* Adds `count` to the (thread, frames) stack; returns its id or PS_E_NOMEM (< 0). */
int64_t ps_stacks_add(struct ps_stacks *ss, uint32_t thread, const uint32_t *frames,
		      uint32_t nframes, uint64_t count, uint32_t flags);

static inline const uint32_t *ps_stack_frames(const struct ps_stacks *ss, const struct ps_stack *s)
{
	return ss->arena + s->first;
}

#endif
