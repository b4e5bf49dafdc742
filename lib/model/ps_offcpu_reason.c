/*
 * The off-CPU reasons' names (ps_offcpu_reason.h).
 */
#include "model/ps_offcpu_reason.h"

const char *const ps_offcpu_reason_names[PS_OFF_REASONS] = {
	"sleep", "lock", "disk", "network", "pipe", "poll", "child", "page_fault", "other", "unknown",
};
