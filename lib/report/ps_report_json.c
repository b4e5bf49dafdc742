/*
 * The JSON report: metadata, per-function self/total with module and
 * source location, per-thread and per-process totals, and the stacks.
 * Field names are documented in perfscope-cpu-profile(1).
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_json.h"
#include "report/ps_report.h"
#include "report/ps_run_json.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char *str(const struct ps_cpu_run *p, uint32_t id)
{
	return ps_strtab_get(&p->symbols->strs, id);
}

/* Why user stacks ended early, by cause (see ps_unwind_stats). */
static cJSON *unwind_failures(const struct ps_unwind_stats *st)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "truncated", (double)st->truncated);
	cJSON_AddNumberToObject(o, "no_module", (double)st->no_module);
	cJSON_AddNumberToObject(o, "no_cfi", (double)st->no_cfi);
	cJSON_AddNumberToObject(o, "no_user_state", (double)st->no_user_state);
	cJSON_AddNumberToObject(o, "depth_limit", (double)st->depth_limit);
	cJSON_AddNumberToObject(o, "finished_with_frame_pointers", (double)st->fp_extended);
	cJSON_AddNumberToObject(o, "sessions_evicted", (double)st->sessions_evicted);
	return o;
}

/* How DWARF stacks were unwound: cached rules alone, or libdwfl. */
static cJSON *unwind_paths(const struct ps_unwind_stats *st)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "dwarf", (double)st->dwarf_unwound);
	cJSON_AddNumberToObject(o, "cached_rules", (double)st->fast_unwound);
	cJSON_AddNumberToObject(o, "libdwfl", (double)(st->dwarf_unwound - st->fast_unwound));
	cJSON_AddNumberToObject(o, "verified", (double)st->verified);
	cJSON_AddNumberToObject(o, "verify_mismatches", (double)st->verify_mismatches);
	return o;
}

/* The run's notes, each under its id; the fallback reason is always present. */
static void add_notes(cJSON *m, const struct ps_notes *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		cJSON_AddStringToObject(m, ns->items[i].id, ns->items[i].text);
	if (!ps_notes_get(ns, "event_fallback_reason"))
		cJSON_AddNullToObject(m, "event_fallback_reason");
}

static cJSON *metadata(const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = p->report;
	const struct ps_run *run = &p->run;
	cJSON *m = cJSON_CreateObject();

	ps_run_json_target(m, run);
	cJSON_AddStringToObject(m, "sampler", p->sampling.sampler ? p->sampling.sampler : "none");
	cJSON_AddStringToObject(m, "event", p->sampling.event[0] ? p->sampling.event : "none");
	cJSON_AddNumberToObject(m, "frequency", p->sampling.frequency);
	cJSON_AddStringToObject(m, "unwinder", p->sampling.unwinder ? p->sampling.unwinder : "none");
	cJSON_AddNumberToObject(m, "stack_size", p->sampling.stack_size);
	add_notes(m, &run->notes);
	cJSON_AddItemToObject(m, "unwind_failures", unwind_failures(&p->unwind));
	cJSON_AddItemToObject(m, "unwind_paths", unwind_paths(&p->unwind));
	cJSON_AddNumberToObject(m, "duration_s", ps_run_seconds(run));
	cJSON_AddNumberToObject(m, "samples", (double)p->counts.samples);
	cJSON_AddNumberToObject(m, "lost_samples", (double)p->counts.lost);
	cJSON_AddNumberToObject(m, "throttle_events", (double)p->counts.throttles);
	cJSON_AddNumberToObject(m, "truncated_stacks", (double)r->truncated);
	cJSON_AddNumberToObject(m, "pooled_samples", (double)p->stacks->pooled);
	cJSON_AddNumberToObject(m, "stack_table_limit_bytes",
				(double)(p->stacks->max_bytes ? p->stacks->max_bytes : PS_STACKS_DEFAULT_MAX_BYTES));
	cJSON_AddNumberToObject(m, "bad_records", (double)p->counts.bad_records);
	cJSON_AddNumberToObject(m, "broken_chains", (double)p->counts.broken_chains);
	cJSON_AddNumberToObject(m, "unresolved_frames", (double)p->symbols->unresolved);
	cJSON_AddNumberToObject(m, "stack_completeness", ps_cpureport_completeness(r));
	cJSON_AddBoolToObject(m, "kernel_stacks", p->sampling.kernel_stacks);
	ps_run_json_exit(m, run);
	if (p->counts.unsampled_cpu_s >= 0) {
		cJSON_AddNumberToObject(m, "target_cpu_s", run->target_cpu_s);
		cJSON_AddNumberToObject(m, "unsampled_cpu_s", p->counts.unsampled_cpu_s);
	} else {
		cJSON_AddNullToObject(m, "target_cpu_s");
		cJSON_AddNullToObject(m, "unsampled_cpu_s");
	}
	cJSON_AddStringToObject(m, "stopped_by", ps_run_stop_name(run->stopped_by));
	cJSON_AddNumberToObject(m, "perfscope_cpu_s", o->perfscope_cpu_s);
	cJSON_AddNumberToObject(m, "perfscope_sampling_cpu_s", p->counts.sampling_cpu_s);
	return m;
}

