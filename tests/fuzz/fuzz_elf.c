/*
 * ELF and DWARF as perfscope reads them to name frames: the input is an
 * executable (a real one in the corpus, then truncated, bit-flipped,
 * with lying headers), named at offsets spread over it and taken from
 * it.  Symbolization must degrade to [module+0xoffset], never crash or
 * hang.
 */
#include <stdio.h>
#include <unistd.h>

#include "../../lib/symbols/ps_modules.h"
#include "../../lib/model/ps_stacks.h"
#include "../../lib/symbols/ps_symbols.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct ps_modules mods;
	struct ps_stacks stacks;
	struct ps_symbols syms;
	int64_t mod;
	FILE *f;

	memset(&syms, 0, sizeof(syms));
	snprintf(path, sizeof(path), "/tmp/perfscope-fuzz-elf.%d", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	if (ps_modules_init(&mods) == 0 && (mod = ps_modules_intern(&mods, path, 1)) >= 0) {
		ps_stacks_init(&stacks);
		for (uint64_t off = 0; off < size + 64; off += 16)
			(void)ps_stacks_frame(&stacks, (uint32_t)mod, off);
		for (size_t i = 0; i + 8 <= size && i < 512; i += 64) {
			uint64_t off;

			memcpy(&off, data + i, 8);
			(void)ps_stacks_frame(&stacks, (uint32_t)mod, off % (size + 1));
		}
		if (ps_symbols_init(&syms, &mods) == 0) {
			syms.jit_owner = 0;
			if (ps_symbols_resolve(&syms, &stacks) == 0 && getenv("FUZZ_ELF_PRINT")) {
				for (uint32_t id = 0; id < stacks.nframes; id++) {
					uint32_t n;
					const struct ps_sym *s = ps_symbols_frame(&syms, id, &n);

					for (uint32_t k = 0; k < n; k++)
						printf("frame %u: %s\n", id, ps_sym_name(&syms, &s[k]));
				}
			}
			(void)ps_module_elfinfo(&mods.mods[mod]);
		}
		ps_symbols_release(&syms);
		ps_stacks_release(&stacks);
	}
	ps_modules_release(&mods);
	unlink(path);
	return 0;
}
