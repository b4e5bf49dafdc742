/*
 * Parsers of /proc text (ps_proctext.h).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/ps_proctext.h"

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

static void format_v4(const char *hex, char *out, size_t len)
{
	unsigned addr, port;
	struct in_addr in;
	char text[INET_ADDRSTRLEN];

	if (sscanf(hex, "%8X:%X", &addr, &port) != 2) {
		snprintf(out, len, "?");
		return;
	}
	in.s_addr = addr;
	inet_ntop(AF_INET, &in, text, sizeof(text));
	snprintf(out, len, "%s:%u", text, port);
}

static void format_v6(const char *hex, char *out, size_t len)
{
	unsigned char a[16];
	unsigned port, w[4];
	char text[INET6_ADDRSTRLEN];

	if (sscanf(hex, "%8X%8X%8X%8X:%X", &w[0], &w[1], &w[2], &w[3], &port) != 5) {
		snprintf(out, len, "?");
		return;
	}
	/* each 32-bit group is in host order */
	memcpy(a, w, sizeof(a));
	inet_ntop(AF_INET6, a, text, sizeof(text));
	snprintf(out, len, "[%s]:%u", text, port);
}

bool ps_proctext_net_peer(const char *text, bool v6, unsigned long inode, char *out, size_t len)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		char buf[512], local[64], remote[64];
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		unsigned long ino;

		/* a line longer than any the kernel writes is not one */
		if (n < sizeof(buf)) {
			memcpy(buf, line, n);
			buf[n] = '\0';
			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(buf, " %*s %63s %63s %*s %*s %*s %*s %*s %*s %lu", local, remote,
				   &ino) == 3 && ino == inode) {
				if (v6)
					format_v6(remote, out, len);
				else
					format_v4(remote, out, len);
				return true;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}
