/*
 * Reading the allocation tracker's files (see ps_memread.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/ps_error.h"
#include "base/ps_memguard.h"
#include "memory/ps_memread.h"
#include "base/ps_util.h"

/*
 * The counter's rate against the monotonic clock, from two readings at
 * least 2 ms apart (1e-5 precise): the first at init, the second when the
 * first file is found, by which time launching the program has taken
 * longer than that, so nobody waits for the calibration.
 */
#define CALIBRATION_NS (2ull * 1000 * 1000)

static void calibrate_begin(struct ps_memread *mr)
{
	mr->tsc_ref = ps_mem_rdtsc();
	mr->ns_ref = ps_now_ns();
}

static void calibrate_end(struct ps_memread *mr)
{
	uint64_t t1, n1;

	if (mr->ns_per_tick > 0)
		return;
	n1 = ps_now_ns();
	if (n1 - mr->ns_ref < CALIBRATION_NS) {
		uint64_t left = CALIBRATION_NS - (n1 - mr->ns_ref);
		struct timespec ts = { 0, (long)left };

		nanosleep(&ts, NULL);
	}
	t1 = ps_mem_rdtsc();
	n1 = ps_now_ns();
	mr->ns_per_tick = t1 > mr->tsc_ref ? (double)(n1 - mr->ns_ref) / (double)(t1 - mr->tsc_ref) : 1.0;
}

int ps_memread_init(struct ps_memread *mr, const char *dir)
{
	memset(mr, 0, sizeof(*mr));
	mr->owner = getpid();
	mr->dir = strdup(dir);
	calibrate_begin(mr);
	return mr->dir ? 0 : PS_E_NOMEM;
}

uint64_t ps_memread_time_ns(const struct ps_memread *mr, const struct ps_memfile *f, uint64_t t)
{
	if (f->clock != PS_MEM_CLOCK_TSC)
		return t;
	return mr->ns_ref + (uint64_t)(int64_t)((double)(int64_t)(t - mr->tsc_ref) * mr->ns_per_tick);
}

static void file_path(const struct ps_memread *mr, const struct ps_memfile *f, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/%u.%u.mem", mr->dir, f->pid, f->gen);
}

void ps_memread_release(struct ps_memread *mr)
{
	char path[4096];

	for (size_t i = 0; i < mr->nfiles; i++) {
		ps_memguard_remove(mr->files[i].h);
		munmap(mr->files[i].h, PS_MEM_FILE_BYTES);
		file_path(mr, &mr->files[i], path, sizeof(path));
		unlink(path);
	}
	/* and whatever else the program left there */
	if (mr->dir)
		ps_remove_tree(mr->dir);
	free(mr->files);
	free(mr->refused);
	free(mr->dir);
	memset(mr, 0, sizeof(*mr));
}

static bool known(const struct ps_memread *mr, uint32_t pid, unsigned gen)
{
	for (size_t i = 0; i < mr->nfiles; i++)
		if (mr->files[i].pid == pid && mr->files[i].gen == gen)
			return true;
	for (size_t i = 0; i < mr->nrefused; i++)
		if (mr->refused[i].pid == pid && mr->refused[i].gen == gen)
			return true;
	return false;
}

/* Whether process pid is ancestor or one of its descendants (/proc's ppids). */
static bool descends_from(pid_t pid, pid_t ancestor)
{
	/* a bound on the walk: pid namespaces are at most 32 deep, trees of
	 * processes rarely more than a few dozen */
	for (int depth = 0; depth < 256 && pid > 1; depth++) {
		char path[64], *stat, *paren;
		long ppid = 0;

		if (pid == ancestor)
			return true;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		stat = ps_read_file(path, NULL);
		if (!stat)
			return false;
		/* "pid (comm) S ppid ...": comm may hold anything, the last ')' ends it */
		paren = strrchr(stat, ')');
		if (!paren || sscanf(paren + 1, " %*c %ld", &ppid) != 1)
			ppid = 0;
		free(stat);
		pid = (pid_t)ppid;
	}
	return pid == ancestor;
}

bool ps_memread_ours(const struct ps_memread *mr, uint32_t pid)
{
	return pid <= INT32_MAX && descends_from((pid_t)pid, mr->owner);
}

static void refuse(struct ps_memread *mr, uint32_t pid, unsigned gen)
{
	if (ps_grow(&mr->refused, &mr->refused_cap, mr->nrefused + 1, sizeof(*mr->refused)) == 0)
		mr->refused[mr->nrefused++] = (typeof(*mr->refused)){ pid, gen };
}

