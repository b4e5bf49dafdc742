/*
 * Parsers of /proc text (ps_proctext.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_proctext.h"

uint64_t ps_proctext_value(const char *text, const char *name)
{
	const char *at = strstr(text, name);

	return at ? strtoull(at + strlen(name), NULL, 10) : 0;
}

bool ps_proctext_stat_field(const char *text, int field, uint64_t *out)
{
	/* after the command name's last ')': " S ppid ...", field 3 first */
	const char *p = strrchr(text, ')');
	char *end;

	if (!p || field < 3)
		return false;
	for (int f = 2; f < field && p; f++)
		p = strchr(p + 1, ' ');
	if (!p || p[1] < '0' || p[1] > '9')
		return false;
	*out = strtoull(p + 1, &end, 10);
	return end > p + 1;
}

bool ps_proctext_cpu(const char *text, uint64_t v[8])
{
	unsigned long long u[8];

	if (sscanf(text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &u[0], &u[1], &u[2], &u[3],
		   &u[4], &u[5], &u[6], &u[7]) != 8)
		return false;
	for (int i = 0; i < 8; i++)
		v[i] = u[i];
	return true;
}

bool ps_proctext_schedstat(const char *text, uint64_t *run, uint64_t *wait, uint64_t *slices)
{
	unsigned long long r, w, s;

	if (sscanf(text, "%llu %llu %llu", &r, &w, &s) != 3)
		return false;
	*run = r;
	*wait = w;
	*slices = s;
	return true;
}
