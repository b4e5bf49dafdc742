/*
 * ps_heap and ps_heap_slices: the heap model rebuilt from tracker records
 * fed in by hand.  Live bytes, the peak and when it happened, each site's
 * share of it, leaks by site and class, temporaries per thread, unknown
 * frees, realloc, mappings, sampling weights, stacks, several process
 * images, the timeline and its growth, and the time slices.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "memory/ps_heap.h"
#include "memory/ps_heap_slices.h"
#include "memory/ps_memproto.h"
#include "model/ps_stacks.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "unit.h"

#define MS 1000000ull   /* nanoseconds */

struct fixture {
	struct ps_modules mm;
	struct ps_procs pp;
	struct ps_stacks ss;
	struct ps_heap hp;
};

static void fx_init(struct fixture *f)
{
	ps_modules_init(&f->mm);
	ps_procs_init(&f->pp, &f->mm);
	ps_stacks_init(&f->ss);
	ps_heap_init(&f->hp, &f->pp, &f->ss);
}

static void fx_release(struct fixture *f)
{
	ps_heap_release(&f->hp);
	ps_stacks_release(&f->ss);
	ps_procs_release(&f->pp);
	ps_modules_release(&f->mm);
}

static int rec_alloc(struct ps_heap *hp, uint32_t proc, uint32_t tid, uint16_t api, uint64_t addr,
		     uint64_t bytes, uint64_t stack, uint64_t t)
{
	struct ps_mem_rec_alloc r = {
		.h = { .type = PS_MEM_REC_ALLOC, .api = api, .size = sizeof(r), .tid = tid },
		.addr = addr, .bytes = bytes, .stack = stack,
	};

	return ps_heap_apply(hp, proc, &r.h, t);
}

static int rec_free(struct ps_heap *hp, uint32_t proc, uint32_t tid, uint16_t api, uint64_t addr,
		    uint64_t t)
{
	struct ps_mem_rec_free r = {
		.h = { .type = PS_MEM_REC_FREE, .api = api, .size = sizeof(r), .tid = tid },
		.addr = addr,
	};

	return ps_heap_apply(hp, proc, &r.h, t);
}

static int rec_unmap(struct ps_heap *hp, uint32_t proc, uint16_t api, uint64_t addr, uint64_t len,
		     uint64_t t)
{
	struct ps_mem_rec_unmap r = {
		.h = { .type = PS_MEM_REC_UNMAP, .api = api, .size = sizeof(r), .tid = 1 },
		.addr = addr, .len = len,
	};

	return ps_heap_apply(hp, proc, &r.h, t);
}

/* malloc and free by thread 1: the common case */
static int mal(struct ps_heap *hp, uint32_t proc, uint64_t addr, uint64_t bytes, uint64_t stack,
	       uint64_t t)
{
	return rec_alloc(hp, proc, 1, PS_MEM_API_MALLOC, addr, bytes, stack, t);
}

static int fre(struct ps_heap *hp, uint32_t proc, uint64_t addr, uint64_t t)
{
	return rec_free(hp, proc, 1, PS_MEM_API_FREE, addr, t);
}

/* The site of (proc, stack hash); a poisoned one (all bytes 0xa5) when missing. */
static const struct ps_heap_site *site_of(const struct ps_heap *hp, uint32_t proc, uint64_t hash)
{
	static struct ps_heap_site poison;

	for (size_t i = 0; i < hp->nsites; i++)
		if (hp->sites[i].proc == proc && hp->sites[i].hash == hash)
			return &hp->sites[i];
	CHECK(0, "site %#llx of process %u exists", (unsigned long long)hash, proc);
	memset(&poison, 0xa5, sizeof(poison));
	poison.snaps = NULL;
	return &poison;
}

static int64_t site_index(const struct ps_heap *hp, uint32_t proc, uint64_t hash)
{
	for (size_t i = 0; i < hp->nsites; i++)
		if (hp->sites[i].proc == proc && hp->sites[i].hash == hash)
			return (int64_t)i;
	return -1;
}

/* 100 x 4 KiB from one site, never freed, the process vanishing. */
static void test_leak_one_site(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	const struct ps_heap_site *s;
	int rc = 0;

	fx_init(&f);
	CHECK(ps_heap_add_proc(&f.hp, 100, 0, "/bin/leaky", 0) == 0, "first process image is index 0");
	for (uint64_t i = 0; i < 100; i++)
		rc |= mal(&f.hp, 0, 0x100000 + i * 0x1000, 4096, 0xa1, (i + 1) * MS);
	CHECK(rc == 0, "100 allocations applied");
	ps_heap_end(&f.hp, 0, 200 * MS, false, false);
	p = f.hp.proc[0];
	s = site_of(&f.hp, 0, 0xa1);
	CHECK(f.hp.nsites == 1, "one stack gives one site (got %zu)", f.hp.nsites);
	CHECK(p->allocs == 100 && p->alloc_bytes == 409600,
	      "process allocated 100 blocks, 409600 bytes (got %llu, %llu)",
	      (unsigned long long)p->allocs, (unsigned long long)p->alloc_bytes);
	CHECK(p->live_bytes == 409600 && p->live_blocks == 100 && p->live_count == 100,
	      "all 100 blocks, 409600 bytes, still live at the end");
	CHECK(p->peak_bytes == 409600 && p->peak_blocks == 100,
	      "peak is 409600 bytes in 100 blocks (got %llu)", (unsigned long long)p->peak_bytes);
	CHECK(p->peak_time_ns == 100 * MS, "peak happened at the last allocation, 100 ms (got %llu)",
	      (unsigned long long)p->peak_time_ns);
	CHECK(s->leak_bytes[PS_LEAK_UNCLASSIFIED] == 409600 && s->leak_blocks[PS_LEAK_UNCLASSIFIED] == 100,
	      "site leaks exactly 409600 bytes in 100 blocks, unclassified (no exit scan) (got %llu)",
	      (unsigned long long)s->leak_bytes[PS_LEAK_UNCLASSIFIED]);
	CHECK(s->leak_bytes[PS_LEAK_DEFINITE] == 0 && s->leak_bytes[PS_LEAK_REACHABLE] == 0,
	      "without a scan no leak is called definite or reachable");
	CHECK(p->leak_bytes[PS_LEAK_UNCLASSIFIED] == 409600 && p->leak_blocks[PS_LEAK_UNCLASSIFIED] == 100,
	      "process leak total is the site's 409600 bytes");
	CHECK(s->peak_bytes == 409600 && s->peak_blocks == 100, "site held all 409600 bytes at the peak");
	CHECK(s->max_live_bytes == 409600, "site's own maximum is 409600 bytes");
	CHECK(s->temporary == 0 && p->temporary == 0, "nothing freed: no temporaries");
	CHECK(p->size_calls[8] == 100 && p->size_bytes[8] == 409600,
	      "4096-byte blocks land in the 4 KiB size bucket (8)");
	CHECK(p->api_calls[PS_MEM_API_MALLOC] == 100 && p->api_bytes[PS_MEM_API_MALLOC] == 409600,
	      "100 malloc calls of 409600 bytes counted by API");
	CHECK(p->end_ns == 200 * MS && !p->exited && !p->execed, "end time and how it ended recorded");
	CHECK(f.hp.missing_stacks == 100, "100 allocations whose stack never arrived are counted (got %llu)",
	      (unsigned long long)f.hp.missing_stacks);
	fx_release(&f);
}

