/*
 * Memory workloads with exactly known answers, for perfscope memory-profile.
 * Built without frame pointers (-O2 -g), like distribution code.  Nothing
 * is printed (stdio would allocate its buffer); the mode is argv[1]:
 *
 *   leaks     100 x 4096 bytes leaked by leak_pages(), 8 x 1 MiB by
 *             leak_big() (reached through path_a and path_b), 8 x 1000 kept
 *             reachable in a global, 1,000,000 temporary 32-byte blocks in
 *             churn(), and one 16 MiB block freed again by spike().
 *             Peak: 8,798,208 + 8,000 + 16,777,216 = 25,583,424 bytes.
 *   apis      one block leaked through each API (sizes in the test).
 *   threads   4 threads, each leaking 10 x 1000 bytes and making 100,000
 *             temporary allocations.
 *   forkexec  the parent leaks 1111 bytes; its child leaks 2222 and then
 *             execs "memwork leak 4321" (which leaks 4321 bytes).
 *   leak N    leaks N bytes in one block.
 *   crash     leaks 2000 bytes, then abort().
 *   growth S  allocates 100 KB every 10 ms for S seconds in grow_step(),
 *             keeping all of it (10 MB/s), then frees it; each step also
 *             allocates and frees 50 KB in scratch_step() (not growing).
 *   growth-thread S  the same growth in a second thread (grow_thread) while
 *             the main thread waits for it.
 *   cycle     two leaked blocks pointing at each other, one leaked block
 *             pointed to only by a leaked block (indirect), total 3 x 256.
 *   stackroot calls exit() from a function whose local still points at a
 *             300-byte block (reachable), after leaking 400 bytes.
 *   regroot   leaks 400 bytes, then calls exit() with the only pointer to
 *             a 500-byte block in rbx (reachable).
 *   threadroot  a thread leaves the only pointer to a 700-byte block in a
 *             dead frame below its stack pointer (lost), then spins with the
 *             only pointer to a 600-byte block in a register (reachable)
 *             while main calls exit().
 *   manystacks D  2^D allocation stacks, all distinct: a call tree D
 *             levels deep whose every node calls left() then right(); each
 *             leaf allocates and frees 64 + (path % 64) bytes.
 *   frag      256 MiB in 64 KiB blocks, written, then every other block
 *             freed: half of the heap's resident memory holds no live block.
 *   mmap      maps 1 MiB anonymous and leaks it (map_leak), maps 4 MiB and
 *             unmaps 1 MiB from its middle, then the rest (map_split), and
 *             grows a 64 KiB mapping to 256 KiB with mremap, kept in a
 *             global (map_grow): 1 MiB lost, 256 KiB reachable, peak
 *             1 MiB + 4 MiB = 5,242,880 bytes.
 *   sites     site_big allocates (and frees) 64 MiB in 4 KiB blocks,
 *             site_small 1 MiB in 1 KiB blocks: for sampling estimates.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noipa))

void *volatile keep[8];
void *volatile sink;

NOINLINE static void leak_pages(void)
{
	for (int i = 0; i < 100; i++) {
		char *p = malloc(4096);
		memset(p, 1, 4096);
		sink = p;
	}
	sink = NULL;
}

NOINLINE static void leak_big(void)
{
	for (int i = 0; i < 4; i++) {
		char *p = malloc(1 << 20);
		memset(p, 2, 64);
		sink = p;
	}
	sink = NULL;
}

/* the stores after the calls keep them from being tail calls */
NOINLINE static void path_a(void) { leak_big(); sink = NULL; }
NOINLINE static void path_b(void) { leak_big(); keep[0] = keep[0]; }

NOINLINE static void reachable(void)
{
	for (int i = 0; i < 8; i++)
		keep[i] = malloc(1000);
}

NOINLINE static void churn(long n)
{
	for (long i = 0; i < n; i++) {
		volatile char *p = malloc(32);
		p[0] = 1;
		free((void *)p);
	}
}

NOINLINE static void spike(void)
{
	char *p = malloc(16 << 20);
	memset(p, 3, 4096);
	sink = p;
	free(p);
	sink = NULL;
}

static int mode_leaks(void)
{
	leak_pages();
	path_a();
	path_b();
	reachable();
	spike();
	churn(1000000);
	return 0;
}

