/*
 * System calls from the raw_syscalls tracepoints (ps_syscalls.h).
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>

#include "collect/ps_syscalls.h"
#include "base/ps_util.h"

#define WRITE_SLACK_NS (2u * 1000 * 1000)
#define RING_PAGES 2048   /* 8 MiB a CPU: ~80 ms of a million calls a second */

/* A close(fd) by pid after time t among the events read (applied or not)? */
static bool closed_after(const void *ctx, uint32_t pid, int32_t fd, uint64_t t)
{
	const struct ps_syscalls *s = ctx;

	for (size_t i = s->qhead; i < s->nqueue; i++) {
		const struct ps_syscall_event *e = &s->queue[i];

		if (e->time > t && !e->exit && e->nr == SYS_close && e->pid == pid &&
		    (int32_t)e->a[0] == fd)
			return true;
	}
	return false;
}

/* ---- starting ---- */

static int open_tracepoint(struct ps_syscalls *s, uint32_t id, pid_t pid,
			   const struct ps_preflight *pf, struct ps_error *err)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = id;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW;
	a.exclude_callchain_user = 1;
	return ps_perf_add_event(&s->perf, &a, pid, pf, err);
}

int ps_syscalls_start(struct ps_syscalls *s, pid_t pid, const struct ps_tracefs *tfs,
		      const struct ps_preflight *pf, struct ps_error *err)
{
	struct ps_perf_config cfg = { .ring_pages = RING_PAGES, .close_detached = true };
	unsigned size;
	int rc;

	memset(s, 0, sizeof(*s));
	ps_idmap_init(&s->tid_index);
	ps_syscall_procs_init(&s->procs);
	ps_files_init(&s->files);
	s->files.closed_after = closed_after;
	s->files.closed_ctx = s;
	ps_perf_init(&s->perf, &cfg);
	rc = ps_tracefs_event_id(tfs, "raw_syscalls", "sys_enter", &s->enter_id, err);
	if (rc == 0)
		rc = ps_tracefs_event_id(tfs, "raw_syscalls", "sys_exit", &s->exit_id, err);
	if (rc < 0)
		return rc;
	if (ps_tracefs_field(tfs, "raw_syscalls", "sys_enter", "id", &s->nr_off, &size) < 0 ||
	    ps_tracefs_field(tfs, "raw_syscalls", "sys_enter", "args[6]", &s->args_off, &size) < 0 ||
	    ps_tracefs_field(tfs, "raw_syscalls", "sys_exit", "ret", &s->ret_off, &size) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "unexpected raw_syscalls tracepoint format "
				    "in %s", tfs->root);
	rc = open_tracepoint(s, s->enter_id, pid, pf, err);
	if (rc == 0)
		rc = open_tracepoint(s, s->exit_id, pid, pf, err);
	if (rc < 0)
		return rc;
	ps_files_scan_process(&s->files, (uint32_t)pid);
	s->on = true;
	return 0;
}

void ps_syscalls_release(struct ps_syscalls *s)
{
	if (s->perf.rings)
		ps_perf_release(&s->perf);
	ps_syscall_stats_release(s->stats, PS_SYSCALL_MAX);
	ps_idmap_release(&s->tid_index);
	ps_syscall_procs_release(&s->procs);
	ps_files_release(&s->files);
	ps_openpaths_release(&s->paths);
	for (size_t i = 0; i < s->nthreads; i++)
		free(s->threads[i].path);
	free(s->threads);
	free(s->queue);
	memset(s, 0, sizeof(*s));
}

/* ---- reading ---- */

static uint64_t raw_u64(const unsigned char *raw, uint32_t raw_size, unsigned off)
{
	uint64_t v = 0;

	if (off + 8 <= raw_size)
		memcpy(&v, raw + off, 8);
	return v;
}

/* sample_type TID | TIME | RAW: pid, tid, time, then the raw record's size and bytes. */
static void on_record(const struct perf_event_header *hdr, void *ctx)
{
	struct ps_syscalls *s = ctx;
	const unsigned char *p = (const unsigned char *)(hdr + 1);
	uint32_t pid, tid, raw_size;
	uint16_t type;
	uint64_t time;
	struct ps_syscall_event *e;

	if (hdr->type == PERF_RECORD_LOST) {
		uint64_t lost = 0;

		if (hdr->size >= sizeof(*hdr) + 16)
			memcpy(&lost, p + 8, 8);
		s->lost += lost;
		return;
	}
	if (hdr->type != PERF_RECORD_SAMPLE || hdr->size < sizeof(*hdr) + 20)
		return;
	memcpy(&pid, p, 4);
	memcpy(&tid, p + 4, 4);
	memcpy(&time, p + 8, 8);
	memcpy(&raw_size, p + 16, 4);
	if (sizeof(*hdr) + 20 + (size_t)raw_size > hdr->size || raw_size < 2)
		return;
	p += 20;
	memcpy(&type, p, 2);
	if (ps_grow(&s->queue, &s->queue_cap, s->nqueue + 1, sizeof(*s->queue)) < 0)
		return;
	e = &s->queue[s->nqueue++];
	*e = (struct ps_syscall_event){
		.time = time, .pid = pid, .tid = tid, .exit = type == s->exit_id,
		.nr = (int64_t)raw_u64(p, raw_size, s->nr_off),
	};
	if (e->exit) {
		e->a[0] = raw_u64(p, raw_size, s->ret_off);
	} else {
		int path_arg = ps_openpaths_arg(e->nr);

		for (int i = 0; i < 4; i++)
			e->a[i] = raw_u64(p, raw_size, s->args_off + 8u * (unsigned)i);
		/* now, while the program most likely still holds the string */
		if (path_arg >= 0)
			ps_openpaths_capture(&s->paths, tid, time, e->a[path_arg],
					     path_arg ? (int)e->a[0] : AT_FDCWD);
	}
	s->events++;
}

