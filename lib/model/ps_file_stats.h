/*
 * ps_file_stats: a profile's I/O per file and per socket peer: operations,
 * bytes and time of reads, writes and syncs, and how many operations were
 * sequential (starting where the previous one on that descriptor ended)
 * or random.  The system call tracer fills the table (collect/ps_files.h);
 * the reports read it.
 */
#ifndef PS_FILE_STATS_H
#define PS_FILE_STATS_H

#include <stdint.h>

enum ps_file_kind { PS_FILE_REGULAR, PS_FILE_SOCKET, PS_FILE_PIPE, PS_FILE_OTHER };

struct ps_file_stat {
	char name[256];
	uint8_t kind;                    /* enum ps_file_kind */
	uint64_t reads, writes, read_bytes, written_bytes, read_ns, write_ns;
	uint64_t sequential, random;     /* operations whose offset is known */
	uint64_t syncs, sync_ns;
};

/* "file", "socket", "pipe" or "other", as the reports write it. */
const char *ps_file_kind_name(uint8_t kind);

#endif
