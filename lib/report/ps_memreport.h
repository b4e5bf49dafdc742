/*
 * ps_memreport: the files of a memory profile, in one output directory,
 * written in this order:
 *   memory.json         everything (schema in perfscope-memory-profile(1))
 *   memory.html         memory.json's document and the leaks' and
 *                       allocations' flame graphs as one page (ps_html.h)
 *   leaks.folded        bytes still allocated and unreachable (or not
 *                       classified) at exit, by allocation stack
 *   allocations.folded  bytes allocated, by stack
 *   peak.folded         bytes held at the peak, by stack
 *   temporary.folded    bytes of temporary allocations, by stack
 *   faults.folded       page faults, by stack
 * Each is written whole or not at all (ps_outfile).
 */
#ifndef PS_MEMREPORT_H
#define PS_MEMREPORT_H

#include <stdbool.h>

#include "base/ps_error.h"
#include "base/ps_json.h"
#include "run/ps_memrun.h"

/* How many sites memory.json listed and left out (its sites_omitted). */
struct ps_memreport_sites {
	size_t listed, omitted;
	uint64_t omitted_bytes;    /* allocated by the sites left out */
};

struct ps_memreport_opts {
	const char *version;
	double perfscope_cpu_s;
	ps_json_amend_fn amend;   /* may be NULL: memory.json, before printing */
	void *amend_ctx;
	bool no_html;             /* no memory.html */
	size_t max_sites;         /* memory.json lists the largest this many by each measure (0: 1000) */
	struct ps_memreport_sites *sites;   /* out, may be NULL */
};

/* Writes all the files into dir (which must exist). */
int ps_memreport_write_all(const struct ps_mem_run *r, const char *dir,
			   const struct ps_memreport_opts *o, struct ps_error *err);

#endif
