/*
 * The files of a profile (ps_profreport.h).
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/ps_compare.h"
#include "analyze/ps_facts.h"
#include "render/ps_flamegraph.h"
#include "model/ps_folded.h"
#include "render/ps_html.h"
#include "render/ps_page.h"
#include "base/ps_error.h"
#include "base/ps_json.h"
#include "base/ps_outfile.h"
#include "base/ps_stats.h"
#include "report/ps_profreport.h"
#include "report/ps_report.h"
#include "report/ps_procs_json.h"
#include "report/ps_run_json.h"
#include "analyze/ps_rules.h"
#include "base/ps_util.h"

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* Section `id` of the run: collected, and its note. */
static cJSON *section_json(const struct ps_profile_run *r, const char *id, bool collected)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddBoolToObject(o, "collected", collected);
	ps_run_json_note(o, "note", &r->notes, id);
	return o;
}

static cJSON *metadata(const struct ps_profile_run *r, const struct ps_profreport_opts *o)
{
	const struct ps_run *run = &r->cpu->run;
	cJSON *md = cJSON_CreateObject(), *sections;

	ps_run_json_target(md, run);
	cJSON_AddNumberToObject(md, "duration_s", ps_run_seconds(run));
	ps_run_json_exit(md, run);
	cJSON_AddStringToObject(md, "stopped_by", ps_run_stop_name(run->stopped_by));
	cJSON_AddNumberToObject(md, "perfscope_cpu_s", o->perfscope_cpu_s);
	ps_run_json_note(md, "tracefs_note", &r->notes, "tracefs_note");
	sections = cJSON_AddObjectToObject(md, "sections");
	cJSON_AddItemToObject(sections, "syscalls", section_json(r, "syscalls", r->syscalls.collected));
	cJSON_AddItemToObject(sections, "offcpu", section_json(r, "offcpu", r->offcpu.collected));
	cJSON_AddItemToObject(sections, "metrics", section_json(r, "metrics", r->metrics.collected));
	return md;
}

static double us(uint64_t ns)
{
	return (double)ns / 1e3;
}

static cJSON *syscalls_json(const struct ps_profile_run *r)
{
	const struct ps_profile_syscalls *s = &r->syscalls;
	cJSON *o = cJSON_CreateObject(), *calls, *paths;
	size_t n;
	int *order;

	cJSON_AddNumberToObject(o, "events", (double)s->events);
	cJSON_AddNumberToObject(o, "lost_events", (double)s->lost);
	cJSON_AddNumberToObject(o, "unmatched_exits", (double)s->unmatched);
	paths = cJSON_AddObjectToObject(o, "open_paths");
	cJSON_AddNumberToObject(paths, "captured", (double)s->paths_captured);
	cJSON_AddNumberToObject(paths, "unreadable", (double)s->paths_unread);
	cJSON_AddBoolToObject(o, "complete", s->collected && s->lost == 0);
	calls = cJSON_AddArrayToObject(o, "calls");
	order = ps_syscall_order(s->stats, &n);
	for (size_t i = 0; order && i < n; i++) {
		const struct ps_syscall_stat *st = &s->stats[order[i]];
		cJSON *c = cJSON_CreateObject(), *errs;
		char buf[32];

		cJSON_AddStringToObject(c, "name", ps_syscall_name(order[i], buf, sizeof(buf)));
		cJSON_AddNumberToObject(c, "nr", order[i]);
		cJSON_AddNumberToObject(c, "count", (double)st->count);
		cJSON_AddNumberToObject(c, "errors", (double)st->errors);
		errs = cJSON_AddObjectToObject(c, "errnos");
		for (int k = 0; k < PS_ERRNO_SLOTS && st->errnos[k].count; k++) {
			const char *name = strerrorname_np(st->errnos[k].err);

			snprintf(buf, sizeof(buf), "%d", st->errnos[k].err);
			cJSON_AddNumberToObject(errs, name ? name : buf, (double)st->errnos[k].count);
		}
		cJSON_AddNumberToObject(c, "total_s", secs(st->total_ns));
		cJSON_AddNumberToObject(c, "avg_us", st->count ? us(st->total_ns) / (double)st->count : 0);
		cJSON_AddNumberToObject(c, "p50_us", us(ps_syscall_quantile(st, 0.50)));
		cJSON_AddNumberToObject(c, "p95_us", us(ps_syscall_quantile(st, 0.95)));
		cJSON_AddNumberToObject(c, "p99_us", us(ps_syscall_quantile(st, 0.99)));
		cJSON_AddNumberToObject(c, "max_us", us(st->max_ns));
		cJSON_AddNumberToObject(c, "bytes", (double)st->bytes);
		cJSON_AddItemToArray(calls, c);
	}
	free(order);
	return o;
}

