/*
 * ps_syscall_stats: what a profile's system calls came to, per system
 * call number: count, errors by errno, total and longest time, a latency
 * histogram (percentiles within about 3%) and the bytes of the read and
 * write families.  The tracer (collect/ps_syscalls.h) fills the table;
 * the reports read it.
 */
#ifndef PS_SYSCALL_STATS_H
#define PS_SYSCALL_STATS_H

#include <stddef.h>
#include <stdint.h>

#define PS_SYSCALL_MAX 512
#define PS_LAT_BUCKETS 640
#define PS_ERRNO_SLOTS 8

struct ps_syscall_stat {
	uint64_t count, errors;
	uint64_t total_ns, max_ns;
	uint64_t bytes;              /* read and write families: what they moved */
	struct { int err; uint64_t count; } errnos[PS_ERRNO_SLOTS];  /* the first distinct ones */
	uint32_t *hist;              /* PS_LAT_BUCKETS, made on first use */
};

/*
 * One finished call of ns nanoseconds that returned ret (-4095..-1: an
 * errno).  0, or PS_E_NOMEM (the call is then not counted).
 */
int ps_syscall_stat_add(struct ps_syscall_stat *st, uint64_t ns, int64_t ret);

/* Frees the histograms of stats[0..n). */
void ps_syscall_stats_release(struct ps_syscall_stat *stats, size_t n);

/* The name of system call nr ("syscall_NNN" for numbers without one). */
const char *ps_syscall_name(int64_t nr, char *buf, size_t len);

/* The latency at quantile q (0..1) of stat's calls, in nanoseconds. */
uint64_t ps_syscall_quantile(const struct ps_syscall_stat *st, double q);

/*
 * The numbers of the system calls made, most total time first, from a
 * table of PS_SYSCALL_MAX (may be NULL: none).  malloc'ed; NULL when out
 * of memory.
 */
int *ps_syscall_order(const struct ps_syscall_stat *stats, size_t *n);

#endif
