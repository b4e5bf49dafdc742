/*
 * The memory profile's files (ps_memreport.h).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_alloc_wrappers.h"
#include "model/ps_folded.h"
#include "render/ps_html.h"
#include "render/ps_page.h"
#include "base/ps_error.h"
#include "base/ps_json.h"
#include "report/ps_memfold.h"
#include "report/ps_memreport.h"
#include "report/ps_memsites.h"
#include "base/ps_outfile.h"
#include "report/ps_report.h"
#include "report/ps_run_json.h"
#include "base/ps_util.h"


static const char *const api_names[PS_MEM_API_COUNT] = {
	"malloc", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
	"memalign", "valloc", "pvalloc", "free", "mmap", "munmap", "mremap",
};

static const char *const leak_names[PS_LEAK_KINDS] = {
	"definite", "indirect", "reachable", "unclassified",
};

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* ---- folded files ---- */

static uint64_t w_leaks(const struct ps_heap_site *s) { return ps_heap_lost_bytes(s->leak_bytes); }
static uint64_t w_allocs(const struct ps_heap_site *s) { return s->alloc_bytes; }
static uint64_t w_peak(const struct ps_heap_site *s) { return s->peak_bytes; }
static uint64_t w_temp(const struct ps_heap_site *s) { return s->temporary_bytes; }

static int fold_frames(struct ps_folded *f, const struct ps_mem_run *r, const struct ps_stacks *ss,
		       const struct ps_stack *st)
{
	return ps_report_fold_stack(f, r->symbols, ss, st, ps_mem_run_tracker_frame, r);
}

/* Page faults: comm;outermost;...;the code that touched the page */
static int write_faults_folded(FILE *fp, const struct ps_mem_run *r)
{
	const struct ps_stacks *ss = r->faults.stacks;
	struct ps_folded f;
	int rc = PS_E_NOMEM;

	if (ps_folded_init(&f) < 0)
		return PS_E_NOMEM;
	for (size_t i = 0; i < ss->nstacks; i++) {
		const struct ps_stack *st = &ss->stacks[i];
		const struct ps_thread_instance *t = &r->procs->threads[st->thread];

		ps_folded_begin(&f);
		if (ps_folded_frame(&f, t->proc_comm[0] ? t->proc_comm : "[unknown]") < 0 ||
		    fold_frames(&f, r, ss, st) < 0 || ps_folded_end(&f, st->count * r->faults.period) < 0)
			goto out;
	}
	rc = ps_folded_write(&f, fp);
out:
	ps_folded_release(&f);
	return rc;
}

/* ---- memory.json ---- */

static cJSON *blocks_bytes(uint64_t blocks, uint64_t bytes)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "blocks", (double)blocks);
	cJSON_AddNumberToObject(o, "bytes", (double)bytes);
	return o;
}

static cJSON *leaks(const uint64_t *blocks, const uint64_t *bytes)
{
	cJSON *o = cJSON_CreateObject();

	for (int k = 0; k < PS_LEAK_KINDS; k++)
		cJSON_AddItemToObject(o, leak_names[k], blocks_bytes(blocks[k], bytes[k]));
	return o;
}

static const char *ended_how(const struct ps_heap_proc *p)
{
	if (!p->end_ns)
		return "running";
	return p->exited ? "exit" : p->execed ? "exec" : "vanished";
}

static cJSON *rss_point(const struct ps_rss_point *pt, uint64_t start_ns)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "time_s", pt->time_ns > start_ns ? secs(pt->time_ns - start_ns) : 0);
	cJSON_AddNumberToObject(o, "bytes", (double)ps_rss_total(pt));
	cJSON_AddNumberToObject(o, "anon", (double)pt->anon);
	cJSON_AddNumberToObject(o, "file", (double)pt->file);
	cJSON_AddNumberToObject(o, "shmem", (double)pt->shmem);
	cJSON_AddNumberToObject(o, "swap", (double)pt->swap);
	if (pt->pss) {
		cJSON_AddNumberToObject(o, "pss", (double)pt->pss);
		cJSON_AddNumberToObject(o, "swap_pss", (double)pt->swap_pss);
	} else {
		cJSON_AddNullToObject(o, "pss");
		cJSON_AddNullToObject(o, "swap_pss");
	}
	return o;
}

