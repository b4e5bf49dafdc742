/*
 * ps_run_json: the parts of a finished run (run/ps_run.h) that every
 * report's metadata carries, written the same way by the CPU, memory and
 * whole-profile reports.
 */
#ifndef PS_RUN_JSON_H
#define PS_RUN_JSON_H

#include <cjson/cJSON.h>

#include "run/ps_run.h"

/* "command" (null-free array; empty when attached), "pid", "attached". */
void ps_run_json_target(cJSON *md, const struct ps_run *run);

/* "exit_code" (128 + signal for a signal) and "exit_signal"; null unless the launched target ended. */
void ps_run_json_exit(cJSON *md, const struct ps_run *run);

/* Note `id` of a run's notes under `key`, or null: the key is always there. */
void ps_run_json_note(cJSON *o, const char *key, const struct ps_notes *notes, const char *id);

#endif
