/*
 * Sampling mode (--sample-bytes N): an allocation is recorded when the
 * bytes allocated by its thread cross the next sampling point, drawn from
 * an exponential distribution of mean N (Poisson sampling by bytes, as in
 * tcmalloc, jemalloc and Go).  A block of size s is then sampled with
 * probability 1 - e^(-s/N), which perfscope divides by.
 *
 * The unsampled path costs a subtraction (pl_sample_skip, inline in the
 * hooks).  A free must know whether its block was sampled: a bitmap small
 * enough to stay in the L1 cache answers "no" for nearly all of them
 * without a lock (pl_sample_maybe; its bits mirror counts kept beside it),
 * and the exact set, behind a spin lock, is only asked on the bitmap's
 * rare "maybe".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pl.h"

#define FILTER_SIZE PL_SAMPLE_FILTER_SIZE   /* 8 KiB of bits */
#define SET_SIZE (1u << 16)     /* sampled blocks live at once, at most */

PL_HIDDEN bool pl_sampling;
static double mean_bytes;
static uint64_t seed;

static uint16_t filter[FILTER_SIZE];   /* counts: wider than the blocks that can share one */
PL_HIDDEN uint64_t pl_sample_filter_bits[FILTER_SIZE / 64];   /* bit i: filter[i] != 0 */
static uint64_t set[SET_SIZE];
static unsigned set_count;
static int set_lock;

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
	memset(filter, 0, sizeof(filter));
	memset(pl_sample_filter_bits, 0, sizeof(pl_sample_filter_bits));
	memset(set, 0, sizeof(set));
	set_count = 0;
	set_lock = 0;
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

/* Only called with the lock held. */
static void filter_add(size_t i, int delta)
{
	filter[i] = (uint16_t)(filter[i] + delta);
	if (filter[i])
		__atomic_fetch_or(&pl_sample_filter_bits[i / 64], 1ull << (i % 64), __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&pl_sample_filter_bits[i / 64], ~(1ull << (i % 64)), __ATOMIC_RELAXED);
}

static void lock(void)
{
	while (__atomic_exchange_n(&set_lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(void)
{
	__atomic_store_n(&set_lock, 0, __ATOMIC_RELEASE);
}

bool pl_sample_remember(void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	bool ok = false;

	lock();
	if (set_count + 1 < SET_SIZE / 2) {
		size_t i = pl_sample_slot(a, SET_SIZE);

		while (set[i])
			i = (i + 1) & (SET_SIZE - 1);
		set[i] = a;
		set_count++;
		filter_add(pl_sample_slot(a, FILTER_SIZE), 1);
		ok = true;
	}
	unlock();
	return ok;
}

/* Removes with backward shifting, so probes never meet tombstones. */
static void set_remove_at(size_t hole)
{
	size_t i = hole;

	for (;;) {
		size_t home;

		i = (i + 1) & (SET_SIZE - 1);
		if (!set[i])
			break;
		home = pl_sample_slot(set[i], SET_SIZE);
		if (((i - home) & (SET_SIZE - 1)) >= ((i - hole) & (SET_SIZE - 1))) {
			set[hole] = set[i];
			hole = i;
		}
	}
	set[hole] = 0;
}

bool pl_sample_forget(void *p)
{
	uint64_t a = (uint64_t)(uintptr_t)p;
	bool found = false;

	size_t f = pl_sample_slot(a, FILTER_SIZE);

	if (!pl_sample_maybe(p))
		return false;
	lock();
	for (size_t i = pl_sample_slot(a, SET_SIZE); set[i]; i = (i + 1) & (SET_SIZE - 1)) {
		if (set[i] == a) {
			set_remove_at(i);
			set_count--;
			filter_add(f, -1);
			found = true;
			break;
		}
	}
	unlock();
	return found;
}
