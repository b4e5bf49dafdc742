/* dlmain: half of the CPU time in libhot.so (linked normally, found through
 * rpath $ORIGIN) and half in plugin.so (dlopen()ed from the directory of
 * this executable).  Runs of calls alternate between the two with equal
 * work; run lengths vary randomly (see wl_round_scale) so periodic sampling
 * cannot alias with the alternation.  Each call is timed on the thread's
 * CPU clock and the times printed at the end (wl-truth): the two copies of
 * the loop need not run at one speed.
 *
 * Usage: dlmain [--seconds S]   (default 2)
 */
#include "wl_common.h"

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "plugin.so"
#endif
#include "libhot.h"
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

/* Directory of /proc/self/exe + "/plugin.so", so the binary works from any
 * current directory. */
static void plugin_path(char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n < 0) {
        perror("dlmain: readlink /proc/self/exe");
        exit(1);
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, size, "%s/" PLUGIN_NAME, exe);
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);

    char path[PATH_MAX + 16];
    plugin_path(path, sizeof(path));
    void *handle = dlopen(path, RTLD_NOW);
    if (!handle) {
        fprintf(stderr, "dlmain: dlopen: %s\n", dlerror());
        return 1;
    }
    void (*hot_in_plugin)(void) = (void (*)(void))dlsym(handle, "hot_in_plugin");
    if (!hot_in_plugin) {
        fprintf(stderr, "dlmain: dlsym hot_in_plugin: %s\n", dlerror());
        return 1;
    }

    /* A round is scale calls of each (~0.8 ms on average); the clock is read
     * once per round. */
    struct wl_part parts[] = { WL_PART("hot_in_library"), WL_PART("hot_in_plugin") };
    wl_truth_init();
    double start = wl_now();
    unsigned long rounds = 0, calls = 0, rng = 0x2545f4914f6cdd1dUL;
    do {
        unsigned long scale = wl_round_scale(&rng);
        for (unsigned long i = 0; i < scale; i++)
            WL_TIMED(&parts[0], hot_in_library());
        for (unsigned long i = 0; i < scale; i++)
            WL_TIMED(&parts[1], hot_in_plugin());
        calls += scale;
        rounds++;
    } while (wl_now() - start < seconds);

    printf("dlmain: rounds=%lu calls_each=%lu plugin=%s\n", rounds, calls, path);
    wl_truth_print(parts, 2);
    return 0;
}
