/* ps_demangle: C++ and both Rust manglings, and C names left alone. */
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_demangle.h"
#include "unit.h"

static int is(const char *mangled, const char *want)
{
	char *got = ps_demangle(mangled);
	int ok = got && strcmp(got, want) == 0;

	if (!ok)
		printf("#   %s -> %s (want %s)\n", mangled, got ? got : "(null)", want);
	free(got);
	return ok;
}

int main(void)
{
	CHECK(is("_ZN3foo3barIiEEvT_", "void foo::bar<int>(int)"), "C++ template function");
	CHECK(is("_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()() const"), "C++ lambda");
	CHECK(is("_ZN1AplERKS_", "A::operator+(A const&)"), "C++ operator");
	CHECK(is("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write"), "Rust legacy, hash dropped");
	CHECK(is("_RNvNtCs1234_7mycrate3foo3bar", "mycrate::foo::bar"), "Rust v0");
	CHECK(ps_demangle("main") == NULL, "a C name is not touched");
	CHECK(ps_demangle("_Zgarbage") == NULL, "an invalid mangling gives NULL, no crash");
	return unit_done();
}
