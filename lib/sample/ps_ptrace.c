#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sample/ps_ptrace.h"
#include "sample/ps_records.h"
#include "target/ps_tasks.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

static int add_tid(struct ps_ptrace *pt, pid_t tid)
{
	if (ps_grow(&pt->threads, &pt->threads_cap, pt->nthreads + 1, sizeof(*pt->threads)) < 0)
		return PS_E_NOMEM;
	pt->threads[pt->nthreads++] = (struct ps_pt_thread){ .tid = tid };
	return 0;
}

static void drop_tid(struct ps_ptrace *pt, pid_t tid)
{
	for (size_t i = 0; i < pt->nthreads; i++) {
		if (pt->threads[i].tid == tid) {
			pt->threads[i] = pt->threads[--pt->nthreads];
			return;
		}
	}
}

int ps_ptrace_init(struct ps_ptrace *pt, struct ps_child *child, unsigned stack_size,
		   unsigned frequency, struct ps_error *err)
{
	long opts = PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;

	memset(pt, 0, sizeof(*pt));
	pt->pid = child->pid;
	pt->child = child;
	pt->stack_size = stack_size;
	pt->tick_ns = 1000000000ULL / (frequency ? frequency : 99);
	if (ptrace(PTRACE_SETOPTIONS, child->pid, NULL, (void *)opts) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot set ptrace options on pid %d: %s",
				    (int)child->pid, strerror(errno));
	if (add_tid(pt, child->pid) < 0)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	/* Leave the exec stop: the program runs, traced. */
	if (ptrace(PTRACE_CONT, child->pid, NULL, NULL) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot resume pid %d: %s",
				    (int)child->pid, strerror(errno));
	child->stopped_at_exec = false;
	return 0;
}

/* CPU time of a thread so far, in ns (schedstat's first field); 0 if unknown. */
static uint64_t thread_cpu_ns(pid_t pid, pid_t tid)
{
	char path[64], buf[128];
	unsigned long long ns = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(buf, sizeof(buf), f))
		ns = strtoull(buf, NULL, 10);
	fclose(f);
	return ns;
}

static bool have_tid(const struct ps_ptrace *pt, pid_t tid)
{
	for (size_t i = 0; i < pt->nthreads; i++)
		if (pt->threads[i].tid == tid)
			return true;
	return false;
}

static int attach_error(struct ps_error *err, pid_t pid, int e)
{
	long scope = -1;

	ps_read_long("/proc/sys/kernel/yama/ptrace_scope", &scope);
	if (e == ESRCH || e == ENOENT)
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)pid);
	ps_error_set(err, PS_E_PERM, "cannot ptrace pid %d: %s", (int)pid, strerror(e));
	if (scope > 0)
		ps_error_hint(err, "kernel.yama.ptrace_scope is %ld: run as root, or "
			      "'sudo sysctl kernel.yama.ptrace_scope=0'", scope);
	else
		ps_error_hint(err, "you can only trace your own processes unless you are root "
			      "(or have CAP_SYS_PTRACE)");
	return err->code;
}

struct seize_ctx {
	struct ps_ptrace *pt;
	int error;           /* errno of a refused PTRACE_SEIZE */
};

static bool pt_has_tid(pid_t tid, void *ctx)
{
	return have_tid(((struct seize_ctx *)ctx)->pt, tid);
}

static int seize_tid(pid_t tid, void *ctx)
{
	struct seize_ctx *c = ctx;

	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)PTRACE_O_TRACECLONE) < 0) {
		if (errno == ESRCH)
			return -ESRCH;	/* it ended meanwhile */
		c->error = errno;
		return -1;
	}
	if (add_tid(c->pt, tid) < 0) {
		c->error = ENOMEM;
		return -1;
	}
	/* CPU time used before we came is not ours to count. */
	c->pt->threads[c->pt->nthreads - 1].last_cpu_ns = thread_cpu_ns(c->pt->pid, tid);
	return 0;
}

