#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "target/ps_closer.h"
#include "sample/ps_perf.h"
#include "sample/ps_records.h"
#include "target/ps_tasks.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

void ps_perf_init(struct ps_perf *perf, const struct ps_perf_config *cfg)
{
	memset(perf, 0, sizeof(*perf));
	perf->cfg = *cfg;
	perf->ncpus = (int)sysconf(_SC_NPROCESSORS_CONF);
	if (perf->ncpus < 1)
		perf->ncpus = 1;
	perf->rings = calloc((size_t)perf->ncpus, sizeof(*perf->rings));
	for (int c = 0; perf->rings && c < perf->ncpus; c++)
		perf->rings[c].fd = -1;
	perf->hardware = !cfg->force_software;
	perf->exclude_kernel = !cfg->kernel_frames;
	perf->dwarf = cfg->dwarf;
}

/* Unmaps the rings and frees everything but the descriptors. */
static void release_rings(struct ps_perf *perf)
{
	for (int c = 0; perf->rings && c < perf->ncpus; c++) {
		struct ps_ring *r = &perf->rings[c];

		if (r->base)
			munmap(r->base, r->data_size + (size_t)sysconf(_SC_PAGESIZE));
		free(r->scratch);
	}
	free(perf->rings);
	free(perf->tids);
	perf->rings = NULL;
	perf->tids = NULL;
}

void ps_perf_release(struct ps_perf *perf)
{
	ps_perf_release_many(&perf, 1);
}

void ps_perf_release_many(struct ps_perf *const *perfs, size_t n)
{
	int *detached = NULL;
	size_t ndetached = 0, cap = 0;

	for (size_t k = 0; k < n; k++) {
		struct ps_perf *perf = perfs[k];

		release_rings(perf);
		for (size_t i = 0; i < perf->nfds; i++) {
			if (perf->cfg.close_detached &&
			    ps_grow(&detached, &cap, ndetached + 1, sizeof(int)) == 0)
				detached[ndetached++] = perf->fds[i];
			else
				close(perf->fds[i]);
		}
		free(perf->fds);
		memset(perf, 0, sizeof(*perf));
	}
	ps_close_detached(detached, ndetached);
	free(detached);
}

static void fill_attr(const struct ps_perf *perf, struct perf_event_attr *attr, bool first)
{
	memset(attr, 0, sizeof(*attr));
	attr->size = sizeof(*attr);
	if (perf->hardware) {
		attr->type = PERF_TYPE_HARDWARE;
		attr->config = PERF_COUNT_HW_CPU_CYCLES;
	} else {
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = PERF_COUNT_SW_CPU_CLOCK;
	}
	attr->freq = 1;
	attr->sample_freq = perf->cfg.frequency;
	attr->sample_type = perf->dwarf ? PS_SAMPLE_TYPE_DWARF : PS_SAMPLE_TYPE;
	if (perf->dwarf) {
		attr->sample_regs_user = PS_REGS_MASK;
		attr->sample_stack_user = perf->cfg.stack_size;
	}
	attr->inherit = 1;
	attr->exclude_kernel = perf->exclude_kernel;
	attr->exclude_hv = 1;
	attr->exclude_callchain_kernel = perf->exclude_kernel || !perf->cfg.kernel_frames;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
	attr->watermark = 1;
	/* Side-band records (maps, names, forks) only once per CPU ring. */
	if (first) {
		attr->mmap = 1;
		attr->mmap2 = 1;
		attr->comm = 1;
		attr->comm_exec = 1;
		attr->task = 1;
	}
}

