/* spin: prints its pid (a bare number on the first stdout line, flushed) and
 * then busy-loops in spin_forever() until killed, or until --seconds
 * elapse if given.  Used by attach (--pid) tests.  When it ends, and on
 * SIGTERM (what --duration sends) or SIGINT, it writes its CPU time as a
 * wl-truth line ("spin_forever=S": nearly all of it), then for a signal
 * dies of it.
 *
 * Usage: spin [--seconds S]   (default: forever)
 */
#include "wl_common.h"
#include <signal.h>
#include <unistd.h>

/* Appends v as decimal digits to *p: in a signal handler, without stdio. */
static void put_ulong(char **p, unsigned long v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *(*p)++ = digits[--n];
}

static void put_str(char **p, const char *s)
{
    while (*s)
        *(*p)++ = *s++;
}

/* seconds.micro, as "S.UUUUUU" */
static void put_seconds(char **p, unsigned long us)
{
    char six[6];
    unsigned long f = us % 1000000;

    put_ulong(p, us / 1000000);
    *(*p)++ = '.';
    for (int d = 5; d >= 0; d--, f /= 10)
        six[d] = (char)('0' + f % 10);
    for (int d = 0; d < 6; d++)
        *(*p)++ = six[d];
}

static void put_truth(void)
{
    char line[128], *p = line;
    struct timespec ts;
    unsigned long us;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    us = (unsigned long)ts.tv_sec * 1000000UL + (unsigned long)ts.tv_nsec / 1000;
    put_str(&p, "wl-truth: pid=");
    put_ulong(&p, (unsigned long)getpid());
    put_str(&p, " cpu=");
    put_seconds(&p, us);
    put_str(&p, " spin_forever=");
    put_seconds(&p, us);
    *p++ = '\n';
    if (write(STDOUT_FILENO, line, (size_t)(p - line)) < 0)
        p = line;   /* nothing to do about it: ending anyway */
}

static void on_term(int sig)
{
    put_truth();
    signal(sig, SIG_DFL);
    raise(sig);
}

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
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    printf("%d\n", (int)getpid());
    fflush(stdout);
    unsigned long chunks = spin_forever(seconds);
    printf("spin: chunks=%lu\n", chunks);
    fflush(stdout);
    put_truth();
    return 0;
}
