/*
 * A profile's figures per process (ps_profprocs.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_idmap.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"
#include "run/ps_cpureport.h"
#include "run/ps_profprocs.h"
#include "run/ps_profrun.h"
#include "symbols/ps_procs.h"
#include "symbols/ps_symbols.h"

struct builder {
	struct ps_proc_table *t;
	struct ps_idmap index;
	size_t cap;
};

static struct ps_proc_row *row_of(struct builder *b, uint32_t pid)
{
	struct ps_proc_table *t = b->t;
	bool added;
	int64_t at = ps_idmap_row(&b->index, pid, &t->rows, &t->n, &b->cap, sizeof(*t->rows), &added);

	if (at < 0)
		return NULL;
	if (added)
		t->rows[at].pid = pid;
	return &t->rows[at];
}

/* A name from the target's own bytes (a thread name it set) made fit for a report. */
static void set_name(struct ps_proc_row *row, const char *name, size_t len)
{
	char *fixed = ps_utf8_fix(name, len);

	if (fixed)
		snprintf(row->name, sizeof(row->name), "%s", fixed);
	free(fixed);
}

/* On-CPU samples, and the name the samples knew the process by (the one with the most). */
static int add_samples(struct builder *b, const struct ps_cpureport *rep)
{
	for (size_t i = 0; i < rep->nprocs; i++) {
		const struct ps_process_total *q = &rep->procs[i];
		struct ps_proc_row *row = row_of(b, q->pid);

		if (!row)
			return PS_E_NOMEM;
		/* the process's images (before and after an exec) are one process here */
		if (q->samples >= row->top_samples || !row->name[0]) {
			snprintf(row->name, sizeof(row->name), "%s", q->comm);
			row->top_samples = q->samples;
		}
		row->samples += q->samples;
		b->t->samples += q->samples;
	}
	for (size_t i = 0; i < b->t->n; i++)
		b->t->rows[i].top_samples = 0;
	return 0;
}

struct leaf {
	uint32_t pid, name;
	uint64_t count;
};

static int cmp_leaf(const void *a, const void *b)
{
	const struct leaf *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/*
 * Each process's function with the most samples charged to it (a kernel
 * leaf's to the program frame that entered the kernel, as the summary and
 * the findings rank them): the stacks' charged frames, sorted and summed.
 */
static int add_top_functions(struct builder *b, const struct ps_cpu_run *cpu)
{
	const struct ps_cpureport *rep = cpu->report;
	struct leaf *leaves = calloc(rep->nstacks + 1, sizeof(*leaves));
	size_t n = 0;

	if (!leaves)
		return PS_E_NOMEM;
	for (size_t i = 0; i < rep->nstacks; i++) {
		const struct ps_rstack *s = &rep->stacks[i];

		if (!s->nsyms || s->thread >= cpu->procs->nthreads)
			continue;
		leaves[n++] = (struct leaf){
			.pid = cpu->procs->threads[s->thread].pid,
			.name = cpu->symbols->syms[rep->syms[s->first + ps_cpureport_charged_frame(rep, cpu->symbols, s)]].name,
			.count = s->count };
	}
	qsort(leaves, n, sizeof(*leaves), cmp_leaf);
	for (size_t i = 0, j; i < n; i = j) {
		uint64_t sum = 0;
		uint32_t at;

		for (j = i; j < n && cmp_leaf(&leaves[i], &leaves[j]) == 0; j++)
			sum += leaves[j].count;
		if (!ps_idmap_get(&b->index, leaves[i].pid, &at))
			continue;
		if (sum > b->t->rows[at].top_samples) {
			b->t->rows[at].top_samples = sum;
			b->t->rows[at].top_function = ps_strtab_get(&cpu->symbols->strs, leaves[i].name);
		}
	}
	free(leaves);
	return 0;
}

static int add_sched(struct builder *b, const struct ps_profile_sched *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct ps_thread_sched *th = &s->threads[i];
		struct ps_proc_row *row = row_of(b, th->pid);

		if (!row)
			return PS_E_NOMEM;
		row->sched = true;
		row->threads++;
		row->cpu_ns += th->run - th->run0;
		row->sched_delay_ns += th->wait - th->wait0;
		if (th->tid == th->pid && !row->name[0])
			set_name(row, th->comm, strnlen(th->comm, sizeof(th->comm)));
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct ps_process_sched *p = &s->procs[i];
		struct ps_proc_row *row = row_of(b, p->pid);

		if (!row)
			return PS_E_NOMEM;
		row->ppid = p->ppid;
		row->peak_rss_kb = p->peak_rss_kb;
		row->begin_ns = p->first_ns;
		row->end_ns = p->last_ns;
	}
	return 0;
}

