/*
 * ps_highlights: what a reader of a diagnosis looks at beside the
 * findings: the functions with the most on-CPU time, the allocation sites
 * with the most bytes, the largest leaks; read from any perfscope report.
 */
#ifndef PS_HIGHLIGHTS_H
#define PS_HIGHLIGHTS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define PS_HIGHLIGHTS_MAX 5

struct ps_highlight {
	char name[160];          /* a function; a site's innermost one */
	char where[200];         /* file:line, else the module, else "" */
	char caller[160];        /* sites: the function that called it, else "" */
	double share;            /* functions: self share of the on-CPU samples, 0..1 */
	double bytes;            /* sites: allocated; leaks: leaked */
};

struct ps_highlights {
	struct ps_highlight functions[PS_HIGHLIGHTS_MAX];
	size_t nfunctions;
	struct ps_highlight sites[PS_HIGHLIGHTS_MAX];
	size_t nsites;
	struct ps_highlight leaks[PS_HIGHLIGHTS_MAX];
	size_t nleaks;
};

/* The highlights of a profile, cpu-profile or memory-profile report; none for others. */
void ps_highlights_from_report(struct ps_highlights *h, const cJSON *report);
/*
 * {"functions": [{name, where, self_share}], "sites": [{name, where,
 * caller, bytes}], "leaks": [the same]}
 */
cJSON *ps_highlights_json(const struct ps_highlights *h);

#endif
