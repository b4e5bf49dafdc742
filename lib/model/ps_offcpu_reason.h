/*
 * ps_offcpu_reason: why a thread was off CPU, the vocabulary the off-CPU
 * collector classifies by and the reports, the diagnosis and the flame
 * graphs ("[disk]" leaf frames) read back.
 */
#ifndef PS_OFFCPU_REASON_H
#define PS_OFFCPU_REASON_H

enum ps_offcpu_reason {
	PS_OFF_SLEEP, PS_OFF_LOCK, PS_OFF_DISK, PS_OFF_NET, PS_OFF_PIPE, PS_OFF_POLL,
	PS_OFF_CHILD, PS_OFF_PAGE_FAULT, PS_OFF_OTHER, PS_OFF_UNKNOWN, PS_OFF_REASONS,
};

/* Each reason's name in the reports: "sleep", "lock", "disk", ... */
extern const char *const ps_offcpu_reason_names[PS_OFF_REASONS];

#endif
