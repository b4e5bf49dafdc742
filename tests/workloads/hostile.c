/*
 * hostile: a program that turns on perfscope's allocation tracker.  Run
 * under `perfscope memory-profile`, it allocates a little, then writes
 * into the tracker's file of its own process (PERFSCOPE_MEM_DIR/PID.0.mem,
 * layout in lib/memory/ps_memproto.h) in one of these ways, allocates a little
 * more, and exits 0:
 *
 *   early-time    a free record stamped 1, before the run began
 *   late-time     an allocation record stamped far in the future
 *   head-jump     a ring's head moved 2^40 bytes past its tail
 *   garbage       a ring filled with random bytes as records
 *   truncate      the file cut to one page under the reader's mapping,
 *                 then _exit(0) (the tracker's next write would fault too)
 *   rescan        the header asks for its leak scan over and over
 *   forge PID     a file named after process PID, which is not ours
 *   litter        files and a directory of its own in the session directory
 *   bigmap        maps 16 TiB of writable memory (never touched) before its
 *                 exit: the leak scan reads roots in writable mappings
 *   fifo-map      an allocation whose stack runs through code "mapped" from
 *                 a FIFO it made (a module perfscope would open to name it)
 *
 * Each is what a buggy or hostile program can do; perfscope must write its
 * reports, end, and say what it refused.  With no tracker (not run under
 * memory-profile) it says so and exits 2.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../lib/memory/ps_memproto.h"

/* The slot nobody uses: the tracker hands them out from the start. */
#define SPARE_SLOT (PS_MEM_SLOTS - 1)

static void *volatile sink;

static void allocate(int n)
{
	for (int i = 0; i < n; i++) {
		void *p = malloc(100 + (size_t)i);
		sink = p;
		free(p);
	}
	sink = malloc(1234);    /* a leak, to be reported whatever happens */
}

static char *own_file(void)
{
	const char *dir = getenv(PS_MEM_ENV_DIR);
	char *path;

	if (!dir) {
		fprintf(stderr, "hostile: no %s: run me under perfscope memory-profile\n", PS_MEM_ENV_DIR);
		exit(2);
	}
	if (asprintf(&path, "%s/%d.0.mem", dir, (int)getpid()) < 0)
		exit(1);
	return path;
}

static struct ps_mem_header *map_own(const char *path, int *fd_out)
{
	int fd = open(path, O_RDWR);
	struct ps_mem_header *h;