static unsigned choose_ring_pages(const struct ps_perf *perf, const struct ps_preflight *pf)
{
	long page_kb = sysconf(_SC_PAGESIZE) / 1024;
	unsigned pages = perf->cfg.ring_pages ? perf->cfg.ring_pages : perf->dwarf ? 1024 : 128;

	/*
	 * A stack copy makes each sample ~stack_size bytes.  One CPU runs at
	 * most a second of threads a second, so its ring takes at most
	 * `frequency` samples a second: room for a quarter of a second of them
	 * (the reader comes every 10-100 ms), at least 64 pages, at most 1024.
	 * The kernel zeroes every page at mmap: at 99 Hz this is 1 MiB a CPU
	 * instead of 4, a few ms of every run's start.
	 */
	if (!perf->cfg.ring_pages && perf->dwarf && perf->cfg.frequency) {
		uint64_t kb = (uint64_t)perf->cfg.frequency * (perf->cfg.stack_size + 1024) / 4 / 1024;

		pages = 64;
		while (pages < 1024 && (uint64_t)pages * (uint64_t)page_kb < kb)
			pages *= 2;
	}

	/* Unprivileged users get perf_event_mlock_kb per CPU, header page included. */
	if (!ps_preflight_privileged(pf) && !pf->is_root && pf->mlock_kb > 0) {
		while (pages > 1 && (long)(pages + 1) * page_kb > pf->mlock_kb)
			pages /= 2;
	}
	return pages;
}

static int map_ring(struct ps_perf *perf, struct ps_ring *ring, int fd,
		    const struct ps_preflight *pf, struct ps_error *err)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned pages = choose_ring_pages(perf, pf);
	void *base = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (base == MAP_FAILED) {
		ps_error_set(err, PS_E_PERM, "cannot map a %u KiB perf ring buffer: %s",
			     pages * (unsigned)(page / 1024), strerror(errno));
		ps_error_hint(err,
			      "the locked-memory budget for perf buffers is kernel.perf_event_mlock_kb=%ld "
			      "per CPU; close other profilers or run 'sudo sysctl kernel.perf_event_mlock_kb=2048'",
			      pf->mlock_kb);
		return err->code;
	}
	/* children of ours (the closer, a launched program's fork) get no copy:
	 * a perf ring mapped into a process costs a slow unmap at its exit */
	(void)madvise(base, (pages + 1) * page, MADV_DONTFORK);
	ring->fd = fd;
	ring->base = base;
	ring->data_size = pages * page;
	return 0;
}

static int remember_fd(struct ps_perf *perf, int fd)
{
	if (ps_grow(&perf->fds, &perf->fds_cap, perf->nfds + 1, sizeof(int)) < 0)
		return PS_E_NOMEM;
	perf->fds[perf->nfds++] = fd;
	return 0;
}

static bool is_unsupported_errno(int e)
{
	return e == ENOENT || e == EOPNOTSUPP || e == ENODEV || e == EINVAL;
}

/*
 * Opens one event, stepping down from cycles to cpu-clock and from kernel+user
 * to user-only as the machine requires.  The decision sticks for later opens.
 */
static int open_with_fallbacks(struct ps_perf *perf, pid_t tid, int cpu, bool first,
			       const struct ps_preflight *pf, struct ps_error *err)
{
	struct perf_event_attr attr;
	char hint[400];

	for (;;) {
		int fd, e;

		fill_attr(perf, &attr, first);
		fd = sys_perf_event_open(&attr, tid, cpu);
		if (fd >= 0) {
			snprintf(perf->event_name, sizeof(perf->event_name), "%s",
				 perf->hardware ? "cycles" : "cpu-clock");
			perf->format = (struct ps_rec_format){
				.sample_type = attr.sample_type,
				.regs_mask = perf->dwarf ? PS_REGS_MASK : 0,
			};
			return fd;
		}
		e = errno;
		if (e == ESRCH)
			return -ESRCH;
		if (perf->hardware && (is_unsupported_errno(e) || e == EACCES)) {
			snprintf(perf->event_note, sizeof(perf->event_note),
				 "hardware cycles counter not available (%s); using cpu-clock",
				 strerror(e));
			perf->hardware = false;
			continue;
		}
		if (perf->dwarf && first && perf->nfds == 0 && (e == EINVAL || e == EOPNOTSUPP)) {
			snprintf(perf->unwind_note, sizeof(perf->unwind_note),
				 "this kernel cannot copy user stacks (%s); using frame pointers",
				 strerror(e));
			perf->dwarf = false;
			continue;
		}
		if (!perf->exclude_kernel && (e == EACCES || e == EPERM)) {
			snprintf(perf->kernel_note, sizeof(perf->kernel_note),
				 "kernel frames not recorded: kernel.perf_event_paranoid=%ld forbids them "
				 "without CAP_PERFMON; run 'sudo sysctl kernel.perf_event_paranoid=1' to get them",
				 pf->paranoid);
			perf->exclude_kernel = true;
			continue;
		}
		ps_preflight_refusal_hint(pf, e, hint, sizeof(hint));
		ps_error_set(err, (e == EACCES || e == EPERM || e == ENOSYS) ? PS_E_PERM : PS_E_INTERNAL,
			     "perf_event_open refused for pid %d: %s", (int)tid, strerror(e));
		ps_error_hint(err, "%s", hint);
		return -1;
	}
}

