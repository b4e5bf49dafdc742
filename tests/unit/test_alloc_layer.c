/*
 * ps_alloc_layer: the built-in allocator layer (share/alloc-layer.txt)
 * and --site-skip patterns, matched on the qualified name of demangled
 * functions: which frames an allocation's site looks past, and which it
 * stops at.
 */
#include <string.h>

#include "memory/ps_alloc_layer.h"
#include "unit.h"

static void qualified(void)
{
	static const struct { const char *name, *want; } cases[] = {
		{ "xmalloc", "xmalloc" },
		{ "void std::vector<int, std::allocator<int> >::push_back(int const&)",
		  "std::vector<int, std::allocator<int> >::push_back" },
		{ "operator new(unsigned long)", "operator new" },
		{ "operator new[](unsigned long)", "operator new[]" },
		{ "Foo::operator()(int) const", "Foo::operator()" },
		{ "(anonymous namespace)::parse(char const*)", "(anonymous namespace)::parse" },
		{ "std::map<std::string, int>::operator[](std::string const&)", "std::map<std::string, int>::operator[]" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = ps_alloc_layer_qualified(cases[i].name, buf, sizeof(buf));

		CHECK(strcmp(got, cases[i].want) == 0, "qualified name of '%s' is '%s' (got '%s')", cases[i].name,
		      cases[i].want, got);
	}
}

static void membership(void)
{
	static const char *const in[] = {
		"malloc", "xmalloc", "xcalloc", "g_malloc0", "sqlite3Malloc", "zmalloc", "PyObject_Malloc",
		"operator new(unsigned long)", "std::__new_allocator<int>::allocate(unsigned long, void const*)",
		"void std::vector<int, std::allocator<int> >::_M_realloc_insert<int const&>(int const&)",
		"ggc_internal_alloc(unsigned long, void (*)(void*), unsigned long, unsigned long)", "je_malloc",
	};
	static const char *const out[] = {
		"main", "parse_a", "leak_array()", "Foo::bar(std::vector<int, std::allocator<int> > const&)",
		"xmalloc_stats", "my_malloc", "operator delete(void*)", "", "[cc1plus+0x1b2af47]",
	};
	struct ps_alloc_layer al;
	struct ps_error err = { 0 };

	CHECK(ps_alloc_layer_init(&al, &err) == 0 && al.n > 20, "the built-in layer compiles (%zu patterns)", al.n);
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++)
		CHECK(ps_alloc_layer_has(&al, in[i]), "'%s' is in the allocator layer", in[i]);
	for (size_t i = 0; i < sizeof(out) / sizeof(out[0]); i++)
		CHECK(!ps_alloc_layer_has(&al, out[i]), "'%s' is a site, not the layer", out[i]);
	CHECK(!ps_alloc_layer_has(&al, "pool_get") && ps_alloc_layer_add(&al, "^pool_get$", &err) == 0 &&
	      ps_alloc_layer_has(&al, "pool_get") && !ps_alloc_layer_has(&al, "pool_getter"),
	      "--site-skip adds an anchored pattern");
	CHECK(ps_alloc_layer_add(&al, "(", &err) == PS_E_USAGE && strstr(err.msg, "not a regular expression"),
	      "a pattern that does not compile is a usage error that says so (%s)", err.msg);
	CHECK(!ps_alloc_layer_has(NULL, "malloc"), "no layer: nothing is skipped");
	ps_alloc_layer_release(&al);
}

int main(void)
{
	qualified();
	membership();
	return unit_done();
}