/* Frees, double and unknown frees, temporaries per thread. */
static void test_frees_and_temporaries(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	const struct ps_heap_site *s1, *s2, *s3;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 200, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x1000, 1000, 0x11, 1 * MS);   /* live 1000 */
	mal(&f.hp, 0, 0x2000, 3000, 0x22, 2 * MS);   /* live 4000: the peak */
	fre(&f.hp, 0, 0x1000, 3 * MS);               /* live 3000; the last alloc was 0x2000 */
	mal(&f.hp, 0, 0x3000, 500, 0x11, 4 * MS);    /* live 3500 */
	fre(&f.hp, 0, 0x3000, 5 * MS);               /* live 3000: temporary */
	CHECK(p->live_bytes == 3000 && p->live_blocks == 1, "after 3 allocs and 2 frees: 3000 bytes live in 1 block");

	fre(&f.hp, 0, 0xdead0, 6 * MS);              /* never allocated */
	CHECK(p->unknown_frees == 1, "free of an unknown address counted as unknown");
	CHECK(p->live_bytes == 3000 && p->live_blocks == 1 && p->frees == 2,
	      "unknown free leaves live bytes, blocks and frees alone (got %llu, %llu, %llu)",
	      (unsigned long long)p->live_bytes, (unsigned long long)p->live_blocks,
	      (unsigned long long)p->frees);
	fre(&f.hp, 0, 0x1000, 7 * MS);               /* double free */
	CHECK(p->unknown_frees == 2 && p->live_bytes == 3000 && p->frees == 2,
	      "second free of the same block is unknown and does not subtract again");

	rec_alloc(&f.hp, 0, 2, PS_MEM_API_MALLOC, 0x4000, 64, 0x33, 8 * MS);
	rec_alloc(&f.hp, 0, 3, PS_MEM_API_MALLOC, 0x5000, 128, 0x33, 9 * MS);
	rec_free(&f.hp, 0, 2, PS_MEM_API_FREE, 0x4000, 10 * MS);  /* thread 2's latest: temporary */
	rec_free(&f.hp, 0, 2, PS_MEM_API_FREE, 0x5000, 11 * MS);  /* thread 3's block: not */
	ps_heap_end(&f.hp, 0, 20 * MS, false, false);

	s1 = site_of(&f.hp, 0, 0x11);
	s2 = site_of(&f.hp, 0, 0x22);
	s3 = site_of(&f.hp, 0, 0x33);
	CHECK(p->temporary == 2, "two temporaries: 0x3000 by thread 1 and 0x4000 by thread 2 (got %llu)",
	      (unsigned long long)p->temporary);
	CHECK(s1->temporary == 1 && s1->temporary_bytes == 500,
	      "site 0x11 has one temporary of 500 bytes; its first block (another alloc in between) is not one");
	CHECK(s3->temporary == 1 && s3->temporary_bytes == 64,
	      "another thread's allocation in between does not stop a temporary; a block freed by another thread is not one");
	CHECK(s2->temporary == 0, "the long-lived block is not temporary");
	CHECK(p->frees == 4 && p->unknown_frees == 2, "4 real frees, 2 unknown (got %llu, %llu)",
	      (unsigned long long)p->frees, (unsigned long long)p->unknown_frees);
	CHECK(p->api_calls[PS_MEM_API_FREE] == 6, "every free call counted by API, the unknown ones too (got %llu)",
	      (unsigned long long)p->api_calls[PS_MEM_API_FREE]);
	CHECK(s1->allocs == 2 && s1->alloc_bytes == 1500 && s1->frees == 2 && s1->live_bytes == 0,
	      "site 0x11: 2 allocs of 1500 bytes, both freed");
	CHECK(s1->max_live_bytes == 1000, "site 0x11's own maximum was 1000 bytes (got %llu)",
	      (unsigned long long)s1->max_live_bytes);
	CHECK(p->peak_bytes == 4000 && p->peak_blocks == 2 && p->peak_time_ns == 2 * MS,
	      "peak 4000 bytes in 2 blocks at 2 ms (got %llu at %llu)", (unsigned long long)p->peak_bytes,
	      (unsigned long long)p->peak_time_ns);
	CHECK(s1->peak_bytes == 1000 && s2->peak_bytes == 3000 && s3->peak_bytes == 0,
	      "at the peak site 0x11 held 1000 bytes, 0x22 3000, 0x33 nothing");
	CHECK(p->live_bytes == 3000 && s2->live_bytes == 3000 && p->leak_bytes[PS_LEAK_UNCLASSIFIED] == 3000,
	      "only the 3000-byte block is left, and reported as leaked");
	CHECK(s1->leak_bytes[PS_LEAK_UNCLASSIFIED] == 0 && s3->leak_bytes[PS_LEAK_UNCLASSIFIED] == 0,
	      "freed sites leak nothing");
	fx_release(&f);
}

