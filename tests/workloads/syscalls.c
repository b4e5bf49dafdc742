/* syscalls: kernel time dominates.  do_syscalls() does write() of one byte
 * to /dev/null and getppid() back to back; main loops over it until
 * --seconds elapse.  With kernel stacks, samples land under do_syscalls in
 * kernel frames (ksys_write, __x64_sys_getppid, entry code, ...).
 *
 * With --thread the loop runs in a second thread, "syscaller", while the
 * main thread waits for it in pthread_join (for attaching to a running
 * multi-threaded process: the calls are all the second thread's).
 *
 * Usage: syscalls [--seconds S] [--thread]   (default 2)
 */
#include "wl_common.h"
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
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

struct loop {
    int fd;
    double seconds;
    unsigned long calls;
};

/* A macro, not a function: without --thread, do_syscalls is called from
 * main itself, as the unwinding tests expect (an inlined function would be
 * a frame of its own) */
#define RUN_LOOP(l)                                          \
    do {                                                     \
        double start_ = wl_now();                            \
        do {                                                 \
            (l)->calls += do_syscalls((l)->fd);              \
        } while (wl_now() - start_ < (l)->seconds);          \
    } while (0)

static void *syscall_thread(void *arg)
{
    RUN_LOOP((struct loop *)arg);
    return NULL;
}

int main(int argc, char **argv)
{
    struct loop l = { .seconds = wl_seconds(argc, argv, 2.0) };
    int threaded = 0;

    for (int i = 1; i < argc; i++)
        threaded |= !strcmp(argv[i], "--thread");
    l.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (l.fd < 0) {
        perror("syscalls: open /dev/null");
        return 1;
    }
    if (threaded) {
        pthread_t t;

        if (pthread_create(&t, NULL, syscall_thread, &l) != 0)
            return 1;
        pthread_setname_np(t, "syscaller");
        pthread_join(t, NULL);
    } else {
        RUN_LOOP(&l);
    }
    close(l.fd);
    printf("syscalls: calls=%lu\n", l.calls);
    return 0;
}
