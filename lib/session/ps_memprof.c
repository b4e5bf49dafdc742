/*
 * A memory profiling session (see ps_memprof.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "collect/ps_rss.h"
#include "memory/ps_allocdetect.h"
#include "session/ps_memprof.h"
#include "target/ps_threadstop.h"
#include "base/ps_util.h"

#define PRELOAD_NAME "libperfscope-preload.so"
/* After the launched program ends, how long its children may go on. */
#define CHILDREN_GRACE_NS (1000ull * 1000 * 1000)
#define ALIVE_CHECK_NS (20ull * 1000 * 1000)
#define IDLE_SLEEP_MIN_NS (1000u * 1000)
#define IDLE_SLEEP_MAX_NS (8000u * 1000)

extern char **environ;

static bool usable_library(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds the tracker library next to the perfscope binary (or installed). */
static int find_preload(char *out, size_t len, struct ps_error *err)
{
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *const candidates[] = { "%s/" PRELOAD_NAME, "%s/../lib/perfscope/" PRELOAD_NAME };

	if (n <= 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot find perfscope's own path: %s",
				    strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), candidates[i], exe);
		if (usable_library(path) && realpath(path, out) && strlen(out) < len) {
			/* LD_PRELOAD splits on spaces and colons */
			if (strpbrk(out, " :\t")) {
				ps_error_set(err, PS_E_INTERNAL, "perfscope's tracker library '%s' "
					     "has a space or colon in its path, which LD_PRELOAD "
					     "cannot carry", out);
				ps_error_hint(err, "install perfscope under a path without them");
				return PS_E_INTERNAL;
			}
			return 0;
		}
	}
	ps_error_set(err, PS_E_INTERNAL, "perfscope's allocation tracker %s is missing "
		     "(looked beside %s and in %s/../lib/perfscope)", PRELOAD_NAME, exe, exe);
	ps_error_hint(err, "rebuild with 'make', or reinstall with 'make install'");
	return PS_E_INTERNAL;
}

/* Whether pid is a live perfscope (a session directory's owner). */
static bool perfscope_alive(long pid)
{
	char path[64], *comm;
	bool ours;

	if (pid <= 0 || pid > INT32_MAX || (kill((pid_t)pid, 0) < 0 && errno == ESRCH))
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	comm = ps_read_file(path, NULL);
	/* gone meanwhile, or the pid now another program's */
	ours = comm && strncmp(comm, "perfscope", 9) == 0;
	free(comm);
	return ours;
}

/*
 * Session directories that a perfscope killed outright left behind (with
 * their 128 MiB sparse rings): ours by owner, named after a perfscope
 * that no longer runs.  Removed at the next start.
 */
static void remove_stale_sessions(const char *base)
{
	DIR *d = opendir(base);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[4096], suffix[8];
		struct stat st;
		long pid;

		if (sscanf(de->d_name, "perfscope-mem-%ld-%7s", &pid, suffix) != 2 || strlen(suffix) != 6)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
		    perfscope_alive(pid))
			continue;
		ps_remove_tree(path);
	}
	closedir(d);
}

static int make_session_dir(struct ps_memprof *m, struct ps_error *err)
{
	const char *const bases[] = { "/dev/shm", "/tmp" };

	for (size_t i = 0; i < 2; i++)
		remove_stale_sessions(bases[i]);
	for (size_t i = 0; i < 2; i++) {
		/* named after us: a later perfscope can tell when we are gone */
		snprintf(m->dir, sizeof(m->dir), "%s/perfscope-mem-%d-XXXXXX", bases[i], (int)getpid());
		if (mkdtemp(m->dir))
			return 0;
	}
	m->dir[0] = '\0';
	ps_error_set(err, PS_E_INTERNAL, "cannot create a session directory in /dev/shm or /tmp: %s",
		     strerror(errno));
	ps_error_hint(err, "make /tmp writable, or free some space there");
	return PS_E_INTERNAL;
}

