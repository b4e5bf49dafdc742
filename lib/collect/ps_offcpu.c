/*
 * Where threads wait (ps_offcpu.h).
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "collect/ps_offcpu.h"
#include "sample/ps_records.h"
#include "base/ps_util.h"

/* A switch-out sample and its switch record are taken together: this close at most. */
#define SAMPLE_TO_SWITCH_NS (1000u * 1000)

static void switch_attr(struct perf_event_attr *a, bool stacks, bool fp)
{
	memset(a, 0, sizeof(*a));
	a->type = PERF_TYPE_SOFTWARE;
	a->context_switch = 1;
	a->sample_period = 1;
	if (stacks) {
		a->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
		/* without PERF_SAMPLE_PERIOD: see ps_faults.c */
		a->sample_type = PS_SAMPLE_TYPE_DWARF & ~(uint64_t)PERF_SAMPLE_PERIOD;
		a->sample_regs_user = PS_REGS_MASK;
		a->sample_stack_user = PS_OFFCPU_STACK_BYTES;
		if (fp) {
			/*
			 * The kernel's frame-pointer walk of the user stack costs
			 * ~1 us a switch here (it reads frame by frame, with
			 * faults handled); copying the stack is cheaper, and the
			 * unwinder walks the copy itself, with CFI where the
			 * code has it (libc's frameless system-call wrappers,
			 * whose callers a frame-pointer walk skips).  A stack
			 * deeper than the copy is cut there (4 KiB: 2.5 us a
			 * switch here, 8 KiB: 3.0 us).
			 */
			a->sample_type &= ~(uint64_t)PERF_SAMPLE_CALLCHAIN;
			a->sample_regs_user = PS_REGS_FP_MASK;
		}
	} else {
		/* switch records only: a user-only dummy event is enough for them */
		a->config = PERF_COUNT_SW_DUMMY;
		a->sample_type = PS_SAMPLE_TYPE & ~(uint64_t)(PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN);
		a->exclude_kernel = 1;
	}
	a->exclude_hv = 1;
	a->task = 1;	/* a thread's exit: the kernel records no switch for it */
}

int ps_offcpu_start(struct ps_offcpu *o, pid_t pid, bool fp, struct ps_procs *procs,
		    struct ps_stacks *frames, const struct ps_preflight *pf, struct ps_error *err)
{
	struct ps_perf_config cfg = { .ring_pages = 1024 };
	struct perf_event_attr a;
	int rc;

	memset(o, 0, sizeof(*o));
	ps_idmap_init(&o->tid_index);
	ps_idmap_init(&o->site_index);
	ps_stacks_init_sharing(&o->stacks, frames);
	ps_perf_init(&o->perf, &cfg);
	o->fp = fp;
	switch_attr(&a, true, fp);
	rc = ps_perf_add_event(&o->perf, &a, pid, pf, err);
	if (rc == 0) {
		o->stacks_on = true;
	} else {
		/* a context switch happens in the kernel: sampling it needs kernel events */
		snprintf(o->note, sizeof(o->note), "no off-CPU stacks: %s%s%s", err->msg,
			 err->hint[0] ? ": " : "", err->hint);
		memset(err, 0, sizeof(*err));
		ps_perf_release(&o->perf);
		ps_perf_init(&o->perf, &cfg);
		switch_attr(&a, false, false);
		rc = ps_perf_add_event(&o->perf, &a, pid, pf, err);
		if (rc < 0)
			return rc;
	}
	o->unwinder = ps_unwind_dwarf_new(procs);
	if (!o->unwinder)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	ps_sampler_init(&o->sampler, procs, &o->stacks, o->unwinder);
	o->start_ns = ps_now_ns();
	o->on = true;
	return 0;
}

void ps_offcpu_release(struct ps_offcpu *o)
{
	ps_sampler_release(&o->sampler);
	if (o->unwinder)
		o->unwinder->release(o->unwinder);
	if (o->perf.rings)
		ps_perf_release(&o->perf);
	ps_stacks_release(&o->stacks);
	ps_idmap_release(&o->tid_index);
	ps_idmap_release(&o->site_index);
	free(o->queue);
	free(o->threads);
	free(o->tracks);
	free(o->sites);
	memset(o, 0, sizeof(*o));
}

/* ---- reading ---- */

static void queue_event(struct ps_offcpu *o, const struct ps_offcpu_event *e)
{
	if (ps_grow(&o->queue, &o->queue_cap, o->nqueue + 1, sizeof(*o->queue)) == 0)
		o->queue[o->nqueue++] = *e;
}

