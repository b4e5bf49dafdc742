/* recursion: recurse(depth) nests exactly --depth frames of recurse (default
 * 40), then the innermost one calls recursion_leaf(), which burns CPU.
 * Repeated until --seconds elapse, so nearly every sample has a stack of
 * main -> recurse x depth -> recursion_leaf.
 *
 * Usage: recursion [--seconds S] [--depth N]
 */
#include "wl_common.h"

/* ~1 ms per descent, so descending/returning costs nothing measurable. */
#define LEAF_UNITS 20

WL_HOT unsigned long recursion_leaf(void)
{
    WL_BURN(LEAF_UNITS);
    return wl_sink & 1;
}

WL_HOT unsigned long recurse(unsigned long depth)
{
    unsigned long r = depth <= 1 ? recursion_leaf() : recurse(depth - 1);
    /* Making r opaque after the call forbids both a tail call and GCC's
     * accumulator-based conversion of the recursion into a loop. */
    __asm__ volatile("" : "+r"(r));
    return r + 1;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double depth_opt = wl_opt_double(argc, argv, "--depth", 40);
    unsigned long depth = (unsigned long)depth_opt;
    if (depth < 1 || (double)depth != depth_opt) {
        fprintf(stderr, "recursion: --depth must be a positive integer\n");
        return 2;
    }

    double start = wl_now();
    unsigned long calls = 0, result = 0;
    do {
        result += recurse(depth);
        calls++;
    } while (wl_now() - start < seconds);

    printf("recursion: depth=%lu calls=%lu result=%lu\n", depth, calls, result);
    return 0;
}
