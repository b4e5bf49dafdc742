/* forker: a forked child burns CPU in child_burn() for the whole duration;
 * the parent burns in parent_burn() for half of it, then waits for the
 * child.  Ground truth for following forked children: child_burn should get
 * about twice the samples of parent_burn.  Durations are CPU time; each
 * process times its burn calls and prints them when its burning ends
 * (wl-truth), with burn_wall, the wall time of its burning phase.
 *
 * With --calls N, after its burning the child makes N getppid() calls and
 * the parent N/2 (rounded down), and the parent then waits for the child
 * in waitpid (off CPU, waiting for a child): ground truth for the
 * per-process system call counts.
 *
 * Usage: forker [--seconds S] [--calls N]   (default 2 seconds, 0 calls)
 */
#include "wl_common.h"
#include <sys/syscall.h>
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

/* n getppid() calls: the syscall itself, glibc caches nothing for it */
static void make_calls(unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        (void)syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    unsigned long calls = (unsigned long)wl_opt_double(argc, argv, "--calls", 0);
    wl_truth_init();

    pid_t child = fork();
    if (child < 0) {
        perror("forker: fork");
        return 1;
    }
    if (child == 0) {
        run_for(child_burn, seconds, "child_burn");
        make_calls(calls);
        _exit(0);
    }

    unsigned long parent_chunks = run_for(parent_burn, seconds / 2, "parent_burn");
    make_calls(calls / 2);
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
