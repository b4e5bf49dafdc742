/*
 * ps_memproto: what the preloaded allocation tracker (preload/) and
 * perfscope share, one file per traced process in a private directory.
 *
 * The file starts with a header, then PS_MEM_SLOTS rings.  Each thread of
 * the target claims a slot and is its only writer; perfscope is the only
 * reader.  A record is published by advancing `head` (release); perfscope
 * frees space by advancing `tail`.  Nothing on the hot path makes a system
 * call or takes a lock, and a target that dies leaves its records in the
 * file for perfscope to read.
 *
 * Records carry timestamps (ps_mem_clock) and perfscope merges the rings
 * in time order.  A writer marks its slot busy (busy_since = 1) before it
 * reads the clock, then stores that time there; perfscope reads its clock,
 * then the busy marks, and only merges records older than both.  So a
 * writer perfscope saw idle can only produce later records.
 *
 * That needs a full barrier between the writer's busy store and its clock
 * read.  Where the kernel offers membarrier(GLOBAL_EXPEDITED), the writer
 * uses plain stores and perfscope calls membarrier() before it reads the
 * marks, which puts the barrier in every writer thread once per poll
 * instead of once per allocation (PS_MEM_FENCE_MEMBARRIER).  A free is stamped before the real free and an allocation after
 * the real allocation, so reuse of an address is always seen in order.
 */
#ifndef PS_MEMPROTO_H
#define PS_MEMPROTO_H

#include <stddef.h>
#include <stdint.h>

#define PS_MEM_MAGIC 0x3130306d656d7370ULL   /* "psmem001" */
#define PS_MEM_VERSION 2
#define PS_MEM_SLOTS 64
#define PS_MEM_RING_BYTES (2u * 1024u * 1024u)  /* a power of two; pages used on touch */
#define PS_MEM_MAX_FRAMES 64

/* Environment of the traced program (set by perfscope, read by the preload). */
#define PS_MEM_ENV_DIR "PERFSCOPE_MEM_DIR"
/* Sampling mode: "MEAN_BYTES:SEED" (absent: every allocation is recorded). */
#define PS_MEM_ENV_SAMPLE "PERFSCOPE_MEM_SAMPLE"
/* Diagnostic: capture every new stack both ways and count differences. */
#define PS_MEM_ENV_VERIFY "PERFSCOPE_MEM_VERIFY"

/*
 * Record times (and busy_since): the CPU's time-stamp counter where it is
 * invariant (constant rate, synchronized across CPUs: three times cheaper
 * to read than clock_gettime), else CLOCK_MONOTONIC nanoseconds.
 */
enum ps_mem_clock {
	PS_MEM_CLOCK_MONOTONIC = 0,
	PS_MEM_CLOCK_TSC = 1,
};