/* A user function's samples in the kernel under it, by how the kernel was entered; null when none. */
static cJSON *kernel_under(const struct ps_func *f)
{
	cJSON *o, *by;

	if (!f->kernel_under)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "samples", (double)f->kernel_under);
	by = cJSON_AddObjectToObject(o, "by_entry");
	for (int k = 0; k < PS_KENTRY_KINDS; k++)
		if (f->kernel_by[k])
			cJSON_AddNumberToObject(by, ps_kernel_entry_names[k], (double)f->kernel_by[k]);
	return o;
}

static cJSON *functions(const struct ps_cpu_run *p)
{
	const struct ps_cpureport *r = p->report;
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < r->nfuncs; i++) {
		const struct ps_func *f = &r->funcs[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "name", str(p, f->name));
		cJSON_AddStringToObject(o, "module", p->modules->mods[f->module].path);
		if (f->file)
			cJSON_AddStringToObject(o, "file", str(p, f->file));
		else
			cJSON_AddNullToObject(o, "file");
		cJSON_AddNumberToObject(o, "line", f->line);
		cJSON_AddNumberToObject(o, "self", (double)f->self);
		cJSON_AddNumberToObject(o, "total", (double)f->total);
		cJSON_AddNumberToObject(o, "self_pct", pct(f->self, r->total));
		cJSON_AddNumberToObject(o, "total_pct", pct(f->total, r->total));
		cJSON_AddNumberToObject(o, "charged", (double)ps_func_charged(f));
		cJSON_AddNumberToObject(o, "charged_pct", pct(ps_func_charged(f), r->total));
		cJSON_AddItemToObject(o, "kernel_under", kernel_under(f));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *threads(const struct ps_cpu_run *p)
{
	const struct ps_cpureport *r = p->report;
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < r->nthreads; i++) {
		const struct ps_thread_instance *t = &p->procs->threads[r->threads[i].thread];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "pid", t->pid);
		cJSON_AddNumberToObject(o, "tid", t->tid);
		cJSON_AddStringToObject(o, "comm", t->comm);
		cJSON_AddStringToObject(o, "process", t->proc_comm);
		cJSON_AddNumberToObject(o, "samples", (double)r->threads[i].samples);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *processes(const struct ps_cpu_run *p)
{
	const struct ps_cpureport *r = p->report;
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < r->nprocs; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "pid", r->procs[i].pid);
		cJSON_AddStringToObject(o, "comm", r->procs[i].comm);
		cJSON_AddNumberToObject(o, "samples", (double)r->procs[i].samples);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *stacks(const struct ps_cpu_run *p)
{
	const struct ps_cpureport *r = p->report;
	cJSON *arr = cJSON_CreateArray();
	char name[1024];

	for (size_t i = 0; i < r->nstacks; i++) {
		const struct ps_rstack *rs = &r->stacks[i];
		const struct ps_thread_instance *t = &p->procs->threads[rs->thread];
		cJSON *o = cJSON_CreateObject(), *frames;

		cJSON_AddNumberToObject(o, "pid", t->pid);
		cJSON_AddNumberToObject(o, "tid", t->tid);
		cJSON_AddStringToObject(o, "process", t->proc_comm);
		cJSON_AddStringToObject(o, "thread", t->comm);
		frames = cJSON_AddArrayToObject(o, "frames");
		for (uint32_t k = 0; k < rs->nsyms; k++) {
			const struct ps_sym *s = &p->symbols->syms[r->syms[rs->first + k]];

			cJSON_AddItemToArray(frames, cJSON_CreateString(
				ps_report_frame_name(p->symbols, s, name, sizeof(name))));
		}
		cJSON_AddNumberToObject(o, "count", (double)rs->count);
		cJSON_AddBoolToObject(o, "complete", rs->complete);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

cJSON *ps_report_json_cpu(const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	cJSON *root = cJSON_CreateObject();

	if (!root)
		return NULL;
	cJSON_AddItemToObject(root, "metadata", metadata(p, o));
	cJSON_AddItemToObject(root, "functions", functions(p));
	cJSON_AddItemToObject(root, "threads", threads(p));
	cJSON_AddItemToObject(root, "processes", processes(p));
	cJSON_AddItemToObject(root, "stacks", stacks(p));
	return root;
}

static int write_json(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	cJSON *root = cJSON_CreateObject(), *cpu = ps_report_json_cpu(p, o), *item;

	if (!root || !cpu) {
		cJSON_Delete(root);
		cJSON_Delete(cpu);
		return PS_E_NOMEM;
	}
	cJSON_AddStringToObject(root, "perfscope_version", o->version ? o->version : "");
	cJSON_AddStringToObject(root, "kind", "cpu-profile");
	/* the same keys, at the top level */
	while ((item = cpu->child)) {
		cJSON_DetachItemViaPointer(cpu, item);
		cJSON_AddItemToObject(root, item->string, item);
	}
	cJSON_Delete(cpu);
	if (o->amend)
		o->amend(root, o->amend_ctx);
	return ps_json_print(fp, root);
}

const struct ps_report_writer ps_report_json = {
	.name = "json",
	.extension = ".json",
	.write = write_json,
};
