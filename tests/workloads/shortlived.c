/* shortlived: burns ~30 ms of CPU in early_work() right at start, then
 * exits.  Shows whether a profiler catches a program's first milliseconds
 * (sampling must be armed before the first instruction).
 *
 * Usage: shortlived   (no options)
 */
#include "wl_common.h"

#define EARLY_WORK_SECONDS 0.030

/* Time-calibrated: reads the clock every ~0.1 ms (2 units) of work. */
WL_HOT unsigned long early_work(void)
{
    double start = wl_now();
    unsigned long chunks = 0;
    do {
        WL_BURN(2);
        chunks++;
    } while (wl_now() - start < EARLY_WORK_SECONDS);
    return chunks;
}

int main(void)
{
    double start = wl_now();
    unsigned long chunks = early_work();
    printf("shortlived: early_work_ms=%.1f chunks=%lu\n",
           (wl_now() - start) * 1e3, chunks);
    return 0;
}
