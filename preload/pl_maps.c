/*
 * Telling perfscope where code is loaded, so it can name the addresses of
 * a stack even when the process is gone by the time it reads them (a
 * short-lived or crashing program).  Every executable segment of every
 * loaded object is sent once, as a MAP record, before the first stack
 * that needs it; a stack with an address outside every segment sent so
 * far makes the tracker look again (a library was dlopen'ed).
 */
#include <limits.h>
#include <link.h>
#include <string.h>
#include <unistd.h>

#include "pl.h"

#define MAX_SEGMENTS 512

struct segment {
	uintptr_t lo, hi;
};

static struct segment sent[MAX_SEGMENTS];
static unsigned nsent;          /* published with release: readers need no lock */
static int sending;             /* a spin lock around pl_maps_send */

void pl_maps_reset(void)
{
	nsent = 0;
	sending = 0;
}

bool pl_maps_known(uintptr_t pc)
{
	unsigned n = __atomic_load_n(&nsent, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (pc >= sent[i].lo && pc < sent[i].hi)
			return true;
	return false;
}

static bool already_sent(uintptr_t lo)
{
	for (unsigned i = 0; i < nsent; i++)
		if (sent[i].lo == lo)
			return true;
	return false;
}

static void send_segment(struct ps_mem_slot *s, uintptr_t lo, uintptr_t hi, uint64_t pgoff,
			 const char *path)
{
	size_t plen = strlen(path) + 1;
	uint32_t size = (uint32_t)((sizeof(struct ps_mem_rec_map) + plen + 7) & ~(size_t)7);
	struct ps_mem_rec_map *r;

	if (plen > PATH_MAX)
		return;
	r = pl_ring_reserve(s, size);
	if (!r)
		return;
	memset(r, 0, size);
	r->h = (struct ps_mem_rec){ .type = PS_MEM_REC_MAP, .size = size, .tid = s->owner,
				    .time = pl_now() };
	r->start = lo;
	r->len = hi - lo;
	r->pgoff = pgoff;
	memcpy(r->path, path, plen);
	pl_ring_publish(s, size);
}

static int each_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct ps_mem_slot *s = arg;
	const char *path = info->dlpi_name;

	(void)size;
	if (!path || !path[0])
		path = pl_file->exe;	/* the main program */
	if (path[0] != '/')
		return 0;		/* the vDSO: no file to read */
	for (int i = 0; i < info->dlpi_phnum && nsent < MAX_SEGMENTS; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || already_sent(lo))
			continue;
		send_segment(s, lo, lo + ph->p_memsz, ph->p_offset, path);
		sent[nsent] = (struct segment){ lo, lo + ph->p_memsz };
		__atomic_store_n(&nsent, nsent + 1, __ATOMIC_RELEASE);
	}
	return 0;
}

void pl_maps_send(struct ps_mem_slot *s)
{
	while (__atomic_exchange_n(&sending, 1, __ATOMIC_ACQUIRE))
		;
	dl_iterate_phdr(each_object, s);
	__atomic_store_n(&sending, 0, __ATOMIC_RELEASE);
}