static void unmap_file(struct ps_mem_header *h)
{
	ps_memguard_remove(h);
	munmap(h, PS_MEM_FILE_BYTES);
}

/* Maps one file if it is complete (its magic is set); NULL otherwise. */
static struct ps_mem_header *map_file(const char *path, int *guard)
{
	struct ps_mem_header *h;
	struct stat st;
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != PS_MEM_FILE_BYTES) {
		close(fd);
		return NULL;
	}
	h = mmap(NULL, PS_MEM_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED)
		return NULL;
	*guard = ps_memguard_add(h, PS_MEM_FILE_BYTES);
	if (*guard < 0) {
		munmap(h, PS_MEM_FILE_BYTES);
		return NULL;
	}
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != PS_MEM_MAGIC ||
	    h->version != PS_MEM_VERSION) {
		unmap_file(h);
		return NULL;
	}
	return h;
}

int ps_memread_discover(struct ps_memread *mr)
{
	DIR *d = opendir(mr->dir);
	struct dirent *de;
	char path[4096];
	int added = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		unsigned pid, gen;
		int guard;
		char tail[8];
		struct ps_mem_header *h;

		if (sscanf(de->d_name, "%u.%u.%4s", &pid, &gen, tail) != 3 ||
		    strcmp(tail, "mem") != 0 || known(mr, pid, gen))
			continue;
		/*
		 * A file named after a live process that is not ours is refused.
		 * One whose process has gone (a short-lived child, reaped
		 * before we looked) is read, but never stopped or scanned:
		 * ps_memread_ours() is asked again before that.
		 */
		if (pid > INT32_MAX || (!descends_from((pid_t)pid, mr->owner) &&
					(kill((pid_t)pid, 0) == 0 || errno == EPERM))) {
			refuse(mr, pid, gen);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", mr->dir, de->d_name);
		h = map_file(path, &guard);
		if (!h)
			continue;	/* still being created: next time */
		if (h->pid != pid) {
			unmap_file(h);
			refuse(mr, pid, gen);
			continue;
		}
		if (ps_grow(&mr->files, &mr->cap, mr->nfiles + 1, sizeof(*mr->files)) < 0) {
			unmap_file(h);
			closedir(d);
			return PS_E_NOMEM;
		}
		calibrate_end(mr);	/* before the file's first time is read */
		/* the clock as the file began: the program may change it later */
		mr->files[mr->nfiles] = (struct ps_memfile){ .pid = pid, .gen = gen, .h = h, .guard = guard,
							     .clock = __atomic_load_n(&h->clock, __ATOMIC_ACQUIRE) };
		for (unsigned i = 0; i < PS_MEM_SLOTS; i++)
			mr->files[mr->nfiles].tails[i] = __atomic_load_n(&h->slots[i].tail, __ATOMIC_ACQUIRE);
		mr->nfiles++;
		__atomic_store_n(&h->reader_ns, ps_now_ns(), __ATOMIC_RELEASE);
		added++;
	}
	closedir(d);
	return added;
}

bool ps_memfile_alive(const struct ps_memfile *f)
{
	char path[64], *stat, *paren;
	bool alive;

	snprintf(path, sizeof(path), "/proc/%u/stat", f->pid);
	stat = ps_read_file(path, NULL);
	if (!stat)
		return false;
	/* "pid (comm) S ...": a zombie has exited already */
	paren = strrchr(stat, ')');
	alive = paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
	free(stat);
	return alive;
}

/*
 * If membarrier() fails here (a seccomp filter), records are only merged
 * once they are this old (in record clock units: about 50 ms of TSC at
 * 2-4 GHz, or 100 ms of nanoseconds): a writer would have to stall that
 * long between marking itself busy and reading the clock to be misordered.
 */
#define UNFENCED_LAG 100000000ull

struct cursor {
	struct ps_mem_slot *slot;
	uint64_t *ours;                 /* the file's tail as we keep it */
	const unsigned char *data;
	uint64_t tail, head;
	bool have;                      /* rec and at hold the next record */
	struct ps_mem_rec rec;          /* its header, as checked */
	const unsigned char *at;        /* where it is in the ring */
};

/* The times a record may carry: from the reader's start to the moment its
 * ring was read, in the file's clock; others are dropped and counted. */
struct window {
	uint64_t from, to;
	uint64_t *rejected;
};

