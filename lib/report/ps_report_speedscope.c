/*
 * A CPU profile in speedscope's file format (ps_speedscope.h): one
 * "sampled" profile per thread, each unique stack once with its sample
 * count as the weight, the frames shared between them.  A frame is a
 * function (its name and file), as in the folded output: the symbols of
 * one function's lines are one frame.
 */
#include <stdlib.h>

#include "report/ps_report.h"
#include "render/ps_speedscope.h"
#include "base/ps_error.h"

#define NO_FRAME UINT32_MAX

/* The frame of symbol `sym` (of_sym caches it); NO_FRAME when out of memory. */
static uint32_t frame_of(struct ps_speedscope *ss, uint32_t *of_sym, const struct ps_cpu_run *p, uint32_t sym)
{
	const struct ps_sym *s = &p->symbols->syms[sym];
	char name[1024];
	int64_t frame;

	if (of_sym[sym] != NO_FRAME)
		return of_sym[sym];
	frame = ps_speedscope_frame(ss, ps_report_frame_name(p->symbols, s, name, sizeof(name)),
				    s->file ? ps_strtab_get(&p->symbols->strs, s->file) : NULL);
	return frame < 0 ? NO_FRAME : (of_sym[sym] = (uint32_t)frame);
}

/* The profile of thread instance t, made the first time. */
static struct ps_speedscope_profile *profile_of(struct ps_speedscope *ss, struct ps_speedscope_profile **of_thread,
						const struct ps_cpu_run *p, uint32_t t)
{
	const struct ps_thread_instance *th = &p->procs->threads[t];
	char name[96];

	if (of_thread[t])
		return of_thread[t];
	snprintf(name, sizeof(name), "%s (pid %u, tid %u)", th->comm[0] ? th->comm : "[unknown]",
		 (unsigned)th->pid, (unsigned)th->tid);
	return of_thread[t] = ps_speedscope_profile(ss, name, "none");
}

static int fill(struct ps_speedscope *ss, const struct ps_cpu_run *p, uint32_t *of_sym,
		struct ps_speedscope_profile **of_thread, uint32_t *stack)
{
	const struct ps_cpureport *r = p->report;

	/* the threads in the report's order (most samples first) */
	for (size_t i = 0; i < r->nthreads; i++)
		if (!profile_of(ss, of_thread, p, r->threads[i].thread))
			return PS_E_NOMEM;
	for (size_t i = 0; i < r->nstacks; i++) {
		const struct ps_rstack *rs = &r->stacks[i];
		struct ps_speedscope_profile *prof = profile_of(ss, of_thread, p, rs->thread);

		for (uint32_t k = 0; k < rs->nsyms; k++)
			if ((stack[k] = frame_of(ss, of_sym, p, r->syms[rs->first + k])) == NO_FRAME)
				return PS_E_NOMEM;
		if (!prof || ps_speedscope_sample(prof, stack, rs->nsyms, (double)rs->count) < 0)
			return PS_E_NOMEM;
	}
	return 0;
}

static int write_speedscope(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = p->report;
	uint32_t *of_sym = malloc((p->symbols->nsyms + 1) * sizeof(*of_sym)), *stack;
	struct ps_speedscope_profile **of_thread = calloc(p->procs->nthreads + 1, sizeof(*of_thread));
	size_t deepest = 1;
	struct ps_speedscope ss;
	char name[160], exporter[64];
	int rc = PS_E_NOMEM;

	for (size_t i = 0; i < r->nstacks; i++)
		if (r->stacks[i].nsyms > deepest)
			deepest = r->stacks[i].nsyms;
	stack = malloc(deepest * sizeof(*stack));
	if (ps_speedscope_init(&ss) < 0 || !of_sym || !of_thread || !stack)
		goto out;
	for (size_t i = 0; i < p->symbols->nsyms; i++)
		of_sym[i] = NO_FRAME;
	snprintf(name, sizeof(name), "perfscope cpu-profile of %s", p->run.argv ? p->run.argv[0] : "a running process");
	snprintf(exporter, sizeof(exporter), "perfscope %s", o->version ? o->version : "");
	if (fill(&ss, p, of_sym, of_thread, stack) == 0)
		rc = ps_speedscope_write(fp, &ss, name, exporter);
out:
	ps_speedscope_release(&ss);
	free(of_sym);
	free(of_thread);
	free(stack);
	return rc;
}

const struct ps_report_writer ps_report_speedscope = {
	.name = "speedscope",
	.extension = ".speedscope.json",
	.write = write_speedscope,
};
