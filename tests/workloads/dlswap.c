/* dlswap: alternately dlopen()s swap_a.so and swap_b.so (from the directory
 * of its executable), runs its hot function for --slice seconds, and
 * dlclose()s it, so both libraries are mapped in turn, usually at the
 * same address.  Each gets about half of the CPU time: each hot call is
 * timed on the thread's CPU clock and the times printed (wl-truth).
 *
 * Usage: dlswap [--seconds S] [--slice S]
 */
#include "wl_common.h"
#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>

static struct wl_part parts[] = { WL_PART("swap_a_hot"), WL_PART("swap_b_hot") };

static void run_from(const char *dir, const char *lib, const char *fn, double slice,
                     struct wl_part *part)
{
    char path[PATH_MAX];
    void *h;
    void (*hot)(double);

    snprintf(path, sizeof(path), "%s/%s", dir, lib);
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "dlswap: %s\n", dlerror());
        exit(1);
    }
    *(void **)&hot = dlsym(h, fn);
    WL_TIMED(part, hot(slice));
    dlclose(h);
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 2.0);
    double slice = wl_opt_double(argc, argv, "--slice", 0.1);
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    double start = wl_now();
    unsigned long swaps = 0;

    if (n <= 0)
        return 1;
    self[n] = '\0';
    const char *dir = dirname(self);
    wl_truth_init();
    do {
        run_from(dir, "swap_a.so", "swap_a_hot", slice, &parts[0]);
        run_from(dir, "swap_b.so", "swap_b_hot", slice, &parts[1]);
        swaps++;
    } while (wl_now() - start < seconds);
    printf("dlswap: swaps=%lu\n", swaps);
    wl_truth_print(parts, 2);
    return 0;
}