/* glibc's count of its heap at exit(): what it got from the kernel and how it is used. */
static cJSON *mallinfo_json(const struct ps_mem_mallinfo *mi)
{
	cJSON *o;

	if (!mi->known)
		return cJSON_CreateNull();
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "arena", (double)mi->arena);
	cJSON_AddNumberToObject(o, "mmapped", (double)mi->mmapped);
	cJSON_AddNumberToObject(o, "in_use", (double)mi->in_use);
	cJSON_AddNumberToObject(o, "free", (double)mi->free);
	cJSON_AddNumberToObject(o, "releasable", (double)mi->releasable);
	cJSON_AddNumberToObject(o, "free_share", mi->arena ? (double)mi->free / (double)mi->arena : 0);
	return o;
}

/*
 * A trend as memory.json says it: growth_bytes_per_s only when the run
 * held enough steady time to judge it (else null), and always the fit's
 * quality, the steady time and the raw change.
 */
static void add_trend(cJSON *o, const struct ps_trend *tr)
{
	cJSON *g;

	if (tr->judged)
		cJSON_AddNumberToObject(o, "growth_bytes_per_s", tr->per_s);
	else
		cJSON_AddNullToObject(o, "growth_bytes_per_s");
	g = cJSON_AddObjectToObject(o, "growth");
	cJSON_AddBoolToObject(g, "judged", tr->judged);
	cJSON_AddNumberToObject(g, "r2", tr->r2);
	cJSON_AddNumberToObject(g, "steady_s", tr->steady_s);
	cJSON_AddNumberToObject(g, "change_bytes", tr->change);
}

/* Resident memory: timeline [t, anon, file, shmem, swap], peak, trend, at exit. */
static cJSON *rss_json(const struct ps_heap_proc *p)
{
	struct ps_trend tr;
	cJSON *o = cJSON_CreateObject(), *tl = cJSON_AddArrayToObject(o, "timeline");

	for (size_t i = 0; i < p->rss.n; i++) {
		const struct ps_rss_point *pt = &p->rss.pts[i];
		cJSON *row = cJSON_CreateArray();

		cJSON_AddItemToArray(row, cJSON_CreateNumber(pt->time_ns > p->start_ns ? secs(pt->time_ns - p->start_ns) : 0));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)pt->anon));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)pt->file));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)pt->shmem));
		cJSON_AddItemToArray(row, cJSON_CreateNumber((double)pt->swap));
		cJSON_AddItemToArray(tl, row);
	}
	if (p->rss.n)
		cJSON_AddItemToObject(o, "peak", rss_point(&p->rss.peak, p->start_ns));
	else
		cJSON_AddNullToObject(o, "peak");
	ps_rss_trend(&p->rss, &tr);
	add_trend(o, &tr);
	if (p->rss_at_exit_known)
		cJSON_AddItemToObject(o, "at_exit", rss_point(&p->rss_at_exit, p->start_ns));
	else
		cJSON_AddNullToObject(o, "at_exit");
	return o;
}

/* Share of the anonymous resident memory at exit() not holding live blocks. */
static double fragmentation(const struct ps_heap_proc *p)
{
	if (!p->rss_at_exit_known || !p->rss_at_exit.anon || p->live_at_exit >= p->rss_at_exit.anon)
		return 0;
	return 1.0 - (double)p->live_at_exit / (double)p->rss_at_exit.anon;
}

