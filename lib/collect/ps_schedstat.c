/*
 * Per-thread CPU time and scheduler delay (ps_schedstat.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/ps_proctext.h"
#include "collect/ps_schedstat.h"
#include "base/ps_util.h"

void ps_schedstat_init(struct ps_schedstat *s, pid_t pid)
{
	long on = 0;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	ps_idmap_init(&s->index);
	ps_idmap_init(&s->proc_index);
	s->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (s->ticks_per_s <= 0)
		s->ticks_per_s = 100;
	/* off by default since Linux 5.14: switching it on is the administrator's call */
	if (ps_read_long("/proc/sys/kernel/task_delayacct", &on) < 0)
		snprintf(s->delayacct_note, sizeof(s->delayacct_note),
			 "not measurable: this kernel has no delay accounting (CONFIG_TASK_DELAY_ACCT)");
	else if (!on)
		snprintf(s->delayacct_note, sizeof(s->delayacct_note),
			 "not measurable: delay accounting is off (sysctl kernel.task_delayacct=1 "
			 "turns it on, at a small cost to every task switch)");
	s->delayacct = on == 1;
}

/* Field 42 of a task's stat: its block I/O delay in clock ticks. */
static uint64_t blkio_ticks(uint32_t pid, uint32_t tid)
{
	char path[96], *text;
	uint64_t v = 0;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", pid, tid);
	text = ps_read_file(path, NULL);
	if (!text)
		return 0;
	/* delayacct_blkio_ticks */
	if (!ps_proctext_stat_field(text, 42, &v))
		v = 0;
	free(text);
	return v;
}

void ps_schedstat_release(struct ps_schedstat *s)
{
	ps_idmap_release(&s->index);
	free(s->threads);
	free(s->procs);
	ps_idmap_release(&s->proc_index);
	memset(s, 0, sizeof(*s));
}

static void read_thread(struct ps_schedstat *s, uint32_t pid, uint32_t tid, uint64_t now_ns,
			bool start)
{
	char path[96], *text, *comm;
	uint64_t run, wait, slices;
	struct ps_thread_sched *t;
	uint32_t at;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/schedstat", pid, tid);
	text = ps_read_file(path, NULL);
	if (!text)
		return;
	if (!ps_proctext_schedstat(text, &run, &wait, &slices)) {
		free(text);
		return;
	}
	free(text);
	s->available = true;
	if (!ps_idmap_get(&s->index, tid, &at)) {
		if (ps_grow(&s->threads, &s->cap, s->n + 1, sizeof(*s->threads)) < 0 ||
		    ps_idmap_put(&s->index, tid, (uint32_t)s->n) < 0)
			return;
		at = (uint32_t)s->n++;
		t = &s->threads[at];
		memset(t, 0, sizeof(*t));
		t->pid = pid;
		t->tid = tid;
		t->first_ns = now_ns;
		/* a thread born during the profile did all of its work inside it */
		t->from_start = start;
		if (start) {
			t->run0 = run;
			t->wait0 = wait;
			t->slices0 = slices;
		}
		snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
		comm = ps_read_file(path, NULL);
		if (comm) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(t->comm, sizeof(t->comm), "%s", comm);
			free(comm);
		}
	}
	t = &s->threads[at];
	if (s->delayacct) {
		t->blkio = blkio_ticks(pid, tid);
		if (start && t->first_ns == now_ns)
			t->blkio0 = t->blkio;
	}
	t->run = run;
	t->wait = wait;
	t->slices = slices;
	t->last_ns = now_ns;
}

/* The process's parent and peak resident memory, from /proc/PID/status. */
static void read_status(struct ps_schedstat *s, uint32_t pid, uint64_t now_ns)
{
	char path[48], *text;
	struct ps_process_sched *p;
	uint64_t hwm;
	bool added;
	int64_t at;

	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return;
	at = ps_idmap_row(&s->proc_index, pid, &s->procs, &s->nprocs, &s->procs_cap, sizeof(*s->procs), &added);
	if (at < 0) {
		free(text);
		return;
	}
	p = &s->procs[at];
	if (added)
		*p = (struct ps_process_sched){ .pid = pid, .first_ns = now_ns };
	/* a process that has exited (a zombie) has no memory lines left */
	hwm = ps_proctext_value(text, "\nVmHWM:");
	if (hwm > p->peak_rss_kb)
		p->peak_rss_kb = hwm;
	p->ppid = (uint32_t)ps_proctext_value(text, "\nPPid:");
	p->last_ns = now_ns;
	free(text);
}

static void read_process(struct ps_schedstat *s, uint32_t pid, uint64_t now_ns, bool start)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

	read_status(s, pid, now_ns);

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir)))
		if (d->d_name[0] != '.')
			read_thread(s, pid, (uint32_t)strtoul(d->d_name, NULL, 10), now_ns, start);
	closedir(dir);
}

void ps_schedstat_sample(struct ps_schedstat *s, const uint32_t *pids, size_t npids,
			 uint64_t now_ns, bool start)
{
	read_process(s, (uint32_t)s->pid, now_ns, start);
	for (size_t i = 0; i < npids; i++)
		if (pids[i] != (uint32_t)s->pid)
			read_process(s, pids[i], now_ns, start);
}
