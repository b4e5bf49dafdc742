/* libcsplit: CPU time splits 60/30/10 between three paths whose hot loops
 * run inside glibc, which has no frame pointers:
 *   main -> path_sort -> sort_numbers -> qsort -> ... -> compare_numbers
 *   main -> path_copy -> copy_buffers -> memcpy
 *   main -> path_own  -> own_work
 * Each round gives the paths 6, 3 and 1 slices of equal CPU time (the
 * work is timed, not counted, since qsort's and memcpy's speed differ), so
 * each path's total share is 60/30/10.  Slices are measured on the thread's
 * own CPU clock, what a CPU profiler samples: wall-clock slices would lose
 * share to whichever path happened to be preempted.  The clock is read
 * once a batch of about 0.1 ms, and the paths' and memcpy's CPU times are
 * printed at the end (wl-truth): what a memcpy or a clock read costs is
 * the machine's, not the test's, to say.
 *
 * Usage: libcsplit [--seconds S]   (default 2 s of CPU time)
 */
#include "wl_common.h"

#define SLICE_S 0.001    /* 1 ms: a round of 10 slices is 10 ms */
#define BATCH_S 0.0001   /* work between two clock reads: 0.1 ms */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
#define NUMBERS 256

static int numbers[NUMBERS];
static char src[1 << 16], dst[1 << 16];
static unsigned long sorts_per_read = 1, copies_per_read = 1, burns_per_read = 1;
static unsigned long copy_reads;

WL_HOT int compare_numbers(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void sort_once(void)
{
    for (int i = 0; i < NUMBERS; i++)
        numbers[i] = (int)((i * 2654435761u) ^ (unsigned)(wl_sink));
    qsort(numbers, NUMBERS, sizeof(numbers[0]), compare_numbers);
}

static void copy_once(void)
{
    memcpy(dst, src, sizeof(dst));
    __asm__ volatile("" : : "r"(dst) : "memory");
}

static void burn_once(void)
{
    WL_BURN_ITERS(2000);
}

/* How many calls of fn take BATCH_S of CPU here: the clock is read once a
 * batch, so its cost (a system call) stays a small part of each path. */
static unsigned long calls_per_batch(void (*fn)(void))
{
    unsigned long n = 0;
    double start = cpu_now();
    do {
        fn();
        n++;
    } while (cpu_now() - start < BATCH_S);
    return n;
}

WL_HOT void sort_numbers(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    do {
        for (unsigned long i = 0; i < sorts_per_read; i++)
            sort_once();
    } while (cpu_now() < until);
    __asm__ volatile("");
}

WL_HOT void copy_buffers(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    unsigned long reads = 1;
    do {
        for (unsigned long i = 0; i < copies_per_read; i++)
            copy_once();
        reads++;
    } while (cpu_now() < until);
    copy_reads += reads;
    __asm__ volatile("");
}

WL_HOT void own_work(double slices)
{
    double until = cpu_now() + slices * SLICE_S;
    do {
        for (unsigned long i = 0; i < burns_per_read; i++)
            burn_once();
    } while (cpu_now() < until);
    __asm__ volatile("");
}

static struct wl_part parts[] = {
    WL_PART("sort_numbers"), WL_PART("copy_buffers"), WL_PART("own_work"), WL_PART("memcpy"),
};

WL_HOT void path_sort(void) { WL_TIMED(&parts[0], sort_numbers(6)); __asm__ volatile(""); }
WL_HOT void path_copy(void) { WL_TIMED(&parts[1], copy_buffers(3)); __asm__ volatile(""); }
WL_HOT void path_own(void)  { WL_TIMED(&parts[2], own_work(1));     __asm__ volatile(""); }

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double start = wl_thread_cpu_now();
    unsigned long rounds = 0;

    memset(src, 7, sizeof(src));
    wl_truth_init();
    sorts_per_read = calls_per_batch(sort_once);
    copies_per_read = calls_per_batch(copy_once);
    burns_per_read = calls_per_batch(burn_once);
    do {
        path_sort();
        path_copy();
        path_own();
        rounds++;
    } while (wl_thread_cpu_now() - start < seconds);
    printf("libcsplit: rounds=%lu batches: sort %lu, copy %lu, burn %lu\n", rounds,
           sorts_per_read, copies_per_read, burns_per_read);
    /* memcpy's time: the copy path's, less its clock reads (the loop around
     * the calls is a few instructions a 64 KiB copy) */
    double copy_s = wl_part_seconds(&parts[1]);
    double memcpy_s = copy_s - (double)copy_reads * wl_clock_read_s;
    parts[3].ns = (unsigned long)((memcpy_s > 0 ? memcpy_s : 0) * 1e9);
    wl_truth_print(parts, 4);
    return 0;
}
