/* faulter: touch_pages() maps 16 MiB of anonymous memory, writes one byte
 * in each page, and unmaps it, over and over for --seconds of CPU time:
 * nearly all of its time is the kernel's page-fault path entered from
 * touch_pages()'s writes (and the kernel's unmapping under munmap).  Ground
 * truth for charging kernel time to the user code that entered the kernel.
 *
 * Usage: faulter [--seconds S]   (default 1)
 */
#include "wl_common.h"
#include <sys/mman.h>

#define REGION (16u << 20)
#define PAGE 4096u

WL_HOT unsigned long touch_pages(volatile char *p)
{
    unsigned long touched = 0;
    for (unsigned off = 0; off < REGION; off += PAGE) {
        p[off] = 1;
        touched++;
    }
    return touched;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 1.0), start = wl_thread_cpu_now();
    unsigned long pages = 0;

    do {
        char *p = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("faulter: mmap");
            return 1;
        }
        pages += touch_pages(p);
        munmap(p, REGION);
    } while (wl_thread_cpu_now() - start < seconds);
    printf("faulter: pages=%lu\n", pages);
    return 0;
}