int ps_memprof_init(struct ps_memprof *m, const struct ps_memprof_config *cfg,
		    struct ps_error *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	m->cfg = *cfg;
	m->untracked_proc = -1;
	ps_mem_run_init(&m->run);
	ps_lifecycle_init(&m->life, cfg->stop, cfg->duration_s, cfg->kill_grace_s);
	if (cfg->argv) {
		rc = find_preload(m->preload, sizeof(m->preload), err);
		if (rc < 0)
			return rc;
	}
	rc = make_session_dir(m, err);
	if (rc < 0)
		return rc;
	if (ps_memread_init(&m->reader, m->dir) < 0 || ps_modules_init(&m->modules) < 0 ||
	    ps_procs_init(&m->procs, &m->modules) < 0 ||
	    ps_symbols_init(&m->symbols, &m->modules) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	ps_stacks_init(&m->stacks);
	ps_heap_init(&m->heap, &m->procs, &m->stacks);
	m->heap.sample_bytes = (double)cfg->sample_bytes;
	if (cfg->sample_bytes && !cfg->sample_seed)
		m->cfg.sample_seed = ps_now_ns();
	return 0;
}

void ps_memprof_release(struct ps_memprof *m)
{
	if (m->launched && !m->child.exited)
		ps_launch_terminate(&m->child, SIGKILL, 1.0);
	if (m->uprobes_on)
		ps_uprobes_release(&m->uprobes);
	ps_faults_release(&m->faults);
	ps_heap_release(&m->heap);
	ps_symbols_release(&m->symbols);
	ps_stacks_release(&m->stacks);
	ps_procs_release(&m->procs);
	ps_modules_release(&m->modules);
	ps_memread_release(&m->reader);	/* deletes the files and the directory */
	ps_mem_run_release(&m->run);
	if (m->dir[0])
		rmdir(m->dir);
}

/* perfscope's environment plus the tracker: LD_PRELOAD first, then the program's own. */
static char **build_env(const struct ps_memprof *m)
{
	size_t n = 0, k = 0;
	const char *old_preload = getenv("LD_PRELOAD");
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0 &&
		    strncmp(environ[i], PS_MEM_ENV_DIR "=", sizeof(PS_MEM_ENV_DIR)) != 0 &&
		    strncmp(environ[i], PS_MEM_ENV_SAMPLE "=", sizeof(PS_MEM_ENV_SAMPLE)) != 0)
			env[k++] = environ[i];
	if (asprintf(&env[k++], "LD_PRELOAD=%s%s%s", m->preload, old_preload && *old_preload ? " " : "",
		     old_preload ? old_preload : "") < 0 ||
	    asprintf(&env[k++], "%s=%s", PS_MEM_ENV_DIR, m->dir) < 0) {
		free(env);
		return NULL;
	}
	if (m->cfg.sample_bytes &&
	    asprintf(&env[k++], "%s=%llu:%llu", PS_MEM_ENV_SAMPLE, (unsigned long long)m->cfg.sample_bytes,
		     (unsigned long long)m->cfg.sample_seed) < 0) {
		free(env);
		return NULL;
	}
	env[k] = NULL;
	return env;
}

static void free_env(char **env, bool sampling)
{
	size_t n = 0, ours = sampling ? 3 : 2;

	while (env[n])
		n++;
	/* the last entries are ours */
	for (size_t i = 0; i < ours && i < n; i++)
		free(env[n - 1 - i]);
	free(env);
}

static uint32_t proc_of(const struct ps_memfile *f)
{
	return (uint32_t)((uintptr_t)f->user - 1);
}

static void apply_cb(struct ps_memfile *f, const struct ps_mem_rec *r, void *ctx)
{
	struct ps_memprof *m = ctx;

	m->records++;
	if (r->type == PS_MEM_REC_EXIT)
		f->exit_seen = true;
	ps_heap_apply(&m->heap, proc_of(f), r, ps_memread_time_ns(&m->reader, f, r->time));
}

static uint64_t interval_ns(const struct ps_memprof *m)
{
	return (uint64_t)((m->cfg.interval_s > 0 ? m->cfg.interval_s : 0.1) * 1e9);
}

/* A process held at its exit: where to look for pointers to its blocks. */
struct exit_view {
	pid_t pid, exit_tid;
	uint64_t exit_sp;             /* 0: the whole stacks */
	const uint64_t *regs;         /* the exiting thread's registers known to matter */
	size_t nregs;
	const char *skip[2];          /* mappings that are not roots (NULL-ended) */
};

/* Fragmentation: what the heap holds against what the process keeps resident. */
static void note_resident_at_exit(struct ps_heap_proc *p, pid_t pid)
{
	p->live_at_exit = p->live_bytes;
	p->rss_at_exit_known = ps_rss_read(pid, ps_now_ns(), &p->rss_at_exit) == 0;
	if (p->rss_at_exit_known)
		(void)ps_rss_read_pss(pid, &p->rss_at_exit);	/* stays 0: reported null */
	if (p->rss_at_exit_known && ps_rss_total(&p->rss_at_exit) > ps_rss_total(&p->rss.peak))
		p->rss.peak = p->rss_at_exit;	/* the readings may have missed the top */
}