/* ---- files and sockets ---- */

static uint64_t file_ns(const struct ps_file_stat *f)
{
	return f->read_ns + f->write_ns + f->sync_ns;
}

static int cmp_file(const void *a, const void *b, void *ctx)
{
	const struct ps_profile_syscalls *f = ctx;
	const struct ps_file_stat *x = &f->files[*(const uint32_t *)a];
	const struct ps_file_stat *y = &f->files[*(const uint32_t *)b];

	if (file_ns(x) != file_ns(y))
		return file_ns(x) > file_ns(y) ? -1 : 1;
	return strcmp(x->name, y->name);
}

static cJSON *files_json(const struct ps_profile_run *r)
{
	const struct ps_profile_syscalls *f = &r->syscalls;
	cJSON *arr = cJSON_CreateArray();
	uint32_t *order = ps_sorted_indexes(f->nfiles, cmp_file, (void *)f);

	if (!order)
		return arr;
	for (size_t i = 0; i < f->nfiles; i++) {
		const struct ps_file_stat *st = &f->files[order[i]];
		cJSON *o;

		if (!st->reads && !st->writes && !st->syncs)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", st->name);
		cJSON_AddStringToObject(o, "kind", ps_file_kind_name(st->kind));
		cJSON_AddNumberToObject(o, "reads", (double)st->reads);
		cJSON_AddNumberToObject(o, "read_bytes", (double)st->read_bytes);
		cJSON_AddNumberToObject(o, "read_s", secs(st->read_ns));
		cJSON_AddNumberToObject(o, "writes", (double)st->writes);
		cJSON_AddNumberToObject(o, "written_bytes", (double)st->written_bytes);
		cJSON_AddNumberToObject(o, "write_s", secs(st->write_ns));
		cJSON_AddNumberToObject(o, "syncs", (double)st->syncs);
		cJSON_AddNumberToObject(o, "sync_s", secs(st->sync_ns));
		cJSON_AddNumberToObject(o, "sequential_ops", (double)st->sequential);
		cJSON_AddNumberToObject(o, "random_ops", (double)st->random);
		if (st->sequential + st->random)
			cJSON_AddNumberToObject(o, "sequential_share",
						(double)st->sequential / (double)(st->sequential + st->random));
		else
			cJSON_AddNullToObject(o, "sequential_share");
		cJSON_AddItemToArray(arr, o);
	}
	free(order);
	return arr;
}

/* ---- off-CPU ---- */

#define TOP_OFFCPU 20

