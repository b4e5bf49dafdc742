/*
 * Frame-pointer unwinding: the kernel already walked the frame-pointer
 * chain for us (PERF_SAMPLE_CALLCHAIN); we only split it into its kernel
 * and user parts.  Costs nothing beyond the kernel's ~1 us per sample.
 */
#include <linux/perf_event.h>
#include <stdlib.h>

#include "ps_perf.h"
#include "ps_unwind.h"

static void fp_unwind(struct ps_unwinder *uw, const struct ps_rec *sample,
		      struct ps_unwind_frame *out, unsigned max,
		      struct ps_unwind_result *res)
{
	bool kernel = (sample->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
	bool first_in_context = true;
	unsigned n = 0;

	(void)uw;
	res->truncated = sample->u.sample.nr >= PS_PERF_MAX_STACK;
	for (uint64_t i = 0; i < sample->u.sample.nr && n < max; i++) {
		uint64_t ip = sample->u.sample.ips[i];

		if (ip >= PERF_CONTEXT_MAX) {
			if (ip == PERF_CONTEXT_KERNEL)
				kernel = true;
			else if (ip == PERF_CONTEXT_USER)
				kernel = false;
			first_in_context = true;
			continue;
		}
		out[n++] = (struct ps_unwind_frame){
			.ip = ip, .kernel = kernel, .return_address = !first_in_context,
		};
		first_in_context = false;
	}
	/* No chain at all (e.g. callchains refused): the sampled pc alone. */
	if (n == 0 && max > 0)
		out[n++] = (struct ps_unwind_frame){ .ip = sample->u.sample.ip, .kernel = kernel };
	res->nframes = n;
}

static void fp_release(struct ps_unwinder *uw)
{
	free(uw);
}

struct ps_unwinder *ps_unwind_fp_new(void)
{
	struct ps_unwinder *uw = calloc(1, sizeof(*uw));

	if (!uw)
		return NULL;
	uw->name = "fp";
	uw->unwind = fp_unwind;
	uw->release = fp_release;
	return uw;
}
