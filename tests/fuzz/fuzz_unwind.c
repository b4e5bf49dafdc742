/*
 * Stacks as the profiled program leaves them: a sample of this very
 * process (so its modules, with their call-frame information, are real)
 * whose instruction pointer, stack pointer, frame pointer and other
 * registers, kernel call chain and copied stack bytes all come from the
 * input, unwound by the DWARF walker (cached rules, the frame-pointer
 * step, libdwfl) and by the frame-pointer unwinder.  Input: 8 bytes of
 * instruction pointer (an offset into this program's code), 8 of stack
 * pointer, 8 of frame pointer, a byte of call-chain length, that many
 * 8-byte entries, then the stack copy.
 */
#include <stdio.h>
#include <unistd.h>

#include "../../lib/symbols/ps_modules.h"
#include "../../lib/symbols/ps_procs.h"
#include "../../lib/sample/ps_records.h"
#include "../../lib/unwind/ps_unwind.h"
#include "../../lib/base/ps_util.h"
#include "fuzz.h"

#define PERF_REG_BP 6
#define PERF_REG_SP 7
#define PERF_REG_IP 8

static struct ps_modules mods;
static struct ps_procs procs;
static struct ps_unwinder *dwarf, *fp;
static uint64_t text_start, text_len;

/* The first executable mapping of this program: where sampled pcs fall. */
static void find_text(void)
{
	char *maps = ps_read_file("/proc/self/maps", NULL), *line;

	for (line = maps; line && *line;) {
		unsigned long long a, b;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &a, &b, perms) == 3 && perms[2] == 'x') {
			text_start = a;
			text_len = b - a;
			break;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	free(maps);
}

static uint64_t word(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_unwind_frame out[128];
	struct ps_unwind_result res;
	uint64_t regs[64], ips[32];
	struct ps_rec r = { .kind = PS_REC_SAMPLE };
	unsigned nips, k = 0;

	if (size < 25)
		return 0;
	if (!dwarf) {
		if (ps_modules_init(&mods) < 0 || ps_procs_init(&procs, &mods) < 0)
			return 0;
		ps_procs_synthesize(&procs, (uint32_t)getpid());
		find_text();
		dwarf = ps_unwind_dwarf_new(&procs);
		fp = ps_unwind_fp_new();
		if (!dwarf || !fp || !text_len)
			abort();
	}
	nips = data[24] % 32;
	if (size < 25 + 8 * (size_t)nips)
		return 0;
	for (unsigned i = 0; i < nips; i++)
		ips[i] = word(data + 25 + 8 * i);
	/* registers by perf number, in PS_REGS_MASK's order */
	for (unsigned reg = 0; reg < 64; reg++) {
		if (!(PS_REGS_MASK & (1ull << reg)))
			continue;
		regs[k++] = reg == PERF_REG_IP ? text_start + word(data) % text_len :
			    reg == PERF_REG_SP ? word(data + 8) :
			    reg == PERF_REG_BP ? word(data + 16) : word(data + 8) + 8 * reg;
	}
	r.pid = r.tid = (uint32_t)getpid();
	r.time = ps_now_ns();
	r.u.sample.ip = regs[PERF_REG_IP];
	r.u.sample.nr = nips;
	r.u.sample.ips = ips;
	r.u.sample.regs_abi = 2;	/* PERF_SAMPLE_REGS_ABI_64 */
	r.u.sample.regs_mask = PS_REGS_MASK;
	r.u.sample.regs = regs;
	r.u.sample.stack = data + 25 + 8 * nips;
	r.u.sample.stack_size = size - 25 - 8 * nips;
	dwarf->unwind(dwarf, &r, out, 128, &res);
	fp->unwind(fp, &r, out, 128, &res);
	return 0;
}
