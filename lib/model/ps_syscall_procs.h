/*
 * ps_syscall_procs: a profile's system calls per process, for the
 * per-process table: each process's totals (calls, errors, time, bytes)
 * and its calls by number, kept sparse (a process makes a few dozen
 * distinct calls, and a build makes thousands of processes).  The tracer
 * (collect/ps_syscalls.h) fills it; the reports read it.
 */
#ifndef PS_SYSCALL_PROCS_H
#define PS_SYSCALL_PROCS_H

#include <stddef.h>
#include <stdint.h>

#include "base/ps_idmap.h"

struct ps_syscall_count {
	int32_t nr;
	uint64_t count, errors, ns;
};

struct ps_syscall_proc {
	uint32_t pid;
	uint64_t calls, errors, ns, bytes;
	struct ps_syscall_count *by_nr;   /* in order of first call */
	size_t n, cap;
};

struct ps_syscall_procs {
	struct ps_idmap index;            /* pid -> row */
	struct ps_syscall_proc *rows;     /* in order of first call */
	size_t n, cap;
};

void ps_syscall_procs_init(struct ps_syscall_procs *t);
void ps_syscall_procs_release(struct ps_syscall_procs *t);

/*
 * One finished call nr of pid, of ns nanoseconds, that returned ret
 * (-4095..-1: an errno) and moved `bytes`.  0, or PS_E_NOMEM (not counted).
 */
int ps_syscall_procs_add(struct ps_syscall_procs *t, uint32_t pid, int32_t nr, uint64_t ns,
			 int64_t ret, uint64_t bytes);

#endif
