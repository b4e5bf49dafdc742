/*
 * A perf sampler's records turned into aggregated stacks (ps_sampler.h).
 */
#include <stdlib.h>
#include <string.h>

#include "collect/ps_sampler.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

void ps_sampler_init(struct ps_sampler *s, struct ps_procs *procs, struct ps_stacks *stacks,
		     struct ps_unwinder *unwinder)
{
	memset(s, 0, sizeof(*s));
	s->procs = procs;
	s->stacks = stacks;
	s->unwinder = unwinder;
}

void ps_sampler_release(struct ps_sampler *s)
{
	free(s->qbuf);
	free(s->queue);
	memset(s, 0, sizeof(*s));
}

static void collect_sideband(const struct perf_event_header *rec, void *ctx)
{
	struct ps_sampler *s = ctx;

	if (rec->type == PERF_RECORD_SAMPLE)
		return;
	if (ps_grow(&s->qbuf, &s->qcap, s->qlen + rec->size, 1) < 0 ||
	    ps_grow(&s->queue, &s->queue_cap, s->nqueue + 1, sizeof(*s->queue)) < 0) {
		s->stats.bad_records++;
		return;
	}
	memcpy(s->qbuf + s->qlen, rec, rec->size);
	s->queue[s->nqueue++] = (struct ps_sampler_queued){
		.time = ps_rec_time(rec), .off = s->qlen, .seq = s->seq++,
	};
	s->qlen += rec->size;
}

static int cmp_queued(const void *a, const void *b)
{
	const struct ps_sampler_queued *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void apply_sample(struct ps_sampler *s, const struct ps_rec *r)
{
	uint64_t weight = s->weight_from_period ? r->u.sample.period : 1;

	s->stats.samples += weight;
	ps_sampler_stack(s, r, weight);
}

int64_t ps_sampler_stack(struct ps_sampler *s, const struct ps_rec *r, uint64_t weight)
{
	struct ps_unwind_frame frames[PS_UNWIND_MAX_FRAMES];
	uint32_t ids[PS_UNWIND_MAX_FRAMES];
	struct ps_unwind_result res = { 0 };
	int64_t thread = ps_procs_thread(s->procs, r->pid, r->tid);

	if (thread < 0)
		return PS_E_NOMEM;
	s->unwinder->unwind(s->unwinder, r, frames, PS_UNWIND_MAX_FRAMES, &res);
	for (unsigned i = 0; i < res.nframes; i++) {
		uint32_t module = PS_MODULE_KERNEL;
		uint64_t offset = frames[i].ip;
		int64_t id;

		if (!frames[i].kernel) {
			ps_procs_resolve(s->procs, r->pid, r->time, frames[i].ip, &module, &offset);
			/*
			 * A return address outside every mapping is not one: a frame
			 * pointer led into data (code built without frame pointers
			 * reuses the register).  The chain ends there.
			 */
			if (module == PS_MODULE_UNKNOWN && frames[i].return_address) {
				res.nframes = i;
				s->stats.broken_chains++;
				break;
			}
		}
		/* A return address points after the call: look up the call itself. */
		if (frames[i].return_address && offset > 0)
			offset--;
		id = ps_stacks_frame(s->stacks, module, offset);
		if (id < 0)
			return PS_E_NOMEM;
		ids[i] = (uint32_t)id;
	}
	if (res.truncated) {
		s->stats.truncated += weight;
		s->stats.truncated_samples++;
	}
	return ps_stacks_add(s->stacks, (uint32_t)thread, ids, res.nframes, weight,
			     res.truncated ? PS_STACK_TRUNCATED : 0);
}

void ps_sampler_apply(struct ps_sampler *s, const struct perf_event_header *hdr,
		      const struct ps_rec_format *fmt)
{
	struct ps_rec r;

	ps_rec_decode(hdr, fmt, &r);
	switch (r.kind) {
	case PS_REC_SAMPLE:
		apply_sample(s, &r);
		break;
	case PS_REC_MMAP:
		if (r.u.mmap.filename)
			ps_procs_add_map(s->procs, r.pid, r.time, r.u.mmap.start, r.u.mmap.len,
					 r.u.mmap.pgoff, r.u.mmap.filename);
		break;
	case PS_REC_COMM:
		if (r.u.comm.exec)
			s->unwinder->forget(s->unwinder, r.pid);
		if (r.u.comm.name)
			ps_procs_comm(s->procs, r.pid, r.tid, r.time, r.u.comm.name, r.u.comm.exec);
		break;
	case PS_REC_EXIT:
		if (r.u.task.pid == r.u.task.tid)
			s->unwinder->forget(s->unwinder, r.u.task.pid);
		break;
	case PS_REC_FORK:
		ps_procs_fork(s->procs, r.u.task.pid, r.u.task.ppid, r.u.task.tid, r.u.task.ptid);
		break;
	case PS_REC_LOST:
		s->stats.lost += r.u.lost.lost;
		break;
	case PS_REC_THROTTLE:
		s->stats.throttles++;
		break;
	case PS_REC_BAD:
		s->stats.bad_records++;
		break;
	default:
		break;
	}
}

static void apply_sideband(struct ps_sampler *s)
{
	if (s->nqueue)
		qsort(s->queue, s->nqueue, sizeof(*s->queue), cmp_queued);
	for (size_t i = 0; i < s->nqueue; i++)
		ps_sampler_apply(s, (const void *)(s->qbuf + s->queue[i].off), s->format);
	s->nqueue = 0;
	s->qlen = 0;
}

/* Pass 2: samples are unwound where they lie in the ring, never copied. */
static void apply_in_place(const struct perf_event_header *rec, void *ctx)
{
	struct ps_sampler *s = ctx;

	if (rec->type == PERF_RECORD_SAMPLE)
		ps_sampler_apply(s, rec, s->format);
}

void ps_sampler_round(struct ps_sampler *s, struct ps_perf *perf)
{
	s->format = &perf->format;
	ps_perf_snapshot(perf);
	ps_perf_scan(perf, collect_sideband, s);
	apply_sideband(s);
	ps_perf_scan(perf, apply_in_place, s);
	ps_perf_consume(perf);
}
