/*
 * ownalloc: a program with its own malloc (a bump allocator over a static
 * arena, as programs that link in jemalloc or mimalloc have one): makes
 * 100 allocations of 1000 bytes through it and leaks them.  perfscope
 * memory-profile must say that these do not reach its tracker.
 */
#include <stddef.h>
#include <string.h>

#define ARENA_BYTES (1 << 20)

static _Alignas(16) unsigned char arena[ARENA_BYTES];
static size_t used;

void *malloc(size_t n)
{
	size_t at = (used + 15) & ~(size_t)15;

	if (at + n > ARENA_BYTES)
		return NULL;
	used = at + n;
	return arena + at;
}

void free(void *p)
{
	(void)p;
}

void *calloc(size_t n, size_t m)
{
	void *p = n && m > ARENA_BYTES / n ? NULL : malloc(n * m);

	return p ? memset(p, 0, n * m) : NULL;
}

void *realloc(void *p, size_t n)
{
	void *q = malloc(n);

	/* a bump allocator: the old block ends where the arena's end was */
	if (q && p)
		memmove(q, p, n < (size_t)((unsigned char *)q - (unsigned char *)p) ? n : (size_t)((unsigned char *)q - (unsigned char *)p));
	return q;
}

void *volatile sink;

int main(void)
{
	for (int i = 0; i < 100; i++)
		sink = malloc(1000);
	return 0;
}
