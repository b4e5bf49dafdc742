/* ps_perfmap: parsing, lookup, and which files are trusted. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/ps_perfmap.h"
#include "unit.h"

int main(void)
{
	struct ps_perfmap pm;
	char dir[] = "/tmp/perfmap-test.XXXXXX", file[128], link[128];
	FILE *f;

	ps_perfmap_init(&pm);
	CHECK(ps_perfmap_parse(&pm, "1000 10 first\n2000 20 Function with spaces\nbad line\n\n3000 0 empty\n") == 2,
	      "two valid lines of five");
	CHECK(ps_perfmap_lookup(&pm, 0x1005) && strcmp(ps_perfmap_lookup(&pm, 0x1005), "first") == 0,
	      "inside the first");
	CHECK(ps_perfmap_lookup(&pm, 0x1010) == NULL, "end is exclusive");
	CHECK(ps_perfmap_lookup(&pm, 0x2013) && strcmp(ps_perfmap_lookup(&pm, 0x2013), "Function with spaces") == 0,
	      "names keep their spaces");
	ps_perfmap_release(&pm);

	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/perf-1.map", dir);
	snprintf(link, sizeof(link), "%s/perf-2.map", dir);
	f = fopen(file, "w");
	fputs("4000 10 jitted\n", f);
	fclose(f);
	symlink(file, link);

	ps_perfmap_init(&pm);
	CHECK(ps_perfmap_load(&pm, file, getuid()) == 0 && pm.count == 1, "own file is read");
	ps_perfmap_release(&pm);
	ps_perfmap_init(&pm);
	CHECK(ps_perfmap_load(&pm, link, getuid()) < 0 && pm.count == 0 && strstr(pm.note, "symlink"),
	      "a symlink is refused");
	ps_perfmap_release(&pm);
	if (getuid() == 0) {
		chown(file, 65534, 65534);
		ps_perfmap_init(&pm);
		CHECK(ps_perfmap_load(&pm, file, 1234) < 0 && pm.count == 0,
		      "a file owned by someone other than the target's user or root is refused");
		ps_perfmap_release(&pm);
		ps_perfmap_init(&pm);
		CHECK(ps_perfmap_load(&pm, file, 65534) == 0 && pm.count == 1,
		      "the target user's file is read");
		ps_perfmap_release(&pm);
	}
	unlink(link);
	unlink(file);
	rmdir(dir);
	return unit_done();
}
