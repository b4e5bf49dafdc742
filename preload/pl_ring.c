/*
 * The shared file and the per-thread rings in it (layout: ps_memproto.h).
 *
 * A thread claims a free slot on its first tracked allocation and gives it
 * back when it exits (a pthread key destructor); a slot is only ever
 * written by one thread at a time, so writing a record is a copy and a
 * release store.  When perfscope falls behind, the writer waits for space:
 * a record is never dropped unless perfscope has stopped reading.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pl.h"

/* How long a writer waits for perfscope to make room before dropping. */
#define FULL_WAIT_NS (5ull * 1000 * 1000 * 1000)

PL_HIDDEN struct ps_mem_header *pl_file;
PL_HIDDEN unsigned pl_generation;
PL_HIDDEN PL_TLS struct pl_thread pl_self = { .slot = -1 };

static pthread_key_t slot_key;
static bool slot_key_made;
static bool use_tsc;
static bool reader_fences;   /* PS_MEM_FENCE_MEMBARRIER */

uint64_t pl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Marks the slot busy, then reads the clock: a reader that saw the slot
 * idle read its own clock before this one (ps_memproto.h).
 */
uint64_t pl_mark_busy(struct ps_mem_slot *s)
{
	uint64_t t0;

	if (reader_fences && use_tsc) {
		__atomic_store_n(&s->busy_since, 1, __ATOMIC_RELAXED);
		t0 = ps_mem_rdtsc_unfenced();
	} else {
		__atomic_store_n(&s->busy_since, 1, __ATOMIC_SEQ_CST);
		t0 = pl_now();
	}
	__atomic_store_n(&s->busy_since, t0, __ATOMIC_RELEASE);
	return t0;
}

/* CPUID 0x80000007, EDX bit 8: the TSC runs at a constant rate in all states. */
static bool invariant_tsc(void)
{
	unsigned a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u), "c"(0));
	if (a < 0x80000007u)
		return false;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000007u), "c"(0));
	return d & (1u << 8);
}

uint64_t pl_now(void)
{
	return use_tsc ? ps_mem_rdtsc() : pl_now_ns();
}

int pl_gettid(void)
{
	return (int)syscall(SYS_gettid);
}

static unsigned char *ring_data(int slot)
{
	return (unsigned char *)pl_file + sizeof(struct ps_mem_header) +
	       (size_t)slot * PS_MEM_RING_BYTES;
}

static void release_at_thread_exit(void *unused)
{
	(void)unused;
	pl_self.in_hook++;
	pl_ring_release_slot();
	pl_self.in_hook--;
}

/*
 * Creates DIR/PID.N.mem (N: the first free number, so an exec'ed image
 * gets a file of its own) and maps it.  Returns 0 or -1 (tracking stays off).
 */
int pl_ring_open(void)
{
	const char *dir = getenv(PS_MEM_ENV_DIR);
	char path[PATH_MAX];
	struct ps_mem_header *h;
	int fd = -1;
	ssize_t n;

	if (!dir || dir[0] != '/')
		return -1;
	for (unsigned gen = 0; gen < 1000 && fd < 0; gen++) {
		if (snprintf(path, sizeof(path), "%s/%d.%u.mem", dir, (int)getpid(), gen) >=
		    (int)sizeof(path))
			return -1;
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)PS_MEM_FILE_BYTES) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	h = mmap(NULL, PS_MEM_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (h == MAP_FAILED) {
		unlink(path);
		return -1;
	}
	h->version = PS_MEM_VERSION;
	h->pid = (uint32_t)getpid();
	h->ppid = (uint32_t)getppid();
	h->start_ns = pl_now_ns();
	use_tsc = invariant_tsc();
	h->clock = use_tsc ? PS_MEM_CLOCK_TSC : PS_MEM_CLOCK_MONOTONIC;
	/* perfscope can put the barrier in our threads: no fence per allocation */
	reader_fences = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0) == 0;
	h->fence = reader_fences ? PS_MEM_FENCE_MEMBARRIER : PS_MEM_FENCE_WRITER;
	n = readlink("/proc/self/exe", h->exe, sizeof(h->exe) - 1);
	h->exe[n > 0 ? n : 0] = '\0';
	/* the name the kernel gave this image at its exec, before the program
	 * could rename itself: perfscope matches it with the exec it saw */
	prctl(PR_GET_NAME, h->comm, 0, 0, 0);
	/* perfscope reads a file only once the magic is there */
	__atomic_store_n(&h->magic, PS_MEM_MAGIC, __ATOMIC_RELEASE);
	pl_file = h;
	if (!slot_key_made && pthread_key_create(&slot_key, release_at_thread_exit) == 0)
		slot_key_made = true;
	return 0;
}

