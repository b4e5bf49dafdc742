/*
 * The perf events' side of ps_cpu_source (ps_cpu_source.h).
 */
#include <stdio.h>
#include <string.h>

#include "collect/ps_cpu_source.h"

static void perf_round(struct ps_cpu_source *src, struct ps_sampler *sampler,
		       const int *wake, int nwake, int timeout_ms)
{
	ps_perf_wait(src->perf, wake, nwake, timeout_ms);
	ps_sampler_round(sampler, src->perf);
}

/* A process sampled by perf events ends without telling them. */
static int perf_target_ended(const struct ps_cpu_source *src)
{
	(void)src;
	return -1;
}

static void perf_stop(struct ps_cpu_source *src, struct ps_sampler *sampler)
{
	ps_perf_disable(src->perf);
	ps_sampler_round(sampler, src->perf);
}

static const struct ps_cpu_source_ops perf_ops = {
	.round = perf_round,
	.target_ended = perf_target_ended,
	.stop = perf_stop,
};

void ps_cpu_source_perf(struct ps_cpu_source *src, struct ps_perf *perf)
{
	memset(src, 0, sizeof(*src));
	src->ops = &perf_ops;
	src->sampler_name = "perf_event";
	snprintf(src->event, sizeof(src->event), "%s", perf->event_name);
	src->user_stacks = perf->dwarf;
	src->stack_size = perf->dwarf ? perf->cfg.stack_size : 0;
	src->kernel_frames = !perf->exclude_kernel && perf->cfg.kernel_frames;
	src->perf = perf;
}
