/*
 * The facts a diagnosis reads (ps_facts.h): taken out of reports and
 * metrics files.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "analyze/ps_facts.h"
#include "base/ps_json.h"

static double share(double part, double whole)
{
	return whole > 0 ? part / whole : 0;
}

static int local_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/* ---- CPU: cpu-profile's JSON, and the cpu section of profile ---- */

static void cpu_facts(struct ps_facts *f, const cJSON *cpu)
{
	const cJSON *fn, *best = NULL;
	double best_pct = -1;

	ps_facts_set(f, "cpu.samples", ps_json_number(ps_json_member(cpu, "metadata"), "samples", 0), NULL);
	cJSON_ArrayForEach(fn, ps_json_member(cpu, "functions")) {
		/* the kernel's time under a function counts for it (a page fault for the code
		 * that touched the page); reports from before that have self_pct only */
		double pct = ps_json_number(fn, "charged_pct", ps_json_number(fn, "self_pct", 0));

		if (pct > best_pct) {
			best_pct = pct;
			best = fn;
		}
	}
	if (best)
		ps_facts_set(f, "cpu.top_function_share", best_pct / 100, ps_json_string(best, "name"));
}

/* ---- profile ---- */

/* The first frame of a stack that is the program's own (not libc, not the kernel). */
static const char *own_frame(const cJSON *stack)
{
	const cJSON *frame;
	const char *first = NULL;

	cJSON_ArrayForEach(frame, stack) {
		const char *function = ps_json_string(frame, "function"), *module = ps_json_string(frame, "module");

		if (!function)
			continue;
		if (!first)
			first = function;
		if (module && (strstr(module, "[kernel") || strstr(module, "libc.so") ||
			       strstr(module, "ld-linux") || strstr(module, "libpthread")))
			continue;
		return function;
	}
	return first;
}

/* A futex wait inside pthread_join: waiting for a thread to end, not for a lock. */
static bool joining(const cJSON *stack)
{
	const cJSON *frame;

	cJSON_ArrayForEach(frame, stack) {
		const char *function = ps_json_string(frame, "function");

		if (function && (strstr(function, "pthread_join") || strstr(function, "clockjoin") ||
				 strstr(function, "pthread_timedjoin")))
			return true;
	}
	return false;
}

/*
 * The top off-CPU stack for `reason` (joins aside), named by its first
 * frame of the program's own; *join_s: the time of those joins.
 */
static const char *offcpu_subject(const cJSON *offcpu, const char *reason, double *join_s)
{
	const cJSON *site;
	const char *subject = NULL;

	*join_s = 0;
	cJSON_ArrayForEach(site, ps_json_member(offcpu, "top")) {
		const char *r = ps_json_string(site, "reason");

		if (!r || strcmp(r, reason) != 0)
			continue;
		if (joining(ps_json_member(site, "stack")))
			*join_s += ps_json_number(site, "blocked_s", 0);
		else if (!subject)
			subject = own_frame(ps_json_member(site, "stack"));
	}
	return subject;
}

/* The file (or socket) of `kind` with the most of `a` + `b` + `c` (seconds). */
static const char *top_file(const cJSON *files, const char *kind, const char *a, const char *b,
			    const char *c)
{
	const cJSON *file;
	const char *best = NULL;
	double best_s = 0;

	cJSON_ArrayForEach(file, files) {
		const char *k = ps_json_string(file, "kind");
		double s = ps_json_number(file, a, 0) + (b ? ps_json_number(file, b, 0) : 0) +
			   (c ? ps_json_number(file, c, 0) : 0);

		if (k && strcmp(k, kind) == 0 && s > best_s) {
			best_s = s;
			best = ps_json_string(file, "name");
		}
	}
	return best;
}

static void offcpu_facts(struct ps_facts *f, const cJSON *root)
{
	const cJSON *offcpu = ps_json_member(root, "offcpu");
	const cJSON *reasons = ps_json_member(offcpu, "blocked_by_reason_s");
	const cJSON *files = ps_json_member(root, "files"), *t;
	double wall = 0, disk = ps_json_number(reasons, "disk", 0), join;
	const char *lock_site;

	cJSON_ArrayForEach(t, ps_json_member(offcpu, "threads")) {
		wall += ps_json_number(t, "wall_s", 0);
	}
	ps_facts_set(f, "offcpu.disk_share", share(disk, wall),
		     top_file(files, "file", "read_s", "write_s", "sync_s"));
	ps_facts_set(f, "offcpu.network_share", share(ps_json_number(reasons, "network", 0), wall),
		     top_file(files, "socket", "read_s", "write_s", NULL));
	lock_site = offcpu_subject(offcpu, "lock", &join);
	ps_facts_set(f, "offcpu.lock_share", share(ps_json_number(reasons, "lock", 0) - join, wall), lock_site);
	ps_facts_set(f, "sched.delay_share", share(ps_json_number(offcpu, "runnable_s", 0), wall), NULL);
}

