/*
 * Folded stacks of a CPU profile:
 *   comm;outermost;...;leaf COUNT
 * Stacks that differ only in what we do not print (thread, trimmed
 * frames) are merged by ps_folded.
 */
#include "model/ps_folded.h"
#include "report/ps_report.h"
#include "base/ps_error.h"

static int add_stack(struct ps_folded *f, const struct ps_cpu_run *p, const struct ps_rstack *rs,
		     bool per_thread)
{
	const struct ps_thread_instance *t = &p->procs->threads[rs->thread];
	const struct ps_cpureport *r = p->report;
	char name[1024];

	ps_folded_begin(f);
	if (ps_folded_frame(f, t->proc_comm[0] ? t->proc_comm : "[unknown]") < 0)
		return PS_E_NOMEM;
	if (per_thread && ps_folded_frame(f, t->comm) < 0)
		return PS_E_NOMEM;
	for (uint32_t i = 0; i < rs->nsyms; i++) {
		const struct ps_sym *s = &p->symbols->syms[r->syms[rs->first + i]];

		if (ps_folded_frame(f, ps_report_frame_name(p->symbols, s, name, sizeof(name))) < 0)
			return PS_E_NOMEM;
	}
	return ps_folded_end(f, rs->count);
}

static int write_folded(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = p->report;
	struct ps_folded f;
	int rc = PS_E_NOMEM;

	if (ps_folded_init(&f) < 0)
		return PS_E_NOMEM;
	for (size_t i = 0; i < r->nstacks; i++)
		if (add_stack(&f, p, &r->stacks[i], o->per_thread) < 0)
			goto out;
	rc = ps_folded_write(&f, fp);
out:
	ps_folded_release(&f);
	return rc;
}

const struct ps_report_writer ps_report_folded = {
	.name = "folded",
	.extension = ".folded",
	.write = write_folded,
};
