/* jit: copies a small machine-code loop into an executable anonymous
 * mapping, describes it in /tmp/perf-PID.map (as JIT compilers do for
 * profilers) and spends its time running it, called from call_jit().
 * The map file is left behind, as Node and the JVM agents leave theirs;
 * whoever runs the test removes it.
 *
 * Usage: jit [--seconds S]
 */
#include "wl_common.h"
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* mov ecx, 100000; 1: dec ecx; jnz 1b; ret */
static const unsigned char loop_code[] = {
    0xb9, 0xa0, 0x86, 0x01, 0x00, 0xff, 0xc9, 0x75, 0xfc, 0xc3,
};

WL_HOT void call_jit(void (*fn)(void))
{
    fn();
    __asm__ volatile("");
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 1.0);
    char path[64];
    FILE *map;
    unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    void (*fn)(void);
    double start;
    unsigned long calls = 0;

    if (code == MAP_FAILED) {
        perror("jit: mmap");
        return 1;
    }
    memcpy(code + 64, loop_code, sizeof(loop_code));
    *(void **)&fn = code + 64;
    snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
    map = fopen(path, "w");
    if (!map)
        return 1;
    fprintf(map, "%lx %zx jit_hot_loop\n", (unsigned long)(uintptr_t)(code + 64), sizeof(loop_code));
    fclose(map);
    start = wl_now();
    do {
        call_jit(fn);
        calls++;
    } while (wl_now() - start < seconds);
    printf("jit: calls=%lu\n", calls);
    return 0;
}