/* The time-stamp counter, read after every earlier load has completed. */
static inline uint64_t ps_mem_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * Without the fence: enough where only program order against an interrupt
 * (membarrier's IPI) matters, since an interrupt re-executes whatever
 * follows its instruction boundary.
 */
static inline uint64_t ps_mem_rdtsc_unfenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

enum ps_mem_fence {
	PS_MEM_FENCE_WRITER = 0,       /* the writer fences each busy mark */
	PS_MEM_FENCE_MEMBARRIER = 1,   /* perfscope calls membarrier() each poll */
};

enum ps_mem_state {
	PS_MEM_RUNNING = 0,
	PS_MEM_EXITING = 1,   /* in exit: waiting for perfscope's leak scan */
	PS_MEM_SCANNED = 2,   /* perfscope is done: the process may exit */
	PS_MEM_DETACHED = 3,  /* perfscope is gone or gave up: do not wait */
};

struct ps_mem_slot {
	uint64_t head;          /* bytes written, by the owner thread */
	uint64_t busy_since;    /* timestamp taken at hook entry, 0 when idle */
	uint32_t owner;         /* tid of the thread writing, 0 if free */
	uint32_t pad;
	char pad_writer[40];
	uint64_t tail;          /* bytes consumed, by perfscope */
	char pad_reader[56];
};

/*
 * The callee-saved registers of the frame that called exit(): pointers
 * the program kept only in registers are roots of the leak scan too.
 */
enum ps_mem_exit_regs {
	PS_MEM_REG_RBX, PS_MEM_REG_RBP, PS_MEM_REG_R12, PS_MEM_REG_R13, PS_MEM_REG_R14,
	PS_MEM_REG_R15, PS_MEM_EXIT_REGS,
};

/* glibc's own view of its heap at exit (mallinfo2), when it has one. */
struct ps_mem_mallinfo {
	uint64_t known;         /* 1 when read */
	uint64_t arena;         /* bytes obtained with brk, in all arenas */
	uint64_t mmapped;       /* bytes in blocks mmap'ed on their own */
	uint64_t in_use;        /* bytes handed out (uordblks) */
	uint64_t free;          /* bytes free in the arenas (fordblks) */
	uint64_t releasable;    /* free bytes at the top that could be trimmed */
	uint64_t pad[2];
};

struct ps_mem_header {
	uint64_t magic;
	uint32_t version;
	uint32_t pid;
	uint32_t ppid;
	uint32_t state;         /* enum ps_mem_state */
	uint64_t start_ns;      /* when the tracker started in this process */
	uint64_t exit_sp;       /* the exiting thread's stack pointer, for the scan */
	uint64_t dropped;       /* records lost (a ring stayed full too long) */
	uint64_t lost_threads;  /* allocations by threads that found no free slot */
	uint64_t reader_ns;     /* perfscope's last poll: a waiting target gives up when stale */
	uint32_t clock;         /* PS_MEM_CLOCK_*: what record times count */
	uint32_t fence;         /* PS_MEM_FENCE_*: how busy marks are ordered */
	uint64_t unwind_fallbacks;   /* stacks the fast walk handed to libgcc */
	uint64_t unwind_verified;    /* PERFSCOPE_MEM_VERIFY: stacks walked both ways */
	uint64_t unwind_mismatches;  /* of those, where the fast walk != libgcc */
	char exe[256];          /* the program, as exec'ed (/proc/self/exe) */
	char comm[16];          /* its name when the tracker started (the exec's name) */
	/* set at exit, before the scan (ps_mem_exit_regs order; known: 1) */
	uint64_t exit_regs[PS_MEM_EXIT_REGS];
	uint32_t exit_tid;
	uint32_t exit_regs_known;
	struct ps_mem_mallinfo mallinfo;
	char pad[24];
	struct ps_mem_slot slots[PS_MEM_SLOTS];   /* each on cache lines of its own */
};

_Static_assert(offsetof(struct ps_mem_header, slots) % 64 == 0, "slots start a cache line");

#define PS_MEM_FILE_BYTES (sizeof(struct ps_mem_header) + (uint64_t)PS_MEM_SLOTS * PS_MEM_RING_BYTES)

enum ps_mem_rec_type {
	PS_MEM_REC_PAD = 0,     /* skip to the end of the ring */
	PS_MEM_REC_ALLOC = 1,
	PS_MEM_REC_FREE = 2,
	PS_MEM_REC_STACK = 3,   /* defines a stack id (a hash of its pcs) */
	PS_MEM_REC_EXIT = 4,    /* exit() reached, freeres done; live blocks follow the scan */
	PS_MEM_REC_MAP = 5,     /* a code segment of a loaded object, sent before stacks use it */
	PS_MEM_REC_UNMAP = 6,   /* a range unmapped (munmap, or the old side of mremap) */
};

/* What made an allocation or a free (for the per-API counts). */
enum ps_mem_api {
	PS_MEM_API_MALLOC, PS_MEM_API_CALLOC, PS_MEM_API_REALLOC, PS_MEM_API_REALLOCARRAY,
	PS_MEM_API_POSIX_MEMALIGN, PS_MEM_API_ALIGNED_ALLOC, PS_MEM_API_MEMALIGN,
	PS_MEM_API_VALLOC, PS_MEM_API_PVALLOC, PS_MEM_API_FREE,
	PS_MEM_API_MMAP, PS_MEM_API_MUNMAP, PS_MEM_API_MREMAP,
	PS_MEM_API_COUNT
};

/* Every record starts so; sizes are multiples of 8. */
struct ps_mem_rec {
	uint16_t type;
	uint16_t api;
	uint32_t size;          /* of the whole record, bytes */
	uint32_t tid;
	uint32_t pad;
	uint64_t time;           /* in the file's clock (ps_mem_clock) */
};

struct ps_mem_rec_alloc {
	struct ps_mem_rec h;
	uint64_t addr;
	uint64_t bytes;
	uint64_t stack;
};

struct ps_mem_rec_free {
	struct ps_mem_rec h;
	uint64_t addr;
};

struct ps_mem_rec_stack {
	struct ps_mem_rec h;
	uint64_t stack;
	uint32_t nframes;
	uint32_t pad;
	uint64_t pcs[];         /* leaf first: the allocation's caller */
};

struct ps_mem_rec_unmap {
	struct ps_mem_rec h;
	uint64_t addr;
	uint64_t len;
};

/* The file offset of `start` is `pgoff`; path is NUL-terminated, padded to 8. */
struct ps_mem_rec_map {
	struct ps_mem_rec h;
	uint64_t start;
	uint64_t len;
	uint64_t pgoff;
	char path[];
};

#endif