/* Allocations by size, power-of-two buckets that are not empty. */
static cJSON *size_histogram(const struct ps_heap_proc *p)
{
	cJSON *arr = cJSON_CreateArray();

	for (unsigned b = 0; b < PS_HEAP_SIZE_BUCKETS; b++) {
		cJSON *o;

		if (!p->size_calls[b])
			continue;
		o = cJSON_CreateObject();
		if (b + 1 < PS_HEAP_SIZE_BUCKETS)
			cJSON_AddNumberToObject(o, "up_to", (double)(16ull << b));
		else
			cJSON_AddNullToObject(o, "up_to");
		cJSON_AddNumberToObject(o, "allocations", (double)p->size_calls[b]);
		cJSON_AddNumberToObject(o, "bytes", (double)p->size_bytes[b]);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}


/* The time-sliced view: for each slice, what the process and its top sites allocated and held. */
static cJSON *slices_json(const struct ps_heap *hp, uint32_t proc, const uint32_t *rank)
{
	const struct ps_heap_proc *p = hp->proc[proc];
	const struct ps_heap_slicing *sl = &p->slicing;
	cJSON *arr = cJSON_CreateArray();
	struct ps_heap_slice_tops top;

	ps_heap_slice_tops(hp, proc, PS_MEMSITES_SLICE_TOP, &top);
	for (size_t k = 0; k < sl->n; k++) {
		uint64_t start = k ? sl->end_ns[k - 1] : sl->first_ns;
		struct ps_heap_snap total = ps_heap_slice_delta(hp, proc, -1, k);
		cJSON *o = cJSON_CreateObject(), *tops;

		cJSON_AddNumberToObject(o, "start_s", secs(start - p->start_ns));
		cJSON_AddNumberToObject(o, "end_s", secs(sl->end_ns[k] - p->start_ns));
		cJSON_AddNumberToObject(o, "allocated_bytes", (double)total.allocated);
		cJSON_AddNumberToObject(o, "live_bytes", (double)total.live);
		tops = cJSON_AddArrayToObject(o, "top_sites");
		for (size_t i = 0; i < top.n[k]; i++) {
			struct ps_heap_snap d = ps_heap_slice_delta(hp, proc, top.site[k][i], k);
			cJSON *t = cJSON_CreateObject();

			cJSON_AddNumberToObject(t, "site", rank[top.site[k][i]]);
			cJSON_AddNumberToObject(t, "allocated_bytes", (double)d.allocated);
			cJSON_AddNumberToObject(t, "live_bytes", (double)d.live);
			cJSON_AddItemToArray(tops, t);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Sites whose live bytes kept growing, fastest first. */
static cJSON *growing_json(const struct ps_heap *hp, uint32_t proc, const uint32_t *rank)
{
	size_t n;
	struct ps_heap_growing *g = ps_heap_growing_sites(hp, proc, &n);
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < n && i < PS_MEMSITES_GROWING_MAX; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "site", rank[g[i].site]);
		if (g[i].judged)
			cJSON_AddNumberToObject(o, "growth_bytes_per_s", round(g[i].bytes_per_s));
		else
			cJSON_AddNullToObject(o, "growth_bytes_per_s");
		cJSON_AddNumberToObject(o, "span_s", g[i].span_s);
		cJSON_AddNumberToObject(o, "first_live_bytes", (double)g[i].first_live);
		cJSON_AddNumberToObject(o, "last_live_bytes", (double)g[i].last_live);
		cJSON_AddNumberToObject(o, "rising_share", g[i].rising_share);
		cJSON_AddItemToArray(arr, o);
	}
	free(g);
	return arr;
}

static cJSON *process_json(const struct ps_heap *hp, uint32_t proc, const uint32_t *rank)
{
	const struct ps_heap_proc *p = hp->proc[proc];
	cJSON *o = cJSON_CreateObject(), *peak, *api, *tl;
	struct ps_trend tr;

	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "generation", p->gen);
	cJSON_AddStringToObject(o, "exe", p->exe);
	cJSON_AddStringToObject(o, "ended", ended_how(p));
	cJSON_AddNumberToObject(o, "duration_s", p->end_ns > p->start_ns ? secs(p->end_ns - p->start_ns) : 0);
	cJSON_AddNumberToObject(o, "allocations", (double)p->allocs);
	cJSON_AddNumberToObject(o, "estimated_allocations", round(p->est_allocs));
	cJSON_AddNumberToObject(o, "frees", (double)p->frees);
	cJSON_AddNumberToObject(o, "allocated_bytes", (double)p->alloc_bytes);
	cJSON_AddItemToObject(o, "live_at_end", blocks_bytes(p->live_blocks, p->live_bytes));
	peak = blocks_bytes(p->peak_blocks, p->peak_bytes);
	cJSON_AddNumberToObject(peak, "time_s", p->peak_time_ns > p->start_ns ? secs(p->peak_time_ns - p->start_ns) : 0);
	cJSON_AddItemToObject(o, "peak", peak);
	cJSON_AddNumberToObject(o, "temporary_allocations", (double)p->temporary);
	cJSON_AddNumberToObject(o, "allocations_per_s", p->end_ns > p->start_ns ?
				(double)p->allocs / secs(p->end_ns - p->start_ns) : 0);
	cJSON_AddItemToObject(o, "size_histogram", size_histogram(p));
	cJSON_AddNumberToObject(o, "unknown_frees", (double)p->unknown_frees);
	cJSON_AddBoolToObject(o, "leaks_classified", p->leaks_classified);
	cJSON_AddItemToObject(o, "leaks", leaks(p->leak_blocks, p->leak_bytes));
	api = cJSON_AddObjectToObject(o, "api");
	for (int i = 0; i < PS_MEM_API_COUNT; i++) {
		cJSON *a;

		if (!p->api_calls[i])
			continue;
		a = cJSON_AddObjectToObject(api, api_names[i]);
		cJSON_AddNumberToObject(a, "calls", (double)p->api_calls[i]);
		if (i != PS_MEM_API_FREE && i != PS_MEM_API_MUNMAP)
			cJSON_AddNumberToObject(a, "bytes", (double)p->api_bytes[i]);
	}
	ps_heap_trend(p, &tr);
	add_trend(o, &tr);
	cJSON_AddItemToObject(o, "rss", rss_json(p));
	if (p->rss_at_exit_known)
		cJSON_AddNumberToObject(o, "fragmentation", fragmentation(p));
	else
		cJSON_AddNullToObject(o, "fragmentation");
	cJSON_AddItemToObject(o, "mallinfo", mallinfo_json(&p->mallinfo));
	tl = cJSON_AddArrayToObject(o, "timeline");
	for (size_t i = 0; i < p->npoints; i++) {
		cJSON *pt = cJSON_CreateArray();

		cJSON_AddItemToArray(pt, cJSON_CreateNumber(secs(p->timeline[i].time_ns - p->start_ns)));
		cJSON_AddItemToArray(pt, cJSON_CreateNumber((double)p->timeline[i].live_bytes));
		cJSON_AddItemToArray(tl, pt);
	}
	cJSON_AddItemToObject(o, "slices", slices_json(hp, proc, rank));
	cJSON_AddItemToObject(o, "growing_sites", growing_json(hp, proc, rank));
	return o;
}

static cJSON *frames_json(const struct ps_mem_run *r, const struct ps_stacks *ss, int64_t stack)
{
	return ps_report_stack_json(r->symbols, r->modules, ss, stack, ps_mem_run_tracker_frame, r);
}

static cJSON *stack_json(const struct ps_mem_run *r, const struct ps_heap_site *s)
{
	return frames_json(r, r->stacks, s->stack);
}

/* The site past the allocator layer: its function and its place in "stack". */
static void add_site_frame(cJSON *o, const struct ps_mem_run *r, const struct ps_heap_site *s)
{
	struct ps_mem_site_frame f;

	ps_mem_run_site(r, s, &f);
	if (f.function) {
		cJSON_AddStringToObject(o, "function", f.function);
		cJSON_AddNumberToObject(o, "site_frame", f.index);
	} else {
		cJSON_AddNullToObject(o, "function");
		cJSON_AddNullToObject(o, "site_frame");
	}
}

#define WRAPPERS_MAX 10

/* Functions that look like allocation wrappers the layer does not know. */
static cJSON *wrappers_json(const struct ps_mem_run *r)
{
	struct ps_alloc_wrapper w[WRAPPERS_MAX];
	cJSON *arr = cJSON_CreateArray();
	int n = ps_alloc_wrappers_find(r, w, WRAPPERS_MAX);

	for (int i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "function", w[i].function);
		cJSON_AddNumberToObject(o, "callers", w[i].callers);
		cJSON_AddNumberToObject(o, "sites", w[i].sites);
		cJSON_AddNumberToObject(o, "allocated_bytes", (double)w[i].bytes);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *sites_json(const struct ps_mem_run *r, const struct ps_memsites *ms)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < ms->n; i++) {
		const struct ps_heap_site *s = &r->heap->sites[ms->order[i]];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "id", (double)i);
		cJSON_AddNumberToObject(o, "pid", r->heap->proc[s->proc]->pid);
		cJSON_AddNumberToObject(o, "allocations", (double)s->allocs);
		cJSON_AddNumberToObject(o, "estimated_allocations", round(s->est_allocs));
		cJSON_AddNumberToObject(o, "allocated_bytes", (double)s->alloc_bytes);
		cJSON_AddNumberToObject(o, "allocated_bytes_stddev", round(sqrt(s->var_bytes)));
		cJSON_AddNumberToObject(o, "temporary", (double)s->temporary);
		cJSON_AddNumberToObject(o, "temporary_bytes", (double)s->temporary_bytes);
		cJSON_AddItemToObject(o, "peak", blocks_bytes(s->peak_blocks, s->peak_bytes));
		cJSON_AddNumberToObject(o, "max_live_bytes", (double)s->max_live_bytes);
		cJSON_AddItemToObject(o, "live_at_end", blocks_bytes(s->live_blocks, s->live_bytes));
		cJSON_AddItemToObject(o, "leaks", leaks(s->leak_blocks, s->leak_bytes));
		add_site_frame(o, r, s);
		cJSON_AddItemToObject(o, "stack", stack_json(r, s));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

#define TOP_FAULT_STACKS 20

static int cmp_stack_count(const void *a, const void *b, void *ctx)
{
	const struct ps_stacks *ss = ctx;
	const struct ps_stack *x = &ss->stacks[*(const uint32_t *)a];
	const struct ps_stack *y = &ss->stacks[*(const uint32_t *)b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* Page faults: how many, and the stacks that took the most. */
static cJSON *faults_json(const struct ps_mem_run *r)
{
	const struct ps_mem_faults *f = &r->faults;
	const struct ps_stacks *ss = f->stacks;
	cJSON *o = cJSON_CreateObject(), *top;
	uint32_t *order;

	cJSON_AddBoolToObject(o, "sampled", f->sampled);
	ps_run_json_note(o, "note", &r->run.notes, "faults_note");
	cJSON_AddNumberToObject(o, "period", f->period);
	cJSON_AddNumberToObject(o, "faults", (double)f->total);
	cJSON_AddNumberToObject(o, "samples", (double)f->samples);
	cJSON_AddNumberToObject(o, "lost", (double)f->lost);
	top = cJSON_AddArrayToObject(o, "top");
	order = ps_sorted_indexes(ss->nstacks, cmp_stack_count, (void *)ss);
	if (!order)
		return o;
	for (size_t i = 0; i < ss->nstacks && i < TOP_FAULT_STACKS; i++) {
		const struct ps_stack *st = &ss->stacks[order[i]];
		cJSON *t = cJSON_CreateObject();

		cJSON_AddNumberToObject(t, "pid", r->procs->threads[st->thread].pid);
		cJSON_AddNumberToObject(t, "samples", (double)st->count);
		cJSON_AddNumberToObject(t, "share", f->samples ? (double)st->count / (double)f->samples : 0);
		cJSON_AddItemToObject(t, "stack", frames_json(r, ss, order[i]));
		cJSON_AddItemToArray(top, t);
	}
	free(order);
	return o;
}

static cJSON *metadata(const struct ps_mem_run *r, const struct ps_memreport_opts *o)
{
	const struct ps_run *run = &r->run;
	const struct ps_mem_tracking *t = &r->tracking;
	const struct ps_mem_counts *n = &r->counts;
	cJSON *md = cJSON_CreateObject(), *scan;

	ps_run_json_target(md, run);
	cJSON_AddNumberToObject(md, "duration_s", ps_run_seconds(run));
	ps_run_json_exit(md, run);
	cJSON_AddStringToObject(md, "stopped_by", ps_run_stop_name(run->stopped_by));
	cJSON_AddStringToObject(md, "mode", !t->launched ? "process" : t->sample_bytes ? "sampled" : "exact");
	if (t->sample_bytes) {
		cJSON_AddNumberToObject(md, "sample_bytes", (double)t->sample_bytes);
		cJSON_AddNumberToObject(md, "sample_seed", (double)t->sample_seed);
		/* a site that allocated this much in all is found 95% of the time */
		cJSON_AddNumberToObject(md, "detection_bytes_95", (double)t->sample_bytes * log(20.0));
	} else {
		cJSON_AddNullToObject(md, "sample_bytes");
		cJSON_AddNullToObject(md, "sample_seed");
		cJSON_AddNullToObject(md, "detection_bytes_95");
	}
	if (t->tracker)
		cJSON_AddStringToObject(md, "tracker", t->tracker);
	else
		cJSON_AddNullToObject(md, "tracker");
	cJSON_AddNumberToObject(md, "interval_s", t->interval_s);
	ps_run_json_note(md, "tracker_note", &run->notes, "tracker_note");
	if (t->uprobes) {
		cJSON *up = cJSON_AddObjectToObject(md, "uprobes");

		cJSON_AddNumberToObject(up, "hits", (double)t->uprobe_hits);
		cJSON_AddNumberToObject(up, "lost", (double)t->uprobe_lost);
		cJSON_AddNumberToObject(up, "unpaired", (double)t->uprobe_unpaired);
		cJSON_AddNumberToObject(up, "cost_us", t->uprobe_cost_us);
	} else {
		cJSON_AddNullToObject(md, "uprobes");
	}
	ps_run_json_note(md, "uprobe_note", &run->notes, "uprobe_note");
	ps_run_json_note(md, "allocator_note", &run->notes, "allocator_note");
	cJSON_AddNumberToObject(md, "records", (double)n->records);
	cJSON_AddNumberToObject(md, "dropped_records", (double)n->dropped);
	cJSON_AddNumberToObject(md, "rejected_records", (double)n->rejected);
	cJSON_AddNumberToObject(md, "corrupt_files", (double)n->corrupt_files);
	cJSON_AddNumberToObject(md, "truncated_files", (double)n->truncated_files);
	cJSON_AddNumberToObject(md, "refused_files", (double)n->refused_files);
	cJSON_AddNumberToObject(md, "untracked_images", (double)n->untracked_images);
	cJSON_AddNumberToObject(md, "untracked_threads", (double)n->untracked_threads);
	cJSON_AddNumberToObject(md, "missing_stacks", (double)r->heap->missing_stacks);
	cJSON_AddNumberToObject(md, "unwind_fallbacks", (double)n->unwind_fallbacks);
	cJSON_AddNumberToObject(md, "unwind_verified", (double)n->unwind_verified);
	cJSON_AddNumberToObject(md, "unwind_mismatches", (double)n->unwind_mismatches);
	cJSON_AddNumberToObject(md, "unresolved_frames", (double)r->symbols->unresolved);
	scan = cJSON_AddObjectToObject(md, "leak_scan");
	cJSON_AddNumberToObject(scan, "root_bytes", (double)r->scan.root_bytes);
	cJSON_AddNumberToObject(scan, "heap_bytes", (double)r->scan.heap_bytes);
	cJSON_AddNumberToObject(scan, "unreadable_ranges", (double)r->scan.unreadable);
	ps_run_json_note(scan, "note", &run->notes, "leak_scan_note");
	cJSON_AddNumberToObject(md, "max_sites", (double)(o->max_sites ? o->max_sites : PS_MEMSITES_DEFAULT_MAX));
	cJSON_AddNumberToObject(md, "perfscope_cpu_s", o->perfscope_cpu_s);
	return md;
}

/* The process image with the largest peak: in a build, the compiler, not the driver that was launched. */
static void add_largest(cJSON *o, const struct ps_mem_run *r)
{
	size_t i = ps_mem_run_largest(r);
	const struct ps_heap_proc *p;
	cJSON *l;

	if (i >= r->heap->nprocs) {
		cJSON_AddNullToObject(o, "largest_process");
		return;
	}
	p = r->heap->proc[i];
	l = cJSON_AddObjectToObject(o, "largest_process");
	cJSON_AddNumberToObject(l, "pid", p->pid);
	cJSON_AddNumberToObject(l, "generation", p->gen);
	cJSON_AddStringToObject(l, "exe", p->exe);
	cJSON_AddNumberToObject(l, "peak_bytes", (double)p->peak_bytes);
}

static cJSON *summary(const struct ps_mem_run *r)
{
	const struct ps_heap_proc *p = ps_mem_run_main(r);
	cJSON *o = cJSON_CreateObject();
	struct ps_trend tr = { 0 };
	uint64_t lost_blocks = 0, lost_bytes = 0, allocs = 0, temporary = 0;

	for (size_t i = 0; i < r->heap->nprocs; i++) {
		const struct ps_heap_proc *q = r->heap->proc[i];

		lost_bytes += ps_heap_lost_bytes(q->leak_bytes);
		lost_blocks += q->leak_blocks[PS_LEAK_DEFINITE] + q->leak_blocks[PS_LEAK_INDIRECT] +
			       q->leak_blocks[PS_LEAK_UNCLASSIFIED];
		allocs += q->allocs;
		temporary += q->temporary;
	}
	cJSON_AddNumberToObject(o, "processes", (double)r->heap->nprocs);
	cJSON_AddNumberToObject(o, "allocations", (double)allocs);
	cJSON_AddNumberToObject(o, "temporary_allocations", (double)temporary);
	cJSON_AddItemToObject(o, "lost", blocks_bytes(lost_blocks, lost_bytes));
	cJSON_AddNumberToObject(o, "peak_bytes", p ? (double)p->peak_bytes : 0);
	cJSON_AddNumberToObject(o, "peak_time_s", p && p->peak_time_ns > p->start_ns ?
				secs(p->peak_time_ns - p->start_ns) : 0);
	if (p)
		ps_heap_trend(p, &tr);
	add_trend(o, &tr);
	add_largest(o, r);
	return o;
}

/* memory.json's document, the baseline's comparison (amend) included; NULL: no memory. */
/* What the sites left out of memory.json add up to. */
static cJSON *omitted_json(const struct ps_memsites *ms)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "sites", (double)ms->omitted.sites);
	cJSON_AddNumberToObject(o, "allocations", (double)ms->omitted.allocations);
	cJSON_AddNumberToObject(o, "allocated_bytes", (double)ms->omitted.allocated_bytes);
	cJSON_AddNumberToObject(o, "temporary_bytes", (double)ms->omitted.temporary_bytes);
	cJSON_AddNumberToObject(o, "lost_bytes", (double)ms->omitted.lost_bytes);
	return o;
}

static cJSON *build_json(const struct ps_mem_run *r, const struct ps_memreport_opts *o)
{
	struct ps_memsites ms;
	cJSON *root, *procs;

	if (ps_memsites_select(&ms, r, o->max_sites) < 0)
		return NULL;
	root = cJSON_CreateObject();
	if (!root)
		goto out;
	cJSON_AddStringToObject(root, "perfscope_version", o->version ? o->version : "");
	cJSON_AddStringToObject(root, "kind", "memory-profile");
	cJSON_AddItemToObject(root, "metadata", metadata(r, o));
	cJSON_AddItemToObject(root, "summary", summary(r));
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < r->heap->nprocs; i++)
		cJSON_AddItemToArray(procs, process_json(r->heap, (uint32_t)i, ms.rank));
	cJSON_AddItemToObject(root, "sites", sites_json(r, &ms));
	cJSON_AddItemToObject(root, "sites_omitted", omitted_json(&ms));
	if (o->sites)
		*o->sites = (struct ps_memreport_sites){ ms.n, (size_t)ms.omitted.sites, ms.omitted.allocated_bytes };
	cJSON_AddItemToObject(root, "wrappers", wrappers_json(r));
	cJSON_AddItemToObject(root, "page_faults", faults_json(r));
	if (o->amend)
		o->amend(root, o->amend_ctx);
out:
	ps_memsites_release(&ms);
	return root;
}