NOINLINE static void api_malloc(void) { sink = malloc(1001); }
NOINLINE static void api_calloc(void) { sink = calloc(7, 143); }             /* 1001 */
NOINLINE static void api_realloc_loop(void)
{
	void *p = NULL;

	for (int i = 1; i <= 100; i++)
		p = realloc(p, (size_t)i * 16);                                /* ends at 1600 */
	sink = p;
}
NOINLINE static void api_reallocarray(void) { sink = reallocarray(NULL, 10, 123); }  /* 1230 */
NOINLINE static void api_posix_memalign(void)
{
	void *p;

	if (posix_memalign(&p, 64, 3000) == 0)
		sink = p;
}
NOINLINE static void api_aligned_alloc(void) { sink = aligned_alloc(128, 2048); }
NOINLINE static void api_memalign(void) { sink = memalign(256, 1500); }
NOINLINE static void api_valloc(void) { sink = valloc(5000); }
NOINLINE static void api_pvalloc(void) { sink = pvalloc(5000); }          /* 8192 */
NOINLINE static void api_freed(void) { free(malloc(777)); }

static int mode_apis(void)
{
	api_malloc();
	api_calloc();
	api_realloc_loop();
	api_reallocarray();
	api_posix_memalign();
	api_aligned_alloc();
	api_memalign();
	api_valloc();
	api_pvalloc();
	api_freed();
	sink = NULL;
	return malloc_usable_size(keep[0]) == 0 ? 0 : 1;
}

NOINLINE static void *thread_main(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++) {
		char *p = malloc(1000);
		p[0] = 1;
	}
	churn(100000);
	return NULL;
}

static int mode_threads(void)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, thread_main, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return 0;
}

NOINLINE static void leak_n(size_t n)
{
	char *p = malloc(n);
	memset(p, 4, n);
	sink = p;
	sink = NULL;
}

