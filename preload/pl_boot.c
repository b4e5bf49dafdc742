/*
 * Finding the real allocator with dlsym(RTLD_NEXT), which itself may
 * allocate (dlerror's buffer): those allocations come from a static arena
 * that is never freed, and free() ignores pointers into it.
 */
#include <dlfcn.h>
#include <string.h>

#include "pl.h"

PL_HIDDEN struct pl_real pl_real;

PL_HIDDEN _Alignas(64) unsigned char pl_boot_arena[PL_BOOT_BYTES];
static size_t boot_used;

/* Each block is preceded by its size, so realloc can copy it. */
void *pl_boot_alloc(size_t size, size_t align)
{
	size_t start;

	if (align < 16)
		align = 16;
	start = (boot_used + sizeof(size_t) + align - 1) & ~(align - 1);
	if (start + size > PL_BOOT_BYTES || start + size < start)
		return NULL;
	boot_used = start + size;
	memcpy(pl_boot_arena + start - sizeof(size_t), &size, sizeof(size));
	return pl_boot_arena + start;
}

size_t pl_boot_size(const void *p)
{
	size_t size;

	memcpy(&size, (const unsigned char *)p - sizeof(size_t), sizeof(size));
	return size;
}

#define RESOLVE(name) (pl_real.name = (__typeof__(pl_real.name))dlsym(RTLD_NEXT, #name))

void pl_boot_resolve(void)
{
	static int resolving;

	if (pl_real.free || resolving)
		return;
	resolving = 1;
	RESOLVE(calloc);
	RESOLVE(realloc);
	RESOLVE(reallocarray);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(memalign);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(malloc_usable_size);
	RESOLVE(mmap);
	RESOLVE(munmap);
	RESOLVE(mremap);
	RESOLVE(malloc);
	RESOLVE(free);	/* last: its presence says the others are resolved */
	resolving = 0;
}
