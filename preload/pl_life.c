/*
 * The tracker's life in a process: start (constructor), fork (the child
 * gets a file of its own), and exit.
 *
 * At exit, after the program's own destructors, the runtime's buffers are
 * freed the way valgrind does it (libstdc++'s and glibc's freeres hooks),
 * so they are not reported as leaks; then the process waits, stopped in
 * place, while perfscope scans its memory to classify what is still
 * allocated.  It never waits on a perfscope that has stopped polling.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "pl.h"

/* A perfscope that has not polled for this long is gone. */
#define READER_STALE_NS (3ull * 1000 * 1000 * 1000)
#define SCAN_WAIT_MAX_NS (60ull * 1000 * 1000 * 1000)

static void after_fork_in_child(void)
{
	bool was_tracking = pl_tracking;

	pl_self.in_hook++;
	pl_tracking = false;
	pl_ring_close();
	pl_maps_reset();
	pl_sample_reset();
	pl_generation++;
	if (was_tracking && pl_ring_open() == 0)
		pl_tracking = true;
	pl_self.in_hook--;
}

void pl_start(void)
{
	static bool started;

	if (started)
		return;
	started = true;
	pl_self.in_hook++;
	pl_boot_resolve();
	if (pl_real.free && pl_ring_open() == 0) {
		pl_stack_init();
		pl_sample_init();
		pthread_atfork(NULL, NULL, after_fork_in_child);
		pl_tracking = true;
	}
	pl_self.in_hook--;
}

__attribute__((constructor(101))) static void at_load(void)
{
	pl_start();
}

/* What the hooks free is recorded; what looking them up allocates is not. */
static void run_freeres(void)
{
	void (*cxx)(void), (*libc)(void);

	pl_self.in_hook++;
	cxx = (void (*)(void))dlsym(RTLD_DEFAULT, "_ZN9__gnu_cxx9__freeresEv");
	libc = (void (*)(void))dlsym(RTLD_DEFAULT, "__libc_freeres");
	pl_self.in_hook--;
	if (cxx)
		cxx();
	if (libc)
		libc();
}

static void write_exit_record(void)
{
	struct ps_mem_slot *s;
	struct ps_mem_rec *r;
	uint64_t t0;

	pl_self.in_hook++;
	s = pl_ring_slot();
	if (s) {
		t0 = pl_mark_busy(s);
		r = pl_ring_reserve(s, sizeof(*r));
		if (r) {
			*r = (struct ps_mem_rec){ .type = PS_MEM_REC_EXIT, .size = sizeof(*r),
						  .tid = s->owner, .time = t0 };
			pl_ring_publish(s, sizeof(*r));
		}
		__atomic_store_n(&s->busy_since, 0, __ATOMIC_RELEASE);
	}
	pl_self.in_hook--;
}

static void wait_for_scan(void)
{
	struct timespec ms = { 0, 1000 * 1000 };
	uint64_t start = pl_now_ns();

	for (;;) {
		uint32_t state = __atomic_load_n(&pl_file->state, __ATOMIC_ACQUIRE);
		uint64_t now = pl_now_ns(), seen = __atomic_load_n(&pl_file->reader_ns, __ATOMIC_ACQUIRE);

		if (state != PS_MEM_EXITING || now - start > SCAN_WAIT_MAX_NS)
			return;
		/* never polled at all, or not for a while: nobody will scan */
		if (!seen)
			seen = start;
		if (seen < now && now - seen > READER_STALE_NS)
			return;
		nanosleep(&ms, NULL);
	}
}

/*
 * The scan starts at the frame that called exit() (or at _start, once main
 * has returned): the frames of exit itself reuse stack where finished
 * calls left stale pointers, which would keep leaked blocks "reachable".
 */
static uint64_t scan_start(const struct pl_context *ctx)
{
	struct ps_mem_slot *s;
	uint64_t sp = ctx->sp;

	pl_self.in_hook++;
	s = pl_ring_slot();
	if (s)
		sp = pl_stack_user_sp(s, ctx);
	pl_self.in_hook--;
	return sp;
}

__attribute__((destructor(101))) static void at_exit(void)
{
	struct pl_context ctx;

	if (!pl_tracking || !pl_file || pl_file->pid != (uint32_t)getpid())
		return;
	PL_CALLER(ctx);
	run_freeres();
	write_exit_record();
	pl_file->exit_sp = scan_start(&ctx);
	pl_exitstate_write(pl_file);
	__atomic_store_n(&pl_file->state, PS_MEM_EXITING, __ATOMIC_RELEASE);
	wait_for_scan();
	/* what is freed from here on was classified already */
	pl_tracking = false;
}