/* Site shares of the peak are taken lazily, and at the end for sites unchanged since. */
static void test_peak_snapshots(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 300, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x1000, 1000, 0x1, 1 * MS);
	mal(&f.hp, 0, 0x2000, 3000, 0x2, 2 * MS);    /* peak 4000 */
	fre(&f.hp, 0, 0x1000, 3 * MS);
	fre(&f.hp, 0, 0x2000, 4 * MS);
	CHECK(site_of(&f.hp, 0, 0x2)->peak_bytes == 3000,
	      "once changed after the 4000-byte peak, site 2 records the 3000 bytes it held then");
	mal(&f.hp, 0, 0x3000, 2000, 0x3, 5 * MS);    /* live 2000: no new peak */
	CHECK(p->peak_bytes == 4000 && p->peak_time_ns == 2 * MS, "a lower high does not move the peak");
	mal(&f.hp, 0, 0x4000, 10000, 0x4, 6 * MS);   /* live 12000: new peak */
	CHECK(p->peak_bytes == 12000 && p->peak_time_ns == 6 * MS && p->peak_blocks == 2,
	      "a higher high moves the peak to 12000 bytes at 6 ms");
	ps_heap_end(&f.hp, 0, 10 * MS, true, false);
	CHECK(site_of(&f.hp, 0, 0x1)->peak_bytes == 0 && site_of(&f.hp, 0, 0x2)->peak_bytes == 0,
	      "sites empty at the later peak hold 0 at it, whatever they held at the first");
	CHECK(site_of(&f.hp, 0, 0x3)->peak_bytes == 2000 && site_of(&f.hp, 0, 0x3)->peak_blocks == 1,
	      "a site unchanged since the peak gets its 2000 bytes at the end");
	CHECK(site_of(&f.hp, 0, 0x4)->peak_bytes == 10000, "the site that made the peak held 10000 bytes");
	fx_release(&f);
}

/* realloc is a free and an allocation (api REALLOC): bytes move between blocks and sites. */
static void test_realloc(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	const struct ps_heap_site *s1, *s2;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 400, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x9000, 100, 0x1, 1 * MS);
	mal(&f.hp, 0, 0xa000, 50, 0x1, 2 * MS);
	/* realloc(0x9000, 300) moving to 0xb000, called from site 2 */
	rec_free(&f.hp, 0, 1, PS_MEM_API_REALLOC, 0x9000, 3 * MS);
	rec_alloc(&f.hp, 0, 1, PS_MEM_API_REALLOC, 0xb000, 300, 0x2, 3 * MS);
	s1 = site_of(&f.hp, 0, 0x1);
	s2 = site_of(&f.hp, 0, 0x2);
	CHECK(p->live_bytes == 350 && p->live_blocks == 2, "after a moving realloc 100 -> 300: 50 + 300 = 350 bytes live");
	CHECK(s1->live_bytes == 50 && s1->live_blocks == 1 && s2->live_bytes == 300,
	      "the old site loses its 100 bytes, the realloc's site holds 300");
	mal(&f.hp, 0, 0xc000, 10, 0x1, 4 * MS);      /* live 360: the peak */
	/* realloc(0xb000, 120) in place */
	rec_free(&f.hp, 0, 1, PS_MEM_API_REALLOC, 0xb000, 5 * MS);
	rec_alloc(&f.hp, 0, 1, PS_MEM_API_REALLOC, 0xb000, 120, 0x2, 5 * MS);
	s1 = site_of(&f.hp, 0, 0x1);
	s2 = site_of(&f.hp, 0, 0x2);
	CHECK(p->live_bytes == 180 && p->live_blocks == 3, "in-place shrink 300 -> 120: 60 + 120 = 180 bytes in 3 blocks (got %llu)",
	      (unsigned long long)p->live_bytes);
	CHECK(s2->live_bytes == 120 && s2->live_blocks == 1 && s2->allocs == 2 && s2->alloc_bytes == 420 &&
	      s2->frees == 1, "site 2: 2 reallocs of 300 + 120 bytes, one block of 120 live");
	/* realloc(0xc000, 0): a free alone */
	rec_free(&f.hp, 0, 1, PS_MEM_API_REALLOC, 0xc000, 6 * MS);
	CHECK(p->live_bytes == 170 && site_of(&f.hp, 0, 0x1)->live_bytes == 50,
	      "realloc to 0 frees the block: 170 bytes live");
	CHECK(p->api_calls[PS_MEM_API_REALLOC] == 5 && p->api_bytes[PS_MEM_API_REALLOC] == 420,
	      "5 realloc events (3 frees, 2 allocs) of 420 bytes allocated");
	CHECK(p->api_calls[PS_MEM_API_MALLOC] == 3 && p->api_bytes[PS_MEM_API_MALLOC] == 160,
	      "3 mallocs of 160 bytes counted apart");
	CHECK(p->alloc_bytes == 580 && p->allocs == 5 && p->frees == 3,
	      "5 allocations of 580 bytes and 3 frees in all");
	CHECK(p->temporary == 0, "a realloc after another allocation makes no temporary");
	CHECK(p->peak_bytes == 360 && p->peak_time_ns == 4 * MS, "peak 360 bytes at 4 ms (got %llu)",
	      (unsigned long long)p->peak_bytes);
	fx_release(&f);
}

/* An allocation at an address still live: the old block was freed unseen. */
static void test_reused_address(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 500, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x7000, 100, 0x1, 1 * MS);
	mal(&f.hp, 0, 0x7000, 200, 0x2, 2 * MS);
	CHECK(p->live_bytes == 200 && p->live_blocks == 1 && p->live_count == 1,
	      "the new block replaces the old one: 200 bytes in 1 block, not 300");
	CHECK(site_of(&f.hp, 0, 0x1)->live_bytes == 0 && site_of(&f.hp, 0, 0x1)->live_blocks == 0,
	      "the replaced block's site holds nothing");
	fre(&f.hp, 0, 0x7000, 3 * MS);
	CHECK(p->live_bytes == 0 && p->live_blocks == 0 && p->unknown_frees == 0,
	      "freeing the address frees the new block");
	{
		struct ps_mem_rec_alloc r = { .h = { .type = PS_MEM_REC_ALLOC, .size = 8, .tid = 1 },
					      .addr = 0x8000, .bytes = 64 };
		struct ps_mem_rec_alloc z = { .h = { .type = PS_MEM_REC_ALLOC, .size = sizeof(z), .tid = 1 },
					      .addr = 0, .bytes = 64 };

		CHECK(ps_heap_apply(&f.hp, 0, &r.h, 4 * MS) == 0 && p->allocs == 2,
		      "a record shorter than an allocation is ignored");
		CHECK(ps_heap_apply(&f.hp, 0, &z.h, 4 * MS) == 0 && p->allocs == 2 && p->live_blocks == 0,
		      "an allocation at address 0 (failed) is ignored");
	}
	fx_release(&f);
}