/* In a forked child: forget the parent's file without touching it. */
void pl_ring_close(void)
{
	if (pl_file)
		munmap(pl_file, PS_MEM_FILE_BYTES);
	pl_file = NULL;
	pl_self.slot = -1;
}

struct ps_mem_slot *pl_ring_slot(void)
{
	unsigned tid;

	if (pl_self.slot >= 0 && pl_self.generation == pl_generation)
		return &pl_file->slots[pl_self.slot];
	pl_self.slot = -1;
	tid = (unsigned)pl_gettid();
	for (int i = 0; i < PS_MEM_SLOTS; i++) {
		uint32_t expected = 0;

		if (__atomic_compare_exchange_n(&pl_file->slots[i].owner, &expected, tid, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			pl_self.slot = i;
			pl_self.generation = pl_generation;
			pl_stack_claim_slot(i);
			if (slot_key_made)
				pthread_setspecific(slot_key, (void *)1);
			return &pl_file->slots[i];
		}
	}
	__atomic_fetch_add(&pl_file->lost_threads, 1, __ATOMIC_RELAXED);
	return NULL;
}

void pl_ring_release_slot(void)
{
	if (!pl_file || pl_self.slot < 0 || pl_self.generation != pl_generation)
		return;
	__atomic_store_n(&pl_file->slots[pl_self.slot].owner, 0, __ATOMIC_RELEASE);
	pl_self.slot = -1;
}

static bool wait_for_room(struct ps_mem_slot *s, uint64_t head, uint32_t need)
{
	uint64_t deadline = 0;

	while (head + need - __atomic_load_n(&s->tail, __ATOMIC_ACQUIRE) > PS_MEM_RING_BYTES) {
		uint64_t now;

		if (__atomic_load_n(&pl_file->state, __ATOMIC_ACQUIRE) == PS_MEM_DETACHED)
			return false;
		now = pl_now_ns();
		if (!deadline)
			deadline = now + FULL_WAIT_NS;
		else if (now > deadline) {
			__atomic_store_n(&pl_file->state, PS_MEM_DETACHED, __ATOMIC_RELEASE);
			return false;
		}
		sched_yield();
	}
	return true;
}

/*
 * Records never straddle the end of the ring: a PAD record fills the rest
 * (a rest shorter than a record header is skipped without one) and the
 * record starts again at offset 0.
 */
void *pl_ring_reserve(struct ps_mem_slot *s, uint32_t size)
{
	uint64_t head = s->head;
	uint32_t off = (uint32_t)(head & (PS_MEM_RING_BYTES - 1));
	uint32_t left = PS_MEM_RING_BYTES - off;
	unsigned char *data = ring_data((int)(s - pl_file->slots));

	if (size > left) {
		struct ps_mem_rec pad = { .type = PS_MEM_REC_PAD, .size = left };

		if (!wait_for_room(s, head, left))
			goto dropped;
		if (left >= sizeof(pad))	/* shorter tails are skipped implicitly */
			memcpy(data + off, &pad, sizeof(pad));
		head += left;
		__atomic_store_n(&s->head, head, __ATOMIC_RELEASE);
		off = 0;
	}
	if (!wait_for_room(s, head, size))
		goto dropped;
	return data + off;
dropped:
	__atomic_fetch_add(&pl_file->dropped, 1, __ATOMIC_RELAXED);
	return NULL;
}

void pl_ring_publish(struct ps_mem_slot *s, uint32_t size)
{
	__atomic_store_n(&s->head, s->head + size, __ATOMIC_RELEASE);
}
