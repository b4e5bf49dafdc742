/* demo: the example program shipped with perfscope.  A small, realistic
 * pipeline with three clearly separated phases per round:
 *   parse_records  parse an in-memory CSV of numbers into structs
 *   sort_records   hand-written quicksort by value
 *   checksum       FNV-1a hash over the sorted records
 * The CSV is generated once at start (generate_csv).  parse_uint is forced
 * inline, so profilers that expand inlined frames show it under
 * parse_records.  Leaf functions use WL_KEEP_FRAME() so that frame-pointer
 * unwinding does not skip their callers.
 *
 * Usage: demo [--seconds S]   (default 3)
 */
#include "wl_common.h"
#include <stdint.h>

#define RECORD_COUNT 50000

struct record {
    uint32_t id;
    int32_t value;
    uint32_t weight;
};

/* ---- input generation (once) ---- */

static char *append_uint(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

WL_HOT char *generate_csv(size_t count)
{
    /* "id,value,weight\n": at most 10+1+11+1+10+1 bytes per line. */
    char *csv = malloc(count * 40 + 1);
    if (!csv) {
        perror("demo: malloc");
        exit(1);
    }
    unsigned long x = 0x9e3779b97f4a7c15UL;
    char *p = csv;
    for (size_t i = 0; i < count; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        long value = (long)(x % 2000001) - 1000000;
        p = append_uint(p, i);
        *p++ = ',';
        if (value < 0) {
            *p++ = '-';
            value = -value;
        }
        p = append_uint(p, (unsigned long)value);
        *p++ = ',';
        p = append_uint(p, (x >> 32) % 1000);
        *p++ = '\n';
    }
    *p = '\0';
    return csv;
}

/* ---- phase 1: parsing ---- */

static inline __attribute__((always_inline))
unsigned long parse_uint(const char **pp)
{
    const char *p = *pp;
    unsigned long v = 0;
    while (*p >= '0' && *p <= '9')
        v = v * 10 + (unsigned long)(*p++ - '0');
    *pp = p;
    return v;
}

/* Returns the number of records parsed (stops at the first malformed line). */
WL_HOT size_t parse_records(const char *csv, struct record *out, size_t max)
{
    WL_KEEP_FRAME();
    const char *p = csv;
    size_t n = 0;
    while (*p && n < max) {
        struct record r;
        r.id = (uint32_t)parse_uint(&p);
        if (*p++ != ',')
            break;
        int negative = *p == '-';
        p += negative;
        long v = (long)parse_uint(&p);
        r.value = (int32_t)(negative ? -v : v);
        if (*p++ != ',')
            break;
        r.weight = (uint32_t)parse_uint(&p);
        if (*p++ != '\n')
            break;
        out[n++] = r;
    }
    return n;
}

/* ---- phase 2: sorting ---- */

static inline void swap_records(struct record *a, struct record *b)
{
    struct record t = *a;
    *a = *b;
    *b = t;
}

/* Hoare partition around a median-of-three pivot; returns the split index. */
WL_HOT size_t partition(struct record *r, size_t lo, size_t hi)
{
    WL_KEEP_FRAME();
    size_t mid = lo + (hi - lo) / 2;
    if (r[mid].value < r[lo].value) swap_records(&r[mid], &r[lo]);
    if (r[hi].value < r[lo].value)  swap_records(&r[hi], &r[lo]);
    if (r[hi].value < r[mid].value) swap_records(&r[hi], &r[mid]);
    int32_t pivot = r[mid].value;
    size_t i = lo, j = hi;
    for (;;) {
        while (r[i].value < pivot) i++;
        while (r[j].value > pivot) j--;
        if (i >= j)
            return j;
        swap_records(&r[i++], &r[j--]);
    }
}

/* Recurses into the smaller half and loops on the larger one, so the depth
 * stays O(log n) while the flame graph still shows nested quicksort frames. */
WL_HOT void quicksort(struct record *r, size_t lo, size_t hi)
{
    while (lo < hi) {
        size_t split = partition(r, lo, hi);
        if (split - lo < hi - split) {
            quicksort(r, lo, split);
            lo = split + 1;
        } else {
            quicksort(r, split + 1, hi);
            hi = split;
        }
    }
    __asm__ volatile("");
}

WL_HOT void sort_records(struct record *r, size_t n)
{
    if (n > 1)
        quicksort(r, 0, n - 1);
    __asm__ volatile("");
}

/* ---- phase 3: hashing ---- */

WL_HOT uint64_t checksum(const struct record *r, size_t n)
{
    WL_KEEP_FRAME();
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t fields[3] = { r[i].id, (uint32_t)r[i].value, r[i].weight };
        const unsigned char *b = (const unsigned char *)fields;
        for (size_t k = 0; k < sizeof(fields); k++) {
            h ^= b[k];
            h *= 0x100000001b3ULL;
        }
    }
    return h;
}

static int is_sorted(const struct record *r, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (r[i - 1].value > r[i].value)
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    double seconds = wl_seconds(argc, argv, 3.0);
    char *csv = generate_csv(RECORD_COUNT);
    struct record *records = malloc(RECORD_COUNT * sizeof(*records));
    if (!records) {
        perror("demo: malloc");
        return 1;
    }

    double start = wl_now();
    unsigned long rounds = 0;
    size_t n = 0;
    uint64_t sum = 0;
    do {
        n = parse_records(csv, records, RECORD_COUNT);
        sort_records(records, n);
        sum = checksum(records, n);
        rounds++;
    } while (wl_now() - start < seconds);

    printf("demo: rounds=%lu records=%zu sorted=%s checksum=%016llx\n",
           rounds, n, is_sorted(records, n) ? "yes" : "no",
           (unsigned long long)sum);
    free(records);
    free(csv);
    return 0;
}
