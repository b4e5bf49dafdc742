/*
 * ps_modules: every code object samples can land in, named once and shared
 * by all processes (so libc is symbolized once, whoever called it).
 *
 * A frame is identified by (module id, offset).  For files the offset is
 * the file offset of the address (independent of where it was mapped); for
 * the kernel and anonymous memory it is the absolute address.
 */
#ifndef PS_MODULES_H
#define PS_MODULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "symbols/ps_elfinfo.h"

enum ps_module_kind {
	PS_MOD_UNKNOWN,   /* no mapping covered the address */
	PS_MOD_KERNEL,
	PS_MOD_FILE,      /* an ELF file on disk (maybe deleted since), or the vDSO */
	PS_MOD_ANON,      /* one process's anonymous executable memory (JIT code) */
	PS_MOD_SPECIAL,   /* [heap], [stack], ... */
};

#define PS_MODULE_UNKNOWN 0u
#define PS_MODULE_KERNEL 1u

struct ps_module {
	enum ps_module_kind kind;
	char *path;       /* as the kernel reported it */
	const char *file; /* what to open to read it: path, or a copy ([vdso]); NULL:
			   * not a regular file, never read */
	const char *name; /* basename of path, for display */
	void *sym;        /* symbolizer state, owned by ps_symbols */
	struct ps_elfinfo *elf;  /* loadable segments, read on first use */
	uint32_t pid;     /* PS_MOD_ANON: whose memory */
	bool elf_tried;
	int fd;           /* the file, opened when first seen (-1: not open) */
	char fd_path[32]; /* "/proc/self/fd/N" */
};

struct ps_modules {
	struct ps_module *mods;
	size_t count, cap;
	size_t open_fds;  /* modules holding their file open (at most PS_MODULES_MAX_FDS) */
	uint32_t *index;  /* open-addressing table of mods indices + 1, by path */
	size_t index_cap;
};

/* 0 or PS_E_NOMEM. */
int ps_modules_init(struct ps_modules *mm);
void ps_modules_release(struct ps_modules *mm);

/*
 * Finds or adds the module for a mapping of `path` in process `pid`;
 * returns its id or PS_E_NOMEM (< 0).  Anonymous memory is a module per process, so JIT
 * code at the same address in two processes is told apart.
 */
int64_t ps_modules_intern(struct ps_modules *mm, const char *path, uint32_t pid);

/* Files held open so that a program may delete them (its own executable, a
 * library it wrote and loaded) and still be symbolized and unwound. */
#define PS_MODULES_MAX_FDS 512

/*
 * What to open to read the module: its path, or, when what is at the path
 * now is not the file that was mapped (deleted, or replaced by an upgrade),
 * the copy held open since it was first seen.
 */
const char *ps_module_file(const struct ps_module *m);   /* NULL: nothing to read */

/* The module's ELF layout, read once; NULL if it is not a readable ELF file. */
const struct ps_elfinfo *ps_module_elfinfo(struct ps_module *m);

/* Whether addresses in a mapping of this module are keyed absolutely. */
bool ps_module_absolute(const struct ps_module *m);

#endif
