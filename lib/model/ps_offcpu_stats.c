/*
 * Where threads waited (ps_offcpu_stats.h).
 */
#include <string.h>

#include "model/ps_offcpu_stats.h"

void ps_offcpu_totals(const struct ps_offcpu_thread *threads, size_t n, struct ps_offcpu_totals *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct ps_offcpu_thread *t = &threads[i];

		for (int r = 0; r < PS_OFF_REASONS; r++) {
			out->reason_ns[r] += t->blocked_ns[r];
			out->blocked_ns += t->blocked_ns[r];
		}
		out->runnable_ns += t->runnable_ns;
		out->voluntary += t->voluntary;
		out->involuntary += t->involuntary;
	}
}
