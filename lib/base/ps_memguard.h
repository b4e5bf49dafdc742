/*
 * ps_memguard: reading memory that another process can take away.
 *
 * The tracker's files are mapped shared from the directory the profiled
 * program can write to, so the program can truncate one under perfscope;
 * a read of a page past the new end then raises SIGBUS, which would kill
 * perfscope and lose every report.  A guarded range catches that: the
 * SIGBUS handler maps a page of zeros over the page that faulted and
 * counts the fault, so the read that faulted goes on, sees zeros (which
 * the record checks take for a corrupt ring) and perfscope marks the file
 * corrupt at its next look (ps_memguard_faults).  A SIGBUS outside every
 * guarded range is left to the previous handler (by default, death).
 *
 * Ranges are added and removed by one thread (the reader); the handler
 * only reads them.  At most PS_MEMGUARD_MAX at once (a tracker file a
 * process image: a program that forks that many at once).
 */
#ifndef PS_MEMGUARD_H
#define PS_MEMGUARD_H

#include <stddef.h>
#include <stdint.h>

#define PS_MEMGUARD_MAX 65536

/* Guards [base, base + len); its slot (>= 0), or -1 when all are taken. */
int ps_memguard_add(void *base, size_t len);
/* Stops guarding the range that starts at base (before it is unmapped). */
void ps_memguard_remove(void *base);
/* Faults caught in the range of `slot` since it was added. */
uint64_t ps_memguard_faults(int slot);

#endif
