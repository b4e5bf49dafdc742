/*
 * Page-fault samples with their stacks (ps_faults.h).
 */
#include <linux/perf_event.h>
#include <string.h>
#include <unistd.h>

#include "collect/ps_faults.h"
#include "target/ps_preflight.h"
#include "sample/ps_records.h"

int ps_faults_start(struct ps_faults *f, pid_t pid, unsigned period, struct ps_procs *procs,
		    struct ps_stacks *frames, struct ps_error *err)
{
	/* a program touching fresh memory faults every few microseconds: room for
	 * ~1000 samples between reads (less where perf_event_mlock_kb says so);
	 * 240 lost a few when the machine was busy */
	struct ps_perf_config cfg = { .ring_pages = 1024 };
	struct perf_event_attr a;
	struct ps_preflight pf;
	int rc;

	memset(f, 0, sizeof(*f));
	ps_stacks_init_sharing(&f->stacks, frames);
	f->period = period ? period : PS_FAULTS_DEFAULT_PERIOD;
	ps_preflight_read(&pf);
	ps_perf_init(&f->perf, &cfg);
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.sample_period = f->period;
	/* with PERF_SAMPLE_PERIOD and a fixed period the kernel samples every
	 * software event whatever the period says */
	a.sample_type = PS_SAMPLE_TYPE_DWARF & ~(uint64_t)PERF_SAMPLE_PERIOD;
	a.sample_regs_user = PS_REGS_MASK;
	a.sample_stack_user = PS_FAULTS_STACK_BYTES;
	/* faults the kernel takes on the program's behalf count where allowed */
	a.exclude_kernel = !ps_preflight_privileged(&pf) && pf.paranoid >= 2;
	a.exclude_hv = 1;
	/* mappings, names and forks, so samples can be named */
	a.mmap = 1;
	a.mmap2 = 1;
	a.comm = 1;
	a.comm_exec = 1;
	a.task = 1;
	rc = ps_perf_add_event(&f->perf, &a, pid, &pf, err);
	if (rc < 0)
		return rc;
	f->unwinder = ps_unwind_dwarf_new(procs);
	if (!f->unwinder)
		return ps_error_set(err, PS_E_NOMEM, "out of memory");
	ps_procs_synthesize(procs, (uint32_t)pid);
	ps_sampler_init(&f->sampler, procs, &f->stacks, f->unwinder);
	f->on = true;
	return 0;
}

void ps_faults_poll(struct ps_faults *f)
{
	if (f->on)
		ps_sampler_round(&f->sampler, &f->perf);
}

uint64_t ps_faults_count(const struct ps_faults *f)
{
	uint64_t total = 0;

	for (size_t i = 0; i < f->perf.nfds; i++) {
		uint64_t v;

		if (read(f->perf.fds[i], &v, sizeof(v)) == (ssize_t)sizeof(v))
			total += v;
	}
	return total;
}

void ps_faults_release(struct ps_faults *f)
{
	ps_sampler_release(&f->sampler);
	if (f->unwinder)
		f->unwinder->release(f->unwinder);
	if (f->perf.rings)
		ps_perf_release(&f->perf);
	ps_stacks_release(&f->stacks);
	memset(f, 0, sizeof(*f));
}
