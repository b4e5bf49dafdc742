/*
 * A CPU run made by hand for the unit tests of what reads one (the CPU
 * writers, the profile's): its tables start empty, the test adds modules,
 * frames (symbols_fixture.h), threads and stacks and fills the run's
 * fields, then cpurun_fixture_finish builds the report model and points
 * the run at the tables.
 */
#ifndef CPURUN_FIXTURE_H
#define CPURUN_FIXTURE_H

#include <string.h>

#include "run/ps_cpureport.h"
#include "run/ps_cpurun.h"
#include "symbols_fixture.h"

struct cpurun_fixture {
	struct ps_modules mm;
	struct ps_symbols sy;
	struct ps_stacks ss;
	struct ps_procs pp;
	struct ps_cpureport report;
	struct ps_cpu_run run;
};

static int cpurun_fixture_init(struct cpurun_fixture *f)
{
	memset(f, 0, sizeof(*f));
	ps_cpu_run_init(&f->run);
	ps_stacks_init(&f->ss);
	if (ps_modules_init(&f->mm) < 0 || ps_symbols_init(&f->sy, &f->mm) < 0 ||
	    ps_procs_init(&f->pp, &f->mm) < 0)
		return -1;
	return 0;
}

static int cpurun_fixture_finish(struct cpurun_fixture *f)
{
	if (ps_cpureport_build(&f->report, &f->ss, &f->sy, &f->pp) < 0)
		return -1;
	f->run.report = &f->report;
	f->run.stacks = &f->ss;
	f->run.symbols = &f->sy;
	f->run.procs = &f->pp;
	f->run.modules = &f->mm;
	return 0;
}

static void cpurun_fixture_release(struct cpurun_fixture *f)
{
	ps_cpu_run_release(&f->run);
	ps_cpureport_release(&f->report);
	ps_procs_release(&f->pp);
	ps_stacks_release(&f->ss);
	ps_symbols_release(&f->sy);
	ps_modules_release(&f->mm);
}

#endif
