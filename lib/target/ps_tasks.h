/*
 * ps_tasks: visit every thread of a running process, including threads it
 * starts while we visit (the list is read again until it holds no thread
 * we have not seen).  Used to attach samplers to a process.
 */
#ifndef PS_TASKS_H
#define PS_TASKS_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * Calls visit(tid) for each thread that seen(tid) does not know yet.
 * visit returns 0, -ESRCH (the thread is gone: skipped) or another
 * negative code, which stops the walk and is returned.  Returns -ENOENT
 * if the process does not exist, -errno if its task list is unreadable.
 */
int ps_tasks_visit(pid_t pid, bool (*seen)(pid_t tid, void *ctx),
		   int (*visit)(pid_t tid, void *ctx), void *ctx);

#endif
