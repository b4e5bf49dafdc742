/*
 * A run's notes as one list (ps_notes.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_notes.h"
#include "base/ps_util.h"

void ps_notes_init(struct ps_notes *ns)
{
	memset(ns, 0, sizeof(*ns));
}

void ps_notes_release(struct ps_notes *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->items[i].text);
	free(ns->items);
	memset(ns, 0, sizeof(*ns));
}

static struct ps_note *find(const struct ps_notes *ns, const char *id)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->items[i].id, id) == 0)
			return &ns->items[i];
	return NULL;
}

int ps_notes_set(struct ps_notes *ns, const char *id, const char *text)
{
	struct ps_note *old = find(ns, id);
	char *copy;

	if (!text || !text[0])
		return 0;
	copy = strdup(text);
	if (!copy)
		return PS_E_NOMEM;
	if (old) {
		free(old->text);
		old->text = copy;
		return 0;
	}
	if (ps_grow(&ns->items, &ns->cap, ns->n + 1, sizeof(*ns->items)) < 0) {
		free(copy);
		return PS_E_NOMEM;
	}
	ns->items[ns->n++] = (struct ps_note){ .id = id, .text = copy };
	return 0;
}

const char *ps_notes_get(const struct ps_notes *ns, const char *id)
{
	const struct ps_note *n = find(ns, id);

	return n ? n->text : NULL;
}
