/*
 * ps_report: the CPU profile writers.  Each format is one file
 * (ps_report_folded.c, ps_report_json.c, ps_report_svg.c,
 * ps_report_speedscope.c, ps_report_pprof.c, ps_report_perfscript.c) behind struct
 * ps_report_writer; ps_report_write() picks one and writes through
 * ps_outfile, so a report is either complete or absent.
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "run/ps_cpurun.h"
#include "base/ps_error.h"
#include "base/ps_json.h"

struct ps_report_opts {
	bool per_thread;          /* folded: thread name after the process name */
	const char *version;      /* perfscope version, for metadata */
	double perfscope_cpu_s;   /* perfscope's own CPU time */
	ps_json_amend_fn amend;   /* may be NULL: the JSON report, before printing */
	void *amend_ctx;
	uint64_t perf_script_max_samples;  /* perf-script: blocks before merging (0: default) */
};

/* perf-script: up to this many samples, one block each (ps_report_perfscript.c). */
#define PS_PERFSCRIPT_MAX_SAMPLES 100000

struct ps_report_writer {
	const char *name;         /* --format value */
	const char *extension;    /* inferred from --output, with the dot */
	const char *also_extension;  /* another one inferred, or NULL */
	int (*write)(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o);
};

extern const struct ps_report_writer ps_report_folded;
extern const struct ps_report_writer ps_report_json;
extern const struct ps_report_writer ps_report_svg;
extern const struct ps_report_writer ps_report_speedscope;
extern const struct ps_report_writer ps_report_pprof;
extern const struct ps_report_writer ps_report_perfscript;

/* The writer named `name`, or NULL. */
const struct ps_report_writer *ps_report_by_name(const char *name);
/* The writer whose extension `path` ends with, else the folded writer. */
const struct ps_report_writer *ps_report_for_path(const char *path);

int ps_report_write(const struct ps_report_writer *w, const char *path,
		    const struct ps_cpu_run *p, const struct ps_report_opts *o,
		    struct ps_error *err);

/* The CPU profile's JSON object (metadata, functions, threads, processes, stacks). */
struct cJSON;
struct cJSON *ps_report_json_cpu(const struct ps_cpu_run *p, const struct ps_report_opts *o);

/* A frame to leave out of a stack (a profiler's own code, say), or NULL for none. */
typedef bool (*ps_report_skip_fn)(const struct ps_sym *s, const void *ctx);

/*
 * A stack's frames as a JSON array, innermost first, inlined functions
 * expanded: objects with function, module, file (or null), line, inline.
 * The names are sy's and mods' own strings, not copies (a memory report
 * lists ~100,000 frames): the array must be deleted before they are
 * released.
 */
struct cJSON *ps_report_stack_json(const struct ps_symbols *sy, const struct ps_modules *mods,
				   const struct ps_stacks *ss, int64_t stack,
				   ps_report_skip_fn skip, const void *ctx);

/*
 * Appends a stack's frames, outermost first, to the folded line being
 * built; 0 or PS_E_NOMEM.
 */
struct ps_folded;
int ps_report_fold_stack(struct ps_folded *f, const struct ps_symbols *sy, const struct ps_stacks *ss,
			 const struct ps_stack *st, ps_report_skip_fn skip, const void *ctx);

/*
 * A display frame's name with its kind suffix (_[i], _[k], _[j]), cut to
 * len - 1 bytes: the symbol's own name when it needs neither, else written
 * into buf.
 */
const char *ps_report_frame_name(const struct ps_symbols *sy, const struct ps_sym *s,
				 char *buf, size_t len);

#endif