/* Anonymous mappings: munmap trims or splits them; mremap moves them. */
static void test_mappings(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	const uint64_t m = 0x7f0000000000ull;
	struct ps_heap_block *blocks;
	size_t n;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 600, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	rec_alloc(&f.hp, 0, 1, PS_MEM_API_MMAP, m, 0x10000, 0x1, 1 * MS);
	CHECK(p->live_bytes == 65536 && p->nmmaps == 1, "a 64 KiB mapping is 65536 live bytes");
	rec_unmap(&f.hp, 0, PS_MEM_API_MUNMAP, m + 0x4000, 0x4000, 2 * MS);
	CHECK(p->live_bytes == 49152 && p->live_blocks == 2 && site_of(&f.hp, 0, 0x1)->live_bytes == 49152,
	      "unmapping 16 KiB from the middle leaves 49152 bytes in 2 pieces (got %llu, %llu)",
	      (unsigned long long)p->live_bytes, (unsigned long long)p->live_blocks);
	blocks = ps_heap_live_sorted(&f.hp, 0, &n);
	CHECK(n == 2 && blocks && blocks[0].addr == m && blocks[0].size == 0x4000 &&
	      blocks[1].addr == m + 0x8000 && blocks[1].size == 0x8000,
	      "the pieces are [m, m+16K) and [m+32K, m+64K)");
	free(blocks);
	rec_unmap(&f.hp, 0, PS_MEM_API_MUNMAP, m, 0x2000, 3 * MS);
	blocks = ps_heap_live_sorted(&f.hp, 0, &n);
	CHECK(n == 2 && blocks && blocks[0].addr == m + 0x2000 && blocks[0].size == 0x2000 &&
	      p->live_bytes == 40960, "unmapping the head trims the first piece to [m+8K, m+16K): 40960 live");
	free(blocks);
	CHECK(p->frees == 0, "partial unmaps are not frees");
	rec_unmap(&f.hp, 0, PS_MEM_API_MUNMAP, 0x100000, 0x1000, 4 * MS);
	CHECK(p->live_bytes == 40960 && p->live_blocks == 2, "unmapping an untracked range changes nothing");
	rec_unmap(&f.hp, 0, PS_MEM_API_MUNMAP, m, 0x10000, 5 * MS);
	CHECK(p->live_bytes == 0 && p->live_blocks == 0 && p->nmmaps == 0 && p->frees == 2 &&
	      site_of(&f.hp, 0, 0x1)->frees == 2, "unmapping the whole range frees both pieces");

	/* mremap: the old range unmapped, the new one allocated */
	rec_alloc(&f.hp, 0, 1, PS_MEM_API_MMAP, 0x7f1000000000ull, 0x1000, 0x2, 6 * MS);
	rec_unmap(&f.hp, 0, PS_MEM_API_MREMAP, 0x7f1000000000ull, 0x1000, 7 * MS);
	rec_alloc(&f.hp, 0, 1, PS_MEM_API_MREMAP, 0x7f2000000000ull, 0x3000, 0x2, 7 * MS);
	CHECK(p->live_bytes == 12288 && p->live_blocks == 1 && p->nmmaps == 1,
	      "mremap 4 KiB -> 12 KiB: 12288 bytes live in one mapping");
	rec_unmap(&f.hp, 0, PS_MEM_API_MUNMAP, 0x7f2000000000ull, 0x3000, 8 * MS);
	CHECK(p->live_bytes == 0 && p->nmmaps == 0, "the moved mapping is unmapped at its new address");
	CHECK(p->api_calls[PS_MEM_API_MMAP] == 2 && p->api_calls[PS_MEM_API_MUNMAP] == 5 &&
	      p->api_calls[PS_MEM_API_MREMAP] == 2 && p->api_bytes[PS_MEM_API_MREMAP] == 12288,
	      "API counts: 2 mmap, 5 munmap, 2 mremap events (12288 bytes)");
	CHECK(p->peak_bytes == 65536 && p->peak_time_ns == 1 * MS, "peak 65536 bytes at the first mmap");
	fx_release(&f);
}

/* The exit scan's verdict, and several images: fork and exec. */
static void test_leak_classes_fork_exec(void)
{
	struct fixture f;
	const struct ps_heap_proc *p, *c, *q, *q2;
	struct ps_heap_block *blocks;
	const uint8_t kinds[4] = { PS_LEAK_DEFINITE, PS_LEAK_INDIRECT, PS_LEAK_REACHABLE, 9 };
	size_t n;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 700, 0, "/bin/parent", 0);
	mal(&f.hp, 0, 0x3000, 100, 0x1, 1 * MS);
	mal(&f.hp, 0, 0x1000, 200, 0x1, 2 * MS);
	mal(&f.hp, 0, 0x2000, 400, 0x2, 3 * MS);
	mal(&f.hp, 0, 0x4000, 800, 0x2, 4 * MS);

	/* a forked child: the same addresses and stacks are its own */
	CHECK(ps_heap_add_proc(&f.hp, 701, 0, "/bin/parent", 5 * MS) == 1, "the child is image 1");
	mal(&f.hp, 1, 0x1000, 300, 0x1, 6 * MS);
	p = f.hp.proc[0];
	c = f.hp.proc[1];
	CHECK(site_index(&f.hp, 1, 0x1) >= 0 && site_index(&f.hp, 1, 0x1) != site_index(&f.hp, 0, 0x1),
	      "the same stack in the child is another site");
	fre(&f.hp, 1, 0x1000, 7 * MS);
	CHECK(c->live_bytes == 0 && c->frees == 1 && c->unknown_frees == 0,
	      "the child frees its own block at 0x1000");
	CHECK(p->live_bytes == 1500 && p->live_blocks == 4 && p->frees == 0,
	      "the parent's block at the same address is untouched: 1500 bytes in 4 blocks");

	blocks = ps_heap_live_sorted(&f.hp, 0, &n);
	CHECK(n == 4 && blocks && blocks[0].addr == 0x1000 && blocks[1].addr == 0x2000 &&
	      blocks[2].addr == 0x3000 && blocks[3].addr == 0x4000, "live blocks sorted by address");
	CHECK(n == 4 && blocks && blocks[0].size == 200 && blocks[3].size == 800 &&
	      blocks[0].site == (uint32_t)site_index(&f.hp, 0, 0x1) &&
	      blocks[1].site == (uint32_t)site_index(&f.hp, 0, 0x2),
	      "each live block keeps its size and site");
	if (n == 4 && blocks)
		ps_heap_set_leaks(&f.hp, 0, blocks, kinds, n);
	free(blocks);
	ps_heap_end(&f.hp, 0, 10 * MS, true, false);
	CHECK(p->leaks_classified && p->exited, "parent exited with its leaks classified");
	CHECK(p->leak_bytes[PS_LEAK_DEFINITE] == 200 && p->leak_bytes[PS_LEAK_INDIRECT] == 400 &&
	      p->leak_bytes[PS_LEAK_REACHABLE] == 100 && p->leak_bytes[PS_LEAK_UNCLASSIFIED] == 800,
	      "parent leaks by class: 200 definite, 400 indirect, 100 reachable, 800 unclassified (bad kind)");
	CHECK(p->leak_blocks[PS_LEAK_UNCLASSIFIED] == 1,
	      "ending after the scan adds no unclassified leaks for the same blocks (got %llu)",
	      (unsigned long long)p->leak_blocks[PS_LEAK_UNCLASSIFIED]);
	CHECK(site_of(&f.hp, 0, 0x1)->leak_bytes[PS_LEAK_DEFINITE] == 200 &&
	      site_of(&f.hp, 0, 0x1)->leak_bytes[PS_LEAK_REACHABLE] == 100 &&
	      site_of(&f.hp, 0, 0x2)->leak_bytes[PS_LEAK_INDIRECT] == 400 &&
	      site_of(&f.hp, 0, 0x2)->leak_bytes[PS_LEAK_UNCLASSIFIED] == 800,
	      "each site gets the classes of its own blocks");

	/* exec: the old image's blocks go with it, the new image starts empty */
	ps_heap_add_proc(&f.hp, 702, 0, "/bin/sh", 0);
	mal(&f.hp, 2, 0x1000, 500, 0x1, 1 * MS);
	ps_heap_end(&f.hp, 2, 2 * MS, false, true);
	CHECK(ps_heap_add_proc(&f.hp, 702, 1, "/bin/true", 2 * MS) == 3, "the exec'ed image is image 3");
	mal(&f.hp, 3, 0x1000, 700, 0x1, 3 * MS);
	ps_heap_end(&f.hp, 3, 4 * MS, false, false);
	q = f.hp.proc[2];
	q2 = f.hp.proc[3];
	CHECK(q->execed && !q->exited, "the first image ended by exec");
	CHECK(q->leak_bytes[PS_LEAK_UNCLASSIFIED] == 0 && q->leak_bytes[PS_LEAK_DEFINITE] == 0 &&
	      site_of(&f.hp, 2, 0x1)->leak_bytes[PS_LEAK_UNCLASSIFIED] == 0,
	      "blocks live at exec are not leaks");
	CHECK(q2->pid == 702 && q2->gen == 1 && q2->allocs == 1 && q2->live_bytes == 700,
	      "the new image counts only its own allocation");
	CHECK(q2->leak_bytes[PS_LEAK_UNCLASSIFIED] == 700 && q->live_bytes == 500,
	      "the new image's 700 bytes leak; the old image's 500 stay its own");
	CHECK(f.hp.nsites == 5, "5 sites: 2 in the parent, 1 in the child, 1 per exec'ed image (got %zu)",
	      f.hp.nsites);
	fx_release(&f);
}

