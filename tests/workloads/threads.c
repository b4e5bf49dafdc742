/* threads: two named worker threads with known CPU shares.
 *   "worker-heavy" runs heavy_work() all the time      (~100% of a CPU)
 *   "worker-light" runs light_work() 1 ms, sleeps 3 ms (~25% of a CPU)
 * The main thread only creates and joins them.  Each worker reads its own
 * CPU clock when it ends; the times are printed (wl-truth, under the
 * threads' names), since how much of a CPU the light one gets from its
 * millisecond of work and its sleeps is the machine's to say.
 *
 * Usage: threads [--seconds S] [--main-exits]   (default 2 s)
 *   --main-exits: the main thread calls pthread_exit() 0.5 s after
 *   starting the workers; the process lives on in them (and prints nothing).
 */
#include "wl_common.h"
#include <pthread.h>
#include <unistd.h>

/* One call is ~0.1 ms of work; threads read the clock between calls. */
#define CHUNK_UNITS 2

static double seconds;
static double start;

WL_HOT void heavy_work(void) { WL_BURN(CHUNK_UNITS); }
WL_HOT void light_work(void) { WL_BURN(CHUNK_UNITS); }

/* Per-thread parameters; each thread names itself before doing any work so
 * that no sample of its work can carry the inherited name "threads". */
struct worker {
    const char *name;
    unsigned long chunks;
    struct wl_part cpu;     /* the thread's CPU time when it ends */
};

static void *heavy_main(void *arg)
{
    struct worker *w = arg;
    pthread_setname_np(pthread_self(), w->name);
    do {
        for (int i = 0; i < 10; i++)
            heavy_work();
        w->chunks += 10;
    } while (wl_now() - start < seconds);
    wl_part_add(&w->cpu, wl_thread_cpu_now());
    return NULL;
}

static void *light_main(void *arg)
{
    struct worker *w = arg;
    pthread_setname_np(pthread_self(), w->name);
    const struct timespec nap = { .tv_sec = 0, .tv_nsec = 3000000 };
    /* Busy for a measured 1 ms, then sleep 3 ms: independent of CPU speed. */
    while (wl_now() - start < seconds) {
        double busy_until = wl_now() + 0.001;
        do {
            light_work();
            w->chunks++;
        } while (wl_now() < busy_until);
        nanosleep(&nap, NULL);
    }
    wl_part_add(&w->cpu, wl_thread_cpu_now());
    return NULL;
}

static pthread_t start_worker(void *(*fn)(void *), struct worker *w)
{
    pthread_t t;
    int err = pthread_create(&t, NULL, fn, w);
    if (err) {
        fprintf(stderr, "threads: pthread_create: %s\n", strerror(err));
        exit(1);
    }
    return t;
}

int main(int argc, char **argv)
{
    struct worker heavy_w = { "worker-heavy", 0, WL_PART("worker-heavy") };
    struct worker light_w = { "worker-light", 0, WL_PART("worker-light") };
    seconds = wl_seconds(argc, argv, 2.0);
    start = wl_now();

    pthread_t heavy = start_worker(heavy_main, &heavy_w);
    pthread_t light = start_worker(light_main, &light_w);
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--main-exits") == 0) {
            usleep(500 * 1000);
            pthread_exit(NULL);
        }
    pthread_join(heavy, NULL);
    pthread_join(light, NULL);

    printf("threads: heavy_chunks=%lu light_chunks=%lu\n",
           heavy_w.chunks, light_w.chunks);
    struct wl_part parts[] = { heavy_w.cpu, light_w.cpu };
    parts[0].calls = parts[1].calls = 0;    /* whole threads: no reads to take out */
    wl_truth_print(parts, 2);
    return 0;
}