/* Classifies what process image `proc` still holds, its other threads held still. */
static void classify_leaks(struct ps_memprof *m, uint32_t proc, const struct exit_view *x)
{
	struct ps_leakscan_config cfg = { .pid = x->pid, .exit_sp = x->exit_sp };
	struct ps_leakscan_stats st;
	struct ps_error err = { 0 };
	struct ps_threadstop stopped = { 0 };
	struct ps_heap_block *blocks;
	uint64_t *regs = NULL, *sps = NULL;
	uint8_t *kinds;
	size_t n;

	cfg.skip_paths[0] = x->skip[0];
	cfg.skip_paths[1] = x->skip[1];
	cfg.stop = m->cfg.stop;
	/* a real heap is read about once: four times what is resident, and a
	 * gigabyte, bound what a program's mappings can make it read */
	cfg.max_bytes = 4 * ps_rss_total(&m->heap.proc[proc]->rss_at_exit) + (1ull << 30);
	blocks = ps_heap_live_sorted(&m->heap, proc, &n);
	kinds = malloc(n + 1);
	/* the other threads hold still, their registers and stack pointers known */
	if (ps_threadstop_init(&stopped, x->pid, x->exit_tid) < 0 ||
	    !(regs = malloc((x->nregs + stopped.n * PS_THREAD_GPRS) * sizeof(*regs) + 1)) ||
	    !(sps = malloc((stopped.n + 1) * sizeof(*sps)))) {
		free(blocks);
		blocks = NULL;	/* out of memory: said below */
	} else {
		for (size_t i = 0; i < x->nregs; i++)
			regs[cfg.nregs++] = x->regs[i];
		for (size_t t = 0; t < stopped.n; t++) {
			memcpy(regs + cfg.nregs, stopped.threads[t].gpr, sizeof(stopped.threads[t].gpr));
			cfg.nregs += PS_THREAD_GPRS;
			sps[cfg.nsps++] = stopped.threads[t].sp;
		}
		cfg.regs = regs;
		cfg.sps = sps;
	}
	if (blocks && kinds && ps_leakscan_run(&cfg, blocks, n, kinds, &st, &err) == 0) {
		ps_heap_set_leaks(&m->heap, proc, blocks, kinds, n);
		m->scan.root_bytes += st.root_bytes;
		m->scan.heap_bytes += st.heap_bytes;
		m->scan.unreadable += st.unreadable;
	} else if (!m->scan_note[0]) {
		snprintf(m->scan_note, sizeof(m->scan_note), "%s",
			 err.msg[0] ? err.msg : "out of memory for the leak scan");
	}
	ps_threadstop_release(&stopped);
	free(regs);
	free(sps);
	free(blocks);
	free(kinds);
}

/* The process waits in exit(): classify what it still holds, then let it go. */
static void scan_for_leaks(struct ps_memprof *m, struct ps_memfile *f)
{
	struct ps_heap_proc *p = m->heap.proc[proc_of(f)];
	char ring[PATH_MAX + 32];
	struct exit_view x = {
		.pid = (pid_t)f->pid, .exit_tid = (pid_t)f->h->exit_tid, .exit_sp = f->h->exit_sp,
		.regs = f->h->exit_regs, .nregs = f->h->exit_regs_known ? PS_MEM_EXIT_REGS : 0,
		.skip = { ring, m->preload },
	};

	snprintf(ring, sizeof(ring), "%s/%u.%u.mem", m->dir, f->pid, f->gen);
	note_resident_at_exit(p, (pid_t)f->pid);
	p->mallinfo = f->h->mallinfo;
	classify_leaks(m, proc_of(f), &x);
	__atomic_store_n(&f->h->state, PS_MEM_SCANNED, __ATOMIC_RELEASE);
}

static bool has_newer_image(const struct ps_memread *rd, const struct ps_memfile *f)
{
	for (size_t i = 0; i < rd->nfiles; i++)
		if (rd->files[i].pid == f->pid && rd->files[i].gen > f->gen)
			return true;
	return false;
}