int ps_perf_add_task(struct ps_perf *perf, pid_t tid, const struct ps_preflight *pf,
		     struct ps_error *err)
{
	if (!perf->rings)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	for (int c = 0; c < perf->ncpus; c++) {
		struct ps_ring *ring = &perf->rings[c];
		bool first = ring->fd < 0;
		int fd = open_with_fallbacks(perf, tid, c, first, pf, err);

		if (fd == -ESRCH)
			return -ESRCH;	/* the thread is gone: not an error for the caller */
		if (fd < 0) {
			/* An offline CPU refuses events; skip it, as perf does. */
			if (err->code == PS_E_INTERNAL && c > 0)
				continue;
			return err->code;
		}
		if (remember_fd(perf, fd) < 0) {
			close(fd);
			return ps_error_set(err, PS_E_NOMEM, "out of memory");
		}
		if (first) {
			int rc = map_ring(perf, ring, fd, pf, err);

			if (rc < 0)
				return rc;
		} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, ring->fd) < 0) {
			return ps_error_set(err, PS_E_INTERNAL,
					    "cannot redirect perf events of thread %d: %s",
					    (int)tid, strerror(errno));
		}
	}
	if (ps_grow(&perf->tids, &perf->tids_cap, perf->ntids + 1, sizeof(pid_t)) == 0)
		perf->tids[perf->ntids++] = tid;
	return 0;
}

/* The caller's event for one task on every CPU; -ESRCH if the task is gone. */
static int add_event_task(struct ps_perf *perf, struct perf_event_attr *a, pid_t tid,
			  const struct ps_preflight *pf, struct ps_error *err)
{
	char hint[400];

	for (int c = 0; c < perf->ncpus; c++) {
		struct ps_ring *ring = &perf->rings[c];
		int fd = sys_perf_event_open(a, tid, c), e = errno;

		if (fd < 0) {
			if (e == ESRCH)
				return -ESRCH;
			if (c > 0 && is_unsupported_errno(e))
				continue;	/* an offline CPU */
			ps_preflight_refusal_hint(pf, e, hint, sizeof(hint));
			ps_error_set(err, (e == EACCES || e == EPERM) ? PS_E_PERM : PS_E_INTERNAL,
				     "perf_event_open refused the event for pid %d: %s", (int)tid,
				     strerror(e));
			ps_error_hint(err, "%s", hint);
			return err->code;
		}
		if (remember_fd(perf, fd) < 0) {
			close(fd);
			return ps_error_set(err, PS_E_NOMEM, "out of memory");
		}
		if (ring->fd < 0) {
			int rc = map_ring(perf, ring, fd, pf, err);

			if (rc < 0)
				return rc;
		} else if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, ring->fd) < 0) {
			return ps_error_set(err, PS_E_INTERNAL, "cannot redirect perf events: %s",
					    strerror(errno));
		}
	}
	return 0;
}

/* One event being opened for the threads of a process: which have it. */
struct event_ctx {
	struct ps_perf *perf;
	struct perf_event_attr *attr;
	const struct ps_preflight *pf;
	struct ps_error *err;
	pid_t *done;
	size_t ndone, cap;
};

static bool event_has_tid(pid_t tid, void *ctx)
{
	const struct event_ctx *e = ctx;

	for (size_t i = 0; i < e->ndone; i++)
		if (e->done[i] == tid)
			return true;
	return false;
}

