/*
 * The program's own anonymous memory mappings: mmap(MAP_ANONYMOUS |
 * MAP_PRIVATE) is recorded as an allocation of its length, munmap as the
 * release of a range (perfscope trims or splits what it overlaps), mremap
 * as both.  Mappings made inside glibc (malloc's own arenas, thread
 * stacks, dlopen) use internal entry points and are not seen, so heap
 * memory is not counted twice.
 */
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pl.h"

#define EXPORT __attribute__((visibility("default")))

static void *real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (pl_real.mmap)
		return pl_real.mmap(addr, len, prot, flags, fd, off);
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int real_munmap(void *addr, size_t len)
{
	if (pl_real.munmap)
		return pl_real.munmap(addr, len);
	return (int)syscall(SYS_munmap, addr, len);
}

static void record_unmap(struct ps_mem_slot *s, void *addr, size_t len, enum ps_mem_api api,
			 uint64_t time)
{
	struct ps_mem_rec_unmap *r = pl_ring_reserve(s, sizeof(*r));

	if (!r)
		return;
	*r = (struct ps_mem_rec_unmap){
		.h = { .type = PS_MEM_REC_UNMAP, .api = (uint16_t)api, .size = sizeof(*r),
		       .tid = s->owner, .time = time },
		.addr = (uint64_t)(uintptr_t)addr, .len = len,
	};
	pl_ring_publish(s, sizeof(*r));
}

static bool tracked_kind(int flags, int fd)
{
	return (flags & MAP_ANONYMOUS) && (flags & MAP_PRIVATE) && !(flags & MAP_SHARED) && fd == -1;
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct pl_context ctx;
	struct ps_mem_slot *s;
	uint64_t t0 = 0;
	void *p;

	if (!tracked_kind(flags, fd) || pl_sampling || !(s = pl_enter(&t0)))
		return real_mmap(addr, len, prot, flags, fd, off);
	PL_CALLER(ctx);
	p = real_mmap(addr, len, prot, flags, fd, off);
	if (p != MAP_FAILED)
		pl_record_alloc(s, PS_MEM_API_MMAP, p, len, &ctx);
	pl_leave(s);
	return p;
}

EXPORT int munmap(void *addr, size_t len)
{
	struct ps_mem_slot *s;
	uint64_t t0 = 0;
	int rc;

	if (pl_sampling || !(s = pl_enter(&t0)))
		return real_munmap(addr, len);
	rc = real_munmap(addr, len);
	if (rc == 0)
		record_unmap(s, addr, len, PS_MEM_API_MUNMAP, t0);
	pl_leave(s);
	return rc;
}

EXPORT void *mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	struct pl_context ctx;
	struct ps_mem_slot *s;
	void *new_addr = NULL, *p;
	uint64_t t0 = 0;
	va_list ap;

	if (flags & MREMAP_FIXED) {
		va_start(ap, flags);
		new_addr = va_arg(ap, void *);
		va_end(ap);
	}
	if (pl_sampling || !(s = pl_enter(&t0)))
		return pl_real.mremap ? pl_real.mremap(old, old_len, new_len, flags, new_addr)
				      : (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
	PL_CALLER(ctx);
	p = pl_real.mremap ? pl_real.mremap(old, old_len, new_len, flags, new_addr)
			   : (void *)syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
	if (p != MAP_FAILED) {
		record_unmap(s, old, old_len, PS_MEM_API_MREMAP, t0);
		pl_record_alloc(s, PS_MEM_API_MREMAP, p, new_len, &ctx);
	}
	pl_leave(s);
	return p;
}