/* Of the time in file I/O calls, the share of fsync and fdatasync. */
static void sync_facts(struct ps_facts *f, const cJSON *files)
{
	const cJSON *file;
	double sync = 0, all = 0;

	cJSON_ArrayForEach(file, files) {
		const char *kind = ps_json_string(file, "kind");

		if (!kind || strcmp(kind, "file") != 0)
			continue;
		sync += ps_json_number(file, "sync_s", 0);
		all += ps_json_number(file, "sync_s", 0) + ps_json_number(file, "read_s", 0) +
		       ps_json_number(file, "write_s", 0);
	}
	if (all > 0)
		ps_facts_set(f, "io.sync_share", share(sync, all),
			     top_file(files, "file", "sync_s", NULL, NULL));
}

static void file_facts(struct ps_facts *f, const cJSON *files)
{
	const cJSON *file;
	const char *most = NULL;
	double writes = 0, bytes = 0, most_writes = 0;

	cJSON_ArrayForEach(file, files) {
		const char *kind = ps_json_string(file, "kind");
		double w = ps_json_number(file, "writes", 0);

		if (!kind || strcmp(kind, "file") != 0 || w <= 0)
			continue;
		writes += w;
		bytes += ps_json_number(file, "written_bytes", 0);
		if (w > most_writes) {
			most_writes = w;
			most = ps_json_string(file, "name");
		}
	}
	if (writes > 0)
		ps_facts_set(f, "io.mean_write_bytes", bytes / writes, most);
}

static void syscall_facts(struct ps_facts *f, const cJSON *syscalls, double duration)
{
	const cJSON *call;
	const char *most = NULL;
	double total = 0, most_count = 0;

	cJSON_ArrayForEach(call, ps_json_member(syscalls, "calls")) {
		double n = ps_json_number(call, "count", 0);

		total += n;
		if (n > most_count) {
			most_count = n;
			most = ps_json_string(call, "name");
		}
	}
	if (duration > 0)
		ps_facts_set(f, "syscalls.per_second", total / duration, most);
}

/* Cell i of a timeline row; 0 when the row is short or not a number. */
static double cell(const cJSON *row, int i)
{
	const cJSON *v = i >= 0 ? cJSON_GetArrayItem(row, i) : NULL;

	return v && cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void metrics_facts(struct ps_facts *f, const cJSON *metrics)
{
	const cJSON *row, *trends = ps_json_member(metrics, "trends");
	int user = ps_json_index_of(metrics, "columns", "cpu_user_pct");
	int sys = ps_json_index_of(metrics, "columns", "cpu_system_pct");
	int threads = ps_json_index_of(metrics, "columns", "threads");
	int mem = ps_json_index_of(metrics, "columns", "machine_mem_pct");
	double cpu_sum = 0, max_threads = 0, last_mem = -1;
	int rows = 0, i = 0;

	cJSON_ArrayForEach(row, ps_json_member(metrics, "timeline")) {
		/* the first reading has no interval before it: no rates */
		if (i++ > 0 && user >= 0 && sys >= 0) {
			cpu_sum += cell(row, user) + cell(row, sys);
			rows++;
		}
		if (cell(row, threads) > max_threads)
			max_threads = cell(row, threads);
		if (mem >= 0)
			last_mem = cell(row, mem);
	}
	if (rows)
		ps_facts_set(f, "process.cpu_percent", cpu_sum / rows, NULL);
	if (max_threads > 0)
		ps_facts_set(f, "process.threads_per_cpu", max_threads / local_cpus(), NULL);
	if (last_mem >= 0)
		ps_facts_set(f, "machine.memory_percent", last_mem, NULL);
	if (cJSON_IsObject(trends)) {
		ps_facts_set(f, "process.fds_per_min", ps_json_number(trends, "fds", 0) * 60, NULL);
		ps_facts_set(f, "memory.growth_mb_per_min", ps_json_number(trends, "rss_bytes", 0) * 60 / 1e6,
			     "the process's resident memory");
	}
}

/* A section of profile that was not collected leaves a gap, with its note. */
static void section_gap(struct ps_facts *f, const cJSON *sections, const char *section,
			const char *const *prefixes)
{
	const cJSON *s = ps_json_member(sections, section);
	char reason[200];

	if (!s || cJSON_IsTrue(ps_json_member(s, "collected")))
		return;
	snprintf(reason, sizeof(reason), "the %s section was not collected: %s", section,
		 ps_json_string(s, "note") ? ps_json_string(s, "note") : "no reason given");
	for (; *prefixes; prefixes++)
		ps_facts_gap(f, *prefixes, reason);
}

/* ---- which process a fact is about, when a profile has several ---- */

typedef double (*process_weight_fn)(const cJSON *process, const char *key);

/* The top function's samples in a process where it is the top function. */
static double top_function_weight(const cJSON *p, const char *function)
{
	const cJSON *cpu = ps_json_member(p, "cpu");
	const char *top = ps_json_string(cpu, "top_function");

	return top && strcmp(top, function) == 0 ? ps_json_number(cpu, "top_function_samples", 0) : 0;
}

/* A process's calls of one system call, among its most frequent ones. */
static double syscall_weight(const cJSON *p, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, ps_json_member(ps_json_member(p, "syscalls"), "top")) {
		const char *n = ps_json_string(c, "name");

		if (n && strcmp(n, name) == 0)
			return ps_json_number(c, "calls", 0);
	}
	return 0;
}

