/* forker: a forked child burns CPU in child_burn() for the whole duration;
 * the parent burns in parent_burn() for half of it, then waits for the
 * child.  Ground truth for following forked children: child_burn should get
 * about twice the samples of parent_burn.  Durations are CPU time.
 *
 * Usage: forker [--seconds S]   (default 2)
 */
#include "wl_common.h"
#include <sys/wait.h>
#include <unistd.h>

/* ~1 ms per call; callers read the clock between calls. */
#define CHUNK_UNITS 20

WL_HOT void child_burn(void)  { WL_BURN(CHUNK_UNITS); }
WL_HOT void parent_burn(void) { WL_BURN(CHUNK_UNITS); }

/* seconds of the calling thread's CPU time: on a busy machine the split
 * stays 2:1 and the sample counts stay what the test expects */
static unsigned long run_for(void (*burn)(void), double seconds)
{
    double start = wl_thread_cpu_now();
    unsigned long chunks = 0;
    do {
        burn();
        chunks++;
    } while (wl_thread_cpu_now() - start < seconds);
    return chunks;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);

    pid_t child = fork();
    if (child < 0) {
        perror("forker: fork");
        return 1;
    }
    if (child == 0) {
        run_for(child_burn, seconds);
        _exit(0);
    }

    unsigned long parent_chunks = run_for(parent_burn, seconds / 2);
    int status;
    if (waitpid(child, &status, 0) < 0) {
        perror("forker: waitpid");
        return 1;
    }
    printf("forker: child=%d child_status=%d parent_chunks=%lu\n",
           (int)child, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
           parent_chunks);
    return 0;
}
