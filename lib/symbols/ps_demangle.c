#include <libiberty/demangle.h>
#include <stdbool.h>
#include <string.h>

#include "symbols/ps_demangle.h"

char *ps_demangle(const char *name, enum ps_demangle_style style)
{
	/* Only names that look mangled: saves the demangler's work on C names. */
	if (style == PS_DEMANGLE_NONE || (strncmp(name, "_Z", 2) != 0 && strncmp(name, "_R", 2) != 0))
		return NULL;
	/* without DMGL_PARAMS libiberty leaves out the parameters, the return type and the clone suffix */
	return cplus_demangle(name, DMGL_ANSI | DMGL_AUTO | (style == PS_DEMANGLE_FULL ? DMGL_PARAMS : 0));
}

/* The words GCC and clang put after a '.' to name a copy of a function. */
static const char *const clone_words[] = {
	"constprop", "isra", "part", "cold", "lto_priv", "localalias", "llvm", "clone", "specialized",
};

static bool clone_suffix(const char *dot)
{
	for (size_t i = 0; i < sizeof(clone_words) / sizeof(clone_words[0]); i++) {
		size_t n = strlen(clone_words[i]);

		if (strncmp(dot + 1, clone_words[i], n) == 0 && (dot[1 + n] == '.' || dot[1 + n] == '\0'))
			return true;
	}
	return false;
}

size_t ps_demangle_clone_base(const char *name)
{
	/* the first such suffix: the ones after it belong to it ("f.isra.0.cold") */
	for (const char *dot = strchr(name, '.'); dot; dot = strchr(dot + 1, '.'))
		if (dot != name && clone_suffix(dot))
			return (size_t)(dot - name);
	return strlen(name);
}
