/* syscalls: kernel time dominates.  do_syscalls() does write() of one byte
 * to /dev/null and getppid() back to back; main loops over it until
 * --seconds elapse.  With kernel stacks, samples land under do_syscalls in
 * kernel frames (ksys_write, __x64_sys_getppid, entry code, ...).
 *
 * Usage: syscalls [--seconds S]   (default 2)
 */
#include "wl_common.h"
#include <fcntl.h>
#include <unistd.h>

/* Syscall pairs per do_syscalls() call: roughly 0.5-1 ms. */
#define PAIRS_PER_CALL 500

WL_HOT unsigned long do_syscalls(int fd)
{
    static const char byte = 'x';
    unsigned long done = 0;
    for (int i = 0; i < PAIRS_PER_CALL; i++) {
        if (write(fd, &byte, 1) == 1)
            done++;
        done += getppid() > 0;
    }
    return done;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        perror("syscalls: open /dev/null");
        return 1;
    }

    double start = wl_now();
    unsigned long calls = 0;
    do {
        calls += do_syscalls(fd);
    } while (wl_now() - start < seconds);

    close(fd);
    printf("syscalls: calls=%lu\n", calls);
    return 0;
}