static int cmp_site(const void *a, const void *b, void *ctx)
{
	const struct ps_profile_offcpu *o = ctx;
	const struct ps_offcpu_site *x = &o->sites[*(const uint32_t *)a];
	const struct ps_offcpu_site *y = &o->sites[*(const uint32_t *)b];

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static cJSON *offcpu_json(const struct ps_profile_run *run)
{
	const struct ps_profile_offcpu *o = &run->offcpu;
	cJSON *root = cJSON_CreateObject(), *by, *threads, *top;
	struct ps_offcpu_totals tot;
	uint32_t *order;

	ps_offcpu_totals(o->threads, o->nthreads, &tot);
	cJSON_AddBoolToObject(root, "stacks", o->stacks_on);
	cJSON_AddNumberToObject(root, "switches", (double)o->switches);
	cJSON_AddNumberToObject(root, "lost_events", (double)o->lost);
	cJSON_AddNumberToObject(root, "unpaired_switches", (double)o->unpaired);
	cJSON_AddNumberToObject(root, "truncated_stacks", (double)o->truncated_stacks);
	cJSON_AddNumberToObject(root, "blocked_s", secs(tot.blocked_ns));
	cJSON_AddNumberToObject(root, "runnable_s", secs(tot.runnable_ns));
	cJSON_AddNumberToObject(root, "voluntary_switches", (double)tot.voluntary);
	cJSON_AddNumberToObject(root, "involuntary_switches", (double)tot.involuntary);
	by = cJSON_AddObjectToObject(root, "blocked_by_reason_s");
	for (int r = 0; r < PS_OFF_REASONS; r++)
		cJSON_AddNumberToObject(by, ps_offcpu_reason_names[r], secs(tot.reason_ns[r]));
	threads = cJSON_AddArrayToObject(root, "threads");
	for (size_t i = 0; i < o->nthreads; i++) {
		const struct ps_offcpu_thread *t = &o->threads[i];
		cJSON *th = cJSON_CreateObject(), *tb = NULL;

		cJSON_AddNumberToObject(th, "pid", t->pid);
		cJSON_AddNumberToObject(th, "tid", t->tid);
		cJSON_AddNumberToObject(th, "wall_s", t->end_ns > t->begin_ns ? secs(t->end_ns - t->begin_ns) : 0);
		cJSON_AddNumberToObject(th, "on_cpu_s", secs(t->on_ns));
		cJSON_AddNumberToObject(th, "runnable_s", secs(t->runnable_ns));
		tb = cJSON_AddObjectToObject(th, "blocked_s");
		for (int r = 0; r < PS_OFF_REASONS; r++)
			if (t->blocked_ns[r])
				cJSON_AddNumberToObject(tb, ps_offcpu_reason_names[r], secs(t->blocked_ns[r]));
		cJSON_AddNumberToObject(th, "voluntary_switches", (double)t->voluntary);
		cJSON_AddNumberToObject(th, "involuntary_switches", (double)t->involuntary);
		cJSON_AddItemToArray(threads, th);
	}
	top = cJSON_AddArrayToObject(root, "top");
	order = ps_sorted_indexes(o->nsites, cmp_site, (void *)o);
	if (!order)
		return root;
	for (size_t i = 0; i < o->nsites && i < TOP_OFFCPU; i++) {
		const struct ps_offcpu_site *site = &o->sites[order[i]];
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "reason", ps_offcpu_reason_names[site->reason]);
		cJSON_AddNumberToObject(t, "tid", o->threads[site->thread].tid);
		cJSON_AddNumberToObject(t, "blocked_s", secs(site->ns));
		cJSON_AddNumberToObject(t, "waits", (double)site->count);
		cJSON_AddItemToObject(t, "stack", ps_report_stack_json(run->cpu->symbols, run->cpu->modules,
								       o->stacks, site->stack, NULL, NULL));
		cJSON_AddItemToArray(top, t);
	}
	free(order);
	return root;
}

/* Block I/O delay in clock ticks, or null where delay accounting is off. */
static void add_blkio(cJSON *o, const struct ps_profile_sched *s, uint64_t ticks)
{
	if (s->delayacct)
		cJSON_AddNumberToObject(o, "blkio_delay_s", (double)ticks / (double)s->ticks_per_s);
	else
		cJSON_AddNullToObject(o, "blkio_delay_s");
}

/* Per process, the sums of its threads' schedstat readings, in order of first sight. */
static cJSON *processes_json(const struct ps_profile_sched *s)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; i < s->n; i++) {
		const struct ps_thread_sched *t = &s->threads[i];
		uint64_t cpu = 0, delay = 0, threads = 0, blkio = 0;
		const char *name = "";
		bool seen = false;
		cJSON *o;

		for (size_t j = 0; j < i && !seen; j++)
			seen = s->threads[j].pid == t->pid;
		if (seen)
			continue;
		for (size_t j = i; j < s->n; j++) {
			const struct ps_thread_sched *u = &s->threads[j];

			if (u->pid != t->pid)
				continue;
			cpu += u->run - u->run0;
			delay += u->wait - u->wait0;
			blkio += u->blkio - u->blkio0;
			threads++;
			if (u->tid == u->pid)
				name = u->comm;
		}
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "pid", t->pid);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddNumberToObject(o, "threads", (double)threads);
		cJSON_AddNumberToObject(o, "cpu_s", secs(cpu));
		cJSON_AddNumberToObject(o, "sched_delay_s", secs(delay));
		add_blkio(o, s, blkio);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Per thread, from schedstat: CPU time and time runnable but waiting for a CPU. */