/* Sampling: a block of s bytes stands for s / (1 - e^(-s/N)) bytes. */
static void test_sampling(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	const struct ps_heap_site *s;

	fx_init(&f);
	f.hp.sample_bytes = 4096;
	ps_heap_add_proc(&f.hp, 800, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x1000, 4096, 0x1, 1 * MS);
	s = site_of(&f.hp, 0, 0x1);
	/* 1 / (1 - e^-1) = 1.581977; 4096 * 1.581977 = 6479.78 -> 6480 */
	CHECK(s->alloc_bytes == 6480 && s->live_bytes == 6480 && p->live_bytes == 6480,
	      "a sampled 4096-byte block counts 6480 bytes (got %llu)", (unsigned long long)s->alloc_bytes);
	CHECK(s->allocs == 1 && fabs(s->est_allocs - 1.581977) < 1e-6,
	      "it is one recorded allocation standing for 1.581977 (got %f)", s->est_allocs);
	/* 6480^2 * e^-1 = 41990400 * 0.3678794 = 15447404.9 */
	CHECK(fabs(s->var_bytes - 15447404.9) < 0.5, "variance of the estimate is 6480^2 * e^-1 (got %f)",
	      s->var_bytes);
	fre(&f.hp, 0, 0x1000, 2 * MS);
	CHECK(p->live_bytes == 0 && s->live_bytes == 0, "freeing it subtracts the 6480 it counted");
	fx_release(&f);
}

/* Stacks: resolved through the process's mappings into ps_stacks. */
static void test_stacks(void)
{
	struct fixture f;
	uint64_t mapbuf[16] = { 0 }, stackbuf[8] = { 0 };
	struct ps_mem_rec_map *map = (struct ps_mem_rec_map *)mapbuf;
	struct ps_mem_rec_stack *st = (struct ps_mem_rec_stack *)stackbuf;
	const char *path = "/nonexistent/perfscope-unit/app";
	const struct ps_heap_site *s;
	int64_t mod;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 900, 0, "/bin/app", 0);
	map->h = (struct ps_mem_rec){ .type = PS_MEM_REC_MAP, .size = sizeof(*map) + 32, .tid = 1 };
	map->start = 0x400000;
	map->len = 0x10000;
	map->pgoff = 0x1000;
	memcpy(map->path, path, strlen(path) + 1);
	CHECK(ps_heap_apply(&f.hp, 0, &map->h, 0) == 0, "a code mapping record is applied");

	st->h = (struct ps_mem_rec){ .type = PS_MEM_REC_STACK, .size = sizeof(*st) + 2 * 8, .tid = 1 };
	st->stack = 0x5157;
	st->nframes = 2;
	st->pcs[0] = 0x401234;
	st->pcs[1] = 0x400100;
	CHECK(ps_heap_apply(&f.hp, 0, &st->h, 0) == 0, "a stack record is applied");
	s = site_of(&f.hp, 0, 0x5157);
	mod = ps_modules_intern(&f.mm, path, 900);
	CHECK(s->stack >= 0 && (size_t)s->stack < f.ss.nstacks, "the site has its stack");
	if (s->stack >= 0 && (size_t)s->stack < f.ss.nstacks) {
		const struct ps_stack *k = &f.ss.stacks[s->stack];
		const uint32_t *fr = ps_stack_frames(&f.ss, k);

		CHECK(k->nframes == 2 && k->thread == 0 && k->count == 0,
		      "2 frames, keyed by the image index, no samples");
		/* file offset = pc - 0x400000 + 0x1000, minus 1 (the call, not the return address) */
		CHECK(f.ss.frames[fr[0]].module == (uint32_t)mod && f.ss.frames[fr[0]].offset == 0x2233 &&
		      f.ss.frames[fr[1]].offset == 0x10ff,
		      "frames are (app, 0x2233) and (app, 0x10ff) (got 0x%llx, 0x%llx)",
		      (unsigned long long)f.ss.frames[fr[0]].offset, (unsigned long long)f.ss.frames[fr[1]].offset);
	}
	mal(&f.hp, 0, 0x1000, 10, 0x5157, 1 * MS);
	CHECK(f.hp.missing_stacks == 0, "an allocation whose stack arrived first is not missing one");
	mal(&f.hp, 0, 0x2000, 10, 0xbad, 2 * MS);
	mal(&f.hp, 0, 0x3000, 10, 0, 3 * MS);
	CHECK(f.hp.missing_stacks == 1 && site_of(&f.hp, 0, 0xbad)->stack == -1,
	      "an undefined stack is missing once; stack 0 (none) is not counted (got %llu)",
	      (unsigned long long)f.hp.missing_stacks);

	/* the same stack id again with other pcs: the first definition stays */
	{
		int64_t before = site_of(&f.hp, 0, 0x5157)->stack;
		size_t nstacks = f.ss.nstacks;

		st->pcs[0] = 0x402000;
		ps_heap_apply(&f.hp, 0, &st->h, 4 * MS);
		CHECK(site_of(&f.hp, 0, 0x5157)->stack == before && f.ss.nstacks == nstacks,
		      "a stack id is defined once");
	}
	/* more frames than the record holds: ignored */
	st->stack = 0x7777;
	st->nframes = 5;
	ps_heap_apply(&f.hp, 0, &st->h, 5 * MS);
	CHECK(site_index(&f.hp, 0, 0x7777) < 0, "a stack record claiming more frames than its size is ignored");
	fx_release(&f);
}