static double blocked_weight(const cJSON *p, const char *reason)
{
	return ps_json_number(ps_json_member(ps_json_member(p, "offcpu"), "by_reason"), reason, 0);
}

/*
 * Fact `name`'s subject gets the process that holds the most of it by
 * `weight` (of `key`, else of the subject itself): "take_lock (in 'server',
 * pid 812)".
 */
static void name_process(struct ps_facts *f, const cJSON *processes, const char *name,
			 process_weight_fn weight, const char *key)
{
	const struct ps_fact *fact = ps_facts_get(f, name);
	const cJSON *p, *best = NULL;
	double best_w = 0;
	char subject[512];

	if (!fact || !fact->subject[0])
		return;
	cJSON_ArrayForEach(p, processes) {
		double w = weight(p, key ? key : fact->subject);

		if (w > best_w) {
			best_w = w;
			best = p;
		}
	}
	if (!best)
		return;
	snprintf(subject, sizeof(subject), "%s (in '%s', pid %.0f)", fact->subject,
		 ps_json_string(best, "name") ? ps_json_string(best, "name") : "?", ps_json_number(best, "pid", 0));
	ps_facts_set(f, name, fact->value, subject);
}

static void process_subjects(struct ps_facts *f, const cJSON *root)
{
	const cJSON *processes = ps_json_member(root, "processes");

	if (cJSON_GetArraySize(processes) < 2)
		return;
	name_process(f, processes, "cpu.top_function_share", top_function_weight, NULL);
	name_process(f, processes, "syscalls.per_second", syscall_weight, NULL);
	name_process(f, processes, "offcpu.lock_share", blocked_weight, "lock");
	name_process(f, processes, "offcpu.disk_share", blocked_weight, "disk");
	name_process(f, processes, "offcpu.network_share", blocked_weight, "network");
}

static void profile_facts(struct ps_facts *f, const cJSON *root)
{
	static const char *const syscall_prefixes[] = { "syscalls.", "io.", NULL };
	static const char *const offcpu_prefixes[] = { "offcpu.", "sched.", NULL };
	static const char *const metrics_prefixes[] = { "process.", "machine.", "memory.", NULL };
	const cJSON *sections = ps_json_member(ps_json_member(root, "metadata"), "sections");

	section_gap(f, sections, "syscalls", syscall_prefixes);
	section_gap(f, sections, "offcpu", offcpu_prefixes);
	section_gap(f, sections, "metrics", metrics_prefixes);
	cpu_facts(f, ps_json_member(root, "cpu"));
	if (!ps_facts_gap_reason(f, "offcpu."))
		offcpu_facts(f, root);
	if (!ps_facts_gap_reason(f, "syscalls.")) {
		file_facts(f, ps_json_member(root, "files"));
		sync_facts(f, ps_json_member(root, "files"));
		syscall_facts(f, ps_json_member(root, "syscalls"),
			      ps_json_number(ps_json_member(ps_json_member(root, "cpu"), "metadata"), "duration_s", 0));
	}
	if (!ps_facts_gap_reason(f, "process."))
		metrics_facts(f, ps_json_member(root, "metrics"));
	ps_facts_gap(f, "memory.leak", "profile does not track allocations: run perfscope "
		     "memory-profile for leaks");
	ps_facts_gap(f, "memory.alloc", "profile does not track allocations: run perfscope "
		     "memory-profile for allocation rates");
	process_subjects(f, root);
}

