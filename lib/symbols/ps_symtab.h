/*
 * ps_symtab: a module's function symbols sorted by address, built once,
 * so naming a pc is a binary search.  libdwfl's dwfl_module_addrinfo()
 * scans the whole symbol table on every call (140-290 us per glibc frame
 * with elfutils 0.188); this makes it well under a microsecond.
 *
 * Aliases at one address keep the one libdwfl would pick: a global over a
 * weak over a local, a sized one over a sizeless one.
 */
#ifndef PS_SYMTAB_H
#define PS_SYMTAB_H

#include <elfutils/libdwfl.h>
#include <stddef.h>
#include <stdint.h>

struct ps_symtab_entry {
	uint64_t addr, size;
	const char *name;    /* owned by libdwfl's module */
	int rank;            /* binding preference, higher is better */
};

struct ps_symtab {
	struct ps_symtab_entry *entries;
	size_t count, cap;
};

/*
 * Builds the table from mod's symbols (.symtab, else .dynsym); 0, -1 when
 * mod has no symbol table, or PS_E_NOMEM.
 */
int ps_symtab_build(struct ps_symtab *st, Dwfl_Module *mod);
void ps_symtab_release(struct ps_symtab *st);
/* The function containing addr (a module address), or NULL. */
const struct ps_symtab_entry *ps_symtab_find(const struct ps_symtab *st, uint64_t addr);
/* Its name, or NULL. */
const char *ps_symtab_lookup(const struct ps_symtab *st, uint64_t addr);

#endif
