/*
 * ps_proctext: the /proc text formats perfscope reads, parsed from text
 * already read (so that they are tested and fuzzed without a process):
 * "Name: value" lines, /proc/PID/stat fields, the machine's CPU line,
 * schedstat and the socket tables of /proc/PID/net.  Every parser takes NUL-terminated text of any content and
 * never reads past its end.
 */
#ifndef PS_PROCTEXT_H
#define PS_PROCTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The number after `name` (say "\nRssAnon:") in text; 0 when absent. */
uint64_t ps_proctext_value(const char *text, const char *name);

/*
 * Field `field` (numbered from 1 as in proc(5); 3 and up, after the
 * command name, which may hold spaces and parentheses) of /proc/PID/stat.
 */
bool ps_proctext_stat_field(const char *text, int field, uint64_t *out);

/* The 8 numbers of /proc/stat's "cpu " line: user nice system idle iowait irq softirq steal. */
bool ps_proctext_cpu(const char *text, uint64_t v[8]);

/* /proc/PID/task/TID/schedstat: time on CPU, time waiting for one (ns), timeslices. */
bool ps_proctext_schedstat(const char *text, uint64_t *run, uint64_t *wait, uint64_t *slices);

/*
 * The remote end ("ADDRESS:PORT", "[ADDRESS]:PORT" for v6, "?" if it makes
 * no sense) of socket `inode` in a /proc/PID/net/{tcp,udp}{,6} table's text;
 * false when the table has no such socket.
 */
bool ps_proctext_net_peer(const char *text, bool v6, unsigned long inode, char *out, size_t len);

#endif
