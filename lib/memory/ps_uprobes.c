/*
 * Allocation tracking through uprobes (ps_uprobes.h).
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "symbols/ps_elffuncs.h"
#include "sample/ps_records.h"
#include "memory/ps_uprobes.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

#define STACK_BYTES 2048          /* a few frames: the call site and its callers */
#define ENTRY_RING_PAGES 1024     /* ~1,800 entries with their stack copies: at
				   ~200,000 calls a second, 9 ms for a reader
				   kept off its CPU by a busy machine */
#define SMALL_RING_PAGES 256
#define MAX_FRAMES 64

static const char *const fn_names[PS_UP_FNS] = { "malloc", "calloc", "realloc", "free" };

/* ---- finding the functions ---- */

struct found {
	uint64_t *offsets;
	bool *found;
};

static int note_function(const struct ps_elffunc *f, void *ctx)
{
	struct found *fd = ctx;

	for (int k = 0; !f->local && f->file_offset && k < PS_UP_FNS; k++) {
		if (!fd->found[k] && strcmp(f->name, fn_names[k]) == 0) {
			fd->offsets[k] = f->file_offset;
			fd->found[k] = true;
		}
	}
	return 0;
}

static int read_functions(const char *path, uint64_t offsets[PS_UP_FNS], bool found[PS_UP_FNS])
{
	struct found fd = { offsets, found };

	return ps_elffuncs_each(path, note_function, &fd);
}

/* The uprobe PMU's type and the config bit that makes a return probe. */
static int uprobe_pmu(uint32_t *type, unsigned *ret_bit)
{
	long t;
	char *fmt = ps_read_file("/sys/bus/event_source/devices/uprobe/format/retprobe", NULL);
	unsigned bit = 0;

	if (ps_read_long("/sys/bus/event_source/devices/uprobe/type", &t) < 0) {
		free(fmt);
		return -1;
	}
	if (fmt && sscanf(fmt, "config:%u", &bit) != 1)
		bit = 0;
	free(fmt);
	*type = (uint32_t)t;
	*ret_bit = bit;
	return 0;
}

static void probe_attr(struct perf_event_attr *a, uint32_t type, const char *path, uint64_t offset,
		       uint64_t config, unsigned stack_bytes)
{
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->config = config;
	a->config1 = (uint64_t)(uintptr_t)path;   /* uprobe_path */
	a->config2 = offset;                      /* probe_offset */
	a->sample_period = 1;
	a->sample_type = PS_SAMPLE_TYPE_DWARF;
	a->sample_regs_user = PS_REGS_MASK;
	a->sample_stack_user = stack_bytes;
}

static int open_probe(struct ps_perf *perf, unsigned ring_pages, const struct perf_event_attr *a,
		      pid_t pid, const struct ps_preflight *pf, struct ps_error *err)
{
	struct ps_perf_config cfg = { .ring_pages = ring_pages, .close_detached = true };

	ps_perf_init(perf, &cfg);
	return ps_perf_add_event(perf, a, pid, pf, err);
}

int ps_uprobes_start(struct ps_uprobes *u, pid_t pid, const char *path, uint32_t proc,
		     struct ps_heap *heap, struct ps_procs *procs, const struct ps_preflight *pf,
		     struct ps_error *err)
{
	uint64_t offsets[PS_UP_FNS] = { 0 };
	uint32_t type;
	unsigned ret_bit;
	int rc;

