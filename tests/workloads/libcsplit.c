/* libcsplit: CPU time splits 60/30/10 between three paths whose hot loops
 * run inside glibc, which has no frame pointers:
 *   main -> path_sort -> sort_numbers -> qsort -> ... -> compare_numbers
 *   main -> path_copy -> copy_buffers -> memcpy
 *   main -> path_own  -> own_work
 * Each round gives the paths 6, 3 and 1 slices of equal CPU time (the
 * work is timed, not counted, since qsort's and memcpy's speed differ), so
 * each path's total share is 60/30/10.  Slices are measured on the thread's
 * own CPU clock, what a CPU profiler samples: wall-clock slices would lose
 * share to whichever path happened to be preempted.
 *
 * Usage: libcsplit [--seconds S]   (default 2)
 */
#include "wl_common.h"

#define SLICE_S 0.001    /* 1 ms: a round of 10 slices is 10 ms */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
#define NUMBERS 256

static int numbers[NUMBERS];
static char src[1 << 16], dst[1 << 16];

WL_HOT int compare_numbers(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

WL_HOT void sort_numbers(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    do {
        for (int i = 0; i < NUMBERS; i++)
            numbers[i] = (int)((i * 2654435761u) ^ (unsigned)(wl_sink));
        qsort(numbers, NUMBERS, sizeof(numbers[0]), compare_numbers);
    } while (cpu_now() < until);
    __asm__ volatile("");
}

WL_HOT void copy_buffers(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    do {
        memcpy(dst, src, sizeof(dst));
        __asm__ volatile("" : : "r"(dst) : "memory");
    } while (cpu_now() < until);
    __asm__ volatile("");
}

WL_HOT void own_work(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    do {
        WL_BURN_ITERS(2000);
    } while (cpu_now() < until);
    __asm__ volatile("");
}

WL_HOT void path_sort(void) { sort_numbers(6); __asm__ volatile(""); }
WL_HOT void path_copy(void) { copy_buffers(3); __asm__ volatile(""); }
WL_HOT void path_own(void)  { own_work(1);     __asm__ volatile(""); }

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double start = wl_now();
    unsigned long rounds = 0;

    memset(src, 7, sizeof(src));
    do {
        path_sort();
        path_copy();
        path_own();
        rounds++;
    } while (wl_now() - start < seconds);
    printf("libcsplit: rounds=%lu\n", rounds);
    return 0;
}