static void on_record(const struct perf_event_header *hdr, void *ctx)
{
	struct ps_offcpu *o = ctx;
	struct ps_rec r;

	ps_rec_decode(hdr, &o->perf.format, &r);
	switch (r.kind) {
	case PS_REC_SAMPLE:
		if (o->stacks_on && r.u.sample.regs_abi)
			queue_event(o, &(struct ps_offcpu_event){
				.time = r.time, .pid = r.pid, .tid = r.tid, .kind = PS_OFF_EV_SAMPLE,
				.stack = ps_sampler_stack(&o->sampler, &r, 0) });
		break;
	case PS_REC_SWITCH:
		o->switches++;
		queue_event(o, &(struct ps_offcpu_event){
			.time = r.time, .pid = r.pid, .tid = r.tid,
			.kind = (r.misc & PERF_RECORD_MISC_SWITCH_OUT) ? PS_OFF_EV_OUT : PS_OFF_EV_IN,
			.preempted = (r.misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0, .stack = -1 });
		break;
	case PS_REC_FORK:
	case PS_REC_EXIT:
		queue_event(o, &(struct ps_offcpu_event){
			.time = r.time, .pid = r.u.task.pid, .tid = r.u.task.tid,
			.kind = r.kind == PS_REC_FORK ? PS_OFF_EV_FORK : PS_OFF_EV_EXIT, .stack = -1 });
		break;
	case PS_REC_LOST:
		o->lost += r.u.lost.lost;
		break;
	default:
		break;
	}
}

static int cmp_event(const void *a, const void *b)
{
	const struct ps_offcpu_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* ---- classifying ---- */

/* What a descriptor of pid is: a file on disk, a socket, a pipe, or other. */
static uint8_t fd_reason(uint32_t pid, uint64_t fd)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/fd/%llu", pid, (unsigned long long)fd);
	if (fd > 1u << 30 || stat(path, &st) < 0)
		return PS_OFF_OTHER;
	if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) || S_ISDIR(st.st_mode))
		return PS_OFF_DISK;
	if (S_ISSOCK(st.st_mode))
		return PS_OFF_NET;
	if (S_ISFIFO(st.st_mode))
		return PS_OFF_PIPE;
	return PS_OFF_OTHER;
}

static uint8_t classify(const struct ps_syscalls *sc, uint32_t pid, uint32_t tid)
{
	const struct ps_syscall_thread *t;

	if (!sc || !sc->on)
		return PS_OFF_UNKNOWN;
	t = ps_syscalls_thread(sc, tid);
	if (!t || t->nr < 0)
		return PS_OFF_PAGE_FAULT;	/* off CPU outside any system call */
	switch (t->nr) {
	case SYS_futex:
		return PS_OFF_LOCK;
	case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_pause:
		return PS_OFF_SLEEP;
	case SYS_wait4: case SYS_waitid:
		return PS_OFF_CHILD;
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
	case SYS_epoll_wait: case SYS_epoll_pwait:
		return PS_OFF_POLL;
	case SYS_accept: case SYS_accept4: case SYS_connect: case SYS_recvfrom: case SYS_recvmsg:
	case SYS_recvmmsg: case SYS_sendto: case SYS_sendmsg: case SYS_sendmmsg:
		return PS_OFF_NET;
	case SYS_fsync: case SYS_fdatasync: case SYS_sync_file_range: case SYS_syncfs: case SYS_sync:
	case SYS_msync: case SYS_openat: case SYS_open:
		return PS_OFF_DISK;
	case SYS_read: case SYS_readv: case SYS_pread64: case SYS_preadv: case SYS_preadv2:
	case SYS_write: case SYS_writev: case SYS_pwrite64: case SYS_pwritev: case SYS_pwritev2:
	case SYS_sendfile: case SYS_splice:
		return fd_reason(pid, t->args[0]);
	default:
		return PS_OFF_OTHER;
	}
}

/* ---- applying ---- */

/* Thread tid's index, made on first sight; -1 when out of memory. */
static int64_t thread_of(struct ps_offcpu *o, uint32_t pid, uint32_t tid)
{
	uint32_t at;

	if (!ps_idmap_get(&o->tid_index, tid, &at)) {
		if (ps_grow(&o->threads, &o->threads_cap, o->nthreads + 1, sizeof(*o->threads)) < 0 ||
		    ps_grow(&o->tracks, &o->tracks_cap, o->nthreads + 1, sizeof(*o->tracks)) < 0 ||
		    ps_idmap_put(&o->tid_index, tid, (uint32_t)o->nthreads) < 0)
			return -1;
		o->threads[o->nthreads] = (struct ps_offcpu_thread){
			.pid = pid, .tid = tid, .begin_ns = o->start_ns };
		o->tracks[o->nthreads] = (struct ps_offcpu_track){ .out_stack = -1, .sample_stack = -1 };
		at = (uint32_t)o->nthreads++;
	}
	return at;
}

