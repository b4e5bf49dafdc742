/*
 * ps_elffuncs: the functions an ELF file defines, by name, from its
 * .symtab and .dynsym, read with libelf straight from the file (no libdwfl
 * session): for questions asked before a program runs, such as "does it
 * define malloc?" or "where is its free?".
 */
#ifndef PS_ELFFUNCS_H
#define PS_ELFFUNCS_H

#include <stdbool.h>
#include <stdint.h>

struct ps_elffunc {
	const char *name;
	uint64_t vaddr;
	uint64_t file_offset;    /* where its code is in the file; 0 if in no segment */
	bool dynamic;            /* from .dynsym: what the dynamic loader binds to */
	bool local;
};

/* Return nonzero to stop the walk (ps_elffuncs_each returns that value). */
typedef int (*ps_elffunc_fn)(const struct ps_elffunc *f, void *ctx);

/* Calls fn for each defined function symbol; 0, fn's stop value, or -1 if unreadable. */
int ps_elffuncs_each(const char *path, ps_elffunc_fn fn, void *ctx);

#endif
