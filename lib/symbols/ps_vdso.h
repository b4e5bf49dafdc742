/*
 * ps_vdso: a readable file holding the kernel's vDSO image.  Every process
 * on a kernel maps the same vDSO, so perfscope's own copy, saved once to a
 * memfd, gives the [vdso] mappings of targets a file to read symbols and
 * CFI from.  Without it, stacks through clock_gettime() and friends would
 * stop in the vDSO.
 */
#ifndef PS_VDSO_H
#define PS_VDSO_H

/* A path (/proc/self/fd/N) of the saved image, or NULL if none could be made. */
const char *ps_vdso_file(void);

#endif
