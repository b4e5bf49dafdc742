/*
 * ps_alloc_layer: the functions that only pass an allocation on (the
 * malloc family, operator new and the standard allocators, known wrappers
 * such as xmalloc, sqlite3Malloc, zmalloc, PyObject_Malloc), as regular
 * expressions over function names.  An allocation's site is the first
 * frame of its stack that is not in this layer.  The built-in list is
 * share/alloc-layer.txt, compiled in; a run may add more (--site-skip).
 */
#ifndef PS_ALLOC_LAYER_H
#define PS_ALLOC_LAYER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/ps_error.h"

struct ps_alloc_layer {
	regex_t *res;
	size_t n, cap;
	/* Answers already given, by a 64-bit hash of the name: a compiler's
	 * report asks about millions of frames, each of ~60 patterns. */
	struct ps_alloc_layer_seen *seen;
};

/* The built-in list.  0, or PS_E_NOMEM. */
int ps_alloc_layer_init(struct ps_alloc_layer *al, struct ps_error *err);
void ps_alloc_layer_release(struct ps_alloc_layer *al);

/* Adds one extended regular expression: 0, PS_E_USAGE (it does not compile: said why) or PS_E_NOMEM. */
int ps_alloc_layer_add(struct ps_alloc_layer *al, const char *regex, struct ps_error *err);

/*
 * The qualified name of a demangled function, without its return type and
 * parameters, as the layer's patterns see it: "void
 * std::vector<int>::push_back(int const&)" is "std::vector<int>::push_back".
 * Into buf (cut to len); a plain C name is returned as it is.
 */
const char *ps_alloc_layer_qualified(const char *name, char *buf, size_t len);

/* Whether `function` is in the layer (NULL and "" are not). */
bool ps_alloc_layer_has(const struct ps_alloc_layer *al, const char *function);

#endif
