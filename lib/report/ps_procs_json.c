/*
 * report.json's per-process table (ps_procs_json.h).
 */
#include <stdlib.h>
#include <string.h>

#include "base/ps_util.h"
#include "model/ps_syscall_stats.h"
#include "report/ps_procs_json.h"

/* A process's system calls listed by name: at most this many, most calls first. */
#define TOP_SYSCALLS 5

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* Seconds since the profile began, or null for a time never read. */
static void add_time(cJSON *o, const char *key, uint64_t ns, uint64_t start_ns)
{
	if (ns)
		cJSON_AddNumberToObject(o, key, ns > start_ns ? secs(ns - start_ns) : 0);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *cpu_json(const struct ps_proc_row *p, uint64_t total)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "samples", (double)p->samples);
	cJSON_AddNumberToObject(o, "share", total ? (double)p->samples / (double)total : 0);
	if (p->top_function) {
		cJSON_AddStringToObject(o, "top_function", p->top_function);
		cJSON_AddNumberToObject(o, "top_function_samples", (double)p->top_samples);
	} else {
		cJSON_AddNullToObject(o, "top_function");
	}
	if (p->sched) {
		cJSON_AddNumberToObject(o, "cpu_s", secs(p->cpu_ns));
		cJSON_AddNumberToObject(o, "sched_delay_s", secs(p->sched_delay_ns));
		cJSON_AddNumberToObject(o, "threads", p->threads);
	} else {
		cJSON_AddNullToObject(o, "cpu_s");
		cJSON_AddNullToObject(o, "sched_delay_s");
		cJSON_AddNullToObject(o, "threads");
	}
	return o;
}

static int cmp_count(const void *a, const void *b)
{
	const struct ps_syscall_count *x = *(const struct ps_syscall_count *const *)a;
	const struct ps_syscall_count *y = *(const struct ps_syscall_count *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->nr - y->nr;
}

static cJSON *syscalls_json(const struct ps_syscall_proc *sp)
{
	const struct ps_syscall_count **order = calloc(sp ? sp->n + 1 : 1, sizeof(*order));
	cJSON *o = cJSON_CreateObject(), *top;
	size_t n = sp ? sp->n : 0;
	char buf[32];

	cJSON_AddNumberToObject(o, "calls", sp ? (double)sp->calls : 0);
	cJSON_AddNumberToObject(o, "errors", sp ? (double)sp->errors : 0);
	cJSON_AddNumberToObject(o, "time_s", sp ? secs(sp->ns) : 0);
	cJSON_AddNumberToObject(o, "bytes", sp ? (double)sp->bytes : 0);
	cJSON_AddNumberToObject(o, "distinct", (double)n);
	top = cJSON_AddArrayToObject(o, "top");
	if (!order)
		return o;
	for (size_t i = 0; i < n; i++)
		order[i] = &sp->by_nr[i];
	qsort(order, n, sizeof(*order), cmp_count);
	for (size_t i = 0; i < n && i < TOP_SYSCALLS; i++) {
		cJSON *c = cJSON_CreateObject();

		cJSON_AddStringToObject(c, "name", ps_syscall_name(order[i]->nr, buf, sizeof(buf)));
		cJSON_AddNumberToObject(c, "calls", (double)order[i]->count);
		cJSON_AddNumberToObject(c, "errors", (double)order[i]->errors);
		cJSON_AddNumberToObject(c, "time_s", secs(order[i]->ns));
		cJSON_AddItemToArray(top, c);
	}
	free(order);
	return o;
}

static cJSON *offcpu_json(const struct ps_proc_row *p)
{
	cJSON *o = cJSON_CreateObject(), *by;

	cJSON_AddNumberToObject(o, "blocked_s", secs(p->blocked_ns));
	by = cJSON_AddObjectToObject(o, "by_reason");
	for (int r = 0; r < PS_OFF_REASONS; r++)
		if (p->reason_ns[r])
			cJSON_AddNumberToObject(by, ps_offcpu_reason_names[r], secs(p->reason_ns[r]));
	return o;
}

static cJSON *row_json(const struct ps_profile_run *r, const struct ps_proc_row *p)
{
	uint64_t start = r->cpu ? r->cpu->run.start_ns : 0;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", p->pid);
	if (p->ppid)
		cJSON_AddNumberToObject(o, "ppid", p->ppid);
	else
		cJSON_AddNullToObject(o, "ppid");
	cJSON_AddStringToObject(o, "name", p->name);
	add_time(o, "start_s", p->begin_ns, start);
	add_time(o, "end_s", p->end_ns, start);
	cJSON_AddBoolToObject(o, "ended", p->ended);
	cJSON_AddItemToObject(o, "cpu", cpu_json(p, r->procs.samples));
	if (r->syscalls.collected)
		cJSON_AddItemToObject(o, "syscalls", syscalls_json(p->syscalls));
	else
		cJSON_AddNullToObject(o, "syscalls");
	if (r->offcpu.collected)
		cJSON_AddItemToObject(o, "offcpu", offcpu_json(p));
	else
		cJSON_AddNullToObject(o, "offcpu");
	if (p->peak_rss_kb)
		cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)p->peak_rss_kb * 1024);
	else
		cJSON_AddNullToObject(o, "peak_rss_bytes");
	return o;
}

cJSON *ps_procs_json(const struct ps_profile_run *r)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < r->procs.n; i++)
		cJSON_AddItemToArray(arr, row_json(r, &r->procs.rows[i]));
	return arr;
}