int ps_ptrace_attach(struct ps_ptrace *pt, pid_t pid, struct ps_child *status,
		     unsigned stack_size, unsigned frequency, struct ps_error *err)
{
	struct seize_ctx c = { .pt = pt };
	int rc;

	memset(pt, 0, sizeof(*pt));
	memset(status, 0, sizeof(*status));
	status->pid = pid;
	pt->pid = pid;
	pt->child = status;
	pt->stack_size = stack_size;
	pt->tick_ns = 1000000000ULL / (frequency ? frequency : 99);
	rc = ps_tasks_visit(pid, pt_has_tid, seize_tid, &c);
	if (rc < 0 || pt->nthreads == 0) {
		ps_ptrace_detach(pt);
		return attach_error(err, pid, c.error ? c.error : rc < 0 ? -rc : ESRCH);
	}
	return 0;
}

void ps_ptrace_release(struct ps_ptrace *pt)
{
	free(pt->threads);
	free(pt->record);
	memset(pt, 0, sizeof(*pt));
}

static bool is_running(pid_t pid, pid_t tid)
{
	char path[64], buf[256], *state;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	state = strrchr(buf, ')');	/* the name may hold spaces and ')' */
	return state && state[1] == ' ' && state[2] == 'R';
}

/* Reads up to `size` bytes of stack from sp, page by page, as far as mapped. */
static size_t copy_stack(pid_t tid, uint64_t sp, unsigned char *out, size_t size)
{
	size_t got = 0;

	while (got < size) {
		size_t chunk = 4096 - ((sp + got) & 4095);
		struct iovec local, remote;
		ssize_t n;

		if (chunk > size - got)
			chunk = size - got;
		local = (struct iovec){ out + got, chunk };
		remote = (struct iovec){ (void *)(uintptr_t)(sp + got), chunk };
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static void put_u64(unsigned char **p, uint64_t v)
{
	memcpy(*p, &v, 8);
	*p += 8;
}

/* Packs registers and stack as a PS_SAMPLE_TYPE_DWARF sample record. */
static const struct perf_event_header *pack_sample(struct ps_ptrace *pt, pid_t tid,
						    const struct user_regs_struct *r, uint64_t weight)
{
	size_t max = sizeof(struct perf_event_header) + 8 * (8 + PS_NREGS + 3) + pt->stack_size;
	uint64_t perf_order[PS_NREGS] = {
		r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp, r->rip,
		r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15,
	};
	struct perf_event_header *h;
	unsigned char *p;
	size_t stack_len;
	uint32_t ids[2] = { (uint32_t)pt->pid, (uint32_t)tid };

	if (ps_grow(&pt->record, &pt->record_cap, max, 1) < 0)
		return NULL;
	h = (void *)pt->record;
	p = (unsigned char *)(h + 1);
	put_u64(&p, r->rip);
	memcpy(p, ids, 8);
	p += 8;
	put_u64(&p, ps_now_ns());
	put_u64(&p, 0);                 /* cpu, res */
	put_u64(&p, weight);            /* period: ticks of CPU time it stands for */
	put_u64(&p, 0);                 /* no call chain */
	put_u64(&p, PERF_SAMPLE_REGS_ABI_64);
	memcpy(p, perf_order, sizeof(perf_order));
	p += sizeof(perf_order);
	put_u64(&p, pt->stack_size);
	stack_len = copy_stack(tid, r->rsp, p, pt->stack_size);
	memset(p + stack_len, 0, pt->stack_size - stack_len);
	p += pt->stack_size;
	put_u64(&p, stack_len);         /* dyn_size */
	h->type = PERF_RECORD_SAMPLE;
	h->misc = PERF_RECORD_MISC_USER;
	h->size = (uint16_t)(p - pt->record);
	return h;
}

static void note_exit(struct ps_ptrace *pt, pid_t tid, int status)
{
	drop_tid(pt, tid);
	if (tid != pt->pid)
		return;
	pt->child->exited = true;
	if (WIFEXITED(status))
		pt->child->exit_code = WEXITSTATUS(status);
	else
		pt->child->exit_signal = WTERMSIG(status);
}

/*
 * Handles one wait status that is not the stop we are waiting for: thread
 * births and deaths, and signals meant for the program (passed on).
 */
static void handle_event(struct ps_ptrace *pt, pid_t tid, int status)
{
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		note_exit(pt, tid, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_CLONE << 8))) {
		unsigned long new_tid = 0;

		if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &new_tid) == 0)
			add_tid(pt, (pid_t)new_tid);
		ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	if (status >> 16) {	/* other ptrace events: nothing to pass on */
		ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	/* A new thread's first stop is a SIGSTOP of ours to swallow, too. */
	if (WSTOPSIG(status) == SIGSTOP) {
		ptrace(PTRACE_CONT, tid, NULL, NULL);
		return;
	}
	ptrace(PTRACE_CONT, tid, NULL, (void *)(uintptr_t)WSTOPSIG(status));
}