struct write_ctx {
	const struct ps_mem_run *r;
	const struct ps_memreport_opts *o;
	struct ps_memfold *fold;    /* the sites' lines, shared by the folded files and graphs */
	const char *text;           /* memory.json, printed */
	const cJSON *report;        /* ...and parsed back: what the page shows, to the last digit */
};

static int write_json(FILE *fp, const void *ctx, const void *arg)
{
	const struct write_ctx *c = ctx;

	(void)arg;
	ps_json_put_text(fp, c->text);
	return 0;
}

/* The ways a site's bytes are weighed for a folded file or a graph. */
static const struct weighing {
	enum ps_fold_weight kind;
	ps_memfold_weight_fn fn;
} weighings[] = {
	{ PS_FOLD_LEAKED, w_leaks }, { PS_FOLD_ALLOCATED, w_allocs },
	{ PS_FOLD_PEAK, w_peak }, { PS_FOLD_TEMPORARY, w_temp },
};

static int write_sites(FILE *fp, const void *ctx, const void *arg)
{
	const struct weighing *w = arg;

	return ps_memfold_write(((const struct write_ctx *)ctx)->fold, w->fn, fp);
}

static int write_faults(FILE *fp, const void *ctx, const void *arg)
{
	(void)arg;
	return write_faults_folded(fp, ((const struct write_ctx *)ctx)->r);
}