static cJSON *threads_json(const struct ps_profile_run *r)
{
	const struct ps_profile_sched *s = &r->sched;
	cJSON *o = cJSON_CreateObject(), *arr;

	cJSON_AddBoolToObject(o, "schedstat", s->available);
	if (s->delayacct)
		cJSON_AddNullToObject(o, "blkio_delay_note");
	else
		cJSON_AddStringToObject(o, "blkio_delay_note", s->delayacct_note);
	cJSON_AddItemToObject(o, "processes", processes_json(s));
	arr = cJSON_AddArrayToObject(o, "threads");
	for (size_t i = 0; i < s->n; i++) {
		const struct ps_thread_sched *t = &s->threads[i];
		cJSON *th = cJSON_CreateObject();

		cJSON_AddNumberToObject(th, "pid", t->pid);
		cJSON_AddNumberToObject(th, "tid", t->tid);
		cJSON_AddStringToObject(th, "name", t->comm);
		cJSON_AddBoolToObject(th, "from_start", t->from_start);
		cJSON_AddNumberToObject(th, "cpu_s", secs(t->run - t->run0));
		cJSON_AddNumberToObject(th, "sched_delay_s", secs(t->wait - t->wait0));
		cJSON_AddNumberToObject(th, "timeslices", (double)(t->slices - t->slices0));
		add_blkio(th, s, t->blkio - t->blkio0);
		cJSON_AddItemToArray(arr, th);
	}
	return o;
}

static const char *const metric_columns[] = {
	"time_s", "cpu_user_pct", "cpu_system_pct", "rss_bytes", "threads", "fds",
	"read_bytes_per_s", "write_bytes_per_s", "minor_faults_per_s", "major_faults_per_s",
	"machine_cpu_pct", "machine_mem_pct", "machine_steal_pct",
};
#define NCOLS (sizeof(metric_columns) / sizeof(metric_columns[0]))

/* Row i of the timeline: rates are from point i-1 to point i. */
static void metric_row(const struct ps_profile_metrics *m, size_t i, uint64_t start_ns, double *row)
{
	/* i < m->n: the caller's loop */
	const struct ps_metrics_point *pt = &m->pts[i], *prev = i ? &m->pts[i - 1] : NULL;

	if (!m->pts)
		return;
	double dt = prev && pt->time_ns > prev->time_ns ? secs(pt->time_ns - prev->time_ns) : 0;

	memset(row, 0, NCOLS * sizeof(*row));
	row[0] = pt->time_ns > start_ns ? secs(pt->time_ns - start_ns) : 0;
	row[3] = (double)pt->rss_bytes;
	row[4] = (double)pt->threads;
	row[5] = (double)pt->fds;
	if (pt->mem_total)
		row[11] = 100.0 * (1.0 - (double)pt->mem_available / (double)pt->mem_total);
	if (!prev || dt <= 0)
		return;
	row[1] = 100.0 * secs(pt->utime_ns - prev->utime_ns) / dt;
	row[2] = 100.0 * secs(pt->stime_ns - prev->stime_ns) / dt;
	if (pt->io_known && prev->io_known) {
		row[6] = (double)(pt->rchar - prev->rchar) / dt;
		row[7] = (double)(pt->wchar - prev->wchar) / dt;
	}
	row[8] = (double)(pt->minflt - prev->minflt) / dt;
	row[9] = (double)(pt->majflt - prev->majflt) / dt;
	if (pt->cpu_total_ticks > prev->cpu_total_ticks) {
		double total = (double)(pt->cpu_total_ticks - prev->cpu_total_ticks);

		row[10] = 100.0 * (double)(pt->cpu_busy_ticks - prev->cpu_busy_ticks) / total;
		row[12] = 100.0 * (double)(pt->cpu_steal_ticks - prev->cpu_steal_ticks) / total;
	}
}

