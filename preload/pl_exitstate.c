/*
 * What perfscope needs at exit besides the records: the callee-saved
 * registers of the code that called exit() (a pointer the program kept only
 * in a register is not a leak), and malloc's own statistics.
 *
 * The registers are taken where they are still the caller's: at the first
 * instruction of exit(), which the tracker exports.  That entry is a few
 * lines of assembly that store them and jump on to the C part, which calls
 * the real exit().  By the time the tracker's destructor runs, exit's own
 * frames have saved and reused them, and unwinding back to them from there
 * is not dependable (libgcc cannot always find the call-frame information
 * of a runtime that is shutting down).  When main returns, the C runtime
 * calls exit() internally: then no user frame is left to hold pointers,
 * and none are needed.
 */
#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>

#include "pl.h"

PL_HIDDEN uint64_t pl_exit_regs[PS_MEM_EXIT_REGS];
PL_HIDDEN uint32_t pl_exit_regs_tid;

PL_HIDDEN __attribute__((noreturn, used)) void pl_exit_after_regs(int status);

#ifdef __x86_64__
/* In ps_mem_exit_regs order: rbx, rbp, r12, r13, r14, r15. */
__asm__(".text\n"
	".globl exit\n"
	".type exit, @function\n"
	"exit:\n"
	"\tmovq %rbx, pl_exit_regs+0(%rip)\n"
	"\tmovq %rbp, pl_exit_regs+8(%rip)\n"
	"\tmovq %r12, pl_exit_regs+16(%rip)\n"
	"\tmovq %r13, pl_exit_regs+24(%rip)\n"
	"\tmovq %r14, pl_exit_regs+32(%rip)\n"
	"\tmovq %r15, pl_exit_regs+40(%rip)\n"
	"\tjmp pl_exit_after_regs\n"
	".size exit, .-exit\n");
#endif

void pl_exit_after_regs(int status)
{
	void (*real_exit)(int);

	pl_exit_regs_tid = (uint32_t)pl_gettid();
	pl_self.in_hook++;
	real_exit = (void (*)(int))dlsym(RTLD_NEXT, "exit");
	pl_self.in_hook--;
	if (real_exit)
		real_exit(status);
	_Exit(status);
}

/* mallinfo2 is glibc 2.33's: looked up, so older systems still load the tracker. */
static void read_mallinfo(struct ps_mem_header *h)
{
	struct mallinfo2 (*info)(void);
	struct mallinfo2 mi;

	pl_self.in_hook++;
	info = (struct mallinfo2 (*)(void))dlsym(RTLD_DEFAULT, "mallinfo2");
	pl_self.in_hook--;
	if (!info)
		return;
	mi = info();
	h->mallinfo = (struct ps_mem_mallinfo){
		.known = 1, .arena = mi.arena, .mmapped = mi.hblkhd, .in_use = mi.uordblks,
		.free = mi.fordblks, .releasable = mi.keepcost,
	};
}

void pl_exitstate_write(struct ps_mem_header *h)
{
	uint32_t tid = (uint32_t)pl_gettid();

	h->exit_tid = tid;
	if (pl_exit_regs_tid == tid) {
		for (int i = 0; i < PS_MEM_EXIT_REGS; i++)
			h->exit_regs[i] = pl_exit_regs[i];
		h->exit_regs_known = 1;
	}
	read_mallinfo(h);
}
