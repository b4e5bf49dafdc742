/*
 * ps_strtab: interned strings.  Each distinct string is stored once and
 * named by a 32-bit id; id 0 is the empty string.  Strings live until
 * ps_strtab_release().
 */
#ifndef PS_STRTAB_H
#define PS_STRTAB_H

#include <stddef.h>
#include <stdint.h>

struct ps_strtab {
	char **strs;
	size_t count, cap;
	uint32_t *index;   /* open addressing: id + 1 */
	size_t index_cap;
};

/* 0 or PS_E_NOMEM. */
int ps_strtab_init(struct ps_strtab *st);
void ps_strtab_release(struct ps_strtab *st);
/* Returns the id of s (adding it), or PS_E_NOMEM (< 0). */
int64_t ps_strtab_intern(struct ps_strtab *st, const char *s);
static inline const char *ps_strtab_get(const struct ps_strtab *st, uint32_t id)
{
	return st->strs[id];
}

#endif