static cJSON *metrics_json(const struct ps_profile_run *r)
{
	const struct ps_profile_metrics *m = &r->metrics;
	cJSON *o = cJSON_CreateObject(), *cols, *tl, *trends;
	double (*rows)[NCOLS] = malloc((m->n + 1) * sizeof(*rows));
	uint64_t start = r->cpu->run.start_ns;

	cJSON_AddNumberToObject(o, "interval_s", secs(m->every_ns));
	cols = cJSON_AddArrayToObject(o, "columns");
	for (size_t c = 0; c < NCOLS; c++)
		cJSON_AddItemToArray(cols, cJSON_CreateString(metric_columns[c]));
	tl = cJSON_AddArrayToObject(o, "timeline");
	trends = cJSON_AddObjectToObject(o, "trends");
	if (!rows)
		return o;
	for (size_t i = 0; i < m->n; i++) {
		cJSON *row = cJSON_CreateArray();

		metric_row(m, i, start, rows[i]);
		for (size_t c = 0; c < NCOLS; c++)
			cJSON_AddItemToArray(row, cJSON_CreateNumber(rows[i][c]));
		cJSON_AddItemToArray(tl, row);
	}
	/* the slope of each column per second, by least squares; null when the run is too short to judge */
	for (size_t c = 1; c < NCOLS; c++) {
		double t[PS_METRICS_MAX_POINTS], v[PS_METRICS_MAX_POINTS];
		struct ps_trend tr;

		for (size_t i = 0; i < m->n; i++) {
			t[i] = rows[i][0];
			v[i] = rows[i][c];
		}
		ps_trend_fit(t, v, m->n, &tr);
		if (tr.judged)
			cJSON_AddNumberToObject(trends, metric_columns[c], tr.per_s);
		else
			cJSON_AddNullToObject(trends, metric_columns[c]);
	}
	free(rows);
	return o;
}

/*
 * The diagnosis of the report built so far: the same engine as perfscope
 * recommend reading report.json, with the caller's rules or the built-in
 * ones; kept in *keep when asked.
 */
static cJSON *diagnosis_json(const cJSON *report, const struct ps_rules *given,
			     struct ps_diagnosis *keep)
{
	struct ps_rules builtin;
	struct ps_facts facts;
	struct ps_diagnosis d = { 0 };
	struct ps_error err = { 0 };
	cJSON *out = NULL;
	int rc = 0;

	ps_rules_init(&builtin);
	ps_facts_init(&facts);
	if (!given)
		rc = ps_rules_load(&builtin, ps_rules_default_json, "built-in rules", &err);
	if (rc == 0 && ps_facts_from_report(&facts, report, &err) == 0 &&
	    ps_diagnose(&d, given ? given : &builtin, &facts, &err) == 0)
		out = ps_diagnosis_json(&d);
	if (keep && out)
		*keep = d;
	else
		ps_diagnosis_release(&d);
	ps_facts_release(&facts);
	if (!keep || !out || given)
		ps_rules_release(&builtin);
	else
		keep->owned_rules = builtin;	/* the results point into them */
	if (!out) {
		out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "error", err.msg);
	}
	return out;
}