/* The largest record: a mapping's path of PATH_MAX bytes and its header. */
#define REC_MAX 8192

/*
 * Finds the next record of c, skipping padding and records stamped outside
 * w, and keeps a copy of its header (the program may rewrite the ring as
 * we read it: what was checked is what is used).  False at the end, or if
 * the ring is corrupt (*corrupt set).
 */
static bool peek(struct cursor *c, const struct window *w, bool *corrupt)
{
	if (c->have)
		return true;
	while (c->tail < c->head) {
		uint32_t off = (uint32_t)(c->tail & (PS_MEM_RING_BYTES - 1));
		uint32_t left = PS_MEM_RING_BYTES - off;
		const unsigned char *at = c->data + off;
		struct ps_mem_rec r;

		if (left < sizeof(r)) {
			c->tail += left;
			continue;
		}
		memcpy(&r, at, sizeof(r));
		if (r.size < sizeof(r) || r.size % 8 || r.size > left || r.size > REC_MAX ||
		    r.size > c->head - c->tail) {
			*corrupt = true;
			return false;
		}
		if (r.type == PS_MEM_REC_PAD) {
			c->tail += r.size;
			continue;
		}
		/* a stack's definition carries no time (it is ordered by its
		 * place in its ring, before the allocations that use it) */
		if (!(r.type == PS_MEM_REC_STACK && r.time == 0) && (r.time < w->from || r.time > w->to)) {
			(*w->rejected)++;
			c->tail += r.size;
			continue;
		}
		c->rec = r;
		c->at = at;
		c->have = true;
		return true;
	}
	return false;
}

/* The ring's space up to c's tail is the writer's again. */
static void give_back(struct cursor *c)
{
	*c->ours = c->tail;
	__atomic_store_n(&c->slot->tail, c->tail, __ATOMIC_RELEASE);
}

/* Hands c's record to fn as a private copy, its header the one checked. */
static void deliver(struct ps_memfile *f, struct cursor *c, ps_memread_fn fn, void *ctx)
{
	union {
		struct ps_mem_rec rec;
		unsigned char bytes[REC_MAX];
	} copy;

	memcpy(copy.bytes, c->at, c->rec.size);
	copy.rec = c->rec;
	fn(f, &copy.rec, ctx);
	c->tail += c->rec.size;
	c->have = false;
}

/* Order: time, and at equal times a free before an allocation. */
static bool before(const struct ps_mem_rec *a, const struct ps_mem_rec *b)
{
	if (a->time != b->time)
		return a->time < b->time;
	return a->type != PS_MEM_REC_ALLOC && b->type == PS_MEM_REC_ALLOC;
}

#define FENCE_EVERY_NS (10u * 1000 * 1000)
#define FENCE_FILL (PS_MEM_RING_BYTES / 8)

bool ps_memread_unread(const struct ps_memfile *f)
{
	for (unsigned i = 0; i < PS_MEM_SLOTS; i++)
		if (__atomic_load_n(&f->h->slots[i].head, __ATOMIC_ACQUIRE) != f->tails[i])
			return true;
	return false;
}

static bool fence_due(struct ps_memfile *f)
{
	uint64_t now = ps_now_ns();
	bool unread = false;

	for (unsigned i = 0; i < PS_MEM_SLOTS; i++) {
		uint64_t used = __atomic_load_n(&f->h->slots[i].head, __ATOMIC_ACQUIRE) - f->tails[i];

		if (used >= FENCE_FILL)
			return true;
		unread |= used != 0;
	}
	if (!unread) {
		f->last_fence_ns = now;	/* nothing waits: the clock starts at the next record */
		return false;
	}
	return now - f->last_fence_ns >= FENCE_EVERY_NS;
}

/* A record time now, in f's clock: the upper end of the window. */
static uint64_t clock_now(const struct ps_memfile *f)
{
	return f->clock == PS_MEM_CLOCK_TSC ? ps_mem_rdtsc() : ps_now_ns();
}

/*
 * The window of f's record times: from the reader's start (before the
 * program was launched) to now plus a little, for counters that two CPUs
 * read a hair apart.  A file whose clock is neither of ours is corrupt.
 */
