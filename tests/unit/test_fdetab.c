/*
 * ps_fdetab: function starts read from .eh_frame_hdr search tables built
 * by hand, well-formed and hostile (a count past the section, another
 * encoding, entries out of order, repeated and negative offsets).
 */
#include <stdint.h>
#include <string.h>

#include "base/ps_error.h"
#include "symbols/ps_fdetab.h"
#include "unit.h"

#define HDR_VADDR 0x10000u

/* A header (pcrel sdata4 eh_frame_ptr, udata4 count, datarel sdata4 table) with n entries. */
static size_t make_hdr(unsigned char *buf, uint32_t count, const int32_t *starts, size_t n)
{
	size_t at = 0;

	buf[at++] = 1;
	buf[at++] = 0x1b;
	buf[at++] = 0x03;
	buf[at++] = 0x3b;
	memset(buf + at, 0, 4);          /* eh_frame_ptr: not read */
	at += 4;
	memcpy(buf + at, &count, 4);
	at += 4;
	for (size_t i = 0; i < n; i++) {
		int32_t fde = 0x100 + (int32_t)i * 0x20;

		memcpy(buf + at, &starts[i], 4);
		memcpy(buf + at + 4, &fde, 4);
		at += 8;
	}
	return at;
}

static uint64_t start_of(const struct ps_fdetab *t, uint64_t vaddr)
{
	uint64_t s = 0;

	return ps_fdetab_find(t, vaddr, &s) ? s : UINT64_MAX;
}

int main(void)
{
	unsigned char buf[256];
	struct ps_fdetab t;
	size_t len;

	/* functions at 0x10100, 0x10180 and 0x10400 (offsets from the header) */
	len = make_hdr(buf, 3, (const int32_t[]){ 0x100, 0x180, 0x400 }, 3);
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == 0 && t.n == 3, "three function starts read");
	CHECK(start_of(&t, 0x10100) == 0x10100 && start_of(&t, 0x1017f) == 0x10100 &&
	      start_of(&t, 0x10180) == 0x10180 && start_of(&t, 0x20000) == 0x10400,
	      "a pc belongs to the last function that starts at or below it");
	CHECK(start_of(&t, 0x100ff) == UINT64_MAX, "a pc before the first function has none");
	ps_fdetab_release(&t);

	/* out of order, repeated and before the header (a negative offset) */
	len = make_hdr(buf, 4, (const int32_t[]){ 0x400, -0x800, 0x180, 0x400 }, 4);
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == 0 && t.n == 3 && t.starts[0] == 0xf800 &&
	      t.starts[1] == 0x10180 && t.starts[2] == 0x10400,
	      "entries sorted, repeats dropped, negative offsets kept");
	ps_fdetab_release(&t);

	/* a count that claims more entries than the section holds */
	len = make_hdr(buf, 1000000, (const int32_t[]){ 0x100 }, 1);
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == -1 && t.n == 0 && !t.starts,
	      "a count past the section's end is refused");
	len = make_hdr(buf, 0xffffffffu, NULL, 0);
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == -1, "a count of 2^32-1 is refused");

	/* another version, another table encoding, an omitted count, a cut header */
	len = make_hdr(buf, 1, (const int32_t[]){ 0x100 }, 1);
	buf[0] = 2;
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == -1, "version 2 is not read");
	buf[0] = 1;
	buf[3] = 0x03;
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == -1, "an absolute table is not read");
	buf[3] = 0x3b;
	buf[2] = 0xff;
	CHECK(ps_fdetab_parse(&t, buf, len, HDR_VADDR) == -1, "an omitted count is refused");
	buf[2] = 0x03;
	for (size_t cut = 0; cut < 12; cut++)
		CHECK(ps_fdetab_parse(&t, buf, cut, HDR_VADDR) == -1, "a header cut at %zu bytes is refused", cut);
	CHECK(ps_fdetab_parse(&t, buf, 19, HDR_VADDR) == -1, "a header whose one entry is cut short is refused");
	CHECK(ps_fdetab_parse(&t, buf, 20, HDR_VADDR) == 0 && t.n == 1, "...and read whole at 20 bytes");
	ps_fdetab_release(&t);
	return unit_done();
}
