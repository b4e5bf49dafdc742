/*
 * Ring-buffer contents: whatever bytes the ring holds are read as perf
 * records the way every sampler reads them (ps_perf_scan: records in
 * place, a wrapping one copied) and decoded (ps_rec_decode), in the
 * layouts perfscope asks for.  Input: a format byte, a byte placing the
 * data in the ring (so records wrap around its end), then the ring's data.
 */
#include <linux/perf_event.h>

#include "../../lib/sample/ps_perf.h"
#include "../../lib/sample/ps_records.h"
#include "fuzz.h"

#define RING_DATA 4096

static const struct ps_rec_format formats[] = {
	{ .sample_type = PS_SAMPLE_TYPE },
	{ .sample_type = PS_SAMPLE_TYPE_DWARF, .regs_mask = PS_REGS_MASK },
	{ .sample_type = PS_SAMPLE_TYPE_DWARF & ~(uint64_t)PERF_SAMPLE_PERIOD, .regs_mask = PS_REGS_MASK },
	{ .sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_RAW },
	/* off-CPU with --call-graph fp: no call chain, three registers */
	{ .sample_type = PS_SAMPLE_TYPE_DWARF & ~(uint64_t)(PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN),
	  .regs_mask = PS_REGS_FP_MASK },
};

static void decode(const struct perf_event_header *hdr, void *ctx)
{
	const struct ps_rec_format *fmt = ctx;
	struct ps_rec r;
	volatile uint64_t sink = 0;

	ps_rec_decode(hdr, fmt, &r);
	(void)ps_rec_time(hdr);
	/* touch what the decoder points at, as the samplers would */
	if (r.kind == PS_REC_SAMPLE) {
		for (uint64_t i = 0; i < r.u.sample.nr; i++)
			sink += r.u.sample.ips[i];
		if (r.u.sample.regs_abi && r.u.sample.regs)
			for (int i = 0; i < __builtin_popcountll(fmt->regs_mask); i++)
				sink += r.u.sample.regs[i];
		/* by perf register number, in the mask or not */
		for (unsigned reg = 0; reg < 66; reg++) {
			uint64_t v;

			if (ps_rec_user_reg(&r, reg, &v))
				sink += v;
		}
		for (uint64_t i = 0; i < r.u.sample.stack_size; i++)
			sink += r.u.sample.stack[i];
	} else if (r.kind == PS_REC_MMAP && r.u.mmap.filename) {
		sink += strlen(r.u.mmap.filename);
	} else if (r.kind == PS_REC_COMM && r.u.comm.name) {
		sink += strlen(r.u.comm.name);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(4096) unsigned char ring_mem[4096 + RING_DATA];
	struct perf_event_mmap_page *meta = (void *)ring_mem;
	struct ps_ring ring = { .fd = -1, .base = ring_mem, .data_size = RING_DATA };
	struct ps_perf perf = { .ncpus = 1, .rings = &ring };
	size_t start, n;

	if (size < 2)
		return 0;
	perf.format = formats[data[0] % (sizeof(formats) / sizeof(formats[0]))];
	start = (size_t)data[1] * 16;
	data += 2;
	size -= 2;
	n = size < RING_DATA ? size : RING_DATA;
	memset(ring_mem, 0, sizeof(ring_mem));
	meta->data_offset = 4096;
	meta->data_size = RING_DATA;
	for (size_t i = 0; i < n; i++)
		ring_mem[4096 + (start + i) % RING_DATA] = data[i];
	meta->data_tail = start;
	meta->data_head = start + n;
	ps_perf_snapshot(&perf);
	(void)ps_perf_scan(&perf, decode, &perf.format);
	ps_perf_consume(&perf);
	free(ring.scratch);
	return 0;
}
