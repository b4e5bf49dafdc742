/*
 * /proc/kallsyms as the kernel (or a file planted in its place in a
 * container) could show it: the input is the file, loaded and sorted
 * (ps_kallsyms_load), then looked up at addresses taken from it.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../lib/symbols/ps_kallsyms.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ps_kallsyms ks;
	char path[64];
	int fd = memfd_create("kallsyms", MFD_CLOEXEC);
	volatile size_t sink = 0;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ps_kallsyms_init(&ks);
	if (ps_kallsyms_load(&ks, path) == 0) {
		for (size_t i = 0; i + 8 <= size; i += 8) {
			uint64_t addr;
			const struct ps_ksym *s;

			memcpy(&addr, data + i, 8);
			s = ps_kallsyms_find(&ks, addr);
			if (s)
				sink += strlen(s->name);
		}
		(void)ps_kallsyms_find(&ks, 0);
		(void)ps_kallsyms_find(&ks, UINT64_MAX);
	}
	ps_kallsyms_release(&ks);
	close(fd);
	return 0;
}
