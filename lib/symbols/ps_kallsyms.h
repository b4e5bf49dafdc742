/*
 * ps_kallsyms: kernel text symbols from /proc/kallsyms, sorted for binary
 * search.  Loaded once, at report time, and only if kernel frames exist.
 * When kptr_restrict hides the addresses (all zero) `usable` is false.
 */
#ifndef PS_KALLSYMS_H
#define PS_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_ksym {
	uint64_t addr;
	const char *name;   /* points into ps_kallsyms.text */
};

struct ps_kallsyms {
	char *text;         /* the file, names NUL-terminated in place */
	struct ps_ksym *syms;
	size_t count, cap;
	bool loaded, usable;
};

void ps_kallsyms_init(struct ps_kallsyms *ks);
void ps_kallsyms_release(struct ps_kallsyms *ks);
/* Reads path (/proc/kallsyms); 0, or -1 when it cannot be read. */
int ps_kallsyms_load(struct ps_kallsyms *ks, const char *path);
/* The symbol covering addr, or NULL. */
const struct ps_ksym *ps_kallsyms_find(const struct ps_kallsyms *ks, uint64_t addr);

#endif
