#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_procs.h"
#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

int ps_procs_init(struct ps_procs *pp, struct ps_modules *modules)
{
	memset(pp, 0, sizeof(*pp));
	pp->modules = modules;
	ps_idmap_init(&pp->proc_by_pid);
	ps_idmap_init(&pp->thread_by_tid);
	return 0;
}

void ps_procs_release(struct ps_procs *pp)
{
	for (size_t i = 0; i < pp->nprocs; i++) {
		free(pp->procs[i].maps);
		free(pp->procs[i].retired);
	}
	free(pp->procs);
	free(pp->threads);
	free(pp->last_maps);
	ps_idmap_release(&pp->proc_by_pid);
	ps_idmap_release(&pp->thread_by_tid);
	memset(pp, 0, sizeof(*pp));
}

static struct ps_process *find_process(const struct ps_procs *pp, uint32_t pid)
{
	uint32_t idx;

	if (!ps_idmap_get(&pp->proc_by_pid, pid, &idx))
		return NULL;
	return &pp->procs[idx];
}

/* A fresh, empty process record for pid (replacing one whose pid was reused). */
static struct ps_process *new_process(struct ps_procs *pp, uint32_t pid)
{
	struct ps_process *p;

	if (ps_grow(&pp->procs, &pp->procs_cap, pp->nprocs + 1, sizeof(*pp->procs)) < 0)
		return NULL;
	if (ps_idmap_put(&pp->proc_by_pid, pid, (uint32_t)pp->nprocs) < 0)
		return NULL;
	p = &pp->procs[pp->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

static struct ps_process *get_process(struct ps_procs *pp, uint32_t pid)
{
	struct ps_process *p = find_process(pp, pid);

	return p ? p : new_process(pp, pid);
}

static const struct ps_map *find_live(const struct ps_process *p, uint64_t ip)
{
	size_t lo = 0, hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct ps_map *m = &p->maps[mid];

		if (ip < m->start)
			hi = mid;
		else if (ip >= m->end)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
}

static int retire(struct ps_process *p, struct ps_map m, uint64_t time)
{
	if (ps_grow(&p->retired, &p->retired_cap, p->nretired + 1, sizeof(*p->retired)) < 0)
		return PS_E_NOMEM;
	m.until = time;
	p->retired[p->nretired++] = m;
	return 0;
}

/*
 * Cuts [start, end) out of the live maps at `time`, splitting what
 * straddles it; what is cut is retired.
 */
static int punch_hole(struct ps_process *p, uint64_t start, uint64_t end, uint64_t time)
{
	size_t out = 0, n = p->nmaps;
	struct ps_map tail = { 0 };
	bool have_tail = false;

	for (size_t i = 0; i < n; i++) {
		struct ps_map m = p->maps[i];

		if (m.end <= start || m.start >= end) {
			p->maps[out++] = m;
			continue;
		}
		if (retire(p, m, time) < 0)
			return PS_E_NOMEM;
		if (m.start < start) {
			struct ps_map left = m;
			left.end = start;
			p->maps[out++] = left;
		}
		if (m.end > end) {
			tail = m;
			tail.pgoff += end - m.start;
			tail.start = end;
			have_tail = true;
		}
	}
	p->nmaps = out;
	if (have_tail) {
		if (ps_grow(&p->maps, &p->maps_cap, p->nmaps + 1, sizeof(*p->maps)) < 0)
			return PS_E_NOMEM;
		p->maps[p->nmaps++] = tail;
	}
	return 0;
}

static int cmp_map(const void *a, const void *b)
{
	const struct ps_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int ps_procs_add_map(struct ps_procs *pp, uint32_t pid, uint64_t time, uint64_t start,
		     uint64_t len, uint64_t pgoff, const char *path)
{
	struct ps_process *p = get_process(pp, pid);
	int64_t module;

	if (!p || len == 0)
		return p ? 0 : PS_E_NOMEM;
	module = ps_modules_intern(pp->modules, path ? path : "", pid);
	if (module < 0)
		return PS_E_NOMEM;
	{
		const struct ps_map *same = find_live(p, start);

		if (same && same->start == start && same->end == start + len &&
		    same->pgoff == pgoff && same->module == (uint32_t)module)
			return 0;	/* already known as it is */
	}
	if (punch_hole(p, start, start + len, time) < 0)
		return PS_E_NOMEM;
	if (ps_grow(&p->maps, &p->maps_cap, p->nmaps + 1, sizeof(*p->maps)) < 0)
		return PS_E_NOMEM;
	p->maps[p->nmaps++] = (struct ps_map){
		.start = start, .end = start + len, .pgoff = pgoff, .module = (uint32_t)module,
		.since = time, .until = UINT64_MAX,
	};
	qsort(p->maps, p->nmaps, sizeof(*p->maps), cmp_map);
	return 0;
}

const struct ps_map *ps_procs_find_map(const struct ps_procs *pp, uint32_t pid, uint64_t time,
				       uint64_t ip)
{
	const struct ps_process *p = find_process(pp, pid);
	const struct ps_map *live;

	if (!p)
		return NULL;
	live = find_live(p, ip);
	if (live && live->since <= time)
		return live;
	/* Older than the live mapping, or unmapped since: what was there then? */
	for (size_t i = p->nretired; i-- > 0;) {
		const struct ps_map *m = &p->retired[i];

		if (ip >= m->start && ip < m->end && m->since <= time && time < m->until)
			return m;
	}
	return live;
}

void ps_procs_resolve(const struct ps_procs *pp, uint32_t pid, uint64_t time, uint64_t ip,
		      uint32_t *module, uint64_t *offset)
{
	const struct ps_map *m = ps_procs_find_map(pp, pid, time, ip);

	if (!m) {
		*module = PS_MODULE_UNKNOWN;
		*offset = ip;
		return;
	}
	*module = m->module;
	*offset = ps_module_absolute(&pp->modules->mods[m->module]) ? ip : ip - m->start + m->pgoff;
}

/* A name as the kernel gives it (15 bytes at most), or one cleaned
 * already, as a valid one. */
static void clean_comm(char *dst, const char *src)
{
	size_t len = strnlen(src, PS_COMM_LEN - 1);
	char *fixed;

	if (ps_utf8_valid(src, len)) {
		snprintf(dst, PS_COMM_LEN, "%.*s", (int)len, src);
		return;
	}
	fixed = ps_utf8_fix(src, len < 15 ? len : 15);
	snprintf(dst, PS_COMM_LEN, "%s", fixed ? fixed : "[unnamed]");
	free(fixed);
}

static int64_t new_instance(struct ps_procs *pp, uint32_t pid, uint32_t tid,
			    const char *comm, const char *proc_comm)
{
	struct ps_thread_instance *t;

	if (ps_grow(&pp->threads, &pp->threads_cap, pp->nthreads + 1, sizeof(*pp->threads)) < 0)
		return PS_E_NOMEM;
	t = &pp->threads[pp->nthreads];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	clean_comm(t->comm, comm);
	clean_comm(t->proc_comm, proc_comm);
	if (ps_idmap_put(&pp->thread_by_tid, tid, (uint32_t)pp->nthreads) < 0)
		return PS_E_NOMEM;
	return (int64_t)pp->nthreads++;
}

static const struct ps_thread_instance *current(const struct ps_procs *pp, uint32_t tid)
{
	uint32_t idx;

	if (!ps_idmap_get(&pp->thread_by_tid, tid, &idx))
		return NULL;
	return &pp->threads[idx];
}

static const char *process_name(const struct ps_procs *pp, uint32_t pid, const char *fallback)
{
	const struct ps_thread_instance *main_thread = current(pp, pid);

	if (main_thread && main_thread->pid == pid)
		return main_thread->comm;
	return fallback;
}

int ps_procs_comm(struct ps_procs *pp, uint32_t pid, uint32_t tid, uint64_t time,
		  const char *name, bool exec)
{
	const struct ps_thread_instance *t = current(pp, tid);

	if (exec) {
		/* A new program image: its old mappings are gone. */
		struct ps_process *p = get_process(pp, pid);

		if (!p || punch_hole(p, 0, UINT64_MAX, time) < 0)
			return PS_E_NOMEM;
		p->execs++;
		clean_comm(p->exec_comm, name);
	}
	char clean[PS_COMM_LEN];

	clean_comm(clean, name);
	if (t && t->pid == pid && strcmp(t->comm, clean) == 0)
		return 0;
	return new_instance(pp, pid, tid, name,
			    tid == pid ? name : process_name(pp, pid, name)) < 0 ? PS_E_NOMEM : 0;
}

int ps_procs_fork(struct ps_procs *pp, uint32_t pid, uint32_t ppid, uint32_t tid, uint32_t ptid)
{
	const struct ps_thread_instance *parent = current(pp, ptid);
	char comm[PS_COMM_LEN], proc_comm[PS_COMM_LEN];

	snprintf(comm, sizeof(comm), "%s", parent ? parent->comm : "[unknown]");
	snprintf(proc_comm, sizeof(proc_comm), "%s", parent ? parent->proc_comm : comm);
	if (pid != ppid) {
		/* A new process: it starts with a copy of its parent's mappings. */
		struct ps_process *child = new_process(pp, pid);
		struct ps_process *par = find_process(pp, ppid);

		if (!child)
			return PS_E_NOMEM;
		if (par && par->nmaps) {
			child->maps = malloc(par->nmaps * sizeof(*par->maps));
			if (!child->maps)
				return PS_E_NOMEM;
			memcpy(child->maps, par->maps, par->nmaps * sizeof(*par->maps));
			child->nmaps = child->maps_cap = par->nmaps;
		}
		snprintf(proc_comm, sizeof(proc_comm), "%s", comm);
	}
	return new_instance(pp, pid, tid, comm, proc_comm) < 0 ? PS_E_NOMEM : 0;
}

static void read_comm(uint32_t pid, uint32_t tid, char *out, size_t len)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	text = ps_read_file(path, NULL);
	if (!text) {
		snprintf(out, len, "[unknown]");
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	snprintf(out, len, "%s", text);
	free(text);
}

int64_t ps_procs_thread(struct ps_procs *pp, uint32_t pid, uint32_t tid)
{
	uint32_t idx;
	char comm[PS_COMM_LEN], proc_comm[PS_COMM_LEN];

	if (ps_idmap_get(&pp->thread_by_tid, tid, &idx) && pp->threads[idx].pid == pid)
		return idx;
	read_comm(pid, tid, comm, sizeof(comm));
	if (tid == pid)
		snprintf(proc_comm, sizeof(proc_comm), "%s", comm);
	else
		read_comm(pid, pid, proc_comm, sizeof(proc_comm));
	return new_instance(pp, pid, tid, comm, proc_comm);
}

int ps_procs_apply_maps(struct ps_procs *pp, uint32_t pid, uint64_t time, char *text)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t start, end, pgoff;
		char perms[8];
		int name_at = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %*s %*s %n",
			   &start, &end, perms, &pgoff, &name_at) < 4)
			continue;
		if (perms[2] != 'x')	/* only code can hold sampled addresses */
			continue;
		if (ps_procs_add_map(pp, pid, time, start, end - start, pgoff,
				     name_at ? line + name_at : "") < 0)
			return PS_E_NOMEM;
	}
	return 0;
}

static int synthesize_maps(struct ps_procs *pp, uint32_t pid)
{
	char path[64], *text;
	int rc;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	rc = ps_procs_apply_maps(pp, pid, 0, text);
	free(text);
	return rc;
}

int ps_procs_refresh_maps(struct ps_procs *pp, uint32_t pid, uint64_t time)
{
	char path[64], *text, *copy;
	int rc;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	if (pp->last_maps && strcmp(pp->last_maps, text) == 0) {
		free(text);
		return 0;
	}
	copy = strdup(text);	/* apply_maps_text cuts its input into lines */
	rc = ps_procs_apply_maps(pp, pid, time, text);
	free(text);
	free(pp->last_maps);
	pp->last_maps = copy;
	return rc;
}

int ps_procs_synthesize(struct ps_procs *pp, uint32_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *dir;

	if (synthesize_maps(pp, pid) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	(void)ps_procs_thread(pp, pid, pid);
	while ((de = readdir(dir))) {
		uint32_t tid = (uint32_t)strtoul(de->d_name, NULL, 10);

		if (tid)
			(void)ps_procs_thread(pp, pid, tid);
	}
	closedir(dir);
	return 0;
}
