/*
 * A finished run (ps_run.h).
 */
#include <string.h>

#include "run/ps_run.h"
#include "target/ps_launch.h"
#include "target/ps_lifecycle.h"

void ps_run_init(struct ps_run *run)
{
	memset(run, 0, sizeof(*run));
	run->target_cpu_s = -1;
	ps_notes_init(&run->notes);
}

void ps_run_set_target(struct ps_run *run, char *const *argv, pid_t pid, const struct ps_lifecycle *life,
		       uint64_t end_ns, const struct ps_child *child)
{
	run->argv = argv;
	run->pid = pid;
	run->start_ns = life->start_ns;
	run->end_ns = end_ns;
	run->stopped_by = life->stopped_by_signal ? PS_RUN_SIGNAL :
			  life->stopped_by_duration ? PS_RUN_DURATION : PS_RUN_TARGET_EXIT;
	run->exited = child && child->exited;
	run->exit_code = run->exited ? child->exit_code : 0;
	run->exit_signal = run->exited ? child->exit_signal : 0;
}

void ps_run_release(struct ps_run *run)
{
	ps_notes_release(&run->notes);
	memset(run, 0, sizeof(*run));
}

const char *ps_run_stop_name(enum ps_run_stop s)
{
	switch (s) {
	case PS_RUN_SIGNAL:
		return "signal";
	case PS_RUN_DURATION:
		return "duration";
	case PS_RUN_TARGET_EXIT:
		break;
	}
	return "target_exit";
}

double ps_run_seconds(const struct ps_run *run)
{
	return run->end_ns > run->start_ns ? (double)(run->end_ns - run->start_ns) / 1e9 : 0;
}

int ps_run_exit_status(const struct ps_run *run)
{
	if (!run->exited)
		return 0;
	return run->exit_signal ? 128 + run->exit_signal : run->exit_code;
}