static bool time_window(const struct ps_memread *mr, struct ps_memfile *f, struct window *w)
{
	const uint64_t slack_ns = 10ull * 1000 * 1000;

	w->rejected = &f->rejected;
	if (f->clock == PS_MEM_CLOCK_TSC) {
		w->from = mr->tsc_ref;
		w->to = ps_mem_rdtsc() + (uint64_t)((double)slack_ns / (mr->ns_per_tick > 0 ? mr->ns_per_tick : 1));
		return true;
	}
	if (f->clock == PS_MEM_CLOCK_MONOTONIC) {
		w->from = mr->ns_ref;
		w->to = ps_now_ns() + slack_ns;
		return true;
	}
	return false;
}

/* After a pass: a file truncated under us read as zeros; reading stops. */
static void check_truncated(struct ps_memfile *f)
{
	if (!f->truncated && ps_memguard_faults(f->guard)) {
		f->truncated = true;
		f->corrupt = true;
	}
}

uint64_t ps_memread_poll(const struct ps_memread *mr, struct ps_memfile *f, bool drain,
			 enum ps_memread_when poll, ps_memread_fn fn, void *ctx)
{
	struct cursor cur[PS_MEM_SLOTS];
	const unsigned char *data = (const unsigned char *)f->h + sizeof(*f->h);
	unsigned n = 0;
	uint64_t limit = UINT64_MAX, delivered = 0;
	struct window w;

	check_truncated(f);
	if (f->corrupt)
		return 0;
	/*
	 * The fence interrupts every CPU the program runs on: taken when a ring
	 * fills up, or records have waited FENCE_EVERY_NS, not on every poll
	 * (sampling mode writes a record every few tens of microseconds).
	 */
	if (!drain && (poll == PS_MEMREAD_WHEN_DUE ? !fence_due(f) : !ps_memread_unread(f)))
		return 0;
	if (!drain) {
		f->last_fence_ns = ps_now_ns();
		/* Clock first, then the busy marks: see ps_memproto.h. */
		__atomic_store_n(&f->h->reader_ns, ps_now_ns(), __ATOMIC_RELEASE);
		limit = clock_now(f);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* the writers' half of the barrier, when they left it to us */
		if (f->h->fence == PS_MEM_FENCE_MEMBARRIER &&
		    syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0) < 0)
			limit = limit > UNFENCED_LAG ? limit - UNFENCED_LAG : 0;
		for (unsigned i = 0; i < PS_MEM_SLOTS; i++) {
			uint64_t busy = __atomic_load_n(&f->h->slots[i].busy_since, __ATOMIC_SEQ_CST);

			if (busy && busy < limit)
				limit = busy;
		}
	}
	for (unsigned i = 0; i < PS_MEM_SLOTS; i++) {
		struct ps_mem_slot *s = &f->h->slots[i];
		uint64_t head = __atomic_load_n(&s->head, __ATOMIC_ACQUIRE);

		/* a writer never runs more than its ring ahead of us */
		if (head - f->tails[i] > PS_MEM_RING_BYTES) {
			f->corrupt = true;
			return delivered;
		}
		if (head != f->tails[i])
			cur[n++] = (struct cursor){ .slot = s, .data = data + (size_t)i * PS_MEM_RING_BYTES,
						    .tail = f->tails[i], .head = head,
						    .ours = &f->tails[i] };
	}
	/* after the heads: no record published before them is newer */
	if (!time_window(mr, f, &w)) {
		f->corrupt = true;
		return delivered;
	}
	while (n > 1) {
		struct cursor *best = NULL;
		bool corrupt = false;

		for (unsigned i = 0; i < n;) {
			if (!peek(&cur[i], &w, &corrupt)) {
				if (corrupt) {
					f->corrupt = true;
					return delivered;
				}
				give_back(&cur[i]);
				cur[i] = cur[--n];
				continue;
			}
			if (cur[i].rec.time < limit && (!best || before(&cur[i].rec, &best->rec)))
				best = &cur[i];
			i++;
		}
		if (!best)
			break;
		deliver(f, best, fn, ctx);
		delivered++;
		give_back(best);
	}
	/* one ring left with records (or only ever one): no merging needed */
	while (n == 1) {
		bool corrupt = false;

		if (!peek(&cur[0], &w, &corrupt)) {
			if (corrupt) {
				f->corrupt = true;
				return delivered;
			}
			break;
		}
		if (cur[0].rec.time >= limit)
			break;
		deliver(f, &cur[0], fn, ctx);
		delivered++;
		if ((delivered & 255) == 0)	/* give the writer room as we go */
			give_back(&cur[0]);
	}
	for (unsigned i = 0; i < n; i++)
		give_back(&cur[i]);
	check_truncated(f);
	return delivered;
}
