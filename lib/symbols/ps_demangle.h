/*
 * ps_demangle: C++ (Itanium ABI) and Rust (legacy and v0) symbol names made
 * readable, through libiberty's demangler, the one binutils and gdb use.
 *
 * By default a function is its qualified name with its template arguments,
 * without return type, parameters or clone suffix, as pprof shows it
 * ("ps::accumulate_hot<unsigned int>"): one name for all of a function's
 * copies (.constprop, .isra), readable in a flame graph's narrow frame.
 * Full signatures tell overloads apart, at up to hundreds of characters.
 */
#ifndef PS_DEMANGLE_H
#define PS_DEMANGLE_H

#include <stddef.h>

enum ps_demangle_style {
	PS_DEMANGLE_SHORT,     /* the default: qualified name and template arguments */
	PS_DEMANGLE_FULL,      /* with return type (of templates), parameters and clones */
	PS_DEMANGLE_NONE,      /* as the linker sees it */
};

/* The demangled name in `style` (malloc'ed; the caller frees it), or NULL
 * if `name` is not mangled (or style is PS_DEMANGLE_NONE). */
char *ps_demangle(const char *name, enum ps_demangle_style style);

/*
 * The length of a C name without the suffixes of the compiler's copies
 * ("pass.constprop.0", "f.isra.0", "g.part.1", "h.cold", clang's
 * ".llvm.123"): the function they are copies of.  strlen(name) when it
 * has none.
 */
size_t ps_demangle_clone_base(const char *name);

#endif
