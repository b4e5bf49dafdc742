#include <libiberty/demangle.h>
#include <string.h>

#include "symbols/ps_demangle.h"

char *ps_demangle(const char *name)
{
	/* Only names that look mangled: saves the demangler's work on C names. */
	if (strncmp(name, "_Z", 2) != 0 && strncmp(name, "_R", 2) != 0)
		return NULL;
	return cplus_demangle(name, DMGL_PARAMS | DMGL_ANSI | DMGL_AUTO);
}