/* report.json's document, the baseline's comparison (amend) included. */
static cJSON *build_report(const struct ps_profile_run *r, const struct ps_profreport_opts *o)
{
	struct ps_report_opts ro = { .version = o->version, .perfscope_cpu_s = o->perfscope_cpu_s };
	cJSON *root = cJSON_CreateObject();

	if (!root)
		return NULL;
	cJSON_AddStringToObject(root, "perfscope_version", o->version ? o->version : "");
	cJSON_AddStringToObject(root, "kind", "profile");
	cJSON_AddItemToObject(root, "metadata", metadata(r, o));
	cJSON_AddItemToObject(root, "processes", ps_procs_json(r));
	cJSON_AddItemToObject(root, "cpu", ps_report_json_cpu(r->cpu, &ro));
	cJSON_AddItemToObject(root, "syscalls", syscalls_json(r));
	cJSON_AddItemToObject(root, "files", files_json(r));
	cJSON_AddItemToObject(root, "offcpu", offcpu_json(r));
	cJSON_AddItemToObject(root, "metrics", metrics_json(r));
	cJSON_AddItemToObject(root, "scheduler", threads_json(r));
	cJSON_AddItemToObject(root, "diagnosis", diagnosis_json(root, o->rules, o->diagnosis));
	if (o->runs) {
		cJSON_AddItemToArray(o->runs, ps_compare_figures(root));
		cJSON_AddItemToObject(root, "runs", cJSON_Duplicate(o->runs, 1));
	}
	if (o->amend)
		o->amend(root, o->amend_ctx);
	return root;
}

struct write_ctx {
	const struct ps_profile_run *r;
	const struct ps_profreport_opts *o;
	const char *text;           /* report.json, printed */
	const cJSON *report;        /* ...and parsed back: what the page shows, to the last digit;
				     * its cpu.stacks left out, the graphs being drawn from r */
};

static int write_report(FILE *fp, const void *ctx, const void *arg)
{
	const struct write_ctx *c = ctx;

	(void)arg;
	ps_json_put_text(fp, c->text);
	return 0;
}

/* comm;outermost;...;leaf[;[reason]] weight */
static int fold_stack(struct ps_folded *f, const struct ps_cpu_run *c, const struct ps_stacks *ss,
		      const struct ps_stack *st, const char *leaf, uint64_t weight)
{
	const struct ps_thread_instance *t = &c->procs->threads[st->thread];

	ps_folded_begin(f);
	if (ps_folded_frame(f, t->proc_comm[0] ? t->proc_comm : "[unknown]") < 0 ||
	    ps_report_fold_stack(f, c->symbols, ss, st, NULL, NULL) < 0)
		return PS_E_NOMEM;
	if (leaf && ps_folded_frame(f, leaf) < 0)
		return PS_E_NOMEM;
	return ps_folded_end(f, weight);
}

/* Blocked time in nanoseconds by stack, its reason as the leaf frame "[sleep]". */
static int add_offcpu(struct ps_folded *f, const struct ps_profile_run *r)
{
	const struct ps_profile_offcpu *o = &r->offcpu;

	for (size_t i = 0; i < o->nsites; i++) {
		const struct ps_offcpu_site *s = &o->sites[i];
		char leaf[32];

		snprintf(leaf, sizeof(leaf), "[%s]", ps_offcpu_reason_names[s->reason]);
		if (s->stack < 0) {
			const struct ps_offcpu_thread *t = &o->threads[s->thread];
			char comm[32];

			snprintf(comm, sizeof(comm), "[tid %u]", t->tid);
			ps_folded_begin(f);
			if (ps_folded_frame(f, comm) < 0 || ps_folded_frame(f, leaf) < 0 ||
			    ps_folded_end(f, s->ns) < 0)
				return PS_E_NOMEM;
		} else if (fold_stack(f, r->cpu, o->stacks, &o->stacks->stacks[s->stack], leaf, s->ns) < 0) {
			return PS_E_NOMEM;
		}
	}
	return 0;
}

/* On-CPU samples as nanoseconds (one sampling period each), then the blocked time. */
static int write_wall(FILE *fp, const void *ctx, const void *arg)
{
	const struct ps_profile_run *r = ((const struct write_ctx *)ctx)->r;
	const struct ps_cpu_run *c = r->cpu;
	const struct ps_stacks *ss = c->stacks;
	uint64_t period_ns = 1000000000ull / (c->sampling.frequency ? c->sampling.frequency : 1);
	struct ps_folded f;
	int rc = PS_E_NOMEM;

	(void)arg;
	if (ps_folded_init(&f) < 0)
		return PS_E_NOMEM;
	for (size_t i = 0; i < ss->nstacks; i++)
		if (ss->stacks[i].count &&
		    fold_stack(&f, c, ss, &ss->stacks[i], NULL, ss->stacks[i].count * period_ns) < 0)
			goto out;
	if (add_offcpu(&f, r) < 0)
		goto out;
	rc = ps_folded_write(&f, fp);
out:
	ps_folded_release(&f);
	return rc;
}