/*
 * Live bytes over time: points every 10 ms, their trend after the first
 * tenth, judged only over 5 s of steady time (ps_trend_fit).
 */
static void test_timeline_growth(void)
{
	struct fixture f;
	const struct ps_heap_proc *p;
	struct ps_trend tr;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1000, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	mal(&f.hp, 0, 0x10000000, 10000000, 0x1, 0);  /* a 10 MB warm-up buffer */
	for (uint64_t k = 1; k < 1000; k++) {
		mal(&f.hp, 0, 0x1000 + k * 0x1000, 1000, 0x2, k * 10 * MS);
		if (k == 95)
			fre(&f.hp, 0, 0x10000000, 950 * MS + 1);
	}
	/* points at 0, 10, ..., 9990 ms; from 1 s on live = 100 * t_ms */
	CHECK(p->npoints == 1000, "one point per 10 ms: 1000 points (got %zu)", p->npoints);
	CHECK(p->npoints > 100 && p->timeline[100].time_ns == 1000 * MS && p->timeline[100].live_bytes == 100000,
	      "point 100 is 100000 bytes at 1 s");
	CHECK(p->npoints > 94 && p->timeline[94].live_bytes == 10094000, "point 94 still holds the warm-up buffer");
	ps_heap_trend(p, &tr);
	CHECK(tr.judged && fabs(tr.per_s - 1e5) < 0.01 && tr.r2 > 0.999999,
	      "growth is 1000 bytes per 10 ms = 1e5 bytes/s, a perfect fit, the warm-up tenth left out "
	      "(got %f, r2 %f)", tr.per_s, tr.r2);
	CHECK(fabs(tr.steady_s - 8.99) < 1e-9 && fabs(tr.span_s - 9.99) < 1e-9,
	      "steady from point 100 (1 s) to 9.99 s: 8.99 s of a 9.99 s series (got %f of %f)", tr.steady_s, tr.span_s);
	fx_release(&f);

	/* the same growth for 2 s: its raw change, no rate */
	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1002, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	for (uint64_t k = 0; k < 200; k++)
		mal(&f.hp, 0, 0x1000 + k * 0x1000, 1000, 0x1, k * 10 * MS);
	ps_heap_trend(p, &tr);
	CHECK(!tr.judged && tr.per_s == 0 && tr.change == 199000 && fabs(tr.span_s - 1.99) < 1e-9,
	      "2 s: too short to judge; the change (199000 bytes in 1.99 s) is said instead (got judged %d, %f)",
	      tr.judged, tr.change);
	fx_release(&f);

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1001, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	for (uint64_t k = 0; k < 9; k++)
		mal(&f.hp, 0, 0x1000 + k * 0x1000, 1000, 0x1, k * 1000 * MS);
	ps_heap_trend(p, &tr);
	CHECK(p->npoints == 9 && !tr.judged, "fewer than 10 points, though over 8 s, give no growth rate");
	fx_release(&f);

	/* a full timeline halves its resolution */
	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1002, 0, "/bin/app", 0);
	p = f.hp.proc[0];
	for (uint64_t k = 0; k <= PS_HEAP_TIMELINE_MAX; k++)
		mal(&f.hp, 0, 0x1000 + k * 0x10, 16, 0x1, k * 10 * MS);
	CHECK(p->npoints == PS_HEAP_TIMELINE_MAX / 2 + 1 && p->point_every_ns == 20 * MS,
	      "point 2049 halves the timeline to 1024 points every 20 ms, then adds itself (got %zu)",
	      p->npoints);
	CHECK(p->timeline[1].time_ns == 20 * MS && p->timeline[1].live_bytes == 48 &&
	      p->timeline[1024].time_ns == 20480 * MS && p->timeline[1024].live_bytes == 2049 * 16,
	      "kept points are every other one; the last is the newest");
	fx_release(&f);
}

