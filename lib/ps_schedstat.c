/*
 * Per-thread CPU time and scheduler delay (ps_schedstat.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ps_schedstat.h"
#include "ps_util.h"

void ps_schedstat_init(struct ps_schedstat *s, pid_t pid)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	ps_idmap_init(&s->index);
}

void ps_schedstat_release(struct ps_schedstat *s)
{
	ps_idmap_release(&s->index);
	free(s->threads);
	memset(s, 0, sizeof(*s));
}

static void read_thread(struct ps_schedstat *s, uint32_t pid, uint32_t tid, uint64_t now_ns,
			bool start)
{
	char path[96], *text, *comm;
	unsigned long long run, wait, slices;
	struct ps_thread_sched *t;
	uint32_t at;

	snprintf(path, sizeof(path), "/proc/%u/task/%u/schedstat", pid, tid);
	text = ps_read_file(path, NULL);
	if (!text)
		return;
	if (sscanf(text, "%llu %llu %llu", &run, &wait, &slices) != 3) {
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
	t->run = run;
	t->wait = wait;
	t->slices = slices;
	t->last_ns = now_ns;
}

static void read_process(struct ps_schedstat *s, uint32_t pid, uint64_t now_ns, bool start)
{
	char path[64];
	struct dirent *d;
	DIR *dir;

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