static void end_file(struct ps_memprof *m, struct ps_memfile *f, bool execed)
{
	ps_memread_poll(&m->reader, f, true, PS_MEMREAD_NOW, apply_cb, m);
	f->end = f->exit_seen ? PS_MEMFILE_EXITED : execed ? PS_MEMFILE_EXECED : PS_MEMFILE_VANISHED;
	/* a process stopped in exit() whose scan never came: let it go */
	if (__atomic_load_n(&f->h->state, __ATOMIC_ACQUIRE) == PS_MEM_EXITING)
		__atomic_store_n(&f->h->state, PS_MEM_DETACHED, __ATOMIC_RELEASE);
	m->dropped += f->h->dropped;
	m->lost_threads += f->h->lost_threads;
	m->unwind_fallbacks += f->h->unwind_fallbacks;
	m->unwind_verified += f->h->unwind_verified;
	m->unwind_mismatches += f->h->unwind_mismatches;
	if (f->corrupt)
		m->corrupt_files++;
	if (f->truncated)
		m->truncated_files++;
	m->rejected_records += f->rejected;
	ps_heap_end(&m->heap, proc_of(f), ps_now_ns(), f->exit_seen, execed && !f->exit_seen);
}

/*
 * Collects the orphans of the program that ended (they became ours as its
 * subreaper), leaving the program's own status to ps_launch_reap.
 */
static void reap_orphans(struct ps_memprof *m)
{
	for (int i = 0; i < 64; i++) {
		siginfo_t info;

		memset(&info, 0, sizeof(info));
		if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == 0 ||
		    info.si_pid == m->child.pid)
			return;
		waitpid(info.si_pid, NULL, WNOHANG);
	}
}

/* One pass over every file; returns the number of records delivered. */
static uint64_t read_round(struct ps_memprof *m, bool check_alive, bool final)
{
	uint64_t delivered = 0;

	/* new processes are rare: looking for their files on every round would
	 * cost more than reading the records (sampling mode) */
	if (check_alive || final || !m->reader.nfiles)
		ps_memread_discover(&m->reader);
	for (size_t i = 0; i < m->reader.nfiles; i++) {
		struct ps_memfile *f = &m->reader.files[i];
		bool newer;

		if (f->end != PS_MEMFILE_LIVE)
			continue;
		if (!f->user) {
			char exe[sizeof(f->h->exe)];
			uint64_t now = ps_now_ns(), start = f->h->start_ns;
			int64_t proc;

			/* the program wrote both: a name cut to its field, a start
			 * within the session */
			snprintf(exe, sizeof(exe), "%.*s", (int)strnlen(f->h->exe, sizeof(exe) - 1), f->h->exe);
			if (start < m->reader.ns_ref || start > now)
				start = now;
			proc = ps_heap_add_proc(&m->heap, f->pid, f->gen, exe, start);

			if (proc < 0)
				continue;
			f->user = (void *)(uintptr_t)(proc + 1);
			m->heap.proc[proc]->rss.every_ns = interval_ns(m);
		}
		delivered += ps_memread_poll(&m->reader, f, false,
					     final ? PS_MEMREAD_NOW : PS_MEMREAD_WHEN_DUE, apply_cb, m);
		ps_rss_sample(&m->heap.proc[proc_of(f)]->rss, (pid_t)f->pid, ps_now_ns());
		/* a corrupt file's program gets no scan: it need not wait for one */
		if (f->corrupt && __atomic_load_n(&f->h->state, __ATOMIC_ACQUIRE) == PS_MEM_EXITING)
			__atomic_store_n(&f->h->state, PS_MEM_DETACHED, __ATOMIC_RELEASE);
		/* in exit(), its EXIT record sent, waiting for the scan: done
		 * once (a program that asks again, or before its EXIT record,
		 * does not get perfscope to stop and read it over and over) */
		if (!f->scanned && __atomic_load_n(&f->h->state, __ATOMIC_ACQUIRE) == PS_MEM_EXITING) {
			delivered += ps_memread_poll(&m->reader, f, false, PS_MEMREAD_NOW, apply_cb, m);
			/* (no EXIT record when every ring slot was taken: then the
			 * first request is believed) */
			if ((f->exit_seen || f->h->lost_threads) && ps_memread_ours(&m->reader, f->pid)) {
				f->scanned = true;
				scan_for_leaks(m, f);
			}
		}
		newer = has_newer_image(&m->reader, f);
		if (final || newer || (check_alive && !ps_memfile_alive(f)))
			end_file(m, f, newer);
	}
	return delivered;
}

static bool any_unread(const struct ps_memread *rd)
{
	for (size_t i = 0; i < rd->nfiles; i++)
		if (rd->files[i].end == PS_MEMFILE_LIVE && ps_memread_unread(&rd->files[i]))
			return true;
	return false;
}