/* ---- memory-profile ---- */

static const char *site_function(const cJSON *root, int site)
{
	const cJSON *s = cJSON_GetArrayItem(ps_json_member(root, "sites"), site);
	const char *past_allocator = ps_json_string(s, "function");

	/* the site past the allocator layer, when the report names one */
	if (past_allocator)
		return past_allocator;
	return s ? own_frame(ps_json_member(s, "stack")) : NULL;
}

static void memory_facts(struct ps_facts *f, const cJSON *root)
{
	const cJSON *summary = ps_json_member(root, "summary"), *p, *site, *growing;
	double duration = ps_json_number(ps_json_member(root, "metadata"), "duration_s", 0);
	double leaked = 0, best = 0, most = 0;
	int best_site = -1, churn_site = -1, i = 0;

	cJSON_ArrayForEach(p, ps_json_member(root, "processes"))
		leaked += ps_json_number(ps_json_member(ps_json_member(p, "leaks"), "definite"), "bytes", 0);
	cJSON_ArrayForEach(site, ps_json_member(root, "sites")) {
		double bytes = ps_json_number(ps_json_member(ps_json_member(site, "leaks"), "definite"), "bytes", 0);

		if (bytes > best) {
			best = bytes;
			best_site = i;
		}
		if (ps_json_number(site, "temporary", 0) > most) {
			most = ps_json_number(site, "temporary", 0);
			churn_site = i;
		}
		i++;
	}
	ps_facts_set(f, "memory.leaked_bytes", leaked,
		     best_site >= 0 ? site_function(root, best_site) : NULL);
	p = cJSON_GetArrayItem(ps_json_member(root, "processes"), 0);
	growing = cJSON_GetArrayItem(ps_json_member(p, "growing_sites"), 0);
	ps_facts_set(f, "memory.growth_mb_per_min", ps_json_number(summary, "growth_bytes_per_s", 0) * 60 / 1e6,
		     growing ? site_function(root, (int)ps_json_number(growing, "site", -1)) : "the heap");
	if (duration > 0)
		ps_facts_set(f, "memory.allocations_per_second", ps_json_number(summary, "allocations", 0) / duration,
			     churn_site >= 0 ? site_function(root, churn_site) : NULL);
	ps_facts_gap(f, "cpu.", "memory-profile does not sample CPU stacks");
	ps_facts_gap(f, "offcpu.", "memory-profile does not record waits: run perfscope profile");
	ps_facts_gap(f, "syscalls.", "memory-profile does not trace system calls");
	ps_facts_gap(f, "io.", "memory-profile does not trace I/O");
}

/* ---- a plain metrics file ---- */

/* What a metrics field may hold: a number in [min, max], whole if `whole`. */
struct range {
	double min, max;
	bool whole;
};

static const struct range percent_of_cpus = { 0, 1e6, false };   /* 100 a CPU */
static const struct range percent = { 0, 100, false };
static const struct range count = { 0, 2147483647, true };
static const struct range rate = { -1e12, 1e12, false };

static int metrics_number(struct ps_facts *f, const cJSON *v, const char *key, const char *fact,
			  double scale, const struct range *r, struct ps_error *err)
{
	double x;

	if (!cJSON_IsNumber(v))
		return ps_error_set(err, PS_E_INPUT, "the field '%s' must be a number", key);
	x = v->valuedouble;
	/* a JSON number past a double's range (1e400) parses as infinity */
	if (!isfinite(x) || x < r->min || x > r->max || (r->whole && x != floor(x))) {
		char value[48];

		if (isfinite(x))
			snprintf(value, sizeof(value), "%.15g", x);
		else
			snprintf(value, sizeof(value), "too large for a number");
		ps_error_set(err, PS_E_INPUT, "the field '%s' is out of range (%s): it must be a %s "
			     "from %.15g to %.15g", key, value, r->whole ? "whole number" : "number",
			     r->min, r->max);
		return PS_E_INPUT;
	}
	return ps_facts_set(f, fact, x * scale, NULL);
}