static int cmp_event(const void *a, const void *b)
{
	const struct ps_syscall_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return (int)x->exit - (int)y->exit;
}

static struct ps_syscall_thread *thread_of(struct ps_syscalls *s, uint32_t tid)
{
	bool added;
	int64_t at = ps_idmap_row(&s->tid_index, tid, &s->threads, &s->nthreads, &s->threads_cap,
				  sizeof(*s->threads), &added);

	if (at < 0)
		return NULL;
	if (added)
		s->threads[at].nr = -1;
	return &s->threads[at];
}

/* The calls whose result is the count of bytes they moved. */
static bool moves_bytes(int64_t nr)
{
	switch (nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64:
	case SYS_readv: case SYS_writev: case SYS_preadv: case SYS_pwritev:
	case SYS_preadv2: case SYS_pwritev2: case SYS_recvfrom: case SYS_sendto:
	case SYS_recvmsg: case SYS_sendmsg: case SYS_sendfile: case SYS_copy_file_range:
	case SYS_splice:
		return true;
	default:
		return false;
	}
}

static void finish_call(struct ps_syscalls *s, const struct ps_syscall_thread *t, uint64_t end,
			int64_t ret)
{
	struct ps_syscall_stat *st;
	uint64_t ns = end > t->enter_ns ? end - t->enter_ns : 0, bytes;

	if (t->nr < 0 || t->nr >= PS_SYSCALL_MAX)
		return;
	st = &s->stats[t->nr];

	if (ps_syscall_stat_add(st, ns, ret) < 0)
		return;
	bytes = ret > 0 && moves_bytes(t->nr) ? (uint64_t)ret : 0;
	st->bytes += bytes;
	(void)ps_syscall_procs_add(&s->procs, t->pid, (int32_t)t->nr, ns, ret, bytes);
	ps_files_call(&s->files, t->pid, t->nr, t->args, ret, ns, end, t->path);
}

static void apply_event(struct ps_syscalls *s, const struct ps_syscall_event *e)
{
	struct ps_syscall_thread *t = thread_of(s, e->tid);

	if (!t)
		return;
	if (!e->exit) {
		free(t->path);
		t->path = NULL;
		t->pid = e->pid;
		t->nr = e->nr;
		t->enter_ns = e->time;
		memcpy(t->args, e->a, sizeof(t->args));
		if (ps_openpaths_arg(e->nr) >= 0)
			t->path = ps_openpaths_take(&s->paths, e->tid, e->time);
		return;
	}
	if (t->nr != e->nr) {
		/* an exit without its entry (the entry was lost, or came before tracing) */
		s->unmatched++;
		t->nr = -1;
		free(t->path);
		t->path = NULL;
		return;
	}
	finish_call(s, t, e->time, (int64_t)e->a[0]);
	t->nr = -1;
	free(t->path);
	t->path = NULL;
}

void ps_syscalls_read(struct ps_syscalls *s)
{
	/* what the last round applied goes; what it kept moves to the front */
	if (s->qhead) {
		memmove(s->queue, s->queue + s->qhead, (s->nqueue - s->qhead) * sizeof(*s->queue));
		s->nqueue -= s->qhead;
		s->qhead = 0;
	}
	if (!s->on)
		return;
	ps_perf_snapshot(&s->perf);
	ps_perf_scan(&s->perf, on_record, s);
	ps_perf_consume(&s->perf);
	if (s->nqueue)
		qsort(s->queue, s->nqueue, sizeof(*s->queue), cmp_event);
}

void ps_syscalls_apply_until(struct ps_syscalls *s, uint64_t time)
{
	while (s->qhead < s->nqueue && s->queue[s->qhead].time <= time)
		apply_event(s, &s->queue[s->qhead++]);
}

uint64_t ps_syscalls_cut(bool final)
{
	return final ? UINT64_MAX : ps_now_ns() - WRITE_SLACK_NS;
}

void ps_syscalls_poll(struct ps_syscalls *s, bool final)
{
	ps_syscalls_read(s);
	ps_syscalls_apply_until(s, ps_syscalls_cut(final));
}

const struct ps_syscall_thread *ps_syscalls_thread(const struct ps_syscalls *s, uint32_t tid)
{
	uint32_t at;

	if (!s->on || !ps_idmap_get(&s->tid_index, tid, &at))
		return NULL;
	return &s->threads[at];
}
