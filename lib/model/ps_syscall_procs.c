/*
 * System calls per process (ps_syscall_procs.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_util.h"
#include "model/ps_syscall_procs.h"

void ps_syscall_procs_init(struct ps_syscall_procs *t)
{
	memset(t, 0, sizeof(*t));
	ps_idmap_init(&t->index);
}

void ps_syscall_procs_release(struct ps_syscall_procs *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->rows[i].by_nr);
	free(t->rows);
	ps_idmap_release(&t->index);
	memset(t, 0, sizeof(*t));
}

static struct ps_syscall_proc *row_of(struct ps_syscall_procs *t, uint32_t pid)
{
	bool added;
	int64_t at = ps_idmap_row(&t->index, pid, &t->rows, &t->n, &t->cap, sizeof(*t->rows), &added);

	if (at < 0)
		return NULL;
	if (added)
		t->rows[at].pid = pid;
	return &t->rows[at];
}

/* The most recent distinct call is the likeliest next one: search from the end. */
static struct ps_syscall_count *count_of(struct ps_syscall_proc *p, int32_t nr)
{
	for (size_t i = p->n; i-- > 0;)
		if (p->by_nr[i].nr == nr)
			return &p->by_nr[i];
	if (ps_grow(&p->by_nr, &p->cap, p->n + 1, sizeof(*p->by_nr)) < 0)
		return NULL;
	p->by_nr[p->n] = (struct ps_syscall_count){ .nr = nr };
	return &p->by_nr[p->n++];
}

int ps_syscall_procs_add(struct ps_syscall_procs *t, uint32_t pid, int32_t nr, uint64_t ns,
			 int64_t ret, uint64_t bytes)
{
	struct ps_syscall_proc *p = row_of(t, pid);
	struct ps_syscall_count *c = p ? count_of(p, nr) : NULL;
	bool failed = ret < 0 && ret >= -4095;

	if (!c)
		return PS_E_NOMEM;
	p->calls++;
	p->ns += ns;
	p->bytes += bytes;
	p->errors += failed;
	c->count++;
	c->ns += ns;
	c->errors += failed;
	return 0;
}
