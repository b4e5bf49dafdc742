/* shortlived: burns 30 ms of CPU in early_work() right at start, then
 * exits.  Shows whether a profiler catches a program's first milliseconds
 * (sampling must be armed before the first instruction).  Prints the CPU
 * time early_work took (wl-truth).
 *
 * Usage: shortlived   (no options)
 */
#include "wl_common.h"

#define EARLY_WORK_SECONDS 0.030

/* Timed on the thread's CPU clock every ~0.1 ms (2 units) of work, so a
 * busy machine does not shorten it. */
WL_HOT unsigned long early_work(void)
{
    double start = wl_thread_cpu_now();
    unsigned long chunks = 0;
    do {
        WL_BURN(2);
        chunks++;
    } while (wl_thread_cpu_now() - start < EARLY_WORK_SECONDS);
    return chunks;
}

int main(void)
{
    struct wl_part parts[] = { WL_PART("early_work") };
    double start = wl_now();
    unsigned long chunks = 0;
    WL_TIMED(&parts[0], chunks = early_work());
    printf("shortlived: early_work_ms=%.1f chunks=%lu\n",
           (wl_now() - start) * 1e3, chunks);
    wl_truth_print(parts, 1);
    return 0;
}
