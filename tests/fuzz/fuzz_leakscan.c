/*
 * The leak scan over a process whose memory and exit state are not to be
 * trusted: a small process (sleep) is started once and scanned for blocks,
 * registers, stack pointers and an exit stack pointer that all come from
 * the input (ps_leakscan_run reads the process through process_vm_readv;
 * blocks may overlap, lie in no mapping, or be as large as the address
 * space).  Input: 8 bytes of exit stack pointer, then 16-byte records:
 * the first byte of each says a block (then address and size follow as
 * offsets from the process's heap or stack), a register or a stack pointer.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <unistd.h>

#include "../../lib/memory/ps_heap.h"
#include "../../lib/memory/ps_leakscan.h"
#include "../../lib/base/ps_util.h"
#include "fuzz.h"

static pid_t target;
static uint64_t heap, stack;

static void start_target(void)
{
	char *argv[] = { "sleep", "100000", NULL };
	char path[64], *maps, *line;

	target = fork();
	if (target < 0)
		abort();
	if (target == 0) {
		/* it goes when the fuzzer does, however that ends */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execvp(argv[0], argv);
		_exit(127);
	}
	usleep(100000);		/* it has mapped itself by now */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)target);
	maps = ps_read_file(path, NULL);
	for (line = maps; line && *line;) {
		unsigned long long a;

		if (sscanf(line, "%llx-", &a) == 1) {
			if (strstr(line, "[heap]") && strchr(line, '\n') > strstr(line, "[heap]"))
				heap = a;
			if (strstr(line, "[stack]") && strchr(line, '\n') > strstr(line, "[stack]"))
				stack = a;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	free(maps);
}

static int by_addr(const void *a, const void *b)
{
	const struct ps_heap_block *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_heap_block blocks[64] = { 0 };
	uint64_t regs[64], sps[64], exit_sp;
	size_t nblocks = 0, nregs = 0, nsps = 0;
	struct ps_leakscan_config cfg = { 0 };
	struct ps_leakscan_stats st = { 0 };
	struct ps_error err = { 0 };
	uint8_t kinds[64];

	if (size < 8)
		return 0;
	if (!target)
		start_target();
	memcpy(&exit_sp, data, 8);
	for (size_t at = 8; at + 16 <= size && nblocks < 64; at += 16) {
		uint64_t a, b;
		uint64_t base = data[at] & 2 ? stack : heap;

		memcpy(&a, data + at, 8);
		memcpy(&b, data + at + 8, 8);
		switch (data[at] % 4) {
		case 0:
		case 2:
			blocks[nblocks++] = (struct ps_heap_block){ .addr = base + (a >> 40), .size = b >> (b & 63),
								    .counted = 1 };
			break;
		case 1:
			regs[nregs++] = base + (b >> 44);
			break;
		default:
			sps[nsps++] = base + (b >> 44);
		}
	}
	qsort(blocks, nblocks, sizeof(*blocks), by_addr);
	cfg.pid = target;
	cfg.exit_sp = exit_sp & 1 ? 0 : stack + (exit_sp >> 44);
	cfg.regs = regs;
	cfg.nregs = nregs;
	cfg.sps = sps;
	cfg.nsps = nsps;
	(void)ps_leakscan_run(&cfg, blocks, nblocks, kinds, &st, &err);
	return 0;
}
