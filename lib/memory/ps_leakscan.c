/*
 * The conservative leak scan (ps_leakscan.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "memory/ps_leakscan.h"
#include "base/ps_util.h"

#define CHUNK (256u * 1024u)
#define UNMARKED 0xff
#define RED_ZONE 128                /* below sp, a leaf function's own (x86-64 ABI) */

struct scan {
	pid_t pid;
	const struct ps_heap_block *blocks;
	size_t n;
	uint8_t *kinds;
	uint32_t *work;             /* blocks waiting to be scanned */
	size_t nwork;
	unsigned char *buf;
	struct ps_leakscan_stats *st;
	uint8_t mark_as;            /* what a pointed-to unmarked block becomes */
	size_t self;                /* the block being scanned, or SIZE_MAX */
	bool any_read;
	const struct ps_leakscan_config *cfg;
	uint64_t read_bytes;        /* so far, against cfg->max_bytes */
	bool cut;                   /* stopped, or past max_bytes: no answer */
	/* the process's readable mappings, sorted: a range is read only where
	 * they are (block sizes come from the program, and may be anything) */
	struct { uint64_t start, end; } *maps;
	size_t nmaps, maps_cap;
};

/*
 * glibc's malloc puts the next chunk's header 16 bytes before the end of a
 * block's chunk, which can lie inside the bytes the program asked for (the
 * size fields overlap the block's tail).  The allocator's own pointers to
 * that header (in its bins, its top chunk) are not the program's.
 */
static bool allocator_header(const struct ps_heap_block *b, uint64_t addr)
{
	uint64_t chunk = (b->size + 8 + 15) & ~15ull;

	if (chunk < 32)
		chunk = 32;
	return addr == b->addr - 16 + chunk;
}

/* The block holding addr (interior pointers too), or SIZE_MAX. */
static size_t block_at(const struct scan *sc, uint64_t addr)
{
	size_t lo = 0, hi = sc->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->blocks[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return SIZE_MAX;
	lo--;
	if (addr < sc->blocks[lo].addr + (sc->blocks[lo].size ? sc->blocks[lo].size : 1) &&
	    !allocator_header(&sc->blocks[lo], addr))
		return lo;
	return SIZE_MAX;
}

static void scan_words(struct scan *sc, const unsigned char *data, size_t len)
{
	for (size_t off = 0; off + 8 <= len; off += 8) {
		uint64_t w;
		size_t b;

		memcpy(&w, data + off, 8);
		if (w < 4096)
			continue;
		b = block_at(sc, w);
		if (b == SIZE_MAX || b == sc->self || sc->kinds[b] != UNMARKED)
			continue;
		sc->kinds[b] = sc->mark_as;
		sc->work[sc->nwork++] = (uint32_t)b;
	}
}

/* Reads [start, end) of one mapping in chunks and scans it; what cannot be
 * read is counted once and the rest of the mapping left. */
static void scan_mapped(struct scan *sc, uint64_t start, uint64_t end)
{
	start = (start + 7) & ~7ull;
	while (start < end && !sc->cut) {
		size_t len = end - start < CHUNK ? (size_t)(end - start) : CHUNK;

		if ((sc->cfg->stop && *sc->cfg->stop) ||
		    (sc->cfg->max_bytes && sc->read_bytes > sc->cfg->max_bytes)) {
			sc->cut = true;
			return;
		}
		sc->read_bytes += len;
		struct iovec local = { sc->buf, len }, remote = { (void *)(uintptr_t)start, len };
		ssize_t got = process_vm_readv(sc->pid, &local, 1, &remote, 1, 0);

		if (got <= 0) {
			sc->st->unreadable++;
			return;
		}
		sc->any_read = true;
		scan_words(sc, sc->buf, (size_t)got);
		start += (uint64_t)got;
	}
}

/* Scans what of [start, end) lies in the process's mappings. */
static void scan_range(struct scan *sc, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = sc->nmaps;

	if (end < start)	/* addr + size wrapped: up to the top */
		end = UINT64_MAX;
	/* the first mapping that ends after start */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->maps[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < sc->nmaps && sc->maps[i].start < end; i++)
		scan_mapped(sc, start > sc->maps[i].start ? start : sc->maps[i].start,
			    end < sc->maps[i].end ? end : sc->maps[i].end);
}

/* The readable mappings of the process, from /proc/PID/maps (sorted there). */
static int load_maps(struct scan *sc)
{
	char path[64], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)sc->pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t start, end;
		char perms[8];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &start, &end, perms) < 3 ||
		    perms[0] != 'r' || end <= start)
			continue;
		if (ps_grow(&sc->maps, &sc->maps_cap, sc->nmaps + 1, sizeof(*sc->maps)) < 0) {
			free(text);
			return -1;
		}
		sc->maps[sc->nmaps].start = start;
		sc->maps[sc->nmaps++].end = end;
	}
	free(text);
	return 0;
}

/*
 * Scans block i, up to where the next block starts: blocks do not overlap
 * in a real heap, and sizes come from the program, so one that says it
 * runs over its neighbours (or over the address space) is read once.
 */
