/*
 * ps_notes: what a run wants its reader to know, as a list of {id, text}:
 * why an event or unwinder fell back, why kernel frames are missing, why
 * the ptrace sampler was chosen.  Every consumer (the terminal summary,
 * the JSON report, the HTML page) walks the same list, so a note added in
 * one place reaches all of them.  The id is also the note's JSON key.
 */
#ifndef PS_NOTES_H
#define PS_NOTES_H

#include <stddef.h>

struct ps_note {
	const char *id;        /* a static string, e.g. "unwind_note" */
	char *text;            /* owned */
};

struct ps_notes {
	struct ps_note *items;
	size_t n, cap;
};

void ps_notes_init(struct ps_notes *ns);
void ps_notes_release(struct ps_notes *ns);

/* Adds (or replaces) note `id`; an empty or NULL text adds nothing.  0, or PS_E_NOMEM. */
int ps_notes_set(struct ps_notes *ns, const char *id, const char *text);

/* The text of note `id`, or NULL. */
const char *ps_notes_get(const struct ps_notes *ns, const char *id);

#endif
