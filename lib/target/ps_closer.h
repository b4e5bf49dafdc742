/*
 * ps_closer: closing file descriptors without waiting for the kernel.
 *
 * The last close of a tracepoint or uprobe perf event waits for the
 * kernel to be sure no CPU still runs its probe: RCU grace periods, about
 * 40 ms per event type here, 80 ms for the two raw_syscalls tracepoints.
 * Paid at exit, that is most of `profile -- /bin/true`.  A detached
 * process holding copies of the descriptors makes the last close its own.
 */
#ifndef PS_CLOSER_H
#define PS_CLOSER_H

#include <stddef.h>

/*
 * Closes fds: the caller's copies now, the last ones in a detached process
 * that waits for that and then exits.  When no process can be started,
 * closes them here (and waits).
 */
void ps_close_detached(const int *fds, size_t n);

#endif