/* One of the folded files, for a page's graph. */
struct fold_ctx {
	struct ps_memfold *fold;
	ps_memfold_weight_fn weight;
};

static int fold(FILE *fp, const void *ctx)
{
	const struct fold_ctx *f = ctx;

	return ps_memfold_write(f->fold, f->weight, fp);
}

/* A graph of the page, from the session's sites weighed as the graph says. */
static int draw_graph(char **svg, const struct ps_page_graph *g, char *note, size_t note_len,
		      const void *ctx, struct ps_error *err)
{
	const struct write_ctx *c = ctx;

	(void)note, (void)note_len, (void)err;
	for (size_t i = 0; i < sizeof(weighings) / sizeof(weighings[0]); i++)
		if (weighings[i].kind == g->weight)
			return ps_html_draw_folded(svg, fold, &(struct fold_ctx){ c->fold, weighings[i].fn }, g->id,
						   &g->opts);
	return 0;
}

/* memory.html: memory.json's document, and the leaks' and allocations' graphs. */
static int write_html(FILE *fp, const void *ctx, const void *arg)
{
	const struct write_ctx *c = ctx;
	struct ps_error err = { 0 };
	int rc;

	(void)arg;
	rc = ps_page_write(fp, c->report, draw_graph, c, &err);
	return rc < 0 ? rc : 0;
}