	if (fd < 0) {
		perror(path);
		exit(1);
	}
	h = mmap(NULL, PS_MEM_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	return h;
}

/* Appends one record to the spare slot's ring, as a writer would. */
static void put_record(struct ps_mem_header *h, const void *rec, uint32_t size)
{
	struct ps_mem_slot *s = &h->slots[SPARE_SLOT];
	unsigned char *ring = (unsigned char *)h + sizeof(*h) + (size_t)SPARE_SLOT * PS_MEM_RING_BYTES;
	uint64_t head = s->head;

	s->owner = (uint32_t)getpid();
	memcpy(ring + (head & (PS_MEM_RING_BYTES - 1)), rec, size);
	__atomic_store_n(&s->head, head + size, __ATOMIC_RELEASE);
}

static void timed_record(struct ps_mem_header *h, uint16_t type, uint64_t time)
{
	struct ps_mem_rec_alloc r = {
		.h = { .type = type, .api = PS_MEM_API_MALLOC, .size = sizeof(r), .tid = (uint32_t)getpid(),
		       .time = time },
		.addr = 0x1000, .bytes = 4096, .stack = 0,
	};

	if (type == PS_MEM_REC_FREE)
		r.h.size = sizeof(struct ps_mem_rec_free);
	put_record(h, &r, r.h.size);
}

/* A time in the file's clock, as the tracker stamps its records. */
static uint64_t file_now(const struct ps_mem_header *h)
{
	struct timespec ts;

	if (h->clock == PS_MEM_CLOCK_TSC)
		return ps_mem_rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fifo_map(struct ps_mem_header *h, const char *path)
{
	char *fifo, *dir = strdup(path);
	unsigned char buf[512];
	struct ps_mem_rec_map *m = (void *)buf;
	struct ps_mem_rec_stack *st = (void *)buf;
	struct ps_mem_rec_alloc a;
	size_t len;

	*strrchr(dir, '/') = '\0';
	if (asprintf(&fifo, "%s/code.fifo", dir) < 0 || mkfifo(fifo, 0600) < 0)
		exit(1);
	memset(buf, 0, sizeof(buf));
	len = (sizeof(*m) + strlen(fifo) + 1 + 7) & ~(size_t)7;
	*m = (struct ps_mem_rec_map){ .h = { .type = PS_MEM_REC_MAP, .size = (uint32_t)len,
					     .tid = (uint32_t)getpid(), .time = file_now(h) },
				      .start = 0x7f0000000000ull, .len = 0x100000, .pgoff = 0 };
	strcpy(m->path, fifo);
	put_record(h, buf, (uint32_t)len);
	memset(buf, 0, sizeof(buf));
	*st = (struct ps_mem_rec_stack){ .h = { .type = PS_MEM_REC_STACK, .size = sizeof(*st) + 16,
						.tid = (uint32_t)getpid() },
					 .stack = 0xfeedf00d, .nframes = 2 };
	st->pcs[0] = 0x7f0000001000ull;
	st->pcs[1] = 0x7f0000002000ull;
	put_record(h, buf, sizeof(*st) + 16);
	a = (struct ps_mem_rec_alloc){ .h = { .type = PS_MEM_REC_ALLOC, .size = sizeof(a),
					      .tid = (uint32_t)getpid(), .time = file_now(h) },
				       .addr = 0x5000, .bytes = 77, .stack = 0xfeedf00d };
	put_record(h, &a, sizeof(a));
}

static void garbage(struct ps_mem_header *h)
{
	unsigned char bytes[4096];
	unsigned long x = 0x9e3779b97f4a7c15UL;

	for (size_t i = 0; i < sizeof(bytes); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		bytes[i] = (unsigned char)x;
	}
	put_record(h, bytes, sizeof(bytes));
}

/* A file that looks like the tracker's, named after another process. */
static void forge(const char *path, const char *pid)
{
	char *fake, *dir = strdup(path);
	struct ps_mem_header *h;
	int fd;

	*strrchr(dir, '/') = '\0';
	if (asprintf(&fake, "%s/%s.0.mem", dir, pid) < 0)
		exit(1);
	fd = open(fake, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || ftruncate(fd, (off_t)PS_MEM_FILE_BYTES) < 0) {
		perror(fake);
		exit(1);
	}
	h = mmap(NULL, PS_MEM_FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED)
		exit(1);
	h->version = PS_MEM_VERSION;
	h->pid = (uint32_t)atoi(pid);
	/* and it says it is in exit(), waiting for its leak scan */
	h->state = PS_MEM_EXITING;
	__atomic_store_n(&h->magic, PS_MEM_MAGIC, __ATOMIC_RELEASE);
	close(fd);
}

static void litter(const char *path)
{
	char *dir = strdup(path), *p;

	*strrchr(dir, '/') = '\0';
	if (asprintf(&p, "%s/notes.txt", dir) < 0 || close(open(p, O_WRONLY | O_CREAT, 0600)) < 0)
		exit(1);
	if (asprintf(&p, "%s/sub", dir) < 0 || mkdir(p, 0700) < 0)
		exit(1);
	if (asprintf(&p, "%s/sub/deeper", dir) < 0 || close(open(p, O_WRONLY | O_CREAT, 0600)) < 0)
		exit(1);
	if (asprintf(&p, "%s/link", dir) < 0 || symlink("/etc/passwd", p) < 0)
		exit(1);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	char *path = own_file();
	int fd;
	struct ps_mem_header *h = map_own(path, &fd);
	struct timespec nap = { 0, 50 * 1000 * 1000 };

	allocate(1000);
	nanosleep(&nap, NULL);  /* the reader has taken the file by now */
	if (strcmp(mode, "early-time") == 0) {
		timed_record(h, PS_MEM_REC_FREE, 1);
	} else if (strcmp(mode, "late-time") == 0) {
		timed_record(h, PS_MEM_REC_ALLOC, UINT64_MAX - 5);
	} else if (strcmp(mode, "head-jump") == 0) {
		h->slots[SPARE_SLOT].owner = (uint32_t)getpid();
		__atomic_store_n(&h->slots[SPARE_SLOT].head, h->slots[SPARE_SLOT].tail + (1ull << 40),
				 __ATOMIC_RELEASE);
	} else if (strcmp(mode, "garbage") == 0) {
		garbage(h);
	} else if (strcmp(mode, "truncate") == 0) {
		if (ftruncate(fd, 4096) < 0) {
			perror("ftruncate");
			return 1;
		}
		/* the tracker's own next write into its rings would fault here
		 * too: leave without one */
		_exit(0);
	} else if (strcmp(mode, "rescan") == 0) {
		for (int i = 0; i < 100; i++) {
			__atomic_store_n(&h->state, PS_MEM_EXITING, __ATOMIC_RELEASE);
			nanosleep(&nap, NULL);
			nap.tv_nsec = 5 * 1000 * 1000;
		}
		__atomic_store_n(&h->state, PS_MEM_RUNNING, __ATOMIC_RELEASE);
	} else if (strcmp(mode, "forge") == 0 && argc > 2) {
		forge(path, argv[2]);
	} else if (strcmp(mode, "litter") == 0) {
		litter(path);
	} else if (strcmp(mode, "bigmap") == 0) {
		if (mmap(NULL, 16ull << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0) == MAP_FAILED) {
			perror("mmap");
			return 1;
		}
	} else if (strcmp(mode, "fifo-map") == 0) {
		fifo_map(h, path);
	} else {
		fprintf(stderr, "hostile: unknown mode '%s'\n", mode);
		return 2;
	}
	nanosleep(&nap, NULL);
	allocate(1000);     /* what the tracker writes after the damage */
	printf("hostile: %s done\n", mode);
	return 0;
}
