/* exitwith: terminate in a chosen way, to test exit status propagation.
 *   exitwith CODE          exit(CODE)
 *   exitwith --signal N    die from signal N (reset to SIG_DFL, unblocked)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_int(const char *s, int lo, int hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "exitwith: bad number '%s'\n", s);
        exit(2);
    }
    return (int)v;
}

static void die_by_signal(int sig)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    /* An inherited ignore disposition or blocked mask must not save us. */
    signal(sig, SIG_DFL);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--signal") == 0) {
        int sig = parse_int(argv[2], 1, 64);
        printf("exitwith: signal=%d\n", sig);
        fflush(stdout);
        die_by_signal(sig);
        /* Reached only for signals whose default action is not fatal. */
        fprintf(stderr, "exitwith: still alive after signal %d\n", sig);
        return 1;
    }
    if (argc == 2) {
        int code = parse_int(argv[1], 0, 255);
        printf("exitwith: code=%d\n", code);
        return code;
    }
    fprintf(stderr, "usage: exitwith CODE | exitwith --signal N\n");
    return 2;
}
