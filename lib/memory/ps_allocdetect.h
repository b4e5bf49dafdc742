/*
 * ps_allocdetect: does a program bring its own allocator?  The tracker sees
 * what goes through the C library's malloc (or a shared jemalloc or
 * tcmalloc loaded after it).  An executable that defines malloc itself, or
 * has an allocator linked in (jemalloc, tcmalloc, mimalloc, often under a
 * prefix), allocates where the tracker cannot see: its heap report would
 * be silently incomplete, so this is said up front.
 */
#ifndef PS_ALLOCDETECT_H
#define PS_ALLOCDETECT_H

#include <stddef.h>

/*
 * Looks at path's symbol tables; returns 1 and describes what was found
 * in `what` (e.g. "defines malloc", "jemalloc (symbol je_malloc)"), 0 if
 * nothing, -1 when the file cannot be read as ELF.
 */
int ps_allocdetect(const char *path, char *what, size_t what_size);

/*
 * Whether path is a Go program (its .go.buildinfo, .gopclntab or
 * .note.go.buildid section, which stripping keeps): the Go runtime
 * allocates its heap itself, never through malloc.  1, 0, or -1 when the
 * file cannot be read as ELF.
 */
int ps_allocdetect_go(const char *path);

#endif