	memset(u, 0, sizeof(*u));
	u->pid = pid;
	u->proc = proc;
	u->heap = heap;
	u->procs = procs;
	ps_idmap_init(&u->tid_calls);
	if (uprobe_pmu(&type, &ret_bit) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "this kernel offers no uprobe events "
				    "(/sys/bus/event_source/devices/uprobe)");
	if (read_functions(path, offsets, u->probed) < 0)
		return ps_error_set(err, PS_E_INTERNAL, "cannot read '%s': %s", path, strerror(errno));
	if (!u->probed[PS_UP_MALLOC] || !u->probed[PS_UP_FREE])
		return ps_error_set(err, PS_E_INTERNAL, "'%s' has no malloc and free symbols to probe "
				    "(stripped?)", path);
	ps_procs_refresh_maps(procs, (uint32_t)pid, ps_now_ns());
	u->unwinder = ps_unwind_dwarf_new(procs);
	if (!u->unwinder)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	for (int f = 0; f < PS_UP_FNS; f++) {
		struct perf_event_attr a;

		if (!u->probed[f])
			continue;
		probe_attr(&a, type, path, offsets[f], 0, f == PS_UP_FREE ? 8 : STACK_BYTES);
		rc = open_probe(&u->entry[f], f == PS_UP_FREE ? SMALL_RING_PAGES : ENTRY_RING_PAGES, &a,
				pid, pf, err);
		if (rc < 0)
			return rc;
		if (f == PS_UP_FREE)
			continue;
		probe_attr(&a, type, path, offsets[f], 1ull << ret_bit, 8);
		rc = open_probe(&u->ret[f], SMALL_RING_PAGES, &a, pid, pf, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

void ps_uprobes_release(struct ps_uprobes *u)
{
	struct ps_perf *perfs[2 * PS_UP_FNS];
	size_t n = 0;

	for (int f = 0; f < PS_UP_FNS; f++) {
		if (u->entry[f].rings)
			perfs[n++] = &u->entry[f];
		if (u->ret[f].rings)
			perfs[n++] = &u->ret[f];
	}
	ps_perf_release_many(perfs, n);
	if (u->unwinder)
		u->unwinder->release(u->unwinder);
	ps_idmap_release(&u->tid_calls);
	free(u->queue);
	free(u->calls);
	free(u->depth);
	memset(u, 0, sizeof(*u));
}

/* ---- reading ---- */

/* The caller's stack of an entry sample, defined to the heap; its id, 0 if none. */
static uint64_t entry_stack(struct ps_uprobes *u, const struct ps_rec *rec)
{
	struct ps_unwind_frame frames[MAX_FRAMES];
	struct ps_unwind_result res = { 0 };
	union {
		struct ps_mem_rec_stack r;
		unsigned char bytes[sizeof(struct ps_mem_rec_stack) + MAX_FRAMES * sizeof(uint64_t)];
	} buf;
	uint32_t n = 0;

	u->unwinder->unwind(u->unwinder, rec, frames, MAX_FRAMES, &res);
	/* frame 0 is the allocation function itself: the stack starts at its caller */
	for (unsigned i = 1; i < res.nframes; i++)
		if (!frames[i].kernel)
			buf.r.pcs[n++] = frames[i].ip;
	if (!n)
		return 0;
	buf.r.h = (struct ps_mem_rec){ .type = PS_MEM_REC_STACK,
				       .size = (uint16_t)(sizeof(buf.r) + n * sizeof(uint64_t)),
				       .tid = rec->tid, .time = rec->time };
	buf.r.stack = ps_hash_bytes(buf.r.pcs, n * sizeof(uint64_t)) | 1;
	buf.r.nframes = n;
	buf.r.pad = 0;
	if (ps_heap_apply(u->heap, u->proc, &buf.r.h, rec->time) < 0)
		u->failed = -1;
	return buf.r.stack;
}

struct scan_ctx {
	struct ps_uprobes *u;
	const struct ps_perf *perf;
	uint8_t fn;
	bool ret;
};

static void on_record(const struct perf_event_header *hdr, void *arg)
{
	struct scan_ctx *c = arg;
	struct ps_uprobes *u = c->u;
	struct ps_uprobe_event *e;
	struct ps_rec rec;

	ps_rec_decode(hdr, &c->perf->format, &rec);
	if (rec.kind == PS_REC_LOST) {
		u->lost += rec.u.lost.lost;
		return;
	}
	if (rec.kind != PS_REC_SAMPLE || !rec.u.sample.regs_abi)
		return;
	if (ps_grow(&u->queue, &u->queue_cap, u->nqueue + 1, sizeof(*u->queue)) < 0) {
		u->failed = -1;
		return;
	}
	e = &u->queue[u->nqueue++];
	/* perf register order (PS_REGS_MASK): ax bx cx dx si di ... */
	*e = (struct ps_uprobe_event){
		.time = rec.time, .tid = rec.tid, .fn = c->fn, .ret = c->ret,
		.a0 = c->ret ? rec.u.sample.regs[0] : rec.u.sample.regs[5],
		.a1 = rec.u.sample.regs[4],
	};
	if (!c->ret && c->fn != PS_UP_FREE)
		e->stack = entry_stack(u, &rec);
	u->hits++;
}

static int cmp_event(const void *a, const void *b)
{
	const struct ps_uprobe_event *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	/* an entry and a return at one instant: the entry first */
	return (int)x->ret - (int)y->ret;
}

static void apply_alloc(struct ps_uprobes *u, uint32_t tid, uint64_t time, enum ps_mem_api api,
			uint64_t addr, uint64_t bytes, uint64_t stack)
{
	struct ps_mem_rec_alloc r = {
		.h = { .type = PS_MEM_REC_ALLOC, .api = (uint16_t)api, .size = sizeof(r), .tid = tid,
		       .time = time },
		.addr = addr, .bytes = bytes, .stack = stack,
	};

	if (ps_heap_apply(u->heap, u->proc, &r.h, time) < 0)
		u->failed = -1;
}

static void apply_free(struct ps_uprobes *u, uint32_t tid, uint64_t time, enum ps_mem_api api,
		       uint64_t addr)
{
	struct ps_mem_rec_free r = {
		.h = { .type = PS_MEM_REC_FREE, .api = (uint16_t)api, .size = sizeof(r), .tid = tid,
		       .time = time },
		.addr = addr,
	};

	if (ps_heap_apply(u->heap, u->proc, &r.h, time) < 0)
		u->failed = -1;
}

/* This thread's calls in progress; NULL when out of memory. */
static size_t thread_index(struct ps_uprobes *u, uint32_t tid, bool *ok)
{
	uint32_t at;

	*ok = true;
	if (ps_idmap_get(&u->tid_calls, tid, &at))
		return at;
	if (ps_grow(&u->calls, &u->threads_cap, u->nthreads + 1, sizeof(*u->calls)) < 0 ||
	    !(u->depth = realloc(u->depth, u->threads_cap * sizeof(*u->depth))) ||
	    ps_idmap_put(&u->tid_calls, tid, (uint32_t)u->nthreads) < 0) {
		*ok = false;
		return 0;
	}
	u->depth[u->nthreads] = 0;
	return u->nthreads++;
}

static void finish_call(struct ps_uprobes *u, const struct ps_uprobe_event *e,
			const struct ps_uprobe_call *c)
{
	uint64_t bytes, ret = e->a0;

	switch (c->fn) {
	case PS_UP_MALLOC:
		if (ret)
			apply_alloc(u, e->tid, e->time, PS_MEM_API_MALLOC, ret, c->a0, c->stack);
		break;
	case PS_UP_CALLOC:
		if (ret && !__builtin_mul_overflow(c->a0, c->a1, &bytes))
			apply_alloc(u, e->tid, e->time, PS_MEM_API_CALLOC, ret, bytes, c->stack);
		break;
	case PS_UP_REALLOC:
		/* the old block goes when the call succeeds, or with realloc(p, 0) */
		if (c->a0 && (ret || c->a1 == 0))
			apply_free(u, e->tid, c->time, PS_MEM_API_REALLOC, c->a0);
		if (ret)
			apply_alloc(u, e->tid, e->time, PS_MEM_API_REALLOC, ret, c->a1, c->stack);
		break;
	}
}

static void apply_event(struct ps_uprobes *u, const struct ps_uprobe_event *e)
{
	bool ok;
	size_t t = thread_index(u, e->tid, &ok);
	struct ps_uprobe_call *calls;
	unsigned *depth;

	if (!ok) {
		u->failed = -1;
		return;
	}
	calls = u->calls[t];
	depth = &u->depth[t];
	if (!e->ret && e->fn == PS_UP_FREE) {
		/* free has no return probe: applied at entry, unless the C library's own */
		if (*depth == 0 && e->a0)
			apply_free(u, e->tid, e->time, PS_MEM_API_FREE, e->a0);
		return;
	}
	if (!e->ret) {
		if (*depth == PS_UPROBE_DEPTH) {
			u->unpaired++;
			return;
		}
		calls[*depth] = (struct ps_uprobe_call){ .fn = e->fn, .nested = *depth > 0, .a0 = e->a0,
							 .a1 = e->a1, .stack = e->stack, .time = e->time };
		(*depth)++;
		return;
	}
	if (*depth == 0 || calls[*depth - 1].fn != e->fn) {
		u->unpaired++;
		*depth = 0;
		return;
	}
	(*depth)--;
	if (!calls[*depth].nested)
		finish_call(u, e, &calls[*depth]);
}

/*
 * A record's time is taken before it is written: one stamped up to this
 * long before a ring's snapshot may still be on its way into the ring.
 */
#define WRITE_SLACK_NS (2u * 1000 * 1000)

long ps_uprobes_poll(struct ps_uprobes *u, bool final)
{
	uint64_t cut = final ? UINT64_MAX : ps_now_ns() - WRITE_SLACK_NS;
	size_t kept = 0, applied = 0;

	/* each ring holds everything stamped before the cut; later events wait */
	for (int f = 0; f < PS_UP_FNS; f++) {
		struct ps_perf *perfs[2] = { &u->entry[f], &u->ret[f] };

		for (int k = 0; k < 2; k++) {
			struct scan_ctx c = { .u = u, .perf = perfs[k], .fn = (uint8_t)f, .ret = k == 1 };

			if (!perfs[k]->rings)
				continue;
			ps_perf_snapshot(perfs[k]);
			ps_perf_scan(perfs[k], on_record, &c);
			ps_perf_consume(perfs[k]);
		}
	}
	if (u->nqueue)
		qsort(u->queue, u->nqueue, sizeof(*u->queue), cmp_event);
	for (size_t i = 0; i < u->nqueue; i++) {
		if (u->queue[i].time <= cut) {
			apply_event(u, &u->queue[i]);
			applied++;
		} else
			u->queue[kept++] = u->queue[i];
	}
	u->nqueue = kept;
	return u->failed ? PS_E_NOMEM : (long)applied;
}

/* ---- what a hit costs ---- */

#if defined(__clang__)
#define PS_NOT_INLINED __attribute__((noinline, optnone))
#else
#define PS_NOT_INLINED __attribute__((noinline, noipa))
#endif
PS_NOT_INLINED int ps_uprobes_calibration_target(int x);
PS_NOT_INLINED int ps_uprobes_calibration_target(int x)
{
	return x * 3 + 1;
}

/* The file offset of a function of this program, from /proc/self/maps. */
static bool self_offset(uintptr_t addr, char *path, size_t path_size, uint64_t *off)
{
	char *maps = ps_read_file("/proc/self/maps", NULL), *line, *save = NULL;
	bool found = false;

	for (line = maps ? strtok_r(maps, "\n", &save) : NULL; line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long lo, hi, pgoff;
		int name_at = 0;

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &lo, &hi, &pgoff, &name_at) < 3 ||
		    addr < lo || addr >= hi || !name_at)
			continue;
		snprintf(path, path_size, "%s", line + name_at);
		*off = addr - lo + pgoff;
		found = true;
	}
	free(maps);
	return found;
}

static double time_calls(int calls)
{
	uint64_t t0 = ps_now_ns();
	int acc = 0;

	for (int i = 0; i < calls; i++)
		acc += ps_uprobes_calibration_target(i);
	__asm__ volatile("" : : "r"(acc));
	return (double)(ps_now_ns() - t0) / 1e3;
}

double ps_uprobes_measure(void)
{
	const int calls = 200;
	struct perf_event_attr a;
	char path[4096];
	uint64_t off;
	uint32_t type;
	unsigned ret_bit;
	double best = 0;
	void *ring;
	size_t ring_bytes = (size_t)(ENTRY_RING_PAGES + 1) * (size_t)sysconf(_SC_PAGESIZE);
	int fd;

	if (uprobe_pmu(&type, &ret_bit) < 0 ||
	    !self_offset((uintptr_t)ps_uprobes_calibration_target, path, sizeof(path), &off))
		return 0;
	/* as the tracking probes do: a sample with registers and a stack copy */
	probe_attr(&a, type, path, off, 0, STACK_BYTES);
	a.size = sizeof(a);
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.exclude_callchain_kernel = 1;
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return 0;
	ring = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring != MAP_FAILED) {
		for (int round = 0; round < 3; round++) {
			double bare, probed;

			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
			bare = time_calls(calls);
			ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
			probed = time_calls(calls);
			ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
			/* the ring is not read: each round's samples must fit in it */
			((struct perf_event_mmap_page *)ring)->data_tail =
				((struct perf_event_mmap_page *)ring)->data_head;
			if (probed > bare && (best == 0 || (probed - bare) / calls < best))
				best = (probed - bare) / calls;
		}
		munmap(ring, ring_bytes);
	}
	close(fd);
	return best;
}