static int event_add_tid(pid_t tid, void *ctx)
{
	struct event_ctx *e = ctx;
	int rc;

	if (ps_grow(&e->done, &e->cap, e->ndone + 1, sizeof(pid_t)) < 0)
		return ps_error_set(e->err, PS_E_NOMEM, "out of memory");
	rc = add_event_task(e->perf, e->attr, tid, e->pf, e->err);
	if (rc == 0)
		e->done[e->ndone++] = tid;
	return rc;
}

int ps_perf_add_event(struct ps_perf *perf, const struct perf_event_attr *attr, pid_t pid,
		      const struct ps_preflight *pf, struct ps_error *err)
{
	struct perf_event_attr a = *attr;
	struct event_ctx ctx = { .perf = perf, .attr = &a, .pf = pf, .err = err };
	int rc;

	if (!perf->rings)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	a.size = sizeof(a);
	a.inherit = 1;
	a.sample_id_all = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.exclude_callchain_kernel = 1;
	perf->format = (struct ps_rec_format){
		.sample_type = a.sample_type,
		.regs_mask = a.sample_regs_user,
	};
	/* A program stopped at exec has one thread; a running one (--pid) may
	 * have many, and inheritance only follows the threads created later. */
	ps_error_clear(err);
	rc = ps_tasks_visit(pid, event_has_tid, event_add_tid, &ctx);
	free(ctx.done);
	if (err->code)		/* opening events failed: already explained */
		return err->code;
	if (rc == -ENOENT || (rc == 0 && ctx.ndone == 0))
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)pid);
	if (rc < 0)
		return ps_error_set(err, PS_E_PERM, "cannot read /proc/%d/task: %s", (int)pid,
				    strerror(-rc));
	return 0;
}

static bool have_tid(const struct ps_perf *perf, pid_t tid)
{
	for (size_t i = 0; i < perf->ntids; i++)
		if (perf->tids[i] == tid)
			return true;
	return false;
}

struct attach_ctx {
	struct ps_perf *perf;
	const struct ps_preflight *pf;
	struct ps_error *err;
};

static bool perf_has_tid(pid_t tid, void *ctx)
{
	return have_tid(((struct attach_ctx *)ctx)->perf, tid);
}

static int perf_add_tid(pid_t tid, void *ctx)
{
	struct attach_ctx *a = ctx;

	return ps_perf_add_task(a->perf, tid, a->pf, a->err);
}

int ps_perf_add_process(struct ps_perf *perf, pid_t pid, const struct ps_preflight *pf,
			struct ps_error *err)
{
	struct attach_ctx a = { perf, pf, err };
	int rc;

	ps_error_clear(err);
	rc = ps_tasks_visit(pid, perf_has_tid, perf_add_tid, &a);
	if (err->code)		/* opening events failed: already explained */
		return err->code;
	if (rc == -ENOENT || (rc == 0 && perf->ntids == 0))
		return ps_error_set(err, PS_E_NOPROC, "no such process: %d", (int)pid);
	if (rc < 0)		/* -errno from reading the task list */
		return ps_error_set(err, PS_E_PERM, "cannot read /proc/%d/task: %s", (int)pid,
				    strerror(-rc));
	return 0;
}

static unsigned char *ring_data(const struct ps_ring *ring)
{
	const struct perf_event_mmap_page *meta = ring->base;

	/* data_offset is 0 on kernels before 4.1: data follows the header page */
	return (unsigned char *)ring->base +
	       (meta->data_offset ? meta->data_offset : (size_t)sysconf(_SC_PAGESIZE));
}

static int scan_ring(struct ps_ring *ring, ps_record_fn fn, void *ctx)
{
	struct perf_event_mmap_page *meta = ring->base;
	unsigned char *data = ring_data(ring);
	uint64_t head = ring->snap_head, tail = meta->data_tail;
	size_t size = ring->data_size;

	while (tail < head) {
		size_t off = (size_t)(tail % size);
		struct perf_event_header hdr;
		const struct perf_event_header *rec;

		if (off + sizeof(hdr) <= size) {
			memcpy(&hdr, data + off, sizeof(hdr));
		} else {
			size_t part = size - off;
			memcpy(&hdr, data + off, part);
			memcpy((char *)&hdr + part, data, sizeof(hdr) - part);
		}
		/* the kernel writes whole records of 8-byte multiples: anything else is
		 * corrupt, and the rest of the round is dropped, never looped on */
		if (hdr.size < sizeof(hdr) || hdr.size % 8 || hdr.size > head - tail)
			break;
		if (off + hdr.size <= size) {
			rec = (const void *)(data + off);
		} else {
			size_t part = size - off;

			if (ps_grow(&ring->scratch, &ring->scratch_cap, hdr.size, 1) < 0)
				return PS_E_NOMEM;
			memcpy(ring->scratch, data + off, part);
			memcpy(ring->scratch + part, data, hdr.size - part);
			rec = (const void *)ring->scratch;
		}
		fn(rec, ctx);
		tail += hdr.size;
	}
	return 0;
}

