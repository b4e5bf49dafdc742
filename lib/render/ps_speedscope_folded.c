/*
 * Folded stacks as a speedscope file (ps_speedscope.h): any tool's
 * "frame;frame;... count" lines, each stack a sample weighing its count.
 */
#include <stdlib.h>
#include <string.h>

#include "render/ps_speedscope.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

/* Splitting stacks into frames: a frame's text, and the stack's frame indexes. */
struct split {
	char *frame;
	size_t frame_cap;
	uint32_t *stack;
	size_t n, stack_cap;
};

/* The frames of `stack` into sp->stack[0..n); 0 or -1 (no memory). */
static int split_stack(struct ps_speedscope *ss, struct split *sp, const char *stack)
{
	sp->n = 0;
	for (const char *f = stack;; f++) {
		size_t len = strcspn(f, ";");
		int64_t frame;

		if (ps_grow(&sp->frame, &sp->frame_cap, len + 1, 1) < 0 ||
		    ps_grow(&sp->stack, &sp->stack_cap, sp->n + 1, sizeof(*sp->stack)) < 0)
			return PS_E_NOMEM;
		memcpy(sp->frame, f, len);
		sp->frame[len] = '\0';
		if ((frame = ps_speedscope_frame(ss, sp->frame, NULL)) < 0)
			return PS_E_NOMEM;
		sp->stack[sp->n++] = (uint32_t)frame;
		f += len;
		if (!*f)
			return 0;
	}
}

/*
 * The profile named `name` (made the first time: names holds the names,
 * profile i's at id i + 1, id 0 being the empty string's).
 */
static struct ps_speedscope_profile *profile_named(struct ps_speedscope *ss, struct ps_strtab *names,
						   const char *name, const char *unit)
{
	size_t before = names->count;
	int64_t id = ps_strtab_intern(names, name[0] ? name : "[unknown]");

	if (id <= 0)
		return NULL;
	return (size_t)id >= before ? ps_speedscope_profile(ss, name[0] ? name : "[unknown]", unit)
				    : ss->profiles[id - 1];
}

static int fill(struct ps_speedscope *ss, struct ps_strtab *names, struct split *sp,
		const struct ps_fold_set *set, const struct ps_speedscope_folded_opts *o)
{
	struct ps_speedscope_profile *whole = NULL;

	if (!o->profile_per_first_frame && !(whole = ps_speedscope_profile(ss, o->name, o->unit)))
		return PS_E_NOMEM;
	for (size_t i = 0; i < set->n; i++) {
		const char *stack = set->items[i].stack, *rest = stack;
		struct ps_speedscope_profile *p = whole;

		if (!whole) {
			size_t len = strcspn(stack, ";");

			if (ps_grow(&sp->frame, &sp->frame_cap, len + 1, 1) < 0)
				return PS_E_NOMEM;
			memcpy(sp->frame, stack, len);
			sp->frame[len] = '\0';
			if (!(p = profile_named(ss, names, sp->frame, o->unit)))
				return PS_E_NOMEM;
			/* a stack of its first frame alone: its weight, on no frame */
			rest = stack[len] ? stack + len + 1 : NULL;
		}
		if (rest && split_stack(ss, sp, rest) < 0)
			return PS_E_NOMEM;
		if (ps_speedscope_sample(p, sp->stack, rest ? sp->n : 0, (double)set->items[i].count) < 0)
			return PS_E_NOMEM;
	}
	return 0;
}

int ps_speedscope_folded(FILE *fp, const struct ps_fold_set *set, const struct ps_speedscope_folded_opts *o)
{
	struct ps_speedscope ss;
	struct ps_strtab names;
	struct split sp = { 0 };
	int rc = PS_E_NOMEM;

	if (ps_speedscope_init(&ss) < 0 || ps_strtab_init(&names) < 0) {
		ps_speedscope_release(&ss);
		return PS_E_NOMEM;
	}
	if (fill(&ss, &names, &sp, set, o) == 0)
		rc = ps_speedscope_write(fp, &ss, o->name, o->exporter);
	ps_speedscope_release(&ss);
	ps_strtab_release(&names);
	free(sp.frame);
	free(sp.stack);
	return rc;
}