/*
 * The memory profile's output directory, in the order the files are
 * written: memory.json, memory.html, the folded files.  What the report
 * holds goes as soon as nothing needs it (a compiler's text is 12 MB, its
 * tree several times that): the text once memory.json is written, the
 * tree once the page is, before the folded files' lines are built.
 */
static const struct ps_outfile_entry json_file[] = {
	{ "memory.json", write_json, NULL, false },
};

static const struct ps_outfile_entry page_file[] = {
	{ "memory.html", write_html, NULL, true },
};

static const struct ps_outfile_entry folded_files[] = {
	{ "leaks.folded", write_sites, &weighings[0], false },
	{ "allocations.folded", write_sites, &weighings[1], false },
	{ "peak.folded", write_sites, &weighings[2], false },
	{ "temporary.folded", write_sites, &weighings[3], false },
	{ "faults.folded", write_faults, NULL, false },
};

int ps_memreport_write_all(const struct ps_mem_run *r, const char *dir,
			   const struct ps_memreport_opts *o, struct ps_error *err)
{
	char *text;
	cJSON *report = ps_json_reparse(build_json(r, o), &text, NULL);
	struct ps_memfold fold;
	struct write_ctx c = { r, o, &fold, text, report };
	int rc;

	if (!c.report || ps_memfold_init(&fold, r) < 0) {
		cJSON_Delete(report);
		free(text);
		return ps_error_set(err, PS_E_NOMEM, "out of memory building memory.json");
	}
	rc = ps_outfile_write_dir(dir, json_file, 1, !o->no_html, &c, err);
	free(text);
	c.text = NULL;
	if (rc == 0)
		rc = ps_outfile_write_dir(dir, page_file, 1, !o->no_html, &c, err);
	cJSON_Delete(report);
	c.report = NULL;
	if (rc == 0)
		rc = ps_outfile_write_dir(dir, folded_files, sizeof(folded_files) / sizeof(folded_files[0]),
					  !o->no_html, &c, err);
	ps_memfold_release(&fold);
	return rc;
}
