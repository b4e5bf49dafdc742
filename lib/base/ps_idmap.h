/*
 * ps_idmap: a map from a 32-bit key (pid, tid) to a 32-bit value (an index
 * into the owner's array).  Open addressing; keys are never removed.
 */
#ifndef PS_IDMAP_H
#define PS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_idmap {
	uint32_t *keys;
	uint32_t *vals;
	bool *used;
	size_t cap, count;
};

void ps_idmap_init(struct ps_idmap *m);
void ps_idmap_release(struct ps_idmap *m);
bool ps_idmap_get(const struct ps_idmap *m, uint32_t key, uint32_t *val);
/* Inserts or overwrites; returns 0 or PS_E_NOMEM. */
int ps_idmap_put(struct ps_idmap *m, uint32_t key, uint32_t val);

/*
 * The row of key in the array the map indexes (*rows: *n rows of elem_size
 * bytes, room for *cap): the one found, or a zeroed one appended (*added
 * true).  The row's index, or PS_E_NOMEM.
 */
int64_t ps_idmap_row(struct ps_idmap *m, uint32_t key, void *rows, size_t *n, size_t *cap,
		     size_t elem_size, bool *added);

#endif