static bool all_ended(const struct ps_memread *rd)
{
	for (size_t i = 0; i < rd->nfiles; i++)
		if (rd->files[i].end == PS_MEMFILE_LIVE)
			return false;
	return true;
}

/* The main (first) process image, or NULL if the tracker never started. */
static const struct ps_heap_proc *ps_memprof_main(const struct ps_memprof *m)
{
	size_t i = ps_heap_latest(&m->heap, (uint32_t)m->target_pid);

	return i < m->heap.nprocs ? m->heap.proc[i] : NULL;
}

static void report_progress(struct ps_memprof *m, uint64_t now)
{
	const struct ps_heap_proc *main_proc = ps_memprof_main(m);
	struct ps_memprof_progress pr = { 0 };

	if (!m->cfg.progress || !ps_lifecycle_progress_due(&m->life, now))
		return;
	pr.elapsed_s = (double)(now - m->life.start_ns) / 1e9;
	for (size_t i = 0; i < m->heap.nprocs; i++)
		pr.allocations += m->heap.proc[i]->allocs;
	pr.live_bytes = main_proc ? main_proc->live_bytes : 0;
	m->cfg.progress(&pr, m->cfg.progress_ctx);
}

/*
 * A statically linked program has no dynamic loader to preload the tracker:
 * say so before it runs, so an empty heap report is never mistaken for a
 * program that does not allocate.  A Go program's heap never goes through
 * malloc at all: say what to use instead.
 */
static void check_preloadable(struct ps_memprof *m)
{
	char *path = ps_launch_command_path(m->cfg.argv[0]);
	struct ps_elfinfo ei;
	char what[128];
	bool is_static = path && ps_elfinfo_read(&ei, path) == 0 && !ei.has_interp;

	_Static_assert(sizeof(m->tracker_note) == sizeof(m->allocator_note), "either note takes the Go text");
	m->go_runtime = path && ps_allocdetect_go(path) == 1;
	if (m->go_runtime)
		snprintf(is_static ? m->tracker_note : m->allocator_note, sizeof(m->tracker_note),
			 "'%s' is a Go program: the Go runtime allocates its heap itself, never through "
			 "malloc, so %s; resident memory and page faults are reported.  For the Go heap "
			 "use Go's own profiler: import _ \"net/http/pprof\" and run 'go tool pprof "
			 "-sample_index=alloc_space http://HOST:PORT/debug/pprof/heap', or write one with "
			 "runtime/pprof.WriteHeapProfile", m->cfg.argv[0],
			 is_static ? "no allocation is tracked" : "only what its C code (cgo) allocates is tracked");
	else if (is_static)
		snprintf(m->tracker_note, sizeof(m->tracker_note),
			 "'%s' is statically linked: the allocation tracker cannot be preloaded into "
			 "it, so only its resident memory is reported (link it dynamically to see "
			 "allocations)", m->cfg.argv[0]);
	else if (path && ps_allocdetect(path, what, sizeof(what)) == 1)
		snprintf(m->allocator_note, sizeof(m->allocator_note),
			 "'%s' has its own allocator: %s; the allocations it serves do not reach "
			 "the tracker, so sites, leaks and the heap cover only what goes through the "
			 "C library's malloc (resident memory covers everything)", m->cfg.argv[0], what);
	free(path);
}

/*
 * A statically linked program: its own malloc, calloc, realloc and free are
 * traced with uprobes instead (exact, but each call traps into the kernel:
 * the cost is measured and said).  Called while it is stopped at exec.
 */
static void start_uprobes(struct ps_memprof *m)
{
	char *path = ps_launch_command_path(m->cfg.argv[0]);
	struct ps_preflight pf;
	struct ps_error err = { 0 };

	if (m->go_runtime) {
		free(path);
		return;	/* no malloc to probe: the note says what to use */
	}

	ps_preflight_read(&pf);
	if (!path || ps_uprobes_start(&m->uprobes, m->child.pid, path, (uint32_t)m->untracked_proc,
				      &m->heap, &m->procs, &pf, &err) < 0) {
		snprintf(m->uprobe_note, sizeof(m->uprobe_note), "%s%s%s",
			 err.msg[0] ? err.msg : "out of memory", err.hint[0] ? ": " : "", err.hint);
		ps_uprobes_release(&m->uprobes);
		free(path);
		return;
	}
	free(path);
	m->uprobes_on = true;
	m->uprobe_cost_us = ps_uprobes_measure();
	snprintf(m->tracker_note, sizeof(m->tracker_note),
		 "'%s' is statically linked: the allocation tracker cannot be preloaded into it, so "
		 "its malloc, calloc, realloc and free are traced with uprobes instead: exact, but "
		 "each call costs about %.1f us (memalign and friends are not traced)",
		 m->cfg.argv[0], m->uprobe_cost_us);
}

