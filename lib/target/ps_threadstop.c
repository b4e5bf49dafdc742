/*
 * Stopping a process's threads and reading their registers (ps_threadstop.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include "target/ps_threadstop.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

#define STOP_WAIT_NS (500ull * 1000 * 1000)

/* Waits for tid's ptrace stop; false when it exited or never stopped. */
static bool wait_stopped(pid_t tid)
{
	uint64_t give_up = ps_now_ns() + STOP_WAIT_NS;
	struct timespec ms = { 0, 1000 * 1000 };

	for (;;) {
		int status;
		pid_t r = waitpid(tid, &status, __WALL | WNOHANG);

		if (r == tid)
			return WIFSTOPPED(status);
		if (r < 0 && errno != EINTR)
			return false;
		if (ps_now_ns() > give_up)
			return false;
		nanosleep(&ms, NULL);
	}
}

static void read_regs(struct ps_thread_regs *t)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &r) < 0)
		return;
	memcpy(t->gpr, (uint64_t[PS_THREAD_GPRS]){ r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi,
						   r.rbp, r.rsp, r.r8, r.r9, r.r10, r.r11,
						   r.r12, r.r13, r.r14, r.r15 }, sizeof(t->gpr));
	t->sp = r.rsp;
}

int ps_threadstop_init(struct ps_threadstop *ts, pid_t pid, pid_t skip_tid)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	memset(ts, 0, sizeof(*ts));
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		struct ps_thread_regs *t;

		if (tid <= 0 || tid == skip_tid)
			continue;
		if (ps_grow(&ts->threads, &ts->cap, ts->n + 1, sizeof(*ts->threads)) < 0) {
			closedir(dir);
			ps_threadstop_release(ts);
			return PS_E_NOMEM;
		}
		if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
			ts->refused++;
			continue;
		}
		t = &ts->threads[ts->n];
		memset(t, 0, sizeof(*t));
		t->tid = tid;
		if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 || !wait_stopped(tid)) {
			ptrace(PTRACE_DETACH, tid, NULL, NULL);
			ts->refused++;
			continue;
		}
		read_regs(t);
		ts->n++;
	}
	closedir(dir);
	return 0;
}

void ps_threadstop_release(struct ps_threadstop *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		ptrace(PTRACE_DETACH, ts->threads[i].tid, NULL, NULL);
	free(ts->threads);
	memset(ts, 0, sizeof(*ts));
}
