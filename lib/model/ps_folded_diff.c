/*
 * Two folded stack files compared (ps_folded_diff.h).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_folded_diff.h"
#include "base/ps_util.h"

/* ---- parsing ---- */

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct ps_fold_entry *)a)->stack, ((const struct ps_fold_entry *)b)->stack);
}

/* "stack count": the count is the last field; 0 when the line is not one. */
static int parse_line(char *line, const char **stack, uint64_t *count)
{
	char *end = line + strlen(line), *space, *digits;

	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	space = strrchr(line, ' ');
	if (!space || space == line)
		return -1;
	digits = space + 1;
	if (!*digits || strspn(digits, "0123456789") != strlen(digits))
		return -1;
	errno = 0;
	*count = strtoull(digits, NULL, 10);
	/* counts are drawn and compared as doubles: exact up to 2^53 */
	if (errno == ERANGE || *count > PS_FOLD_MAX_COUNT)
		return -2;
	while (space > line && space[-1] == ' ')
		space--;
	*space = '\0';
	*stack = line;
	return 0;
}

int ps_fold_parse(struct ps_fold_set *s, char *text, const char *origin, struct ps_error *err)
{
	size_t lineno = 0, kept = 0;
	char *line = text, *next;

	memset(s, 0, sizeof(*s));
	s->text = text;
	for (; line && *line; line = next) {
		const char *stack;
		uint64_t count;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		switch (parse_line(line, &stack, &count)) {
		case -1:
			return ps_error_set(err, PS_E_INPUT, "%s: line %zu: expected 'frame;frame;... "
					    "count'", origin, lineno);
		case -2:
			return ps_error_set(err, PS_E_INPUT, "%s: line %zu: a count larger than 2^53",
					    origin, lineno);
		}
		if (s->total + count > PS_FOLD_MAX_COUNT)
			return ps_error_set(err, PS_E_INPUT, "%s: line %zu: the counts add up to more "
					    "than 2^53", origin, lineno);
		if (ps_grow(&s->items, &s->cap, s->n + 1, sizeof(*s->items)) < 0)
			return ps_error_set(err, PS_E_NOMEM, "out of memory");
		s->items[s->n++] = (struct ps_fold_entry){ .stack = stack, .count = count };
		s->total += count;
	}
	if (s->n)
		qsort(s->items, s->n, sizeof(*s->items), cmp_entry);
	/* the same stack on several lines (another tool's output): one entry */
	for (size_t i = 0; i < s->n; i++) {
		if (kept && strcmp(s->items[kept - 1].stack, s->items[i].stack) == 0)
			s->items[kept - 1].count += s->items[i].count;
		else
			s->items[kept++] = s->items[i];
	}
	s->n = kept;
	return 0;
}