/*
 * A statically linked program, traced with uprobes, is held at its exit
 * (ptrace's exit stop, its memory intact): what it still holds is
 * classified as the tracker's exit handshake would, from the exiting
 * thread's registers and stack pointer; a program killed by a signal
 * keeps it unclassified, as a crash does with the tracker.
 */
static void end_static_at_exit(struct ps_memprof *m)
{
	struct ps_heap_proc *p = m->heap.proc[m->untracked_proc];
	struct user_regs_struct r;
	uint64_t gpr[PS_THREAD_GPRS];
	bool exited = WIFEXITED(m->child.exit_status);
	struct exit_view x = { .pid = m->child.pid, .exit_tid = m->child.pid, .regs = gpr };

	ps_uprobes_poll(&m->uprobes, true);
	if (exited && ptrace(PTRACE_GETREGS, m->child.pid, NULL, &r) == 0) {
		uint64_t v[PS_THREAD_GPRS] = { r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp,
					       r.rsp, r.r8, r.r9, r.r10, r.r11, r.r12, r.r13,
					       r.r14, r.r15 };

		memcpy(gpr, v, sizeof(gpr));
		x.nregs = PS_THREAD_GPRS;
		x.exit_sp = r.rsp;
	}
	note_resident_at_exit(p, m->child.pid);
	if (exited)
		classify_leaks(m, (uint32_t)m->untracked_proc, &x);
	ps_heap_end(&m->heap, (uint32_t)m->untracked_proc, ps_now_ns(), exited, false);
	m->static_ended = true;
	ps_launch_leave_exit(&m->child);
}

/* Page faults with their stacks, armed while the program is stopped at exec
 * (or from now on, for a running process). */
static void start_faults(struct ps_memprof *m, pid_t pid)
{
	struct ps_error err = { 0 };

	if (m->cfg.no_faults) {
		snprintf(m->faults_note, sizeof(m->faults_note), "not asked for (--no-faults)");
		return;
	}
	if (ps_faults_start(&m->faults, pid, m->cfg.fault_period, &m->procs, &m->stacks,
			    &err) < 0) {
		snprintf(m->faults_note, sizeof(m->faults_note), "%s%s%s", err.msg,
			 err.hint[0] ? ": " : "", err.hint);
		ps_faults_release(&m->faults);
	}
}

/* Told to stop, or the duration passed (which, the lifecycle keeps). */
static bool should_stop(struct ps_memprof *m, uint64_t now)
{
	return ps_lifecycle_signalled(&m->life) || ps_lifecycle_expired(&m->life, now);
}

/* --pid: no tracker can be loaded into a running program; its resident memory over time. */
static int run_attached(struct ps_memprof *m, struct ps_error *err)
{
	char path[64], exe[256] = "";
	struct ps_heap_proc *p;
	int64_t proc;
	ssize_t n;

	m->target_pid = m->cfg.attach_pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)m->target_pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if (kill(m->target_pid, 0) < 0 && errno == ESRCH)
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)m->target_pid);
	ps_lifecycle_start(&m->life, ps_now_ns());
	proc = ps_heap_add_proc(&m->heap, (uint32_t)m->target_pid, 0, exe, m->life.start_ns);
	if (proc < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	p = m->heap.proc[proc];
	p->rss.every_ns = interval_ns(m);
	if (ps_rss_sample(&p->rss, m->target_pid, m->life.start_ns) < 0)
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)m->target_pid);
	start_faults(m, m->target_pid);
	for (;;) {
		struct timespec ms = { 0, 5 * 1000 * 1000 };
		uint64_t now = ps_now_ns();

		ps_faults_poll(&m->faults);
		if (ps_rss_sample(&p->rss, m->target_pid, now) < 0)
			break;
		if (should_stop(m, now))
			break;
		nanosleep(&ms, NULL);
	}
	ps_faults_poll(&m->faults);
	m->faults_total = ps_faults_count(&m->faults);
	m->end_ns = ps_now_ns();
	p->end_ns = m->end_ns;
	return 0;
}

/* Whether pid's last exec'ed image made a tracker file: one of pid's files
 * started under the name that exec gave it. */
