/* forker: a forked child burns CPU in child_burn() for the whole duration;
 * the parent burns in parent_burn() for half of it, then waits for the
 * child.  Ground truth for following forked children: child_burn should get
 * about twice the samples of parent_burn.  Durations are CPU time; each
 * process times its burn calls and prints them when its burning ends
 * (wl-truth), with burn_wall, the wall time of its burning phase.
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
static unsigned long run_for(void (*burn)(void), double seconds, const char *name)
{
    struct wl_part parts[] = { WL_PART(name), WL_PART("burn_wall") };
    double start = wl_thread_cpu_now(), wall = wl_now();
    unsigned long chunks = 0;
    do {
        WL_TIMED(&parts[0], burn());
        chunks++;
    } while (wl_thread_cpu_now() - start < seconds);
    wl_part_add(&parts[1], wl_now() - wall);
    parts[1].calls = 0;     /* a wall time, no clock reads to take out */
    wl_truth_print(parts, 2);
    return chunks;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    wl_truth_init();

    pid_t child = fork();
    if (child < 0) {
        perror("forker: fork");
        return 1;
    }
    if (child == 0) {
        run_for(child_burn, seconds, "child_burn");
        _exit(0);
    }

    unsigned long parent_chunks = run_for(parent_burn, seconds / 2, "parent_burn");
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
