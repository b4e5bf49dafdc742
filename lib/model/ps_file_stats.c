/*
 * I/O per file and socket peer (ps_file_stats.h).
 */
#include "model/ps_file_stats.h"

const char *ps_file_kind_name(uint8_t kind)
{
	static const char *const names[] = { "file", "socket", "pipe", "other" };

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "other";
}