/* "operations": [{"name", "count", "avg_ms"}] or {"NAME": {"count", "avg_ms"}}. */
static int operations(struct ps_facts *f, const cJSON *ops, struct ps_error *err)
{
	const cJSON *op;
	const char *slowest = NULL;
	double worst = -1;

	if (!cJSON_IsArray(ops) && !cJSON_IsObject(ops))
		return ps_error_set(err, PS_E_INPUT, "the field 'operations' must be a list or an object");
	cJSON_ArrayForEach(op, ops) {
		const char *name = cJSON_IsArray(ops) ? ps_json_string(op, "name") : op->string;
		const cJSON *avg = ps_json_member(op, "avg_ms");

		if (!name || !cJSON_IsNumber(avg))
			return ps_error_set(err, PS_E_INPUT, "each operation needs a name and a "
					    "number 'avg_ms'");
		if (!isfinite(avg->valuedouble) || avg->valuedouble < 0 || avg->valuedouble > 1e12)
			return ps_error_set(err, PS_E_INPUT, "operation '%s': avg_ms is out of range: it "
					    "must be a number of milliseconds from 0 to 1e12", name);
		if (avg->valuedouble > worst) {
			worst = avg->valuedouble;
			slowest = name;
		}
	}
	return worst >= 0 ? ps_facts_set(f, "operations.max_avg_ms", worst, slowest) : 0;
}

static int plain_metrics(struct ps_facts *f, const cJSON *root, struct ps_error *err)
{
	const cJSON *v;
	size_t used = 0;
	int rc = 0;

	snprintf(f->kind, sizeof(f->kind), "metrics");
	cJSON_ArrayForEach(v, root) {
		const char *k = v->string;

		if (strcmp(k, "cpu_percent") == 0)
			rc = metrics_number(f, v, k, "process.cpu_percent", 1, &percent_of_cpus, err);
		else if (strcmp(k, "memory_percent") == 0)
			rc = metrics_number(f, v, k, "machine.memory_percent", 1, &percent, err);
		else if (strcmp(k, "threads") == 0)
			rc = metrics_number(f, v, k, "process.threads_per_cpu", 1.0 / local_cpus(), &count, err);
		else if (strcmp(k, "open_files") == 0)
			rc = metrics_number(f, v, k, "process.open_files", 1, &count, err);
		else if (strcmp(k, "memory_growth_mb_per_min") == 0)
			rc = metrics_number(f, v, k, "memory.growth_mb_per_min", 1, &rate, err);
		else if (strcmp(k, "operations") == 0)
			rc = operations(f, v, err);
		else {
			/* unknown fields are said, not fatal: applications export more */
			used += (size_t)snprintf(f->notes + used, used < sizeof(f->notes) ?
						 sizeof(f->notes) - used : 0, "%s%s",
						 used ? ", " : "ignored unknown fields: ", k);
			if (used >= sizeof(f->notes))
				used = sizeof(f->notes) - 1;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int ps_facts_from_report(struct ps_facts *f, const cJSON *root, struct ps_error *err)
{
	const char *kind = ps_json_string(root, "kind");

	if (!cJSON_IsObject(root))
		return ps_error_set(err, PS_E_INPUT, "expected a JSON object at the top");
	if (kind && strcmp(kind, "profile") == 0) {
		profile_facts(f, root);
	} else if (kind && strcmp(kind, "memory-profile") == 0) {
		memory_facts(f, root);
	} else if (ps_json_member(root, "functions") && ps_json_member(root, "metadata")) {
		kind = "cpu-profile";
		cpu_facts(f, root);
		ps_facts_gap(f, "offcpu.", "cpu-profile records no waits: run perfscope profile");
		ps_facts_gap(f, "sched.", "cpu-profile records no scheduler delay: run perfscope profile");
	} else if (kind) {
		return ps_error_set(err, PS_E_INPUT, "a report of kind '%s' is not one perfscope reads",
				    kind);
	} else {
		return plain_metrics(f, root, err);
	}
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	return 0;
}
