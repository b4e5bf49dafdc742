/*
 * A tracker file as the profiled program could write it: the bytes of the
 * input become a header and one ring of a file mapped like the real ones,
 * and the reader (ps_memread_poll: headers copied and checked, time window,
 * corruption) hands what it accepts to the heap model (ps_heap_apply:
 * allocations, frees, stacks, mappings, time slices), as memory-profile
 * does.  Input: a byte for the clock (bit 0), the ring's slot (bits 1-2)
 * and whether the head runs past the data (bit 7) by the next 8 bytes,
 * then the ring's bytes.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "../../lib/memory/ps_heap.h"
#include "../../lib/memory/ps_heap_slices.h"
#include "../../lib/memory/ps_memread.h"
#include "../../lib/symbols/ps_modules.h"
#include "../../lib/symbols/ps_procs.h"
#include "../../lib/model/ps_stacks.h"
#include "../../lib/base/ps_util.h"
#include "fuzz.h"

static struct ps_mem_header *file;

static void apply(struct ps_memfile *f, const struct ps_mem_rec *r, void *ctx)
{
	struct ps_heap *hp = ctx;

	(void)f;
	(void)ps_heap_apply(hp, 0, r, r->time);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_memread mr = { 0 };
	struct ps_memfile f = { 0 };
	struct ps_modules mods;
	struct ps_procs procs;
	struct ps_stacks stacks;
	struct ps_heap heap;
	unsigned slot;
	uint64_t extra = 0;
	unsigned char *ring;

	if (size < 9)
		return 0;
	/* mapped once, like a tracker file: pages are zero until touched */
	if (!file) {
		file = mmap(NULL, PS_MEM_FILE_BYTES, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (file == MAP_FAILED) {
			file = NULL;
			return 0;
		}
	}
	slot = (data[0] >> 1) % 4;
	memset(file, 0, sizeof(*file));
	file->clock = data[0] & 1 ? PS_MEM_CLOCK_TSC : PS_MEM_CLOCK_MONOTONIC;
	memcpy(&extra, data + 1, 8);
	data += 9;
	size -= 9;
	ring = (unsigned char *)file + sizeof(*file) + (size_t)slot * PS_MEM_RING_BYTES;
	memcpy(ring, data, size);
	/* a head past the data (or far past the ring) is the program's to set too */
	file->slots[slot].head = size + (data[-9] & 0x80 ? extra : 0);
	/* the reader's window: times from 100 (its start) up to its clock */
	mr.ns_ref = 100;
	mr.tsc_ref = 100;
	mr.ns_per_tick = 1;
	f.h = file;
	f.clock = file->clock;
	f.guard = -1;
	if (ps_modules_init(&mods) == 0 && ps_procs_init(&procs, &mods) == 0) {
		ps_stacks_init(&stacks);
		if (ps_heap_init(&heap, &procs, &stacks) == 0 &&
		    ps_heap_add_proc(&heap, 1, 0, "fuzz", 1) == 0) {
			uint64_t n = ps_memread_poll(&mr, &f, false, PS_MEMREAD_NOW, apply, &heap);

			n += ps_memread_poll(&mr, &f, true, PS_MEMREAD_NOW, apply, &heap);
			(void)ps_heap_slices_finish(&heap, 0, ps_now_ns());
			/* what the reader made of it, for the replay test */
			if (getenv("FUZZ_MEMREAD_PRINT"))
				printf("delivered %llu rejected %llu corrupt %d\n", (unsigned long long)n,
				       (unsigned long long)f.rejected, f.corrupt);
		}
		ps_heap_release(&heap);
		ps_stacks_release(&stacks);
		ps_procs_release(&procs);
	}
	ps_modules_release(&mods);
	memset(ring, 0, size);
	return 0;
}
