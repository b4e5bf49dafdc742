/*
 * The facts a diagnosis reads (ps_facts.h): the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_facts.h"
#include "base/ps_util.h"

void ps_facts_init(struct ps_facts *f)
{
	memset(f, 0, sizeof(*f));
}

void ps_facts_release(struct ps_facts *f)
{
	free(f->items);
	free(f->gaps);
	memset(f, 0, sizeof(*f));
}

static struct ps_fact *find(const struct ps_facts *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].name, name) == 0)
			return &f->items[i];
	return NULL;
}

int ps_facts_set(struct ps_facts *f, const char *name, double value, const char *subject)
{
	struct ps_fact *fact = find(f, name);

	if (!fact) {
		if (ps_grow(&f->items, &f->cap, f->n + 1, sizeof(*f->items)) < 0)
			return PS_E_NOMEM;
		fact = &f->items[f->n++];
		memset(fact, 0, sizeof(*fact));
		snprintf(fact->name, sizeof(fact->name), "%s", name);
	}
	fact->value = value;
	snprintf(fact->subject, sizeof(fact->subject), "%s", subject ? subject : "");
	return 0;
}

void ps_facts_gap(struct ps_facts *f, const char *prefix, const char *reason)
{
	struct ps_fact_gap *g;

	if (ps_grow(&f->gaps, &f->gaps_cap, f->ngaps + 1, sizeof(*f->gaps)) < 0)
		return;
	g = &f->gaps[f->ngaps++];
	snprintf(g->prefix, sizeof(g->prefix), "%s", prefix);
	snprintf(g->reason, sizeof(g->reason), "%s", reason);
}

const struct ps_fact *ps_facts_get(const struct ps_facts *f, const char *name)
{
	return find(f, name);
}

const char *ps_facts_gap_reason(const struct ps_facts *f, const char *name)
{
	for (size_t i = 0; i < f->ngaps; i++)
		if (strncmp(name, f->gaps[i].prefix, strlen(f->gaps[i].prefix)) == 0)
			return f->gaps[i].reason;
	return NULL;
}