static int mode_forkexec(const char *self)
{
	pid_t pid;
	int status;

	leak_n(1111);
	pid = fork();
	if (pid == 0) {
		leak_n(2222);
		execl(self, self, "leak", "4321", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

NOINLINE static void branch(int depth, unsigned path);

NOINLINE static void left(int depth, unsigned path)
{
	branch(depth - 1, path << 1);
	sink = NULL;   /* work after the call: not a tail call, the frame stays */
}

NOINLINE static void right(int depth, unsigned path)
{
	branch(depth - 1, (path << 1) | 1);
	sink = NULL;
}

NOINLINE static void branch(int depth, unsigned path)
{
	if (depth <= 0) {
		sink = malloc(64 + (path & 63));
		free(sink);
		return;
	}
	left(depth, path);
	right(depth, path);
	sink = NULL;
}

NOINLINE static void *grow_step(void)
{
	void *p = malloc(100000);

	memset(p, 5, 100000);
	return p;
}

NOINLINE static void scratch_step(void)
{
	char *volatile p = malloc(50000);

	p[0] = 1;
	free(p);
}

static int mode_growth(double seconds)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
	long n = (long)(seconds * 100);
	void **blocks = calloc((size_t)n, sizeof(*blocks));

	for (long i = 0; i < n; i++) {
		blocks[i] = grow_step();
		scratch_step();
		nanosleep(&ten_ms, NULL);
	}
	for (long i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	return 0;
}

NOINLINE static void *grow_thread(void *arg)
{
	mode_growth(*(double *)arg);
	return NULL;
}

static int mode_growth_thread(double seconds)
{
	pthread_t t;

	if (pthread_create(&t, NULL, grow_thread, &seconds) != 0)
		return 1;
	pthread_join(t, NULL);
	return 0;
}

NOINLINE static void leak_cycle(void)
{
	void **a = malloc(256), **b = malloc(256), **c = malloc(256);

	memset(a, 0, 256);
	memset(b, 0, 256);
	memset(c, 0, 256);
	a[0] = b;       /* a and b point at each other */
	b[0] = a;
	b[1] = c;       /* c hangs off the cycle */
	sink = a;
	sink = NULL;
}

NOINLINE static void site_big(void)
{
	for (int i = 0; i < 16384; i++) {
		volatile char *p = malloc(4096);
		p[0] = 1;
		free((void *)p);
	}
}

NOINLINE static void site_small(void)
{
	for (int i = 0; i < 1024; i++) {
		volatile char *p = malloc(1024);
		p[0] = 1;
		free((void *)p);
	}
}

void *volatile kept_map;

NOINLINE static void map_leak(void)
{
	char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p[0] = 1;
	sink = p;
	sink = NULL;
}

NOINLINE static void map_split(void)
{
	char *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p + (1 << 20), 1 << 20);
	munmap(p, 1 << 20);
	munmap(p + (2 << 20), 2 << 20);
}

NOINLINE static void map_grow(void)
{
	char *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	kept_map = mremap(p, 64 << 10, 256 << 10, MREMAP_MAYMOVE);
}

void **frag_blocks;

static int mode_frag(void)
{
	const int n = (256 << 20) / (64 << 10);

	frag_blocks = calloc((size_t)n, sizeof(*frag_blocks));
	for (int i = 0; i < n; i++) {
		frag_blocks[i] = malloc(64 << 10);
		memset(frag_blocks[i], 6, 64 << 10);
	}
	for (int i = 0; i < n; i += 2) {
		free(frag_blocks[i]);
		frag_blocks[i] = NULL;
	}
	return 0;
}

NOINLINE static void exit_holding(void)
{
	void *volatile local = malloc(300);

	leak_n(400);
	exit(local ? 0 : 1);
}

/* exit() called while a 500-byte block is pointed to only from rbx */
NOINLINE static void exit_holding_in_register(void)
{
	void *p = malloc(500);

	leak_n(400);
	__asm__ volatile("mov %0, %%rbx\n\t"
			 "xor %%edi, %%edi\n\t"
			 "call exit@PLT" : : "r"(p) : "rbx", "rdi", "memory");
	__builtin_unreachable();
}

/* A dead frame that still holds the only copy of a pointer, well below
 * where the caller's stack pointer will be (past the red zone): a leak. */
NOINLINE static void leave_stale_pointer(void)
{
	void *volatile slot[64];

	slot[0] = malloc(700);
	__asm__ volatile("" : : "r"(slot) : "memory");
}

static volatile int thread_ready;

/* Leaves a stale pointer below its stack pointer, then spins holding a
 * 600-byte block in a register only. */
static void *hold_in_register(void *arg)
{
	void *p;

	(void)arg;
	leave_stale_pointer();
	p = malloc(600);
	thread_ready = 1;
	for (;;)
		__asm__ volatile("pause" : : "r"(p));
	return NULL;
}

static int mode_threadroot(void)
{
	pthread_t t;

	pthread_create(&t, NULL, hold_in_register, NULL);
	while (!thread_ready)
		;
	exit(0);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "leaks";

	if (!strcmp(mode, "leaks"))
		return mode_leaks();
	if (!strcmp(mode, "apis"))
		return mode_apis();
	if (!strcmp(mode, "threads"))
		return mode_threads();
	if (!strcmp(mode, "forkexec"))
		return mode_forkexec(argv[0]);
	if (!strcmp(mode, "leak") && argc > 2) {
		leak_n((size_t)atol(argv[2]));
		return 0;
	}
	if (!strcmp(mode, "crash")) {
		leak_n(2000);
		abort();
	}
	if (!strcmp(mode, "growth"))
		return mode_growth(argc > 2 ? atof(argv[2]) : 1.0);
	if (!strcmp(mode, "growth-thread"))
		return mode_growth_thread(argc > 2 ? atof(argv[2]) : 1.0);
	if (!strcmp(mode, "mmap")) {
		map_leak();
		map_split();
		map_grow();
		return 0;
	}
	if (!strcmp(mode, "sites")) {
		site_big();
		site_small();
		return 0;
	}
	if (!strcmp(mode, "frag"))
		return mode_frag();
	if (!strcmp(mode, "manystacks") && argc > 2) {
		branch(atoi(argv[2]), 0);
		return 0;
	}
	if (!strcmp(mode, "stackroot"))
		exit_holding();
	if (!strcmp(mode, "regroot"))
		exit_holding_in_register();
	if (!strcmp(mode, "threadroot"))
		return mode_threadroot();
	if (!strcmp(mode, "cycle")) {
		leak_cycle();
		return 0;
	}
	return 2;
}