static int write_offcpu(FILE *fp, const void *ctx, const void *arg)
{
	const struct ps_profile_run *r = ((const struct write_ctx *)ctx)->r;
	struct ps_folded f;
	int rc = PS_E_NOMEM;

	(void)arg;
	if (ps_folded_init(&f) < 0)
		return PS_E_NOMEM;
	if (add_offcpu(&f, r) == 0)
		rc = ps_folded_write(&f, fp);
	ps_folded_release(&f);
	return rc;
}

static int write_cpu(FILE *fp, const void *ctx, const void *arg)
{
	const struct write_ctx *c = ctx;
	struct ps_report_opts ro = { .version = c->o->version, .perfscope_cpu_s = c->o->perfscope_cpu_s };

	(void)arg;
	return ps_report_folded.write(fp, c->r->cpu, &ro);
}

static int write_svg(FILE *fp, const void *ctx, const void *arg);
static int write_html(FILE *fp, const void *ctx, const void *arg);

/* The profile's output directory, in the order the files are written. */
static const struct ps_outfile_entry files[] = {
	{ "report.json", write_report, NULL, false },
	{ "cpu.folded", write_cpu, NULL, false },
	{ "offcpu.folded", write_offcpu, NULL, false },
	{ "wall.folded", write_wall, NULL, false },
	{ "cpu.svg", write_svg, &ps_page_profile_graphs[0], false },
	{ "offcpu.svg", write_svg, &ps_page_profile_graphs[1], false },
	{ "wall.svg", write_svg, &ps_page_profile_graphs[2], false },
	{ "report.html", write_html, NULL, true },
};
#define NFILES (sizeof(files) / sizeof(files[0]))

/* A graph's folded lines, from its folded file's writer. */
struct fold_ctx {
	const struct write_ctx *c;
	const char *folded;
};

static int fold(FILE *fp, const void *ctx)
{
	const struct fold_ctx *f = ctx;
	const struct ps_outfile_entry *e = ps_outfile_entry_find(files, NFILES, f->folded);

	return e ? e->write(fp, f->c, e->arg) : -1;
}

/* NAME.svg: the flame graph of NAME.folded. */
static int write_svg(FILE *fp, const void *ctx, const void *arg)
{
	const struct ps_page_graph *g = arg;

	return ps_flamegraph_svg_of(fp, fold, &(struct fold_ctx){ ctx, g->folded }, &g->opts);
}

/* A graph of the page, from the same folded lines as its file. */
static int draw_graph(char **svg, const struct ps_page_graph *g, char *note, size_t note_len,
		      const void *ctx, struct ps_error *err)
{
	(void)note, (void)note_len, (void)err;
	return ps_html_draw_folded(svg, fold, &(struct fold_ctx){ ctx, g->folded }, g->id, &g->opts);
}

/* report.html: report.json's document and the same three graphs, drawn for a page. */
static int write_html(FILE *fp, const void *ctx, const void *arg)
{
	const struct write_ctx *c = ctx;
	struct ps_error err = { 0 };
	int rc;

	(void)arg;
	rc = ps_page_write(fp, c->report, draw_graph, c, &err);
	return rc < 0 ? rc : 0;
}

int ps_profreport_write_all(const struct ps_profile_run *r, const char *dir,
			    const struct ps_profreport_opts *o, struct ps_error *err)
{
	static const char *const cpu_stacks[] = { "cpu", "stacks", NULL };
	static const ps_json_path leave_out[] = { cpu_stacks, NULL };
	char *text;
	cJSON *report = ps_json_reparse(build_report(r, o), &text, leave_out);
	struct write_ctx c = { r, o, text, report };
	int rc;

	if (!c.report)
		return ps_error_set(err, PS_E_NOMEM, "out of memory building report.json");
	rc = ps_outfile_write_dir(dir, files, NFILES, !o->no_html, &c, err);
	cJSON_Delete((cJSON *)c.report);
	free(text);
	return rc;
}
