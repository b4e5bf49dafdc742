/*
 * Keeps libdwfl from loading debuginfod unless the user asks for it.
 *
 * When a module has no local debug file (any stripped program without its
 * -dbgsym package: /bin/true, most of /usr/bin), libdwfl's standard search
 * ends by asking debuginfod, and elfutils 0.188 dlopens libdebuginfod for
 * that whatever the environment says.  Loading it pulls in libcurl, GnuTLS,
 * Kerberos and LDAP: 10-25 ms here, on every run that names such a frame,
 * which is most of what a short profile costs.  Where DEBUGINFOD_URLS is
 * set, each such module also becomes a download from a server, which a
 * profiler should not start behind its user's back.
 *
 * perfscope's own dlopen comes first in the symbol lookup order, so
 * libdw's call reaches this one: it refuses libdebuginfod (libdwfl then
 * goes on as if debuginfod were not installed, the local search unchanged)
 * unless PERFSCOPE_DEBUGINFOD=1, and passes every other call on.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static bool debuginfod_wanted(void)
{
	const char *v = getenv("PERFSCOPE_DEBUGINFOD");

	return v && strcmp(v, "1") == 0;
}

void *dlopen(const char *file, int mode)
{
	static void *(*next_dlopen)(const char *, int);

	if (file && strstr(file, "libdebuginfod") && !debuginfod_wanted())
		return NULL;
	if (!next_dlopen)
		next_dlopen = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	return next_dlopen ? next_dlopen(file, mode) : NULL;
}
