#include <stdlib.h>
#include <string.h>

#include "base/ps_error.h"
#include "base/ps_json.h"
#include "base/ps_utf8.h"

void ps_json_put_text(FILE *fp, const char *text)
{
	/* names from the program or from files may not be UTF-8: JSON must be */
	ps_utf8_put(fp, text, strlen(text));
	fputc('\n', fp);
}

int ps_json_print(FILE *fp, cJSON *root)
{
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		return PS_E_NOMEM;
	ps_json_put_text(fp, text);
	free(text);
	return 0;
}

int ps_json_error_at(struct ps_error *err, const char *text, const char *at, const char *origin)
{
	int line = 1, col = 1;

	for (const char *c = text; c < at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return ps_error_set(err, PS_E_INPUT, "%s: line %d, column %d: %s", origin, line, col,
			    *at ? "malformed JSON" : "the JSON ends too early (truncated?)");
}

cJSON *ps_json_parse(const char *text, const char *origin, struct ps_error *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);

	if (root)
		return root;
	ps_json_error_at(err, text, end ? end : text + strlen(text), origin);
	return NULL;
}

const cJSON *ps_json_member(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

double ps_json_number(const cJSON *o, const char *key, double fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

const char *ps_json_string(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

int ps_json_index_of(const cJSON *o, const char *key, const char *name)
{
	const cJSON *c;
	int i = 0;

	cJSON_ArrayForEach(c, ps_json_member(o, key)) {
		if (cJSON_IsString(c) && strcmp(c->valuestring, name) == 0)
			return i;
		i++;
	}
	return -1;
}

cJSON *ps_json_reparse(cJSON *root, char **text, const ps_json_path *leave_out)
{
	static const ps_json_path none[] = { NULL };
	struct ps_error err = { 0 };
	cJSON *back;

	*text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	back = *text ? ps_json_parse_split(*text, leave_out ? leave_out : none, NULL, NULL, "", &err) : NULL;
	if (!back) {
		free(*text);
		*text = NULL;
	}
	return back;
}
