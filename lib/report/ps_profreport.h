/*
 * ps_profreport: the files of a profile (perfscope profile) in its output
 * directory: report.json (every section; schema in perfscope-profile(1)),
 * cpu.folded, offcpu.folded, wall.folded, their flame graphs cpu.svg,
 * offcpu.svg, wall.svg, and report.html: report.json's document and the
 * three graphs as one page (ps_html.h).  Each is written to a temporary
 * name and renamed.  They read a finished profile (run/ps_profrun.h) and
 * nothing else.
 */
#ifndef PS_PROFREPORT_H
#define PS_PROFREPORT_H

#include <cjson/cJSON.h>

#include "analyze/ps_diagnosis.h"
#include "base/ps_error.h"
#include "base/ps_json.h"
#include "run/ps_profrun.h"

struct ps_profreport_opts {
	const char *version;
	double perfscope_cpu_s;
	/* the diagnosis rules; NULL: the built-in ones */
	const struct ps_rules *rules;
	/* out, may be NULL: the report's diagnosis, for the caller to print
	 * and release (it may point into rules) */
	struct ps_diagnosis *diagnosis;
	/* may be NULL: a series of runs (--repeat); this run's figures are
	 * appended, and report.json carries the whole series as "runs" */
	cJSON *runs;
	ps_json_amend_fn amend;   /* may be NULL: report.json, before printing */
	void *amend_ctx;
	bool no_html;             /* no report.html */
};

int ps_profreport_write_all(const struct ps_profile_run *r, const char *dir,
			    const struct ps_profreport_opts *o, struct ps_error *err);

#endif
