/* Shared helpers for the perfscope test workloads.
 *
 * The workloads are ground truth for profiler tests, so the CPU work must be
 * predictable: WL_BURN() is a fixed-length xorshift loop that the compiler
 * cannot remove or vectorise, and it never calls libc.  It is a macro (not a
 * function) so that the work is attributed to whichever function expands it.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Hot functions must stay visible as their own frames: no inlining, and for
 * GCC no cloning (.constprop/.isra names) or identical-code folding. */
#if defined(__clang__)
#define WL_HOT __attribute__((noinline))
#else
#define WL_HOT __attribute__((noinline, noipa))
#endif

/* Iterations in one "unit" of work; roughly 0.05 ms on a current x86-64 core
 * (the xorshift is a ~5-cycle dependency chain per iteration). */
#define WL_UNIT_ITERS 30000UL

/* Written at the end of every burn so the loop result is observable.  Static:
 * each program and shared object gets its own, with no GOT indirection. */
static volatile unsigned long wl_sink __attribute__((unused)) =
    88172645463325252UL;

/* GCC drops the frame-pointer prologue from leaf functions even with
 * -fno-omit-frame-pointer (and -mno-omit-leaf-frame-pointer does not help
 * for frameless leaves).  A frameless leaf makes frame-pointer unwinding skip
 * its caller, so taking the frame address forces a real frame. */
#ifdef WL_NOFP
/* Built to test unwinding without frame pointers: force nothing. */
#define WL_KEEP_FRAME() do { } while (0)
#else
#define WL_KEEP_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))
#endif

/* Burn exactly `iters` iterations.  The empty asm makes x opaque each
 * iteration so the compiler can neither fold the loop nor compute it in
 * closed form. */
#define WL_BURN_ITERS(iters)                                            \
    do {                                                                \
        WL_KEEP_FRAME();                                                \
        unsigned long wl_x_ = wl_sink | 1;                              \
        unsigned long wl_n_ = (unsigned long)(iters);                   \
        for (unsigned long wl_i_ = 0; wl_i_ < wl_n_; wl_i_++) {         \
            wl_x_ ^= wl_x_ << 13;                                       \
            wl_x_ ^= wl_x_ >> 7;                                        \
            wl_x_ ^= wl_x_ << 17;                                       \
            __asm__ volatile("" : "+r"(wl_x_));                         \
        }                                                               \
        wl_sink = wl_x_;                                                \
    } while (0)

/* Burn `units` units of CPU. */
#define WL_BURN(units) WL_BURN_ITERS((unsigned long)(units) * WL_UNIT_ITERS)

/* Random scale in 1..7 (mean 4) for the length of one work round.
 * Why: a fixed-length cycle of work that alternates between functions can
 * phase-lock with a fixed sampling rate (e.g. 0.5 ms rounds vs 999 Hz) and
 * skew the measured split by several percent.  Rounds of random length,
 * each keeping the exact ratio, remove that correlation. */
static inline unsigned long wl_round_scale(unsigned long *state)
{
    unsigned long x = *state | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return 1 + (x >> 32) % 7;
}

static inline double wl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The calling thread's CPU time: a burn measured with it does the same
 * work however busy the machine is (tests count its samples). */
static inline double wl_thread_cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Ground truth measured by the workload itself, on the machine that runs it.
 *
 * A test must not assume a share measured elsewhere: what a clock read, a
 * memcpy or a scheduler wake-up costs differs between machines.  So the
 * workloads time their parts on the thread's CPU clock and print, when they
 * end, a line per process that the tests read (truth_* in tests/common.bash):
 *
 *     wl-truth: pid=PID cpu=S NAME=S NAME=S ...
 *
 * cpu is the process's CPU time so far (from its exec or fork), each NAME
 * the CPU seconds spent inside that part.  A part is timed around whole
 * calls (WL_TIMED), so a profiler's self samples of the function called
 * are its share; the clock reads around it (a system call: the thread CPU
 * clock has no vDSO path) are taken out using their cost, measured once at
 * start-up by wl_truth_init. */
struct wl_part {
    const char *name;
    unsigned long ns;       /* CPU time inside, clock reads included */
    unsigned long calls;    /* timed calls: two clock reads each */
};
#define WL_PART(label) { label, 0, 0 }

static double wl_clock_read_s;

static inline void wl_truth_init(void)
{
    enum { READS = 400 };
    double t0 = wl_thread_cpu_now(), t1 = t0;
    for (int i = 0; i < READS; i++)
        t1 = wl_thread_cpu_now();
    wl_clock_read_s = (t1 - t0) / READS;
}

static inline void wl_part_add(struct wl_part *p, double seconds)
{
    __atomic_fetch_add(&p->ns, (unsigned long)(seconds * 1e9), __ATOMIC_RELAXED);
    __atomic_fetch_add(&p->calls, 1, __ATOMIC_RELAXED);
}

/* Times one statement (a call) into a part. */
#define WL_TIMED(part, stmt)                                            \
    do {                                                                \
        double wl_t0_ = wl_thread_cpu_now();                            \
        stmt;                                                           \
        wl_part_add((part), wl_thread_cpu_now() - wl_t0_);              \
    } while (0)

/* Seconds inside a part, less one clock read per timed call (the interval
 * holds the end of the first read and the start of the second). */
static inline double wl_part_seconds(const struct wl_part *p)
{
    double s = (double)__atomic_load_n(&p->ns, __ATOMIC_RELAXED) / 1e9 -
               (double)__atomic_load_n(&p->calls, __ATOMIC_RELAXED) * wl_clock_read_s;
    return s > 0 ? s : 0;
}

/* A part measured on some of its calls only: its time becomes the measured
 * time (clock reads out) times factor, the ratio of all its work to the
 * work of the calls timed. */
static inline void wl_part_scale(struct wl_part *p, double factor)
{
    p->ns = (unsigned long)(wl_part_seconds(p) * factor * 1e9);
    p->calls = 0;
}

/* The truth line: the process's CPU time and each part's.  Flushed at once,
 * so a line written before a fork or an exit is not lost or doubled. */
static inline void wl_truth_print(struct wl_part *parts, int n)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    printf("wl-truth: pid=%d cpu=%.6f clock_read_us=%.3f", (int)getpid(),
           (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, wl_clock_read_s * 1e6);
    for (int i = 0; i < n; i++)
        printf(" %s=%.6f", parts[i].name, wl_part_seconds(&parts[i]));
    printf("\n");
    fflush(stdout);
}

/* Value of "--name V" or "--name=V" in argv, else `def`.  Exits with status
 * 2 on a malformed number so a typo in a test is loud. */
static inline double wl_opt_double(int argc, char **argv, const char *name,
                                   double def)
{
    size_t len = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *val = NULL;
        if (strcmp(argv[i], name) == 0 && i + 1 < argc)
            val = argv[i + 1];
        else if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=')
            val = argv[i] + len + 1;
        if (!val)
            continue;
        char *end;
        double d = strtod(val, &end);
        if (end == val || *end != '\0' || d < 0) {
            fprintf(stderr, "%s: bad value for %s: '%s'\n", argv[0], name, val);
            exit(2);
        }
        return d;
    }
    return def;
}

static inline double wl_seconds(int argc, char **argv, double def)
{
    return wl_opt_double(argc, argv, "--seconds", def);
}

#endif
