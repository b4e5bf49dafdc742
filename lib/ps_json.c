#include <stdlib.h>

#include "ps_json.h"

int ps_json_print(FILE *fp, cJSON *root)
{
	char *text = cJSON_Print(root);

	cJSON_Delete(root);
	if (!text)
		return -1;
	fputs(text, fp);
	fputc('\n', fp);
	free(text);
	return 0;
}
