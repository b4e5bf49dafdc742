/*
 * A process's and the machine's vital signs over time (ps_procmetrics.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect/ps_procmetrics.h"
#include "target/ps_proctext.h"
#include "base/ps_util.h"

void ps_procmetrics_init(struct ps_procmetrics *m, pid_t pid, uint64_t every_ns)
{
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->every_ns = every_ns;
	m->ticks_per_s = sysconf(_SC_CLK_TCK);
	if (m->ticks_per_s <= 0)
		m->ticks_per_s = 100;
	m->ncpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
}

void ps_procmetrics_release(struct ps_procmetrics *m)
{
	free(m->pts);
	memset(m, 0, sizeof(*m));
}

/* Adds the process's numbers, and those of the children it has reaped, to pt. */
static int read_stat(pid_t pid, struct ps_metrics_point *pt, long ticks)
{
	/* proc(5): minflt cminflt majflt cmajflt utime stime cutime cstime, then
	 * num_threads and rss */
	static const int fields[10] = { 10, 11, 12, 13, 14, 15, 16, 17, 20, 24 };
	uint64_t v[10];
	uint64_t minflt, cminflt, majflt, cmajflt, utime, stime, cutime, cstime, threads, rss_pages;
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return -1;
	for (int i = 0; i < 10; i++) {
		if (!ps_proctext_stat_field(text, fields[i], &v[i])) {
			free(text);
			return -1;
		}
	}
	free(text);
	minflt = v[0], cminflt = v[1], majflt = v[2], cmajflt = v[3];
	utime = v[4], stime = v[5], cutime = v[6], cstime = v[7];
	threads = v[8], rss_pages = v[9];
	pt->minflt += minflt + cminflt;
	pt->majflt += majflt + cmajflt;
	pt->utime_ns += (utime + cutime) * (1000000000ull / (uint64_t)ticks);
	pt->stime_ns += (stime + cstime) * (1000000000ull / (uint64_t)ticks);
	pt->threads += threads;
	pt->rss_bytes += rss_pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

static uint64_t count_fds(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	uint64_t n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void read_io(pid_t pid, struct ps_metrics_point *pt)
{
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	text = ps_read_file(path, NULL);
	if (!text)
		return;
	/* a process's counts include the children it has reaped */
	pt->rchar += ps_proctext_value(text, "rchar:");
	pt->wchar += ps_proctext_value(text, "wchar:");
	pt->read_bytes += ps_proctext_value(text, "\nread_bytes:");
	pt->write_bytes += ps_proctext_value(text, "\nwrite_bytes:");
	pt->io_known = true;
	free(text);
}

static void read_machine(struct ps_metrics_point *pt)
{
	char *stat = ps_read_file("/proc/stat", NULL), *mem = ps_read_file("/proc/meminfo", NULL);
	uint64_t v[8] = { 0 };

	if (stat && ps_proctext_cpu(stat, v)) {
		/* user nice system idle iowait irq softirq steal */
		pt->cpu_total_ticks = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		pt->cpu_busy_ticks = pt->cpu_total_ticks - v[3] - v[4];
		pt->cpu_steal_ticks = v[7];
	}
	if (mem) {
		pt->mem_total = ps_proctext_value(mem, "MemTotal:") * 1024;
		pt->mem_available = ps_proctext_value(mem, "MemAvailable:") * 1024;
	}
	free(stat);
	free(mem);
}

static int read_point(const uint32_t *pids, size_t npids, uint64_t now_ns,
			struct ps_metrics_point *out)
{
	long ticks = sysconf(_SC_CLK_TCK);

	memset(out, 0, sizeof(*out));
	out->time_ns = now_ns;
	if (ticks <= 0)
		ticks = 100;
	if (!npids || read_stat((pid_t)pids[0], out, ticks) < 0)
		return -1;
	out->fds = count_fds((pid_t)pids[0]);
	read_io((pid_t)pids[0], out);
	/* the others are not reaped yet: once they are, they are in their parent's numbers */
	for (size_t i = 1; i < npids; i++)
		if (read_stat((pid_t)pids[i], out, ticks) == 0) {
			out->fds += count_fds((pid_t)pids[i]);
			read_io((pid_t)pids[i], out);
		}
	read_machine(out);
	return 0;
}

int ps_procmetrics_sample(struct ps_procmetrics *m, const uint32_t *pids, size_t npids,
			  uint64_t now_ns, bool force)
{
	struct ps_metrics_point pt;

	if (!force && now_ns < m->next_ns)
		return 0;
	if (read_point(pids, npids, now_ns, &pt) < 0)
		return -1;
	if (!m->pts && !(m->pts = malloc(PS_METRICS_MAX_POINTS * sizeof(*m->pts))))
		return 0;
	if (m->n == PS_METRICS_MAX_POINTS) {
		for (size_t i = 0; i < PS_METRICS_MAX_POINTS / 2; i++)
			m->pts[i] = m->pts[2 * i];
		m->n = PS_METRICS_MAX_POINTS / 2;
		m->every_ns *= 2;
	}
	m->pts[m->n++] = pt;
	m->next_ns = now_ns + m->every_ns;
	return 0;
}
