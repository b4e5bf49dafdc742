#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_stacks.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

void ps_stacks_init(struct ps_stacks *ss)
{
	memset(ss, 0, sizeof(*ss));
}

void ps_stacks_init_sharing(struct ps_stacks *ss, struct ps_stacks *frames_from)
{
	memset(ss, 0, sizeof(*ss));
	ss->frames_from = frames_from;
}

void ps_stacks_release(struct ps_stacks *ss)
{
	free(ss->frames);
	free(ss->frame_index);
	free(ss->stacks);
	free(ss->stack_index);
	free(ss->arena);
	memset(ss, 0, sizeof(*ss));
}

static uint64_t frame_hash(uint32_t module, uint64_t offset)
{
	return ps_hash_combine(ps_hash_u64(module), offset);
}

/* Rebuilds an index of `count` entries whose hashes hash_of() recomputes. */
static int rebuild_index(uint32_t **index, size_t *cap, size_t count,
			 uint64_t (*hash_of)(const struct ps_stacks *, size_t),
			 const struct ps_stacks *ss)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	uint32_t *n = calloc(ncap, sizeof(*n));

	if (!n)
		return PS_E_NOMEM;
	for (size_t id = 0; id < count; id++) {
		size_t i = (size_t)hash_of(ss, id) & (ncap - 1);

		while (n[i])
			i = (i + 1) & (ncap - 1);
		n[i] = (uint32_t)id + 1;
	}
	free(*index);
	*index = n;
	*cap = ncap;
	return 0;
}

static uint64_t frame_hash_of(const struct ps_stacks *ss, size_t id)
{
	return frame_hash(ss->frames[id].module, ss->frames[id].offset);
}

static uint64_t stack_hash_of(const struct ps_stacks *ss, size_t id)
{
	return ss->stacks[id].hash;
}

int64_t ps_stacks_frame(struct ps_stacks *ss, uint32_t module, uint64_t offset)
{
	uint64_t h = frame_hash(module, offset);
	size_t i;

	if (ss->frames_from)
		return ps_stacks_frame(ss->frames_from, module, offset);
	if ((ss->nframes + 1) * 2 > ss->frame_index_cap &&
	    rebuild_index(&ss->frame_index, &ss->frame_index_cap, ss->nframes,
			  frame_hash_of, ss) < 0)
		return PS_E_NOMEM;
	for (i = (size_t)h & (ss->frame_index_cap - 1); ss->frame_index[i];
	     i = (i + 1) & (ss->frame_index_cap - 1)) {
		const struct ps_frame_key *f = &ss->frames[ss->frame_index[i] - 1];

		if (f->module == module && f->offset == offset)
			return ss->frame_index[i] - 1;
	}
	if (ps_grow(&ss->frames, &ss->frames_cap, ss->nframes + 1, sizeof(*ss->frames)) < 0)
		return PS_E_NOMEM;
	ss->frames[ss->nframes] = (struct ps_frame_key){ .module = module, .offset = offset };
	ss->frame_index[i] = (uint32_t)ss->nframes + 1;
	return (int64_t)ss->nframes++;
}

static uint64_t stack_hash(uint32_t thread, const uint32_t *frames, uint32_t n)
{
	return ps_hash_combine(ps_hash_u64(thread), ps_hash_bytes(frames, n * sizeof(*frames)));
}

static bool same_stack(const struct ps_stacks *ss, const struct ps_stack *s, uint64_t h,
		       uint32_t thread, const uint32_t *frames, uint32_t n)
{
	return s->hash == h && s->thread == thread && s->nframes == n &&
	       memcmp(ps_stack_frames(ss, s), frames, n * sizeof(*frames)) == 0;
}

/* What the table holds now, in bytes (its arrays as allocated). */
static uint64_t table_bytes(const struct ps_stacks *ss)
{
	return (uint64_t)ss->frames_cap * sizeof(*ss->frames) +
	       (uint64_t)ss->frame_index_cap * sizeof(*ss->frame_index) +
	       (uint64_t)ss->stacks_cap * sizeof(*ss->stacks) +
	       (uint64_t)ss->stack_index_cap * sizeof(*ss->stack_index) +
	       (uint64_t)ss->arena_cap * sizeof(*ss->arena);
}

static bool table_full(const struct ps_stacks *ss)
{
	return table_bytes(ss) >= (ss->max_bytes ? ss->max_bytes : PS_STACKS_DEFAULT_MAX_BYTES);
}

int64_t ps_stacks_add(struct ps_stacks *ss, uint32_t thread, const uint32_t *frames,
		      uint32_t nframes, uint64_t count, uint32_t flags)
{
	uint64_t h = stack_hash(thread, frames, nframes);
	struct ps_stack *s;
	size_t i;

	if ((ss->nstacks + 1) * 2 > ss->stack_index_cap &&
	    rebuild_index(&ss->stack_index, &ss->stack_index_cap, ss->nstacks,
			  stack_hash_of, ss) < 0)
		return PS_E_NOMEM;
	for (i = (size_t)h & (ss->stack_index_cap - 1); ss->stack_index[i];
	     i = (i + 1) & (ss->stack_index_cap - 1)) {
		s = &ss->stacks[ss->stack_index[i] - 1];
		if (same_stack(ss, s, h, thread, frames, nframes)) {
			s->count += count;
			return ss->stack_index[i] - 1;
		}
	}
	/* a new stack in a full table: its leaf alone (a stack of one frame
	 * per thread and function at most, so this stays bounded) */
	if (nframes > 1 && table_full(ss)) {
		ss->pooled += count;
		return ps_stacks_add(ss, thread, frames, 1, count, flags | PS_STACK_POOLED);
	}
	if (ps_grow(&ss->stacks, &ss->stacks_cap, ss->nstacks + 1, sizeof(*ss->stacks)) < 0 ||
	    /* + 1: an arena there even for an empty first stack, so that
	     * ps_stack_frames() never offsets a null pointer */
	    ps_grow(&ss->arena, &ss->arena_cap, ss->arena_len + nframes + 1, sizeof(*ss->arena)) < 0)
		return PS_E_NOMEM;
	s = &ss->stacks[ss->nstacks];
	*s = (struct ps_stack){
		.thread = thread, .nframes = nframes, .first = ss->arena_len,
		.count = count, .hash = h, .flags = flags,
	};
	if (nframes)	/* an empty stack (a tracker's record may say so): none to copy */
		memcpy(ss->arena + ss->arena_len, frames, nframes * sizeof(*frames));
	ss->arena_len += nframes;
	ss->stack_index[i] = (uint32_t)ss->nstacks + 1;
	return (int64_t)ss->nstacks++;
}
