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
 * S is CPU time, so a busy machine changes how long the run takes, not how
 * many samples a profiler takes of it.
 * --ten-units 3 is a "slower build" of leaf_ten: 6/3/3 units, 50/25/25.
 *
 * The split is by iterations of one loop; the leaves' CPU times are also
 * measured and printed at the end (wl-truth), since the same loop at
 * another address can run at another speed.  One round in TIMED_EVERY is
 * timed on the thread's CPU clock, each leaf call on its own, and a leaf's
 * CPU time is that of its timed calls times its work in all rounds over
 * its work in those.  The CPU clock is exact whatever the machine does
 * meanwhile (a clock of ticks would count a preemption as work), but it is
 * a system call: timing every round would put six of them in each 0.5 ms,
 * and stops of the ptrace sampler gather at system-call exits.
 */
#include "wl_common.h"

/* A unit is scale * SLICE_ITERS iterations, scale in 1..7 with mean 4, so a
 * round (10 units) averages WL_UNIT_ITERS * 10 iterations, ~0.5 ms. */
#define SLICE_ITERS (WL_UNIT_ITERS / 4)

/* The clock is read every 16 rounds (~8 ms): the thread's CPU clock is a
 * system call, and stops of the ptrace sampler gather at their exits. */
#define ROUNDS_PER_CLOCK_CHECK 16

WL_HOT void leaf_sixty(unsigned long scale)  { WL_BURN_ITERS(6 * scale * SLICE_ITERS); }
WL_HOT void leaf_thirty(unsigned long scale) { WL_BURN_ITERS(3 * scale * SLICE_ITERS); }
static unsigned long ten_units = 1;
WL_HOT void leaf_ten(unsigned long scale)    { WL_BURN_ITERS(ten_units * scale * SLICE_ITERS); }

#define TIMED_EVERY 16

static struct wl_part parts[] = {
    WL_PART("leaf_sixty"), WL_PART("leaf_thirty"), WL_PART("leaf_ten"),
};
static int timing;      /* this round's leaf calls are timed */

/* The empty asm after each call stops the call becoming a tail jump, which
 * would drop the path function from the stack. */
#define CALL_LEAF(part, call)                   \
    do {                                        \
        if (timing)                             \
            WL_TIMED(part, call);               \
        else                                    \
            call;                               \
        __asm__ volatile("");                   \
    } while (0)

WL_HOT void path_a(unsigned long scale) { CALL_LEAF(&parts[0], leaf_sixty(scale)); }
WL_HOT void mid_b(unsigned long scale)  { CALL_LEAF(&parts[1], leaf_thirty(scale)); }
WL_HOT void path_b(unsigned long scale) { mid_b(scale); __asm__ volatile(""); }
WL_HOT void path_c(unsigned long scale) { CALL_LEAF(&parts[2], leaf_ten(scale)); }

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double start = wl_thread_cpu_now();
    unsigned long rounds = 0, rng = 0x2545f4914f6cdd1dUL;
    unsigned long all_scale = 0, timed_scale = 0;

    ten_units = (unsigned long)wl_opt_double(argc, argv, "--ten-units", 1);
    wl_truth_init();
    do {
        for (int i = 0; i < ROUNDS_PER_CLOCK_CHECK; i++) {
            unsigned long scale = wl_round_scale(&rng);
            timing = (rounds + (unsigned long)i) % TIMED_EVERY == 0;
            path_a(scale);
            path_b(scale);
            path_c(scale);
            all_scale += scale;
            timed_scale += timing ? scale : 0;
        }
        rounds += ROUNDS_PER_CLOCK_CHECK;
    } while (wl_thread_cpu_now() - start < seconds);

    printf("cpusplit: rounds=%lu\n", rounds);
    for (int i = 0; i < 3; i++)
        wl_part_scale(&parts[i], (double)all_scale / (double)timed_scale);
    wl_truth_print(parts, 3);
    return 0;
}
