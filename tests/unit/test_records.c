/* ps_records: decoding what we asked for, and refusing what lies about its size. */
#include <linux/perf_event.h>
#include <string.h>

#include "sample/ps_records.h"
#include "unit.h"

static unsigned char buf[4096];
static const struct ps_rec_format fp_format = { .sample_type = PS_SAMPLE_TYPE };

static struct perf_event_header *make_sample(uint64_t nr, uint16_t claimed_size)
{
	struct perf_event_header *h = (void *)buf;
	uint64_t *p = (uint64_t *)(h + 1);
	uint32_t *p32;

	memset(buf, 0, sizeof(buf));
	h->type = PERF_RECORD_SAMPLE;
	*p++ = 0x401000;                 /* ip */
	p32 = (uint32_t *)p;
	p32[0] = 100;                    /* pid */
	p32[1] = 101;                    /* tid */
	p++;
	*p++ = 123456789;                /* time */
	p32 = (uint32_t *)p;
	p32[0] = 1;                      /* cpu */
	p++;
	*p++ = 1000;                     /* period */
	*p++ = nr;                       /* callchain nr */
	for (uint64_t i = 0; i < nr && i < 8; i++)
		*p++ = 0x401000 + i;
	h->size = claimed_size ? claimed_size : (uint16_t)((unsigned char *)p - buf);
	return h;
}

int main(void)
{
	struct ps_rec r;
	struct perf_event_header *h = make_sample(3, 0);

	ps_rec_decode(h, &fp_format, &r);
	CHECK(r.kind == PS_REC_SAMPLE, "a sample decodes as a sample");
	CHECK(r.pid == 100 && r.tid == 101 && r.time == 123456789 && r.cpu == 1, "ids and time");
	CHECK(r.u.sample.nr == 3 && r.u.sample.ips[2] == 0x401002, "call chain");
	CHECK(ps_rec_time(h) == 123456789, "time without decoding");

	h = make_sample(1000000, 0);
	ps_rec_decode(h, &fp_format, &r);
	CHECK(r.kind == PS_REC_BAD, "a call chain longer than the record is rejected");
	h = make_sample(3, 20);
	ps_rec_decode(h, &fp_format, &r);
	CHECK(r.kind == PS_REC_BAD, "a truncated sample is rejected");

	/* COMM with the sample_id_all trailer */
	memset(buf, 0, sizeof(buf));
	h = (void *)buf;
	h->type = PERF_RECORD_COMM;
	h->misc = PERF_RECORD_MISC_COMM_EXEC;
	{
		unsigned char *p = (unsigned char *)(h + 1);
		uint32_t ids[2] = { 5, 6 };
		uint64_t t = 42;
		uint32_t cpu[2] = { 0, 0 };

		memcpy(p, ids, 8);
		memcpy(p + 8, "myname\0\0", 8);
		memcpy(p + 16, ids, 8);
		memcpy(p + 24, &t, 8);
		memcpy(p + 32, cpu, 8);
		h->size = sizeof(*h) + 40;
	}
	ps_rec_decode(h, &fp_format, &r);
	CHECK(r.kind == PS_REC_COMM && r.u.comm.exec && strcmp(r.u.comm.name, "myname") == 0,
	      "comm with exec flag");
	CHECK(r.time == 42 && r.tid == 6, "trailer time and tid");
	h->size = sizeof(*h) + 8;
	ps_rec_decode(h, &fp_format, &r);
	CHECK(r.kind == PS_REC_BAD, "a side-band record too short for its trailer is rejected");
	return unit_done();
}
