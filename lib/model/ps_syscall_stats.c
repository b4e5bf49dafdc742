/*
 * System calls per number (ps_syscall_stats.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "base/ps_error.h"
#include "model/ps_syscall_stats.h"

/* Generated at build time from <sys/syscall.h>: [nr] = "name", ... */
static const char *const syscall_names[] = {
#include "ps_syscall_names.h"
};

#define NNAMES (sizeof(syscall_names) / sizeof(syscall_names[0]))

const char *ps_syscall_name(int64_t nr, char *buf, size_t len)
{
	if (nr >= 0 && (size_t)nr < NNAMES && syscall_names[nr])
		return syscall_names[nr];
	snprintf(buf, len, "syscall_%lld", (long long)nr);
	return buf;
}

/* ---- latency histogram: 16 linear sub-buckets per power of two ---- */

static unsigned bucket_of(uint64_t ns)
{
	unsigned e, b;

	if (ns < 16)
		return (unsigned)ns;
	e = 63u - (unsigned)__builtin_clzll(ns);	/* >= 4 */
	b = 16 + (e - 4) * 16 + (unsigned)((ns >> (e - 4)) & 15);
	return b < PS_LAT_BUCKETS ? b : PS_LAT_BUCKETS - 1;
}

/* The middle of bucket b. */
static uint64_t bucket_value(unsigned b)
{
	unsigned e, sub;
	uint64_t lo, width;

	if (b < 16)
		return b;
	e = (b - 16) / 16 + 4;
	sub = (b - 16) % 16;
	width = 1ull << (e - 4);
	lo = (1ull << e) + sub * width;
	return lo + width / 2;
}

uint64_t ps_syscall_quantile(const struct ps_syscall_stat *st, double q)
{
	uint64_t rank, seen = 0;

	if (!st->hist || !st->count)
		return 0;
	rank = (uint64_t)(q * (double)st->count);
	if (rank >= st->count)
		rank = st->count - 1;
	for (unsigned b = 0; b < PS_LAT_BUCKETS; b++) {
		seen += st->hist[b];
		if (seen > rank) {
			uint64_t v = bucket_value(b);

			return v > st->max_ns ? st->max_ns : v;
		}
	}
	return st->max_ns;
}

static void count_errno(struct ps_syscall_stat *st, int err)
{
	for (int i = 0; i < PS_ERRNO_SLOTS; i++) {
		if (st->errnos[i].count && st->errnos[i].err != err)
			continue;
		st->errnos[i].err = err;
		st->errnos[i].count++;
		return;
	}
}

int ps_syscall_stat_add(struct ps_syscall_stat *st, uint64_t ns, int64_t ret)
{
	if (!st->hist && !(st->hist = calloc(PS_LAT_BUCKETS, sizeof(*st->hist))))
		return PS_E_NOMEM;
	st->count++;
	st->total_ns += ns;
	if (ns > st->max_ns)
		st->max_ns = ns;
	st->hist[bucket_of(ns)]++;
	if (ret < 0 && ret >= -4095) {
		st->errors++;
		count_errno(st, (int)-ret);
	}
	return 0;
}

void ps_syscall_stats_release(struct ps_syscall_stat *stats, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(stats[i].hist);
		stats[i].hist = NULL;
	}
}

static int cmp_syscall(const void *a, const void *b, void *ctx)
{
	const struct ps_syscall_stat *stats = ctx;
	const struct ps_syscall_stat *x = &stats[*(const int *)a];
	const struct ps_syscall_stat *y = &stats[*(const int *)b];

	if (x->total_ns != y->total_ns)
		return x->total_ns > y->total_ns ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

int *ps_syscall_order(const struct ps_syscall_stat *stats, size_t *n)
{
	int *order = malloc(PS_SYSCALL_MAX * sizeof(*order));

	*n = 0;
	if (!order)
		return NULL;
	for (int i = 0; stats && i < PS_SYSCALL_MAX; i++)
		if (stats[i].count)
			order[(*n)++] = i;
	qsort_r(order, *n, sizeof(*order), cmp_syscall, (void *)stats);
	return order;
}