/* Blocked time at (stack, reason), or (thread, reason) without a stack. */
static void add_site(struct ps_offcpu *o, int64_t stack, uint32_t thread, uint8_t reason, uint64_t ns)
{
	uint32_t key, at;

	/* idmap keys are 32 bits: a stack id or a thread index, and the reason */
	key = stack >= 0 ? (uint32_t)stack * 16u + reason : 0x80000000u | (thread * 16u + reason);
	if (!ps_idmap_get(&o->site_index, key, &at)) {
		if (ps_grow(&o->sites, &o->sites_cap, o->nsites + 1, sizeof(*o->sites)) < 0 ||
		    ps_idmap_put(&o->site_index, key, (uint32_t)o->nsites) < 0)
			return;
		o->sites[o->nsites] = (struct ps_offcpu_site){ .stack = stack, .thread = thread,
							      .reason = reason };
		at = (uint32_t)o->nsites++;
	}
	o->sites[at].ns += ns;
	o->sites[at].count++;
}

/*
 * The last moment of a thread that has not ended yet (its exit, or the end
 * of profiling): a thread on the CPU was there since it last came in.
 */
static void end_thread_at(const struct ps_offcpu *o, struct ps_offcpu_thread *t,
			  const struct ps_offcpu_track *k, uint64_t time)
{
	uint64_t in = k->in_ns ? k->in_ns : o->start_ns;

	if (k->ended)
		return;
	if (!k->out && time > in)
		t->on_ns += time - in;
	t->end_ns = time;
}

static void apply_event(struct ps_offcpu *o, const struct ps_offcpu_event *e,
			const struct ps_syscalls *sc)
{
	int64_t at = thread_of(o, e->pid, e->tid);
	struct ps_offcpu_thread *t;
	struct ps_offcpu_track *k;
	uint32_t index;
	uint64_t dt;

	if (at < 0)
		return;
	index = (uint32_t)at;
	t = &o->threads[index];
	k = &o->tracks[index];
	switch ((enum ps_offcpu_event_kind)e->kind) {
	case PS_OFF_EV_FORK:
		/*
		 * Born runnable: its wait for a first CPU is scheduler delay, and
		 * should its first switch-in be missing, it is not taken to have
		 * run since the profile started.
		 */
		k->out = true;
		k->preempted = true;
		k->out_ns = e->time;
		k->out_stack = -1;
		t->begin_ns = e->time;
		break;
	case PS_OFF_EV_SAMPLE:
		k->sample_stack = e->stack;
		k->sample_ns = e->time;
		break;
	case PS_OFF_EV_OUT:
		if (k->ended)
			break;	/* its last switch, after its exit record */
		if (k->out) {
			o->unpaired++;	/* out twice: the time in between is not known */
		} else {
			/* leaving without having been seen arriving: it was running at the start */
			if (!k->in_ns)
				k->in_ns = o->start_ns;
			if (e->time > k->in_ns)
				t->on_ns += e->time - k->in_ns;
		}
		k->out = true;
		k->out_ns = e->time;
		k->preempted = e->preempted;
		k->out_stack = k->sample_ns && e->time - k->sample_ns < SAMPLE_TO_SWITCH_NS ?
			       k->sample_stack : -1;
		k->sample_ns = 0;
		if (k->preempted) {
			t->involuntary++;
		} else {
			t->voluntary++;
			k->reason = classify(sc, e->pid, e->tid);
		}
		break;
	case PS_OFF_EV_EXIT:
		end_thread_at(o, t, k, e->time);
		k->ended = true;
		break;
	case PS_OFF_EV_IN:
		if (k->out && e->time > k->out_ns) {
			dt = e->time - k->out_ns;
			if (k->preempted) {
				t->runnable_ns += dt;
			} else {
				t->blocked_ns[k->reason] += dt;
				add_site(o, k->out_stack, index, k->reason, dt);
			}
		} else if (!k->out && k->in_ns) {
			o->unpaired++;	/* in twice */
		}
		k->out = false;
		k->in_ns = e->time;
		break;
	}
}

/*
 * At the end, a thread on the CPU since its last switch, and not ended,
 * ran until now.
 */
static void close_running(struct ps_offcpu *o)
{
	uint64_t now = ps_now_ns();

	for (size_t i = 0; i < o->nthreads; i++) {
		end_thread_at(o, &o->threads[i], &o->tracks[i], now);
		o->tracks[i].in_ns = now;
	}
}

void ps_offcpu_round(struct ps_offcpu *o, struct ps_syscalls *sc, bool final)
{
	uint64_t cut = ps_syscalls_cut(final);
	size_t kept = 0;

	if (sc)
		ps_syscalls_read(sc);
	if (o->on) {
		ps_perf_snapshot(&o->perf);
		ps_perf_scan(&o->perf, on_record, o);
		ps_perf_consume(&o->perf);
	}
	if (o->nqueue)
		qsort(o->queue, o->nqueue, sizeof(*o->queue), cmp_event);
	for (size_t i = 0; i < o->nqueue; i++) {
		if (o->queue[i].time > cut) {
			o->queue[kept++] = o->queue[i];
			continue;
		}
		/* the thread's system call as of this moment */
		if (sc)
			ps_syscalls_apply_until(sc, o->queue[i].time);
		apply_event(o, &o->queue[i], sc);
	}
	o->nqueue = kept;
	if (sc)
		ps_syscalls_apply_until(sc, cut);
	if (final)
		close_running(o);
}
