/*
 * /proc text of a process perfscope watches, which that process shapes
 * (its command name is in stat; it can be anything): stat fields,
 * "Name: value" files, the machine's cpu line, schedstat, and maps.
 * The first byte chooses the parser.
 */
#include "../../lib/symbols/ps_modules.h"
#include "../../lib/target/ps_proctext.h"
#include "../../lib/symbols/ps_procs.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	uint64_t v[8], a, b, c;

	if (size < 1)
		return 0;
	text = fuzz_text(data + 1, size - 1);
	if (!text)
		return 0;
	switch (data[0] % 5) {
	case 0:
		for (int f = 1; f < 60; f++)
			(void)ps_proctext_stat_field(text, f, &v[0]);
		break;
	case 1:
		(void)ps_proctext_value(text, "\nRssAnon:");
		(void)ps_proctext_value(text, "rchar:");
		(void)ps_proctext_cpu(text, v);
		break;
	case 2:
		(void)ps_proctext_schedstat(text, &a, &b, &c);
		break;
	case 4: {
		/* a socket table: the inode looked for is the text's first number */
		char peer[80];
		unsigned long inode = strtoul(text, NULL, 10);

		(void)ps_proctext_net_peer(text, data[0] & 8, inode, peer, sizeof(peer));
		(void)ps_proctext_net_peer(text, !(data[0] & 8), 0, peer, sizeof(peer));
		break;
	}
	case 3: {
		/* maps lines name files: interning one opens nothing */
		struct ps_modules mods;
		struct ps_procs procs;

		if (ps_modules_init(&mods) == 0 && ps_procs_init(&procs, &mods) == 0) {
			(void)ps_procs_apply_maps(&procs, 1, 0, text);
			ps_procs_release(&procs);
		}
		ps_modules_release(&mods);
		break;
	}
	}
	free(text);
	return 0;
}
