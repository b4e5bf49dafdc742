/* spin: prints its pid (a bare number on the first stdout line, flushed) and
 * then busy-loops in spin_forever() until killed, or until --seconds
 * elapse if given.  Used by attach (--pid) tests.
 *
 * Usage: spin [--seconds S]   (default: forever)
 */
#include "wl_common.h"
#include <unistd.h>

/* seconds < 0 means no deadline.  With one, the clock is read every ~1 ms
 * (20 units) of work. */
WL_HOT unsigned long spin_forever(double seconds)
{
    double start = wl_now();
    unsigned long chunks = 0;
    for (;;) {
        WL_BURN(20);
        chunks++;
        if (seconds >= 0 && wl_now() - start >= seconds)
            return chunks;
    }
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, -1);
    printf("%d\n", (int)getpid());
    fflush(stdout);
    unsigned long chunks = spin_forever(seconds);
    printf("spin: chunks=%lu\n", chunks);
    return 0;
}