/* Stops tid with SIGSTOP; true once it is in that stop, false if it died. */
static bool stop_thread(struct ps_ptrace *pt, pid_t tid)
{
	if (syscall(SYS_tgkill, pt->pid, tid, SIGSTOP) < 0)
		return false;
	for (;;) {
		int status;
		pid_t w = waitpid(tid, &status, __WALL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		if (WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP && !(status >> 16))
			return true;
		handle_event(pt, tid, status);
		if (WIFEXITED(status) || WIFSIGNALED(status))
			return false;
	}
}

/* Collects what happened meanwhile (new threads, exits, signals) without blocking. */
static void reap_events(struct ps_ptrace *pt)
{
	int status;
	pid_t w;

	while ((w = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
		handle_event(pt, w, status);
}

/*
 * The number of ticks of CPU time a sample of thread t now stands for
 * (0: it has not used a whole tick since its last sample).
 */
static uint64_t take_weight(struct ps_ptrace *pt, struct ps_pt_thread *t)
{
	uint64_t cpu = thread_cpu_ns(pt->pid, t->tid), whole;

	if (cpu > t->last_cpu_ns)
		t->credit += (double)(cpu - t->last_cpu_ns) / (double)pt->tick_ns;
	t->last_cpu_ns = cpu;
	whole = (uint64_t)t->credit;
	t->credit -= (double)whole;
	return whole;
}

int ps_ptrace_tick(struct ps_ptrace *pt,
		   void (*fn)(const struct perf_event_header *rec, void *ctx), void *ctx)
{
	reap_events(pt);
	pt->ticks++;
	for (size_t i = 0; i < pt->nthreads && !pt->child->exited; i++) {
		struct ps_pt_thread *t = &pt->threads[i];
		struct user_regs_struct regs;
		const struct perf_event_header *rec;
		uint64_t weight;

		if (!is_running(pt->pid, t->tid))
			continue;
		weight = take_weight(pt, t);
		if (weight == 0 || !stop_thread(pt, t->tid))
			continue;
		if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0 &&
		    (rec = pack_sample(pt, t->tid, &regs, weight))) {
			pt->samples++;
			fn(rec, ctx);
		} else {
			pt->failed++;
		}
		ptrace(PTRACE_CONT, t->tid, NULL, NULL);
	}
	reap_events(pt);
	return pt->child->exited ? 1 : 0;
}

void ps_ptrace_detach(struct ps_ptrace *pt)
{
	for (size_t i = 0; i < pt->nthreads; i++) {
		pid_t tid = pt->threads[i].tid;

		if (stop_thread(pt, tid))
			ptrace(PTRACE_DETACH, tid, NULL, NULL);
	}
	pt->nthreads = 0;
}