static bool exec_tracked(const struct ps_memread *rd, const struct ps_process *p)
{
	for (size_t i = 0; i < rd->nfiles; i++) {
		const struct ps_memfile *f = &rd->files[i];

		if (f->pid == p->pid &&
		    strncmp(f->h->comm, p->exec_comm, strnlen(f->h->comm, sizeof(f->h->comm))) == 0 &&
		    strnlen(f->h->comm, sizeof(f->h->comm)) == strlen(p->exec_comm))
			return true;
	}
	return false;
}

/*
 * Program images that ran without the tracker: an exec the page-fault
 * sampler saw, with no tracker file started under the name it gave.  A
 * child whose environment lost LD_PRELOAD (env LD_PRELOAD=libjemalloc.so.2
 * prog) does that: said, not silently missing.
 */
static void note_untracked(struct ps_memprof *m)
{
	size_t len = 0;

	for (size_t i = 0; i < m->procs.nprocs; i++) {
		const struct ps_process *p = &m->procs.procs[i];

		if (!p->execs || exec_tracked(&m->reader, p))
			continue;
		m->untracked_images++;
		if (len < sizeof(m->untracked_note) - 64)
			len += (size_t)snprintf(m->untracked_note + len, sizeof(m->untracked_note) - len,
						"%s%s (pid %u)", len ? ", " : "", p->exec_comm, p->pid);
	}
}

int ps_memprof_run(struct ps_memprof *m, struct ps_error *err)
{
	uint64_t next_alive = 0, main_ended_at = 0;
	uint64_t idle_sleep_ns = IDLE_SLEEP_MIN_NS;
	char **env;
	int rc;

	if (!m->cfg.argv)
		return run_attached(m, err);
	check_preloadable(m);
	env = build_env(m);
	if (!env)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	/* orphans of the program become ours, not init's: they stay under
	 * perfscope, which the tracker files' reader requires (ps_memread.h) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	rc = ps_launch_start(m->cfg.argv, env, false, &m->child, err);
	free_env(env, m->cfg.sample_bytes != 0);
	if (rc < 0)
		return rc;
	m->launched = true;
	m->target_pid = m->child.pid;
	ps_lifecycle_start(&m->life, ps_now_ns());
	if (m->tracker_note[0]) {
		/* no tracker file will come: watch its resident memory instead */
		m->untracked_proc = ps_heap_add_proc(&m->heap, (uint32_t)m->child.pid, 0,
						     m->cfg.argv[0], m->life.start_ns);
		if (m->untracked_proc >= 0) {
			m->heap.proc[m->untracked_proc]->rss.every_ns = interval_ns(m);
			start_uprobes(m);
		}
	}
	start_faults(m, m->child.pid);
	/* a program traced with uprobes stops again at its exit, to be scanned */
	rc = m->uprobes_on ? ps_launch_release_traced(&m->child, err)
			   : ps_launch_release_stop(&m->child, err);
	if (rc < 0) {
		ps_launch_abort(&m->child);
		return rc;
	}
	for (;;) {
		uint64_t now = ps_now_ns(), delivered;
		bool check_alive = now >= next_alive;

		if (check_alive)
			next_alive = now + ALIVE_CHECK_NS;
		delivered = read_round(m, check_alive, false);
		reap_orphans(m);
		ps_faults_poll(&m->faults);
		if (m->uprobes_on && ps_uprobes_poll(&m->uprobes, false) > 0)
			delivered++;
		if (m->untracked_proc >= 0 && !m->child.exited)
			ps_rss_sample(&m->heap.proc[m->untracked_proc]->rss, m->child.pid, now);
		if (!m->child.exited && ps_launch_reap(&m->child, false) != 0) {
			/* its files can end now: look at once, not after the
			 * next alive check and a sleep (that was most of the
			 * fixed cost of a short run) */
			main_ended_at = now;
			next_alive = 0;
			delivered++;
		}
		if (m->child.at_exit)
			end_static_at_exit(m);
		if (m->child.exited) {
			if (all_ended(&m->reader) || now - main_ended_at > CHILDREN_GRACE_NS)
				break;
		} else if (should_stop(m, now)) {
			/* ask it to end, then insist after the grace period */
			ps_lifecycle_end_target(&m->life, &m->child, now);
		}
		report_progress(m, now);
		/* a round that took records goes again at once; otherwise sleep,
		 * longer and longer (to IDLE_SLEEP_MAX_NS) while nothing is written:
		 * a quiet program should not share its CPUs with a busy poller */
		if (!delivered) {
			struct timespec ts = { 0, (long)idle_sleep_ns };

			nanosleep(&ts, NULL);
			if (any_unread(&m->reader))
				idle_sleep_ns = IDLE_SLEEP_MIN_NS;
			else if (idle_sleep_ns < IDLE_SLEEP_MAX_NS)
				idle_sleep_ns *= 2;
		}
	}
	read_round(m, true, true);
	/* the run is over: later children of perfscope's (the uprobes'
	 * closer's orphan) are not to become ours */
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	ps_faults_poll(&m->faults);
	m->faults_total = ps_faults_count(&m->faults);
	m->end_ns = ps_now_ns();
	note_untracked(m);
	if (m->uprobes_on) {
		ps_uprobes_poll(&m->uprobes, true);
		/* not seen at its exit (killed, or still running): what is left is unclassified */
		if (!m->static_ended)
			ps_heap_end(&m->heap, (uint32_t)m->untracked_proc, m->end_ns, false, false);
	} else if (m->untracked_proc >= 0) {
		m->heap.proc[m->untracked_proc]->end_ns = m->end_ns;
	}
	return 0;
}

