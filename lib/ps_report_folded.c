/*
 * Folded stacks, the format of FlameGraph's stackcollapse scripts:
 *   comm;outermost;...;leaf COUNT
 * one line per unique stack, sorted, so flamegraph.pl, inferno and
 * speedscope load it unchanged.  Stacks that differ only in what we do
 * not print (thread, trimmed frames) are merged here.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ps_report.h"
#include "ps_strtab.h"
#include "ps_util.h"

struct line_buf {
	char *s;
	size_t len, cap;
};

/* Appends one frame, after a ';' unless it is the first. */
static int append_frame(struct line_buf *b, const char *text)
{
	size_t n = strlen(text);

	if (ps_grow(&b->s, &b->cap, b->len + n + 2, 1) < 0)
		return -1;
	if (b->len)
		b->s[b->len++] = ';';
	/* ';' separates frames and a newline ends the line: neither may appear. */
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		b->s[b->len++] = (c == ';' || c == '\n' || c == '\r') ? ':' : c;
	}
	b->s[b->len] = '\0';
	return 0;
}

static int build_line(struct line_buf *b, const struct ps_cpuprof *p, const struct ps_rstack *rs,
		      bool per_thread)
{
	const struct ps_thread_instance *t = &p->procs.threads[rs->thread];
	const struct ps_cpureport *r = &p->report;
	char name[1024];

	b->len = 0;
	if (append_frame(b, t->proc_comm[0] ? t->proc_comm : "[unknown]") < 0)
		return -1;
	if (per_thread && append_frame(b, t->comm) < 0)
		return -1;
	for (uint32_t i = 0; i < rs->nsyms; i++) {
		const struct ps_sym *s = &p->symbols.syms[r->syms[rs->first + i]];

		if (append_frame(b, ps_report_frame_name(&p->symbols, s, name, sizeof(name))) < 0)
			return -1;
	}
	return 0;
}

static const struct ps_strtab *sort_tab;

static int cmp_line(const void *a, const void *b)
{
	return strcmp(ps_strtab_get(sort_tab, *(const uint32_t *)a),
		      ps_strtab_get(sort_tab, *(const uint32_t *)b));
}

static int write_folded(FILE *fp, const struct ps_cpuprof *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = &p->report;
	struct line_buf b = { 0 };
	struct ps_strtab lines;
	uint64_t *counts = NULL;
	uint32_t *order = NULL;
	size_t ncounts = 0, cap = 0;
	int rc = -1;

	if (ps_strtab_init(&lines) < 0)
		return -1;
	for (size_t i = 0; i < r->nstacks; i++) {
		int64_t id;

		if (build_line(&b, p, &r->stacks[i], o->per_thread) < 0)
			goto out;
		id = ps_strtab_intern(&lines, b.s);
		if (id < 0 || ps_grow(&counts, &cap, (size_t)id + 1, sizeof(*counts)) < 0)
			goto out;
		while (ncounts <= (size_t)id)
			counts[ncounts++] = 0;
		counts[id] += r->stacks[i].count;
	}
	order = malloc((lines.count + 1) * sizeof(*order));
	if (!order)
		goto out;
	for (size_t i = 1; i < lines.count; i++)
		order[i - 1] = (uint32_t)i;
	sort_tab = &lines;
	qsort(order, lines.count ? lines.count - 1 : 0, sizeof(*order), cmp_line);
	sort_tab = NULL;
	for (size_t i = 0; i + 1 < lines.count; i++)
		fprintf(fp, "%s %" PRIu64 "\n", ps_strtab_get(&lines, order[i]), counts[order[i]]);
	rc = 0;
out:
	free(order);
	free(counts);
	free(b.s);
	ps_strtab_release(&lines);
	return rc;
}

const struct ps_report_writer ps_report_folded = {
	.name = "folded",
	.extension = ".folded",
	.write = write_folded,
};