/* Time slices: each site's allocations and live bytes at each slice's end. */
static void test_slices(void)
{
	const uint64_t t0 = 5000 * MS;
	struct fixture f;
	const struct ps_heap_slicing *sl;
	struct ps_heap_snap d;
	struct ps_heap_slice_tops tops;
	int64_t s1, s2, s3;
	uint64_t sum = 0;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1100, 0, "/bin/app", t0);
	mal(&f.hp, 0, 0x1000, 1000, 0x51, t0 + 10 * MS);
	mal(&f.hp, 0, 0x2000, 2000, 0x52, t0 + 50 * MS);
	mal(&f.hp, 0, 0x3000, 1500, 0x53, t0 + 100 * MS);  /* exactly at the boundary */
	mal(&f.hp, 0, 0x4000, 4000, 0x51, t0 + 150 * MS);
	fre(&f.hp, 0, 0x2000, t0 + 160 * MS);
	mal(&f.hp, 0, 0x5000, 500, 0x52, t0 + 250 * MS);
	mal(&f.hp, 0, 0x6000, 500, 0x53, t0 + 260 * MS);
	ps_heap_end(&f.hp, 0, t0 + 350 * MS, false, false);
	sl = &f.hp.proc[0]->slicing;
	s1 = site_index(&f.hp, 0, 0x51);
	s2 = site_index(&f.hp, 0, 0x52);
	s3 = site_index(&f.hp, 0, 0x53);

	CHECK(sl->n == 4 && sl->last_partial, "3 full slices of 100 ms and a partial last one (got %zu)", sl->n);
	CHECK(sl->end_ns[0] == t0 + 100 * MS && sl->end_ns[2] == t0 + 300 * MS &&
	      sl->end_ns[3] == t0 + 350 * MS, "slices end at 100, 200, 300 ms from the start, the last at the end");
	d = ps_heap_slice_delta(&f.hp, 0, -1, 0);
	CHECK(d.allocated == 3000 && d.live == 3000,
	      "slice 0: 3000 bytes allocated, 3000 live; the allocation at 100 ms is not in it (got %llu)",
	      (unsigned long long)d.allocated);
	d = ps_heap_slice_delta(&f.hp, 0, -1, 1);
	CHECK(d.allocated == 5500 && d.live == 6500, "slice 1: 5500 bytes allocated, 6500 live at its end (got %llu, %llu)",
	      (unsigned long long)d.allocated, (unsigned long long)d.live);
	d = ps_heap_slice_delta(&f.hp, 0, -1, 2);
	CHECK(d.allocated == 1000 && d.live == 7500, "slice 2: 1000 bytes allocated, 7500 live");
	d = ps_heap_slice_delta(&f.hp, 0, -1, 3);
	CHECK(d.allocated == 0 && d.live == 7500, "the partial slice: nothing allocated, 7500 live");
	for (size_t k = 0; k < sl->n; k++)
		sum += ps_heap_slice_delta(&f.hp, 0, -1, k).allocated;
	CHECK(sum == f.hp.proc[0]->alloc_bytes && sum == 9500, "the slices' allocations add up to the run's 9500 bytes");

	d = ps_heap_slice_delta(&f.hp, 0, s1, 1);
	CHECK(d.allocated == 4000 && d.live == 5000, "site 0x51 in slice 1: 4000 allocated, 5000 live");
	d = ps_heap_slice_delta(&f.hp, 0, s2, 1);
	CHECK(d.allocated == 0 && d.live == 0, "site 0x52 in slice 1: nothing allocated, its block freed");
	d = ps_heap_slice_delta(&f.hp, 0, s3, 0);
	CHECK(d.allocated == 0 && d.live == 0, "site 0x53 (born at 100 ms) has nothing in slice 0");
	d = ps_heap_slice_delta(&f.hp, 0, s3, 1);
	CHECK(d.allocated == 1500 && d.live == 1500, "site 0x53 in slice 1: 1500 allocated and live");

	ps_heap_slice_tops(&f.hp, 0, PS_HEAP_SLICE_TOP_MAX, &tops);
	CHECK(tops.n[0] == 2 && tops.site[0][0] == (uint32_t)s2 && tops.site[0][1] == (uint32_t)s1,
	      "slice 0's top: 0x52 (2000) then 0x51 (1000)");
	CHECK(tops.n[1] == 2 && tops.site[1][0] == (uint32_t)s1 && tops.site[1][1] == (uint32_t)s3,
	      "slice 1's top: 0x51 (4000), 0x53 (1500); 0x52 allocated nothing and is left out (got %zu)", tops.n[1]);
	CHECK(tops.n[2] == 2 && tops.site[2][0] == (uint32_t)s2 && tops.site[2][1] == (uint32_t)s3,
	      "slice 2: a tie of 500 bytes keeps the earlier site first");
	CHECK(tops.n[3] == 0,
	      "a slice where nothing was allocated has no top sites");
	ps_heap_slice_tops(&f.hp, 0, 1, &tops);
	CHECK(tops.n[0] == 1 && tops.site[0][0] == (uint32_t)s2 && tops.n[1] == 1 && tops.site[1][0] == (uint32_t)s1,
	      "at most `max` sites a slice: the largest");
	fx_release(&f);
}

/* 16 slices full: pairs merge and the length doubles. */
static void test_slice_merge(void)
{
	struct fixture f;
	const struct ps_heap_slicing *sl;
	const struct ps_heap_site *s;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1200, 0, "/bin/app", 0);
	sl = &f.hp.proc[0]->slicing;
	for (uint64_t k = 0; k <= 18; k++)
		mal(&f.hp, 0, 0x1000 + k * 0x1000, 1000, 0x1, (50 + 100 * k) * MS);
	s = site_of(&f.hp, 0, 0x1);
	CHECK(sl->n == 9 && sl->length_ns == 200 * MS,
	      "after 1800 ms: 16 slices merged into 8 of 200 ms, plus one (got %zu)", sl->n);
	CHECK(sl->end_ns[0] == 200 * MS && sl->end_ns[7] == 1600 * MS && sl->end_ns[8] == 1800 * MS,
	      "merged slices end at 200, ..., 1600 ms; the next at 1800 ms");
	CHECK(s->snaps && s->snaps[0].allocated == 2000 && s->snaps[7].allocated == 16000 &&
	      s->snaps[8].allocated == 18000, "a merged slice keeps the later snapshot: 2000, 16000, 18000 bytes");
	CHECK(s->snaps && s->snaps[9].allocated == 0 && s->snaps[15].allocated == 0, "slots past the merge are cleared");
	CHECK(ps_heap_slice_delta(&f.hp, 0, -1, 8).allocated == 2000 && sl->total[8].live == 18000,
	      "the new slice allocated 2000 bytes; 18000 live at its end");
	ps_heap_end(&f.hp, 0, 2000 * MS, false, false);
	CHECK(sl->n == 10 && !sl->last_partial && sl->total[9].allocated == 19000,
	      "ending exactly at a slice end closes it as a full slice, no partial one");
	fx_release(&f);
}

/*
 * Sites H, K and J, in time order (ms from the start; bytes 0 is a free):
 * H 1000, 2000, 3000, 2000, 1000, 500 (ends below its start);
 * K 1000, 2000, 1500, 2500, 2000, 3000 (rises in 3 of 5 steps);
 * J 1000, 2000, 3000, 2500, 3500, 4500 (rises in 4 of 5 steps).
 */
