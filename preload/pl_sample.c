/*
 * Sampling mode (--sample-bytes N): an allocation is recorded when the
 * bytes allocated by its thread cross the next sampling point, drawn from
 * an exponential distribution of mean N (Poisson sampling by bytes, as in
 * tcmalloc, jemalloc and Go).  A block of size s is then sampled with
 * probability 1 - e^(-s/N), which perfscope divides by.
 *
 * The unsampled path costs a subtraction (pl_sample_skip, inline in the
 * hooks).  A sampled block is allocated with a tag in front of it
 * (pl_sample_tagged), so its free is known without a table.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pl.h"

PL_HIDDEN bool pl_sampling;
static double mean_bytes;
static uint64_t seed;


PL_HIDDEN PL_TLS struct pl_sample_thread pl_sample_self;

void pl_sample_init(void)
{
	const char *spec = getenv(PS_MEM_ENV_SAMPLE);
	char *end;

	if (!spec)
		return;
	mean_bytes = strtod(spec, &end);
	if (*end == ':')
		seed = strtoull(end + 1, NULL, 10);
	/* the hooks' fast paths call the real functions without checking */
	pl_boot_resolve();
	pl_sampling = mean_bytes > 0 && pl_real.free;
}

void pl_sample_reset(void)
{
	pl_sample_self.started = false;
}

static uint64_t next_random(void)
{
	/* splitmix64: a different stream per thread and process from the seed */
	uint64_t z = (pl_sample_self.rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Bytes to the next sampling point: exponential with mean mean_bytes. */
static int64_t draw(void)
{
	double u = ((double)(next_random() >> 11) + 1.0) / 9007199254740993.0;	/* (0, 1] */

	return (int64_t)(-log(u) * mean_bytes) + 1;
}

bool pl_sample_crossed(void)
{
	if (!pl_sample_self.started) {
		/* the first point is drawn now, and what was counted goes against it */
		pl_sample_self.rng = seed ^ ((uint64_t)pl_gettid() << 32) ^ (uint64_t)getpid();
		pl_sample_self.bytes_left += draw();
		pl_sample_self.started = true;
		if (pl_sample_self.bytes_left > 0)
			return false;
	}
	while (pl_sample_self.bytes_left <= 0)
		pl_sample_self.bytes_left += draw();
	return true;
}

void *pl_sample_alloc(size_t bytes, size_t align, bool zero)
{
	size_t prefix = align > PL_SAMPLE_PREFIX ? align : PL_SAMPLE_PREFIX, total;
	unsigned char *base, *p;
	uint64_t tag, back = prefix;

	if (__builtin_add_overflow(bytes, prefix, &total))
		return NULL;
	if (prefix == PL_SAMPLE_PREFIX)
		base = zero ? pl_real.calloc(1, total) : pl_real.malloc(total);
	else
		base = pl_real.memalign(align, total);
	if (!base)
		return NULL;
	if (zero && prefix != PL_SAMPLE_PREFIX)
		memset(base, 0, total);
	p = base + prefix;
	tag = PL_SAMPLE_TAG ^ (uint64_t)(uintptr_t)p;
	memcpy(p - PL_SAMPLE_PREFIX, &tag, sizeof(tag));
	memcpy(p - 8, &back, sizeof(back));
	return p;
}

size_t pl_sample_usable(void *p)
{
	unsigned char *base = pl_sample_base(p);

	return pl_real.malloc_usable_size(base) - (size_t)((unsigned char *)p - base);
}