static void scan_block(struct scan *sc, size_t i)
{
	const struct ps_heap_block *b = &sc->blocks[i];
	uint64_t end = b->addr + b->size;

	if (end < b->addr)
		end = UINT64_MAX;
	if (i + 1 < sc->n && sc->blocks[i + 1].addr < end)
		end = sc->blocks[i + 1].addr > b->addr ? sc->blocks[i + 1].addr : b->addr;
	sc->st->heap_bytes += end - b->addr;
	scan_range(sc, b->addr, end);
}

static void drain_work(struct scan *sc)
{
	while (sc->nwork)
		scan_block(sc, sc->work[--sc->nwork]);
}

static bool skipped(const struct ps_leakscan_config *cfg, const char *path)
{
	for (unsigned i = 0; i < 4 && cfg->skip_paths[i]; i++)
		if (strcmp(cfg->skip_paths[i], path) == 0)
			return true;
	return false;
}

/* Scans every root mapping of /proc/PID/maps. */
static int scan_roots(struct scan *sc, const struct ps_leakscan_config *cfg)
{
	char path[64], *text, *line, *save = NULL;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)cfg->pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		uint64_t start, end;
		char perms[8];
		int name_at = 0;
		const char *name;
		size_t first;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %*s %*s %*s %n", &start, &end, perms,
			   &name_at) < 3)
			continue;
		name = name_at ? line + name_at : "";
		if (perms[0] != 'r' || perms[1] != 'w' || strcmp(name, "[heap]") == 0 ||
		    strncmp(name, "[v", 2) == 0 || skipped(cfg, name))
			continue;
		/* a mapping holding heap blocks is heap (an arena, a big block) */
		first = block_at(sc, start);
		if (first == SIZE_MAX) {
			size_t lo = 0, hi = sc->n;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (sc->blocks[mid].addr < start)
					lo = mid + 1;
				else
					hi = mid;
			}
			first = lo < sc->n && sc->blocks[lo].addr < end ? lo : SIZE_MAX;
		}
		if (first != SIZE_MAX)
			continue;
		/* a thread's stack: only its live part */
		if (cfg->exit_sp >= start && cfg->exit_sp < end)
			start = cfg->exit_sp;
		for (size_t i = 0; i < cfg->nsps; i++)
			if (cfg->sps[i] >= start && cfg->sps[i] < end)
				start = cfg->sps[i] - RED_ZONE > start ? cfg->sps[i] - RED_ZONE : start;
		sc->st->root_bytes += end - start;
		scan_range(sc, start, end);
	}
	free(text);
	return 0;
}

int ps_leakscan_run(const struct ps_leakscan_config *cfg, const struct ps_heap_block *blocks,
		    size_t n, uint8_t *kinds, struct ps_leakscan_stats *st, struct ps_error *err)
{
	struct scan sc = { .pid = cfg->pid, .blocks = blocks, .n = n, .kinds = kinds, .st = st,
			   .self = SIZE_MAX, .cfg = cfg };
	int rc = 0;

	memset(st, 0, sizeof(*st));
	memset(kinds, UNMARKED, n);
	if (n == 0)
		return 0;
	sc.work = malloc(n * sizeof(*sc.work));
	sc.buf = malloc(CHUNK);
	if (sc.work && sc.buf && load_maps(&sc) < 0 && errno != ENOMEM) {
		rc = ps_error_set(err, PS_E_PERM, "cannot read the mappings of process %d: %s",
				  (int)cfg->pid, strerror(errno));
		goto out;
	}
	if (!sc.work || !sc.buf) {
		rc = ps_error_set(err, PS_E_NOMEM, "out of memory for the leak scan of %zu blocks", n);
		goto out;
	}
	/* reachable: from the roots, then from what they reach */
	sc.mark_as = PS_LEAK_REACHABLE;
	scan_words(&sc, (const unsigned char *)cfg->regs, cfg->nregs * sizeof(*cfg->regs));
	sc.st->root_bytes += cfg->nregs * sizeof(*cfg->regs);
	if (scan_roots(&sc, cfg) < 0 || !sc.any_read) {
		rc = ps_error_set(err, PS_E_PERM, "cannot read the memory of process %d: %s",
				  (int)cfg->pid, strerror(errno));
		goto out;
	}
	drain_work(&sc);
	/* leaked blocks pointed to by other leaked blocks are indirect */
	sc.mark_as = PS_LEAK_INDIRECT;
	for (size_t i = 0; i < n; i++) {
		if (kinds[i] != UNMARKED)
			continue;	/* reachable, or scanned already as indirect */
		sc.self = i;
		scan_block(&sc, i);
		sc.self = SIZE_MAX;
		drain_work(&sc);
	}
	if (sc.cut) {
		rc = ps_error_set(err, PS_E_INTERNAL, sc.cfg->stop && *sc.cfg->stop ?
				  "the leak scan was interrupted" :
				  "the leak scan stopped after reading %" PRIu64 " MB of the process's memory "
				  "(many times what it had resident)", sc.read_bytes >> 20);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (kinds[i] == UNMARKED)
			kinds[i] = PS_LEAK_DEFINITE;
out:
	free(sc.work);
	free(sc.buf);
	free(sc.maps);
	return rc;
}
