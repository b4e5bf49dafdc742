/*
 * The ptrace sampler's side of ps_cpu_source (ps_cpu_source.h): a clock
 * of its own, and samples made by hand in a DWARF sample's layout, so the
 * sampler, unwinder and writers are those of perf samples.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collect/ps_cpu_source.h"
#include "base/ps_util.h"

static void apply_record(const struct perf_event_header *rec, void *ctx)
{
	struct ps_cpu_source_ptrace_state *st = ctx;

	ps_sampler_apply(st->sampler, rec, &st->format);
}

static void sleep_until(uint64_t when_ns)
{
	uint64_t now = ps_now_ns();

	if (when_ns > now) {
		struct timespec ts = { .tv_sec = (time_t)((when_ns - now) / 1000000000ULL),
				       .tv_nsec = (long)((when_ns - now) % 1000000000ULL) };

		nanosleep(&ts, NULL);	/* a signal ends it early: fine */
	}
}

/*
 * Sleeps to the next tick, then samples.  The interval is drawn uniformly
 * from 0.5 to 1.5 periods (same mean): a fixed tick phase-locks with
 * programs that work and sleep in fixed cycles and then sees always the
 * same phase.  The wake fds are not needed: a tick is short.
 */
static void ptrace_round(struct ps_cpu_source *src, struct ps_sampler *sampler,
			 const int *wake, int nwake, int timeout_ms)
{
	struct ps_cpu_source_ptrace_state *st = &src->ptrace;
	uint64_t base = st->tick_ns, period;

	(void)wake, (void)nwake, (void)timeout_ms;
	st->rng ^= st->rng << 13;
	st->rng ^= st->rng >> 7;
	st->rng ^= st->rng << 17;
	period = base / 2 + st->rng % (base + 1);

	sleep_until(st->next_tick);
	st->next_tick += period;
	if (st->next_tick < ps_now_ns())
		st->next_tick = ps_now_ns() + period;	/* fell behind: skip, don't burst */
	ps_procs_refresh_maps(st->procs, (uint32_t)st->pid, ps_now_ns());
	st->sampler = sampler;
	ps_ptrace_tick(st->pt, apply_record, st);
	st->sampler = NULL;
}

static int ptrace_target_ended(const struct ps_cpu_source *src)
{
	return src->ptrace.pt->child->exited;
}

static void ptrace_stop(struct ps_cpu_source *src, struct ps_sampler *sampler)
{
	(void)sampler;	/* each tick's samples were applied as they were taken */
	if (!src->ptrace.pt->child->exited)
		ps_ptrace_detach(src->ptrace.pt);
}

static const struct ps_cpu_source_ops ptrace_ops = {
	.round = ptrace_round,
	.target_ended = ptrace_target_ended,
	.stop = ptrace_stop,
};

void ps_cpu_source_ptrace(struct ps_cpu_source *src, struct ps_ptrace *pt, struct ps_procs *procs,
			  pid_t pid, unsigned frequency, unsigned stack_size)
{
	memset(src, 0, sizeof(*src));
	src->ops = &ptrace_ops;
	src->sampler_name = "ptrace";
	snprintf(src->event, sizeof(src->event), "ptrace-timer");
	src->user_stacks = true;
	src->stack_size = stack_size;
	src->kernel_frames = false;	/* ptrace sees user registers and stacks only */
	src->weighted = true;
	src->owns_target = true;
	src->ptrace = (struct ps_cpu_source_ptrace_state){
		.pt = pt, .procs = procs, .pid = pid,
		.tick_ns = 1000000000ULL / (frequency ? frequency : 1),
		.rng = ps_now_ns() | 1,
		.format = { .sample_type = PS_SAMPLE_TYPE_DWARF, .regs_mask = PS_REGS_MASK },
	};
}
