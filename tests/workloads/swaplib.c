/* swaplib.c: built twice, as swap_a.so (-DSWAP_A) and swap_b.so, with the
 * hot function at different offsets, so that a profiler that keeps a stale
 * view of what is mapped where names the wrong function. */
#include "wl_common.h"

#ifdef SWAP_A
WL_HOT void swap_a_hot(double seconds)
{
    double until = wl_now() + seconds;
    do { WL_BURN_ITERS(20000); } while (wl_now() < until);
}
#else
WL_HOT void swap_b_padding(void) { WL_BURN_ITERS(3); WL_BURN_ITERS(5); WL_BURN_ITERS(7); }
WL_HOT void swap_b_hot(double seconds)
{
    double until = wl_now() + seconds;
    do { WL_BURN_ITERS(20000); } while (wl_now() < until);
}
#endif
