/*
 * ps_demangle: C++ (Itanium ABI) and Rust (legacy and v0) symbol names made
 * readable, through libiberty's demangler, the one binutils and gdb use.
 */
#ifndef PS_DEMANGLE_H
#define PS_DEMANGLE_H

/* The demangled name (malloc'ed; the caller frees it), or NULL if `name`
 * is not mangled. */
char *ps_demangle(const char *name);

#endif
