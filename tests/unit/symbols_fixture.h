/*
 * Symbolized frames made by hand for the unit tests of what reads
 * symbols (the CPU report model, the writers): each frame gets its
 * symbols directly, as ps_symbols_resolve would leave them, with no file
 * read.
 */
#ifndef SYMBOLS_FIXTURE_H
#define SYMBOLS_FIXTURE_H

#include <stdlib.h>

#include "model/ps_stacks.h"
#include "symbols/ps_symbols.h"

static void fixture_push_sym(struct ps_symbols *sy, uint32_t module, enum ps_sym_kind kind, const char *name)
{
	if (sy->nsyms == sy->syms_cap) {
		sy->syms_cap = sy->syms_cap ? 2 * sy->syms_cap : 16;
		sy->syms = realloc(sy->syms, sy->syms_cap * sizeof(*sy->syms));
	}
	sy->syms[sy->nsyms++] = (struct ps_sym){ .name = (uint32_t)ps_strtab_intern(&sy->strs, name),
						 .module = module, .kind = kind };
}

/*
 * A frame of `module` at `offset` named `name` (of `kind`); with `inlined`,
 * that function inlined into it at the pc (innermost first, as
 * ps_symbols_resolve makes them).  Returns the frame id.
 */
static uint32_t fixture_frame(struct ps_symbols *sy, struct ps_stacks *ss, uint32_t module, uint64_t offset,
			      enum ps_sym_kind kind, const char *name, const char *inlined)
{
	uint32_t id = (uint32_t)ps_stacks_frame(ss, module, offset);

	sy->frame_first = realloc(sy->frame_first, ss->nframes * sizeof(*sy->frame_first));
	sy->frame_count = realloc(sy->frame_count, ss->nframes * sizeof(*sy->frame_count));
	sy->resolved_cap = sy->nresolved = ss->nframes;
	sy->frame_first[id] = (uint32_t)sy->nsyms;
	if (inlined)
		fixture_push_sym(sy, module, PS_SYM_INLINE, inlined);
	fixture_push_sym(sy, module, kind, name);
	sy->frame_count[id] = (uint32_t)sy->nsyms - sy->frame_first[id];
	return id;
}

#endif
