/* ps_demangle: C++ and both Rust manglings, short and full, and C names left alone. */
#include <stdlib.h>
#include <string.h>

#include "symbols/ps_demangle.h"
#include "unit.h"

static int is_style(const char *mangled, enum ps_demangle_style style, const char *want)
{
	char *got = ps_demangle(mangled, style);
	int ok = got && strcmp(got, want) == 0;

	if (!ok)
		printf("#   %s -> %s (want %s)\n", mangled, got ? got : "(null)", want);
	free(got);
	return ok;
}

static int is(const char *mangled, const char *want)
{
	return is_style(mangled, PS_DEMANGLE_FULL, want);
}

static int is_short(const char *mangled, const char *want)
{
	return is_style(mangled, PS_DEMANGLE_SHORT, want);
}

int main(void)
{
	CHECK(is("_ZN3foo3barIiEEvT_", "void foo::bar<int>(int)"), "C++ template function");
	CHECK(is("_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()() const"), "C++ lambda");
	CHECK(is("_ZN1AplERKS_", "A::operator+(A const&)"), "C++ operator");
	CHECK(is("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write"), "Rust legacy, hash dropped");
	CHECK(is("_RNvNtCs1234_7mycrate3foo3bar", "mycrate::foo::bar"), "Rust v0");
	/* short: qualified name and template arguments, no return type, parameters or clone */
	CHECK(is_short("_ZN3foo3barIiEEvT_", "foo::bar<int>"), "short: a template function");
	CHECK(is_short("_ZN2ps14accumulate_hotIjEET_RKSt6vectorIS1_SaIS1_EE", "ps::accumulate_hot<unsigned int>"),
	      "short: the issue's example");
	CHECK(is_short("_ZN4work9run_sortsERSt6vectorIiSaIiEEj.constprop.0", "work::run_sorts"),
	      "short: a clone is the function it was cloned from");
	CHECK(is_short("_ZN1AplERKS_", "A::operator+"), "short: an operator");
	CHECK(is_short("_ZN4core3fmt5write17h0123456789abcdefE", "core::fmt::write"), "short: Rust legacy");
	CHECK(ps_demangle("_ZN3foo3barIiEEvT_", PS_DEMANGLE_NONE) == NULL, "none: nothing demangled");
	CHECK(ps_demangle("main", PS_DEMANGLE_SHORT) == NULL, "a C name is not touched");
	/* a C function's copies are the function */
	CHECK(ps_demangle_clone_base("pass.constprop.0") == 4, "pass.constprop.0 is pass");
	CHECK(ps_demangle_clone_base("finish_task_switch.isra.0") == 18, "f.isra.0 is f");
	CHECK(ps_demangle_clone_base("f.isra.0.cold") == 1 && ps_demangle_clone_base("g.part.1") == 1 &&
	      ps_demangle_clone_base("h.cold") == 1 && ps_demangle_clone_base("k.llvm.8812345") == 1,
	      "isra.cold, part, cold and clang's llvm suffixes");
	CHECK(ps_demangle_clone_base("main") == 4 && ps_demangle_clone_base("a.b") == 3 &&
	      ps_demangle_clone_base(".cold") == 5 && ps_demangle_clone_base("x.coldness") == 10,
	      "other dots, a leading dot and longer words are names, not copies");
	CHECK(ps_demangle("_Zgarbage", PS_DEMANGLE_FULL) == NULL, "an invalid mangling gives NULL, no crash");
	return unit_done();
}
