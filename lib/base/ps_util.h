/*
 * Small helpers shared by lib/: hashing, growable arrays, monotonic time,
 * whole-file reads of /proc.
 */
#ifndef PS_UTIL_H
#define PS_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit mix (splitmix64 finaliser): cheap and good enough for hash tables. */
static inline uint64_t ps_hash_u64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static inline uint64_t ps_hash_combine(uint64_t h, uint64_t v)
{
	return ps_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

uint64_t ps_hash_bytes(const void *data, size_t len);

/*
 * The indexes 0..n-1 sorted by cmp (given two pointers to indexes and ctx),
 * malloc'ed; NULL when out of memory.  For reports that list an array in
 * another order than it is kept.
 */
uint32_t *ps_sorted_indexes(size_t n, int (*cmp)(const void *, const void *, void *), void *ctx);

/*
 * Grows *ptr (an array of elem_size elements with capacity *cap) so that it
 * holds at least `need` elements.  Returns 0 or PS_E_NOMEM on allocation failure,
 * leaving the array untouched.
 */
int ps_grow(void *ptr, size_t *cap, size_t need, size_t elem_size);

/* CLOCK_MONOTONIC in nanoseconds: the clock our perf events are stamped with. */
uint64_t ps_now_ns(void);

/*
 * Reads a whole (small, /proc-style) file into a NUL-terminated malloc'ed
 * buffer.  Returns NULL with errno set on failure.
 */
char *ps_read_file(const char *path, size_t *len_out);

/*
 * Opens path for reading only if it is a regular file (a FIFO, a device or
 * a socket named by a profiled program would block or mislead perfscope):
 * the descriptor, or -1 with errno set (EINVAL for another kind of file).
 */
int ps_open_regular(const char *path);

/* Reads a file holding one integer; returns 0 or -1 with errno set. */
int ps_read_long(const char *path, long *out);

const char *ps_basename(const char *path);

/* Appends src to the NUL-terminated dst of size len, cutting what does not fit. */
void ps_strlcat(char *dst, const char *src, size_t len);

/*
 * Removes directory `path` and everything in it, never following a link
 * (a link in it is removed, not what it points to), at most 16 levels
 * deep.  0, or -1 with errno set when something is left.
 */
int ps_remove_tree(const char *path);

/* This process's user + system CPU time so far, in seconds. */
double ps_self_cpu_seconds(void);

#endif