struct growth_step {
	uint64_t ms, addr, bytes, stack;
};
static const struct growth_step growth_script[] = {
	{ 20, 0x4000, 1000, 0x64 }, { 30, 0x5000, 1000, 0x65 }, { 40, 0x6000, 1000, 0x66 },
	{ 120, 0x4100, 1000, 0x64 }, { 130, 0x5100, 1000, 0x65 }, { 140, 0x6100, 1000, 0x66 },
	{ 220, 0x4200, 1000, 0x64 }, { 230, 0x5100, 0, 0 }, { 231, 0x5200, 500, 0x65 },
	{ 240, 0x6200, 1000, 0x66 },
	{ 320, 0x4200, 0, 0 }, { 330, 0x5300, 1000, 0x65 }, { 340, 0x6200, 0, 0 }, { 341, 0x6300, 500, 0x66 },
	{ 420, 0x4100, 0, 0 }, { 430, 0x5200, 0, 0 }, { 440, 0x6400, 1000, 0x66 },
	{ 520, 0x4000, 0, 0 }, { 521, 0x4300, 500, 0x64 }, { 530, 0x5400, 1000, 0x65 },
	{ 540, 0x6500, 1000, 0x66 },
};

/* Sites whose live bytes keep growing over the slices. */
static void test_growing_sites(void)
{
	const uint64_t t0 = 1000 * MS;
	struct fixture f;
	struct ps_heap_growing *g;
	int64_t sg, sg2, sj;
	size_t n;

	fx_init(&f);
	ps_heap_add_proc(&f.hp, 1300, 0, "/bin/app", t0);
	for (uint64_t k = 0; k < 6; k++) {
		uint64_t t = t0 + k * 100 * MS, a = 0x100000 * (k + 1);

		mal(&f.hp, 0, a + 0x100, 1000, 0x61, t + 10 * MS);          /* G: +1000 each */
		mal(&f.hp, 0, a + 0x200, 500, 0x62, t + 11 * MS);           /* G2: +500 each */
		mal(&f.hp, 0, a + 0x300, 1000, 0x63, t + 12 * MS);          /* F: flat */
		fre(&f.hp, 0, a + 0x300, t + 13 * MS);
		/* records reach the heap in time order, as the reader merges them */
		for (size_t e = 0; e < sizeof(growth_script) / sizeof(growth_script[0]); e++) {
			const struct growth_step *g1 = &growth_script[e];

			if (g1->ms / 100 != k)
				continue;
			if (g1->bytes)
				mal(&f.hp, 0, g1->addr, g1->bytes, g1->stack, t0 + g1->ms * MS);
			else
				fre(&f.hp, 0, g1->addr, t0 + g1->ms * MS);
		}
	}
	ps_heap_end(&f.hp, 0, t0 + 600 * MS, true, false);

	sg = site_index(&f.hp, 0, 0x61);
	sg2 = site_index(&f.hp, 0, 0x62);
	sj = site_index(&f.hp, 0, 0x66);
	g = ps_heap_growing_sites(&f.hp, 0, &n);
	CHECK(f.hp.proc[0]->slicing.n == 6 && !f.hp.proc[0]->slicing.last_partial, "6 full slices");
	CHECK(n == 3 && g, "3 growing sites: G, J, G2; flat, falling and mostly-flat ones left out (got %zu)", n);
	if (n == 3 && g) {
		CHECK(g[0].site == (uint32_t)sg && g[1].site == (uint32_t)sj && g[2].site == (uint32_t)sg2,
		      "fastest first: G (10000 B/s), J (6142.9 B/s), G2 (5000 B/s)");
		CHECK(fabs(g[0].bytes_per_s - 10000) < 1e-6 && g[0].first_live == 1000 && g[0].last_live == 6000 &&
		      g[0].rising_share == 1.0, "G: 10000 B/s from 1000 to 6000 bytes, rising every step (got %f)",
		      g[0].bytes_per_s);
		/* slope of (0.1..0.6 s; 1000, 2000, 3000, 2500, 3500, 4500) = 1075 / 0.175 */
		CHECK(fabs(g[1].bytes_per_s - 1075.0 / 0.175) < 1e-6 && g[1].first_live == 1000 &&
		      g[1].last_live == 4500 && fabs(g[1].rising_share - 0.8) < 1e-12,
		      "J: 6142.857 B/s, rising in 4 of 5 steps (got %f)", g[1].bytes_per_s);
		CHECK(fabs(g[2].bytes_per_s - 5000) < 1e-6 && g[2].last_live == 3000, "G2: 5000 B/s up to 3000 bytes");
	}
	free(g);

	/* fewer than 4 full slices: no verdict */
	ps_heap_add_proc(&f.hp, 1301, 0, "/bin/app", 0);
	for (uint64_t k = 0; k < 3; k++)
		mal(&f.hp, 1, 0x1000 * (k + 1), 1000, 0x61, (k * 100 + 10) * MS);
	ps_heap_end(&f.hp, 1, 350 * MS, true, false);
	g = ps_heap_growing_sites(&f.hp, 1, &n);
	CHECK(!g && n == 0 && f.hp.proc[1]->slicing.n == 4,
	      "3 full slices and a partial one are too few to call a site growing");
	free(g);
	fx_release(&f);
}

static void test_size_buckets(void)
{
	CHECK(ps_heap_size_bucket(1) == 0 && ps_heap_size_bucket(16) == 0, "up to 16 bytes: bucket 0");
	CHECK(ps_heap_size_bucket(17) == 1 && ps_heap_size_bucket(32) == 1 && ps_heap_size_bucket(33) == 2,
	      "17..32 bytes: bucket 1; 33: bucket 2");
	CHECK(ps_heap_size_bucket(4096) == 8 && ps_heap_size_bucket(4097) == 9, "4096 bytes: bucket 8; 4097: 9");
	CHECK(ps_heap_size_bucket(1ull << 30) == 26 && ps_heap_size_bucket((1ull << 30) + 1) == 27 &&
	      ps_heap_size_bucket(UINT64_MAX) == PS_HEAP_SIZE_BUCKETS - 1,
	      "1 GiB: bucket 26; larger ones share the last bucket");
}

int main(void)
{
	test_leak_one_site();
	test_frees_and_temporaries();
	test_peak_snapshots();
	test_realloc();
	test_reused_address();
	test_mappings();
	test_leak_classes_fork_exec();
	test_sampling();
	test_stacks();
	test_timeline_growth();
	test_slices();
	test_slice_merge();
	test_growing_sites();
	test_size_buckets();
	return unit_done();
}
