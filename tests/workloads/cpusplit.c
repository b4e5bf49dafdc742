/* cpusplit: CPU time splits exactly 60/30/10 between three leaf functions,
 * each reached through its own call path:
 *   main -> path_a -> leaf_sixty
 *   main -> path_b -> mid_b -> leaf_thirty
 *   main -> path_c -> leaf_ten
 * Every round runs 6, 3 and 1 units of the identical burn loop, interleaved,
 * so the ratio holds however long the program runs.  The unit length varies
 * randomly from round to round (see wl_round_scale) so that periodic
 * sampling cannot alias with the rounds; within a round it is the same for
 * all three leaves.
 *
 * Usage: cpusplit [--seconds S] [--ten-units N]   (default 2 s; N 1)
 * --ten-units 3 is a "slower build" of leaf_ten: 6/3/3 units, 50/25/25.
 */
#include "wl_common.h"

/* A unit is scale * SLICE_ITERS iterations, scale in 1..7 with mean 4, so a
 * round (10 units) averages WL_UNIT_ITERS * 10 iterations, ~0.5 ms. */
#define SLICE_ITERS (WL_UNIT_ITERS / 4)

/* The clock is read every 2 rounds (~1 ms). */
#define ROUNDS_PER_CLOCK_CHECK 2

WL_HOT void leaf_sixty(unsigned long scale)  { WL_BURN_ITERS(6 * scale * SLICE_ITERS); }
WL_HOT void leaf_thirty(unsigned long scale) { WL_BURN_ITERS(3 * scale * SLICE_ITERS); }
static unsigned long ten_units = 1;
WL_HOT void leaf_ten(unsigned long scale)    { WL_BURN_ITERS(ten_units * scale * SLICE_ITERS); }

/* The empty asm after each call stops the call becoming a tail jump, which
 * would drop the path function from the stack. */
WL_HOT void path_a(unsigned long scale) { leaf_sixty(scale);  __asm__ volatile(""); }
WL_HOT void mid_b(unsigned long scale)  { leaf_thirty(scale); __asm__ volatile(""); }
WL_HOT void path_b(unsigned long scale) { mid_b(scale);       __asm__ volatile(""); }
WL_HOT void path_c(unsigned long scale) { leaf_ten(scale);    __asm__ volatile(""); }

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double start = wl_now();
    unsigned long rounds = 0, rng = 0x2545f4914f6cdd1dUL;

    ten_units = (unsigned long)wl_opt_double(argc, argv, "--ten-units", 1);

    do {
        for (int i = 0; i < ROUNDS_PER_CLOCK_CHECK; i++) {
            unsigned long scale = wl_round_scale(&rng);
            path_a(scale);
            path_b(scale);
            path_c(scale);
        }
        rounds += ROUNDS_PER_CLOCK_CHECK;
    } while (wl_now() - start < seconds);

    printf("cpusplit: rounds=%lu\n", rounds);
    return 0;
}
