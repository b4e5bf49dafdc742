/*
 * misbehave: programs that make a profiler's life hard, one per mode, each
 * burning CPU in a function of its own first (so a profile has something
 * to show) unless said otherwise.
 *
 *   segv             burn_before_crash() 0.3 s, then a NULL write
 *   abort            burn_before_crash() 0.3 s, then abort()
 *   instant          exits at once with status 7, no work at all
 *   exec             burn_before_exec() 0.3 s, then execs itself as "burn 0.3"
 *   burn S           burn_main() S seconds
 *   forkmany N       N children, each exiting at once, waited for one by one;
 *                    then burn_after_forks() 0.3 s
 *   threads N        N threads started together, each burning 2 ms in
 *                    thread_burn(), joined; then burn_main() 0.2 s
 *   recurse N        recurse() N frames deep, burning at the bottom 0.5 s
 *   unlinkself       deletes its own executable, then burn_deleted() 0.5 s
 *   ignoreterm       ignores SIGTERM, burns in burn_main() until killed
 *   shortkids N      N children, one at a time, each burning 4 ms of CPU in
 *                    burn_child() (under one period of a 99 Hz sampler) and
 *                    exiting; no burn of its own
 *
 * Usage: misbehave MODE [ARG]
 */
#include "wl_common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/* seconds of this thread's CPU time, so a loaded machine only makes it
 * take longer, not show fewer samples */
WL_HOT static void burn_for(double seconds)
{
    double end = wl_thread_cpu_now() + seconds;

    while (wl_thread_cpu_now() < end)
        WL_BURN(1);
}

WL_HOT void burn_main(double s) { burn_for(s); WL_KEEP_FRAME(); }
WL_HOT void burn_before_crash(double s) { burn_for(s); WL_KEEP_FRAME(); }
WL_HOT void burn_before_exec(double s) { burn_for(s); WL_KEEP_FRAME(); }
WL_HOT void burn_after_forks(double s) { burn_for(s); WL_KEEP_FRAME(); }
WL_HOT void burn_child(double s) { burn_for(s); WL_KEEP_FRAME(); }
WL_HOT void burn_deleted(double s) { burn_for(s); WL_KEEP_FRAME(); }

WL_HOT void *thread_burn(void *arg)
{
    (void)arg;
    burn_for(0.002);
    return NULL;
}

WL_HOT unsigned long recurse(unsigned long depth)
{
    volatile char pad[64];

    pad[0] = (char)depth;
    if (depth == 0) {
        burn_for(0.5);
        return pad[0];
    }
    return recurse(depth - 1) + pad[0];
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;

    if (!strcmp(mode, "segv")) {
        burn_before_crash(0.3);
        volatile int *volatile nowhere = NULL;

        *nowhere = 1;
    } else if (!strcmp(mode, "abort")) {
        burn_before_crash(0.3);
        abort();
    } else if (!strcmp(mode, "instant")) {
        return 7;
    } else if (!strcmp(mode, "exec")) {
        burn_before_exec(0.3);
        execl("/proc/self/exe", "misbehave", "burn", "0.3", (char *)NULL);
        return 1;
    } else if (!strcmp(mode, "burn")) {
        burn_main(argc > 2 ? atof(argv[2]) : 1);
    } else if (!strcmp(mode, "forkmany")) {
        for (long i = 0; i < n; i++) {
            pid_t pid = fork();

            if (pid == 0)
                _exit(0);
            if (pid > 0)
                waitpid(pid, NULL, 0);
        }
        burn_after_forks(0.3);
    } else if (!strcmp(mode, "shortkids")) {
        for (long i = 0; i < n; i++) {
            pid_t pid = fork();

            if (pid == 0) {
                burn_child(0.004);
                _exit(0);
            }
            if (pid > 0)
                waitpid(pid, NULL, 0);
        }
        return 0;
    } else if (!strcmp(mode, "threads")) {
        pthread_t *t = calloc((size_t)n, sizeof(*t));
        long started = 0;

        for (long i = 0; i < n; i++)
            if (pthread_create(&t[i], NULL, thread_burn, NULL) == 0)
                started++;
        for (long i = 0; i < started; i++)
            pthread_join(t[i], NULL);
        free(t);
        printf("threads=%ld\n", started);
        burn_main(0.2);
    } else if (!strcmp(mode, "recurse")) {
        return (int)(recurse((unsigned long)n) & 1);
    } else if (!strcmp(mode, "unlinkself")) {
        char self[4096];
        ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

        if (len <= 0)
            return 1;
        self[len] = '\0';
        if (unlink(self) < 0)
            return 1;
        burn_deleted(0.5);
    } else if (!strcmp(mode, "ignoreterm")) {
        signal(SIGTERM, SIG_IGN);
        burn_main(3600);
    } else {
        return 2;
    }
    return 0;
}
