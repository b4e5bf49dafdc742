/*
 * gofake: what perfscope takes for a Go program: a statically linked
 * executable with a .go.buildinfo section (the section Go's linker writes
 * and stripping keeps).  It allocates through malloc like any C program,
 * which a real Go heap never does; the tests only check what perfscope
 * says about Go programs, not how a Go runtime behaves.
 */
#include <stdlib.h>
#include <string.h>

__attribute__((section(".go.buildinfo"), used)) static const char buildinfo[32] = "\xff Go buildinf:";

int main(void)
{
	char *p = malloc(100);

	memset(p, 1, 100);
	free(p);
	return 0;
}