void ps_fold_release(struct ps_fold_set *s)
{
	free(s->text);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* ---- functions ---- */

struct func_table {
	struct ps_fold_diff *d;
	uint32_t *slots;             /* index + 1 into d->funcs, 0 = empty */
	size_t nslots;
	uint64_t *last_stack;        /* per function: the last stack that counted it in total */
	size_t last_cap;
};

static struct ps_func_delta *func(struct func_table *t, const char *name, size_t len, size_t *index)
{
	uint64_t h = ps_hash_bytes(name, len);
	size_t i;

	if (!t->slots || (t->d->nfuncs + 1) * 2 > t->nslots) {
		size_t n = t->nslots ? t->nslots * 2 : 1024;
		uint32_t *slots = calloc(n, sizeof(*slots));

		if (!slots)
			return NULL;
		for (size_t f = 0; f < t->d->nfuncs; f++) {
			const char *fn = t->d->funcs[f].name;

			for (i = ps_hash_bytes(fn, strlen(fn)) & (n - 1); slots[i]; i = (i + 1) & (n - 1))
				;
			slots[i] = (uint32_t)f + 1;
		}
		free(t->slots);
		t->slots = slots;
		t->nslots = n;
	}
	for (i = h & (t->nslots - 1); t->slots[i]; i = (i + 1) & (t->nslots - 1)) {
		struct ps_func_delta *f = &t->d->funcs[t->slots[i] - 1];

		if (strncmp(f->name, name, len) == 0 && f->name[len] == '\0') {
			*index = t->slots[i] - 1;
			return f;
		}
	}
	if (ps_grow(&t->d->funcs, &t->d->funcs_cap, t->d->nfuncs + 1, sizeof(*t->d->funcs)) < 0 ||
	    ps_grow(&t->last_stack, &t->last_cap, t->d->nfuncs + 1, sizeof(*t->last_stack)) < 0)
		return NULL;
	*index = t->d->nfuncs;
	t->last_stack[*index] = UINT64_MAX;
	t->d->funcs[*index] = (struct ps_func_delta){ .name = strndup(name, len) };
	if (!t->d->funcs[*index].name)
		return NULL;
	t->slots[i] = (uint32_t)++t->d->nfuncs;
	return &t->d->funcs[*index];
}

/* The inlined-frame mark of our folded stacks (and perf's): "foo_[i]" is foo, inlined. */
#define INLINE_MARK "_[i]"
#define INLINE_MARK_LEN 4

/* A frame's function: an inlined frame is the function it is an inlined copy of. */
static size_t function_len(const char *frame, size_t len)
{
	if (len > INLINE_MARK_LEN && memcmp(frame + len - INLINE_MARK_LEN, INLINE_MARK, INLINE_MARK_LEN) == 0)
		return len - INLINE_MARK_LEN;
	return len;
}

/* Adds one stack's count to its functions: total once each, self for the leaf. */
static int count_stack(struct func_table *t, const char *stack, uint64_t count, bool is_new,
		       uint64_t stack_id)
{
	const char *frame = stack;

	for (;;) {
		const char *semi = strchr(frame, ';');
		size_t len = semi ? (size_t)(semi - frame) : strlen(frame), index;
		struct ps_func_delta *f = func(t, frame, function_len(frame, len), &index);

		/* func() gives every function its last_stack entry */
		if (!f || !t->last_stack)
			return PS_E_NOMEM;
		if (t->last_stack[index] != stack_id) {
			t->last_stack[index] = stack_id;
			*(is_new ? &f->new_total : &f->old_total) += count;
		}
		if (!semi) {
			*(is_new ? &f->new_self : &f->old_self) += count;
			if (function_len(frame, len) < len)
				*(is_new ? &f->new_inlined : &f->old_inlined) += count;
			return 0;
		}
		frame = semi + 1;
	}
}

static int cmp_func(const void *a, const void *b)
{
	const struct ps_func_delta *x = a, *y = b;

	if (fabs(x->self_delta_pts) != fabs(y->self_delta_pts))
		return fabs(x->self_delta_pts) > fabs(y->self_delta_pts) ? -1 : 1;
	return strcmp(x->name, y->name);
}

static double share_pts(uint64_t part, uint64_t total)
{
	return total ? 100.0 * (double)part / (double)total : 0;
}

/* ---- the diff ---- */

int ps_fold_diff(struct ps_fold_diff *d, const struct ps_fold_set *old, const struct ps_fold_set *new,
		 bool normalize, struct ps_error *err)
{
	struct func_table t = { .d = d };
	size_t i = 0, j = 0;
	uint64_t stack_id = 0;
	int rc = 0;

	memset(d, 0, sizeof(*d));
	d->old_total = old->total;
	d->new_total = new->total;
	d->lines = calloc(old->n + new->n + 1, sizeof(*d->lines));
	if (!d->lines)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	while (i < old->n || j < new->n) {
		int c = i == old->n ? 1 : j == new->n ? -1 : strcmp(old->items[i].stack, new->items[j].stack);
		struct ps_fold_diff_line *l = &d->lines[d->nlines++];

		l->stack = c <= 0 ? old->items[i].stack : new->items[j].stack;
		if (c <= 0)
			l->old_count = old->items[i++].count;
		if (c >= 0)
			l->new_count = new->items[j++].count;
	}
	for (size_t k = 0; k < d->nlines && rc == 0; k++) {
		const struct ps_fold_diff_line *l = &d->lines[k];

		if (l->old_count)
			rc = count_stack(&t, l->stack, l->old_count, false, stack_id++);
		if (rc == 0 && l->new_count)
			rc = count_stack(&t, l->stack, l->new_count, true, stack_id++);
	}
	free(t.slots);
	free(t.last_stack);
	if (rc < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	for (size_t k = 0; k < d->nfuncs; k++)
		d->funcs[k].self_delta_pts = share_pts(d->funcs[k].new_self, d->new_total) -
					     share_pts(d->funcs[k].old_self, d->old_total);
	if (d->nfuncs)
		qsort(d->funcs, d->nfuncs, sizeof(*d->funcs), cmp_func);
	if (normalize && old->total)
		for (size_t k = 0; k < d->nlines; k++)
			d->lines[k].old_count = (uint64_t)llround((double)d->lines[k].old_count *
								   (double)new->total / (double)old->total);
	return 0;
}

void ps_fold_diff_release(struct ps_fold_diff *d)
{
	for (size_t k = 0; k < d->nfuncs; k++)
		free(d->funcs[k].name);
	free(d->funcs);
	free(d->lines);
	memset(d, 0, sizeof(*d));
}
