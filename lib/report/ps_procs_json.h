/*
 * ps_procs_json: report.json's "processes", a profile's figures per
 * process (run/ps_profprocs.h), most on-CPU samples first.  A figure
 * whose collector did not run is null, not 0.
 */
#ifndef PS_PROCS_JSON_H
#define PS_PROCS_JSON_H

#include <cjson/cJSON.h>

#include "run/ps_profrun.h"

/* The process table, or NULL when out of memory. */
cJSON *ps_procs_json(const struct ps_profile_run *r);

#endif
