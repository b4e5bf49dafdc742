#include <string.h>

#include "sample/ps_records.h"

/* sample_id_all trailer for PS_SAMPLE_TYPE: {pid, tid}, time, {cpu, res}. */
struct id_trailer {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu, res;
};

struct cursor {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t take_u64(struct cursor *c)
{
	uint64_t v = 0;

	if (c->end - c->p < 8) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 8);
	c->p += 8;
	return v;
}

static uint32_t take_u32(struct cursor *c)
{
	uint32_t v = 0;

	if (c->end - c->p < 4) {
		c->bad = true;
		return 0;
	}
	memcpy(&v, c->p, 4);
	c->p += 4;
	return v;
}

static bool read_trailer(const struct perf_event_header *hdr, struct ps_rec *out)
{
	struct id_trailer t;

	if (hdr->size < sizeof(*hdr) + sizeof(t))
		return false;
	memcpy(&t, (const unsigned char *)hdr + hdr->size - sizeof(t), sizeof(t));
	out->pid = t.pid;
	out->tid = t.tid;
	out->time = t.time;
	out->cpu = t.cpu;
	return true;
}

/* A NUL-terminated string inside [p, end), or NULL. */
static const char *take_string(struct cursor *c)
{
	const char *s = (const char *)c->p;
	const void *nul = memchr(c->p, '\0', (size_t)(c->end - c->p));

	if (!nul) {
		c->bad = true;
		return NULL;
	}
	return s;
}

/* The optional tail of a sample: user registers, then the user stack copy. */
static void decode_user_state(struct cursor *c, const struct ps_rec_format *fmt,
			      struct ps_rec *out)
{
	if (fmt->sample_type & PERF_SAMPLE_REGS_USER) {
		size_t nregs = (size_t)__builtin_popcountll(fmt->regs_mask);

		out->u.sample.regs_abi = take_u64(c);
		if (out->u.sample.regs_abi) {
			if ((size_t)(c->end - c->p) < nregs * 8u) {
				c->bad = true;
				return;
			}
			out->u.sample.regs = (const uint64_t *)c->p;
			out->u.sample.regs_mask = fmt->regs_mask;
			c->p += nregs * 8u;
		}
	}
	if (fmt->sample_type & PERF_SAMPLE_STACK_USER) {
		uint64_t size = take_u64(c), dyn_size;

		if (c->bad || size == 0)
			return;
		if (size > (uint64_t)(c->end - c->p)) {
			c->bad = true;
			return;
		}
		out->u.sample.stack = c->p;
		c->p += size;
		dyn_size = take_u64(c);
		/* dyn_size: how much of the copy is real stack */
		out->u.sample.stack_size = dyn_size < size ? dyn_size : size;
	}
}

static void decode_sample(struct cursor *c, const struct ps_rec_format *fmt,
			  struct ps_rec *out)
{
	out->u.sample.ip = take_u64(c);
	out->pid = take_u32(c);
	out->tid = take_u32(c);
	out->time = take_u64(c);
	out->cpu = take_u32(c);
	(void)take_u32(c);
	/* without PERF_SAMPLE_PERIOD (page faults: see ps_faults.c) a sample is one period */
	out->u.sample.period = fmt->sample_type & PERF_SAMPLE_PERIOD ? take_u64(c) : 1;
	if (fmt->sample_type & PERF_SAMPLE_CALLCHAIN) {
		out->u.sample.nr = take_u64(c);
		if (c->bad || out->u.sample.nr > (uint64_t)(c->end - c->p) / 8) {
			c->bad = true;
			return;
		}
		out->u.sample.ips = (const uint64_t *)c->p;
		c->p += out->u.sample.nr * 8;
	}
	decode_user_state(c, fmt, out);
}

static void decode_mmap(struct cursor *c, const struct perf_event_header *hdr,
			struct ps_rec *out)
{
	(void)take_u32(c);	/* pid, tid: taken from the trailer */
	(void)take_u32(c);
	out->u.mmap.start = take_u64(c);
	out->u.mmap.len = take_u64(c);
	out->u.mmap.pgoff = take_u64(c);
	if (hdr->type == PERF_RECORD_MMAP2) {
		/* maj, min, ino, ino_generation (or a build id), then prot, flags */
		(void)take_u32(c);
		(void)take_u32(c);
		out->u.mmap.ino = take_u64(c);
		(void)take_u64(c);
		out->u.mmap.prot = take_u32(c);
		out->u.mmap.flags = take_u32(c);
		out->u.mmap.has_prot = true;
	}
	out->u.mmap.filename = take_string(c);
}

void ps_rec_decode(const struct perf_event_header *hdr, const struct ps_rec_format *fmt,
		   struct ps_rec *out)
{
	struct cursor c = {
		.p = (const unsigned char *)(hdr + 1),
		.end = (const unsigned char *)hdr + hdr->size,
	};

	memset(out, 0, sizeof(*out));
	out->misc = hdr->misc;
	if (hdr->type != PERF_RECORD_SAMPLE && !read_trailer(hdr, out)) {
		out->kind = PS_REC_BAD;
		return;
	}
	switch (hdr->type) {
	case PERF_RECORD_SAMPLE:
		out->kind = PS_REC_SAMPLE;
		decode_sample(&c, fmt, out);
		break;
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
		out->kind = PS_REC_MMAP;
		decode_mmap(&c, hdr, out);
		break;
	case PERF_RECORD_COMM:
		out->kind = PS_REC_COMM;
		(void)take_u32(&c);
		(void)take_u32(&c);
		out->u.comm.name = take_string(&c);
		out->u.comm.exec = hdr->misc & PERF_RECORD_MISC_COMM_EXEC;
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		out->kind = hdr->type == PERF_RECORD_FORK ? PS_REC_FORK : PS_REC_EXIT;
		out->u.task.pid = take_u32(&c);
		out->u.task.ppid = take_u32(&c);
		out->u.task.tid = take_u32(&c);
		out->u.task.ptid = take_u32(&c);
		break;
	case PERF_RECORD_LOST:
		out->kind = PS_REC_LOST;
		(void)take_u64(&c);	/* id */
		out->u.lost.lost = take_u64(&c);
		break;
	case PERF_RECORD_THROTTLE:
		out->kind = PS_REC_THROTTLE;
		break;
	case PERF_RECORD_UNTHROTTLE:
		out->kind = PS_REC_UNTHROTTLE;
		break;
	case PERF_RECORD_SWITCH:
		out->kind = PS_REC_SWITCH;
		break;
	default:
		out->kind = PS_REC_OTHER;
		break;
	}
	if (c.bad)
		out->kind = PS_REC_BAD;
}

uint64_t ps_rec_time(const struct perf_event_header *hdr)
{
	struct ps_rec r;

	if (hdr->type == PERF_RECORD_SAMPLE) {
		/* ip, then {pid, tid}, then time */
		uint64_t t;

		if (hdr->size < sizeof(*hdr) + 24)
			return 0;
		memcpy(&t, (const unsigned char *)(hdr + 1) + 16, 8);
		return t;
	}
	if (!read_trailer(hdr, &r))
		return 0;
	return r.time;
}
