/*
 * Guarded shared mappings (ps_memguard.h).
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/ps_memguard.h"

struct guarded {
	uintptr_t start, end;           /* 0, 0: a free slot */
	volatile uint64_t faults;
};

static struct guarded ranges[PS_MEMGUARD_MAX];
static size_t used;     /* slots ever taken: loops stop there */
static struct sigaction previous;
static int installed;

static long page;

static void on_sigbus(int sig, siginfo_t *info, void *uc)
{
	uintptr_t addr = (uintptr_t)info->si_addr;
	size_t n = __atomic_load_n(&used, __ATOMIC_ACQUIRE);

	/* a fault of ours (si_code > 0), not a SIGBUS some process sent */
	for (size_t i = 0; info->si_code > 0 && i < n; i++) {
		struct guarded *g = &ranges[i];

		if (addr < g->start || addr >= g->end)
			continue;
		/* zeros where the file's page was: the read goes on */
		if (mmap((void *)(addr & ~(uintptr_t)(page - 1)), (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		g->faults++;
		return;
	}
	/* not ours: the handler before ours takes it (a sanitizer's, or the
	 * default: death with a core that shows the real fault) */
	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, info, uc);
	} else if (previous.sa_handler != SIG_IGN && previous.sa_handler != SIG_DFL) {
		previous.sa_handler(sig);
	} else {
		sigaction(sig, &previous, NULL);
		if (info->si_code <= 0)
			raise(sig);
		/* returning re-runs the access, which faults again under the
		 * handler restored */
	}
}

static int install(void)
{
	struct sigaction sa;

	if (installed)
		return 0;
	page = sysconf(_SC_PAGESIZE);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &previous) < 0)
		return -1;
	installed = 1;
	return 0;
}

int ps_memguard_add(void *base, size_t len)
{
	if (install() < 0)
		return -1;
	for (size_t i = 0; i < PS_MEMGUARD_MAX; i++) {
		if (ranges[i].end)
			continue;
		ranges[i].faults = 0;
		ranges[i].start = (uintptr_t)base;
		/* the end last: the handler sees a slot whole or not at all */
		__atomic_store_n(&ranges[i].end, (uintptr_t)base + len, __ATOMIC_RELEASE);
		if (i >= used)
			__atomic_store_n(&used, i + 1, __ATOMIC_RELEASE);
		return (int)i;
	}
	return -1;
}

void ps_memguard_remove(void *base)
{
	for (size_t i = 0; i < used; i++)
		if (ranges[i].end && ranges[i].start == (uintptr_t)base) {
			__atomic_store_n(&ranges[i].end, 0, __ATOMIC_RELEASE);
			ranges[i].start = 0;
		}
}

uint64_t ps_memguard_faults(int slot)
{
	return slot >= 0 && (size_t)slot < used ? ranges[slot].faults : 0;
}
