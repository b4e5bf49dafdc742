/*
 * Frame-pointer unwinding: the kernel already walked the frame-pointer
 * chain for us (PERF_SAMPLE_CALLCHAIN); we only split it into its kernel
 * and user parts.  Costs nothing beyond the kernel's ~1 us per sample.
 */
#include <linux/perf_event.h>
#include <stdlib.h>

#include "sample/ps_perf.h"
#include "unwind/ps_unwind.h"

unsigned ps_unwind_callchain(const struct ps_rec *sample, struct ps_unwind_frame *out,
			     unsigned max, unsigned *user_first)
{
	bool kernel = (sample->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
	bool first_in_context = true;
	unsigned n = 0;

	*user_first = 0;
	for (uint64_t i = 0; i < sample->u.sample.nr && n < max; i++) {
		uint64_t ip = sample->u.sample.ips[i];

		if (ip >= PERF_CONTEXT_MAX) {
			if (ip == PERF_CONTEXT_KERNEL) {
				kernel = true;
			} else if (ip == PERF_CONTEXT_USER) {
				kernel = false;
				*user_first = n;
			}
			first_in_context = true;
			continue;
		}
		if (kernel)
			*user_first = n + 1;
		out[n++] = (struct ps_unwind_frame){
			.ip = ip, .kernel = kernel, .return_address = !first_in_context,
		};
		first_in_context = false;
	}
	/* No chain at all (e.g. callchains refused): the sampled pc alone. */
	if (n == 0 && max > 0) {
		out[n++] = (struct ps_unwind_frame){ .ip = sample->u.sample.ip, .kernel = kernel };
		*user_first = kernel ? 1 : 0;
	}
	return n;
}

static void fp_unwind(struct ps_unwinder *uw, const struct ps_rec *sample,
		      struct ps_unwind_frame *out, unsigned max,
		      struct ps_unwind_result *res)
{
	unsigned user_first;

	(void)uw;
	res->nframes = ps_unwind_callchain(sample, out, max, &user_first);
	res->truncated = sample->u.sample.nr >= PS_PERF_MAX_STACK;
}

static void fp_forget(struct ps_unwinder *uw, uint32_t pid)
{
	(void)uw;
	(void)pid;
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
	uw->forget = fp_forget;
	uw->release = fp_release;
	return uw;
}
