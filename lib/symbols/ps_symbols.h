/*
 * ps_symbols: turns interned frames into names, once per unique frame.
 *
 * One frame can expand into several display frames: the functions inlined
 * at that pc (innermost first, kind PS_SYM_INLINE) and then the function
 * that contains it.  Files are opened through libdwfl, one session per
 * module, kept until release; DWARF, .symtab, .dynsym and separate debug
 * files (by build id under /usr/lib/debug) are all used.  A frame that
 * cannot be named becomes "[module+0xOFFSET]", never dropped.
 */
#ifndef PS_SYMBOLS_H
#define PS_SYMBOLS_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "symbols/ps_kallsyms.h"
#include "symbols/ps_demangle.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_perfmap.h"
#include "model/ps_stacks.h"
#include "base/ps_strtab.h"

enum ps_sym_kind {
	PS_SYM_FUNC,
	PS_SYM_INLINE,
	PS_SYM_KERNEL,
	PS_SYM_JIT,          /* from a /tmp/perf-PID.map file */
	PS_SYM_UNRESOLVED,
};

struct ps_sym {
	uint32_t name;     /* ps_strtab id */
	uint32_t file;     /* ps_strtab id, 0 if unknown */
	uint32_t line;
	uint32_t module;
	enum ps_sym_kind kind;
	uint32_t offset;   /* FUNC, KERNEL, JIT: bytes from the function's start to the pc */
};

struct ps_symbols {
	struct ps_modules *modules;  /* not owned */
	struct ps_strtab strs;
	struct ps_kallsyms kallsyms;
	struct ps_sym *syms;
	size_t nsyms, syms_cap;
	uint32_t *frame_first;       /* per frame id: first ps_sym */
	uint32_t *frame_count;       /* per frame id: how many (>= 1) */
	size_t nresolved, resolved_cap;
	uint64_t unresolved;         /* frames that got no name */
	enum ps_demangle_style demangle;  /* C++ and Rust names made readable (default: short) */
	uid_t jit_owner;             /* perf map files must belong to this user (or root) */
	struct jit_maps { uint32_t pid; struct ps_perfmap map; } *jit;
	size_t njit, jit_cap;
	char jit_note[256];          /* a perf map file that was refused */
	char kernel_note[256];       /* why kernel frames have no names, if so */
	/* may be NULL; once non-zero, frames not yet named are kept as
	 * [module+0xoffset] (the user asked twice to stop) */
	const volatile sig_atomic_t *hurry;
	uint64_t hurried;            /* frames left unnamed so */
};

/* 0 or PS_E_NOMEM. */
int ps_symbols_init(struct ps_symbols *sy, struct ps_modules *modules);
void ps_symbols_release(struct ps_symbols *sy);

/* Resolves every frame of `stacks` not resolved yet; 0 or PS_E_NOMEM. */
int ps_symbols_resolve(struct ps_symbols *sy, const struct ps_stacks *stacks);

/*
 * The GNU build id of a file module opened while resolving, as lowercase
 * hex in buf; "" when it has none or was never opened.
 */
const char *ps_symbols_build_id(const struct ps_symbols *sy, uint32_t module, char *buf,
				size_t len);

/* Display frames of frame id, innermost first. */
static inline const struct ps_sym *ps_symbols_frame(const struct ps_symbols *sy, uint32_t frame,
						    uint32_t *count)
{
	*count = sy->frame_count[frame];
	return sy->syms + sy->frame_first[frame];
}

static inline const char *ps_sym_name(const struct ps_symbols *sy, const struct ps_sym *s)
{
	return ps_strtab_get(&sy->strs, s->name);
}

#endif
