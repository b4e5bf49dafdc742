/*
 * ps_threadstop: holding a process's other threads still while its memory
 * is scanned, and reading their registers (pointers kept in registers and
 * where each thread's stack really ends).  Through ptrace(PTRACE_SEIZE):
 * where that is refused (Yama, a container, another tracer) the threads
 * run on and the scan is told nothing about them.
 */
#ifndef PS_THREADSTOP_H
#define PS_THREADSTOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PS_THREAD_GPRS 16

struct ps_thread_regs {
	pid_t tid;
	uint64_t sp;
	uint64_t gpr[PS_THREAD_GPRS];   /* rax..r15, rsp among them */
};

struct ps_threadstop {
	struct ps_thread_regs *threads;  /* stopped, registers read */
	size_t n, cap;
	size_t refused;                  /* threads that could not be stopped */
};

/* Stops every thread of pid except skip_tid; 0 (threads may be empty) or PS_E_NOMEM. */
int ps_threadstop_init(struct ps_threadstop *ts, pid_t pid, pid_t skip_tid);

/* Lets them run again. */
void ps_threadstop_release(struct ps_threadstop *ts);

#endif
