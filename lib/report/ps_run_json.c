/*
 * A run's target, exit status and notes in a report's metadata (ps_run_json.h).
 */
#include "report/ps_run_json.h"

void ps_run_json_target(cJSON *md, const struct ps_run *run)
{
	cJSON *cmd = cJSON_AddArrayToObject(md, "command");

	for (char *const *a = run->argv; a && *a; a++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(*a));
	cJSON_AddNumberToObject(md, "pid", run->pid);
	cJSON_AddBoolToObject(md, "attached", run->argv == NULL);
}

void ps_run_json_exit(cJSON *md, const struct ps_run *run)
{
	if (run->exited) {
		cJSON_AddNumberToObject(md, "exit_code", ps_run_exit_status(run));
		cJSON_AddNumberToObject(md, "exit_signal", run->exit_signal);
	} else {
		cJSON_AddNullToObject(md, "exit_code");
		cJSON_AddNullToObject(md, "exit_signal");
	}
}

void ps_run_json_note(cJSON *o, const char *key, const struct ps_notes *notes, const char *id)
{
	const char *text = ps_notes_get(notes, id);

	if (text)
		cJSON_AddStringToObject(o, key, text);
	else
		cJSON_AddNullToObject(o, key);
}
