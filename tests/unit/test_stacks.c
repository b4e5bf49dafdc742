/* ps_stacks: interning frames and stacks; counts add up, ids are stable. */
#include <stdlib.h>

#include "model/ps_stacks.h"
#include "unit.h"

int main(void)
{
	struct ps_stacks ss;
	uint32_t a[3], b[3];
	int64_t s1, s2, s3;
	uint64_t sum = 0;

	ps_stacks_init(&ss);
	a[0] = (uint32_t)ps_stacks_frame(&ss, 2, 0x100);
	a[1] = (uint32_t)ps_stacks_frame(&ss, 2, 0x200);
	a[2] = (uint32_t)ps_stacks_frame(&ss, 3, 0x100);
	CHECK(ss.nframes == 3, "three distinct frames interned");
	CHECK(ps_stacks_frame(&ss, 2, 0x100) == a[0], "same (module, offset) gives the same id");

	s1 = ps_stacks_add(&ss, 7, a, 3, 1, 0);
	s2 = ps_stacks_add(&ss, 7, a, 3, 4, 0);
	CHECK(s1 == s2 && ss.stacks[s1].count == 5, "a repeated stack accumulates its count");
	s3 = ps_stacks_add(&ss, 8, a, 3, 1, 0);
	CHECK(s3 != s1, "the same frames on another thread are another stack");
	b[0] = a[0];
	b[1] = a[1];
	CHECK(ps_stacks_add(&ss, 7, b, 2, 1, 0) != s1, "a prefix is another stack");

	/* Many unique stacks: memory grows with uniques, counts stay exact. */
	for (uint32_t i = 0; i < 50000; i++) {
		uint32_t f[2] = { (uint32_t)ps_stacks_frame(&ss, 4, i % 5000), a[0] };
		ps_stacks_add(&ss, 1, f, 2, 1, 0);
	}
	for (size_t i = 0; i < ss.nstacks; i++)
		if (ss.stacks[i].thread == 1)
			sum += ss.stacks[i].count;
	CHECK(sum == 50000, "all 50000 samples counted (got %llu)", (unsigned long long)sum);
	CHECK(ss.nstacks == 3 + 5000, "5000 unique stacks kept, not 50000 (got %zu)", ss.nstacks);
	ps_stacks_release(&ss);
	return unit_done();
}
