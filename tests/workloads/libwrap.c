/*
 * libwrap.so: an allocation wrapper inside a shared library, named as
 * Redis names its own (zmalloc), for wrapalloc.
 */
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

NOINLINE void *zmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	return p;
}
