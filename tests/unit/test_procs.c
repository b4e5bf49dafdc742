/* ps_procs: mappings replace what they overlap, fork copies, exec clears. */
#include <string.h>

#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "unit.h"

static const char *module_at(struct ps_procs *pp, uint32_t pid, uint64_t ip, uint64_t *off)
{
	uint32_t m;

	ps_procs_resolve(pp, pid, UINT64_MAX - 1, ip, &m, off);
	return pp->modules->mods[m].path;
}

int main(void)
{
	struct ps_modules mm;
	struct ps_procs pp;
	uint64_t off;

	ps_modules_init(&mm);
	ps_procs_init(&pp, &mm);
	ps_procs_add_map(&pp, 10, 100, 0x1000, 0x3000, 0x0, "/usr/lib/liba.so");
	CHECK(strcmp(module_at(&pp, 10, 0x2500, &off), "/usr/lib/liba.so") == 0 && off == 0x1500,
	      "address resolves to file offset (got 0x%llx)", (unsigned long long)off);

	/* dlclose + dlopen of another library over the middle page */
	ps_procs_add_map(&pp, 10, 200, 0x2000, 0x1000, 0x5000, "/usr/lib/libb.so");
	CHECK(strcmp(module_at(&pp, 10, 0x2100, &off), "/usr/lib/libb.so") == 0 && off == 0x5100,
	      "a new mapping replaces the old one where they overlap");
	CHECK(strcmp(module_at(&pp, 10, 0x3100, &off), "/usr/lib/liba.so") == 0 && off == 0x2100,
	      "the old mapping's tail keeps its file offset (got 0x%llx)", (unsigned long long)off);
	CHECK(strcmp(module_at(&pp, 10, 0x1100, &off), "/usr/lib/liba.so") == 0 && off == 0x100,
	      "the old mapping's head is kept");
	CHECK(strcmp(module_at(&pp, 10, 0x9000, &off), "[unknown]") == 0 && off == 0x9000,
	      "unmapped addresses are unknown, keyed absolutely");
	{
		uint32_t m;

		ps_procs_resolve(&pp, 10, 150, 0x2100, &m, &off);
		CHECK(strcmp(mm.mods[m].path, "/usr/lib/liba.so") == 0 && off == 0x1100,
		      "a sample from before the replacement resolves to what was mapped then");
		ps_procs_resolve(&pp, 10, 250, 0x2100, &m, &off);
		CHECK(strcmp(mm.mods[m].path, "/usr/lib/libb.so") == 0, "and one from after, to the new");
	}

	ps_procs_comm(&pp, 10, 10, 300, "parent", false);
	ps_procs_fork(&pp, 11, 10, 11, 10);
	CHECK(strcmp(module_at(&pp, 11, 0x2100, &off), "/usr/lib/libb.so") == 0,
	      "a forked child starts with its parent's mappings");
	CHECK(strcmp(pp.threads[ps_procs_thread(&pp, 11, 11)].comm, "parent") == 0,
	      "a forked child inherits its parent's name");
	ps_procs_comm(&pp, 11, 11, 400, "child", true);
	CHECK(strcmp(module_at(&pp, 11, 0x2100, &off), "[unknown]") == 0,
	      "exec drops the old image's mappings");
	{
		uint32_t m;

		ps_procs_resolve(&pp, 11, 350, 0x2100, &m, &off);
		CHECK(strcmp(mm.mods[m].path, "/usr/lib/libb.so") == 0,
		      "a sample from before the exec still resolves to the old image");
	}
	CHECK(strcmp(module_at(&pp, 10, 0x2100, &off), "/usr/lib/libb.so") == 0,
	      "the parent's mappings are untouched by the child's exec");
	CHECK(strcmp(pp.threads[ps_procs_thread(&pp, 11, 11)].comm, "child") == 0,
	      "after exec the thread has its new name");

	ps_procs_fork(&pp, 10, 10, 12, 10);
	CHECK(strcmp(pp.threads[ps_procs_thread(&pp, 10, 12)].proc_comm, "parent") == 0,
	      "a new thread belongs to its process's name");
	ps_procs_release(&pp);
	ps_modules_release(&mm);
	return unit_done();
}
