/*
 * wrapalloc: allocations behind wrappers, with known bytes per caller.
 *   xmalloc (GCC's kind, a wrapper perfscope knows): parse_a 10 x 1000,
 *   parse_b 10 x 2000, parse_c 10 x 3000 bytes, all leaked.
 *   zmalloc (Redis's kind) in libwrap.so: cache_put 7 x 500 bytes, leaked.
 *   pool_get (a wrapper perfscope does not know): load_x 5 x 100,
 *   load_y 5 x 200, load_z 5 x 300 bytes, all freed.
 */
#include <stdlib.h>

#define NOINLINE __attribute__((noinline))

void *zmalloc(size_t n);   /* libwrap.so */

static void *volatile keep[64];
static int nkeep;

NOINLINE void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	return p;
}

NOINLINE void *pool_get(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	return p;
}

NOINLINE static void parse_a(void)
{
	for (int i = 0; i < 10; i++)
		keep[nkeep++] = xmalloc(1000);
}

NOINLINE static void parse_b(void)
{
	for (int i = 0; i < 10; i++)
		keep[nkeep++] = xmalloc(2000);
}

NOINLINE static void parse_c(void)
{
	for (int i = 0; i < 10; i++)
		keep[nkeep++] = xmalloc(3000);
}

NOINLINE static void cache_put(void)
{
	for (int i = 0; i < 7; i++)
		keep[nkeep++] = zmalloc(500);
}

NOINLINE static void load_x(void)
{
	for (int i = 0; i < 5; i++)
		free(pool_get(100));
}

NOINLINE static void load_y(void)
{
	for (int i = 0; i < 5; i++)
		free(pool_get(200));
}

NOINLINE static void load_z(void)
{
	for (int i = 0; i < 5; i++)
		free(pool_get(300));
}

int main(void)
{
	parse_a();
	parse_b();
	parse_c();
	cache_put();
	load_x();
	load_y();
	load_z();
	for (int i = 0; i < nkeep; i++)
		keep[i] = NULL;   /* leaked: nothing points to them at exit */
	return 0;
}
