/* deeprec: recursion exactly --depth levels deep (default 100), each frame
 * holding a ~200-byte local buffer, then deeprec_leaf() burns CPU.
 * Built without frame pointers, a complete stack needs DWARF unwinding
 * over ~20 KB of stack.
 *
 * Usage: deeprec [--seconds S] [--depth N]
 */
#include "wl_common.h"

WL_HOT unsigned long deeprec_leaf(void)
{
    WL_BURN_ITERS(WL_UNIT_ITERS);
    return wl_sink;
}

WL_HOT unsigned long deep(int depth)
{
    volatile char frame[200];
    unsigned long r;

    frame[0] = (char)depth;
    frame[199] = (char)depth;
    r = depth > 1 ? deep(depth - 1) : deeprec_leaf();
    return r + (unsigned long)frame[0] + (unsigned long)frame[199];
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 1.0);
    int depth = (int)wl_opt_double(argc, argv, "--depth", 100);
    double start = wl_now();
    unsigned long calls = 0, sum = 0;

    do {
        sum += deep(depth);
        calls++;
    } while (wl_now() - start < seconds);
    printf("deeprec: calls=%lu sum=%lu\n", calls, sum & 0xff);
    return 0;
}