void ps_perf_snapshot(struct ps_perf *perf)
{
	for (int c = 0; c < perf->ncpus; c++) {
		struct ps_ring *r = &perf->rings[c];

		if (r->base)
			r->snap_head = __atomic_load_n(
				&((struct perf_event_mmap_page *)r->base)->data_head, __ATOMIC_ACQUIRE);
	}
}

int ps_perf_scan(struct ps_perf *perf, ps_record_fn fn, void *ctx)
{
	for (int c = 0; c < perf->ncpus; c++)
		if (perf->rings[c].base && scan_ring(&perf->rings[c], fn, ctx) < 0)
			return PS_E_NOMEM;
	return 0;
}

void ps_perf_consume(struct ps_perf *perf)
{
	for (int c = 0; c < perf->ncpus; c++) {
		struct ps_ring *r = &perf->rings[c];

		if (r->base)
			__atomic_store_n(&((struct perf_event_mmap_page *)r->base)->data_tail,
					 r->snap_head, __ATOMIC_RELEASE);
	}
}

void ps_perf_wait(struct ps_perf *perf, const int *extra_fds, int nextra, int timeout_ms)
{
	struct pollfd pfds[perf->ncpus + nextra + 1];
	int ring_of[perf->ncpus + 1];
	int n = 0;

	for (int c = 0; c < perf->ncpus; c++)
		if (perf->rings[c].base && !perf->rings[c].hung_up) {
			ring_of[n] = c;
			pfds[n++] = (struct pollfd){ .fd = perf->rings[c].fd, .events = POLLIN };
		}
	int nrings = n;

	for (int i = 0; i < nextra; i++)
		if (extra_fds[i] >= 0)
			pfds[n++] = (struct pollfd){ .fd = extra_fds[i], .events = POLLIN };
	if (poll(pfds, (nfds_t)n, timeout_ms) <= 0)
		return;
	/*
	 * A ring whose events all ended (the thread that owned them exited,
	 * --pid on a program whose main thread called pthread_exit) polls as
	 * hung up from then on: waiting on it would spin.  Its last records
	 * are still read by the rounds.
	 */
	for (int i = 0; i < nrings; i++)
		if (pfds[i].revents & (POLLHUP | POLLERR))
			perf->rings[ring_of[i]].hung_up = true;
}

void ps_perf_unwatch_hung_up(int epfd)
{
	struct epoll_event evs[16];
	int n;

	while ((n = epoll_wait(epfd, evs, 16, 0)) > 0) {
		int dropped = 0;

		for (int i = 0; i < n; i++)
			if ((evs[i].events & (EPOLLHUP | EPOLLERR)) &&
			    epoll_ctl(epfd, EPOLL_CTL_DEL, evs[i].data.fd, NULL) == 0)
				dropped++;
		if (dropped == 0)
			break;
	}
}

int ps_perf_watch(const struct ps_perf *perf, int epfd)
{
	for (int c = 0; c < perf->ncpus; c++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.fd = perf->rings[c].fd };

		if (perf->rings[c].base && epoll_ctl(epfd, EPOLL_CTL_ADD, perf->rings[c].fd, &ev) < 0)
			return -errno;
	}
	return 0;
}

void ps_perf_disable(struct ps_perf *perf)
{
	for (size_t i = 0; i < perf->nfds; i++)
		ioctl(perf->fds[i], PERF_EVENT_IOC_DISABLE, 0);
}