/* Off-CPU time by reason; and the lifetime, exact here (the scheduler's events). */
static int add_offcpu(struct builder *b, const struct ps_profile_offcpu *o)
{
	bool *timed = calloc(b->t->n + o->nthreads + 1, sizeof(*timed));

	if (!timed)
		return PS_E_NOMEM;
	for (size_t i = 0; i < o->nthreads; i++) {
		const struct ps_offcpu_thread *th = &o->threads[i];
		struct ps_proc_row *row = row_of(b, th->pid);
		size_t at;

		if (!row) {
			free(timed);
			return PS_E_NOMEM;
		}
		at = (size_t)(row - b->t->rows);
		row->offcpu = true;
		for (int r = 0; r < PS_OFF_REASONS; r++) {
			row->reason_ns[r] += th->blocked_ns[r];
			row->blocked_ns += th->blocked_ns[r];
		}
		if (!th->end_ns)
			continue;	/* times not known */
		if (!timed[at] || th->begin_ns < row->begin_ns)
			row->begin_ns = th->begin_ns;
		if (!timed[at] || th->end_ns > row->end_ns)
			row->end_ns = th->end_ns;
		timed[at] = true;
	}
	free(timed);
	return 0;
}

static int add_syscalls(struct builder *b, const struct ps_syscall_procs *sp)
{
	for (size_t i = 0; sp && i < sp->n; i++) {
		struct ps_proc_row *row = row_of(b, sp->rows[i].pid);

		if (!row)
			return PS_E_NOMEM;
		row->syscalls = &sp->rows[i];
	}
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const struct ps_proc_row *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	if (x->cpu_ns != y->cpu_ns)
		return x->cpu_ns > y->cpu_ns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Ended: last seen before the profile's end by more than a reading's interval. */
static void mark_ended(struct ps_proc_table *t, uint64_t run_end_ns)
{
	const uint64_t slack_ns = 100 * 1000 * 1000ull;

	for (size_t i = 0; i < t->n; i++)
		t->rows[i].ended = t->rows[i].end_ns && t->rows[i].end_ns + slack_ns < run_end_ns;
}

int ps_proc_table_build(struct ps_proc_table *t, const struct ps_profile_run *r)
{
	struct builder b = { .t = t };
	int rc = 0;

	memset(t, 0, sizeof(*t));
	ps_idmap_init(&b.index);
	for (size_t i = 0; i < r->ntree && rc == 0; i++)
		rc = row_of(&b, r->tree[i]) ? 0 : PS_E_NOMEM;
	if (rc == 0 && r->cpu && r->cpu->report)
		rc = add_samples(&b, r->cpu->report);
	if (rc == 0 && r->cpu && r->cpu->report && r->cpu->symbols && r->cpu->procs)
		rc = add_top_functions(&b, r->cpu);
	if (rc == 0)
		rc = add_sched(&b, &r->sched);
	if (rc == 0 && r->offcpu.collected)
		rc = add_offcpu(&b, &r->offcpu);
	if (rc == 0 && r->syscalls.collected)
		rc = add_syscalls(&b, r->syscalls.procs);
	ps_idmap_release(&b.index);
	if (rc < 0) {
		ps_proc_table_release(t);
		return rc;
	}
	if (r->cpu)
		mark_ended(t, r->cpu->run.end_ns);
	if (t->n)
		qsort(t->rows, t->n, sizeof(*t->rows), cmp_row);
	return 0;
}

void ps_proc_table_release(struct ps_proc_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

const struct ps_proc_row *ps_proc_table_find(const struct ps_proc_table *t, uint32_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->rows[i].pid == pid)
			return &t->rows[i];
	return NULL;
}