static int fill_notes(const struct ps_memprof *m, struct ps_notes *ns)
{
	if (ps_notes_set(ns, "tracker_note", m->tracker_note) < 0 ||
	    ps_notes_set(ns, "uprobe_note", m->uprobe_note) < 0 ||
	    ps_notes_set(ns, "allocator_note", m->allocator_note) < 0 ||
	    ps_notes_set(ns, "untracked_note", m->untracked_note) < 0 ||
	    ps_notes_set(ns, "leak_scan_note", m->scan_note) < 0 ||
	    ps_notes_set(ns, "faults_note", m->faults_note) < 0)
		return PS_E_NOMEM;
	return 0;
}

/* The finished run as a value: the session's figures copied, its tables lent. */
static int fill_run(struct ps_memprof *m)
{
	struct ps_mem_run *r = &m->run;
	struct ps_run *run = &r->run;

	ps_run_set_target(run, m->cfg.argv, m->target_pid, &m->life, m->end_ns, m->launched ? &m->child : NULL);
	r->tracking = (struct ps_mem_tracking){
		.launched = m->launched, .tracker = m->launched ? m->preload : NULL,
		.sample_bytes = m->cfg.sample_bytes, .sample_seed = m->cfg.sample_seed,
		.interval_s = m->cfg.interval_s > 0 ? m->cfg.interval_s : 0.1,
		.uprobes = m->uprobes_on, .uprobe_cost_us = m->uprobe_cost_us,
	};
	if (m->uprobes_on) {
		r->tracking.uprobe_hits = m->uprobes.hits;
		r->tracking.uprobe_lost = m->uprobes.lost;
		r->tracking.uprobe_unpaired = m->uprobes.unpaired;
	}
	r->counts = (struct ps_mem_counts){
		.records = m->records, .dropped = m->dropped, .rejected = m->rejected_records,
		.corrupt_files = m->corrupt_files, .truncated_files = m->truncated_files,
		.refused_files = m->reader.nrefused, .untracked_images = m->untracked_images,
		.untracked_threads = m->lost_threads, .unwind_fallbacks = m->unwind_fallbacks,
		.unwind_verified = m->unwind_verified, .unwind_mismatches = m->unwind_mismatches,
	};
	r->scan = (struct ps_mem_scan){ m->scan.root_bytes, m->scan.heap_bytes, m->scan.unreadable };
	r->faults = (struct ps_mem_faults){
		.sampled = m->faults.on, .period = m->faults.on ? m->faults.period : 0,
		.total = m->faults_total, .samples = m->faults.sampler.stats.samples,
		.lost = m->faults.sampler.stats.lost, .stacks = &m->faults.stacks,
	};
	r->heap = &m->heap;
	r->stacks = &m->stacks;
	r->symbols = &m->symbols;
	r->procs = &m->procs;
	r->modules = &m->modules;
	r->alloc_layer = m->cfg.alloc_layer;
	return fill_notes(m, &run->notes);
}

int ps_memprof_finish(struct ps_memprof *m, struct ps_error *err)
{
	m->symbols.demangle = m->cfg.demangle;
	m->symbols.hurry = m->cfg.hurry;
	if (fill_run(m) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory while finishing the run");
	/* the page faults' stacks share this table's frames */
	if (ps_symbols_resolve(&m->symbols, &m->stacks) < 0 || ps_mem_run_find_sites(&m->run) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory while naming frames");
	return 0;
}
