/*
 * Folded-stack files (ps_folded.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_folded.h"
#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

int ps_folded_init(struct ps_folded *f)
{
	memset(f, 0, sizeof(*f));
	return ps_strtab_init(&f->lines);
}

void ps_folded_release(struct ps_folded *f)
{
	ps_strtab_release(&f->lines);
	free(f->weights);
	free(f->line);
	memset(f, 0, sizeof(*f));
}

void ps_folded_begin(struct ps_folded *f)
{
	f->len = 0;
}

int ps_folded_frame(struct ps_folded *f, const char *text)
{
	size_t n = strlen(text);
	char *dst;

	if (ps_grow(&f->line, &f->line_cap, f->len + n + 2, 1) < 0)
		return PS_E_NOMEM;
	if (f->len)
		f->line[f->len++] = ';';
	dst = f->line + f->len;
	memcpy(dst, text, n + 1);
	f->len += n;
	/* ';' separates frames and a newline ends the line: neither may appear. */
	for (char *c = strpbrk(dst, ";\n\r"); c; c = strpbrk(c + 1, ";\n\r"))
		*c = ':';
	return 0;
}

int ps_folded_end(struct ps_folded *f, uint64_t weight)
{
	int64_t id;

	if (!f->len || !weight)
		return 0;
	id = ps_strtab_intern(&f->lines, f->line);
	if (id < 0 || ps_grow(&f->weights, &f->cap, (size_t)id + 1, sizeof(*f->weights)) < 0)
		return PS_E_NOMEM;
	while (f->nweights <= (size_t)id)
		f->weights[f->nweights++] = 0;
	f->weights[id] += weight;
	return 0;
}

static int cmp_line(const void *a, const void *b, void *lines)
{
	return strcmp(ps_strtab_get(lines, *(const uint32_t *)a),
		      ps_strtab_get(lines, *(const uint32_t *)b));
}

int ps_folded_write(const struct ps_folded *f, FILE *fp)
{
	size_t n = 0;
	uint32_t *order = malloc((f->nweights + 1) * sizeof(*order));

	if (!order)
		return PS_E_NOMEM;
	for (size_t id = 1; id < f->nweights; id++)	/* id 0 is the empty string */
		if (f->weights[id])
			order[n++] = (uint32_t)id;
	qsort_r(order, n, sizeof(*order), cmp_line, (void *)&f->lines);
	for (size_t i = 0; i < n; i++) {
		const char *line = ps_strtab_get(&f->lines, order[i]);

		/* names from outside: valid UTF-8 whatever they were */
		ps_utf8_put(fp, line, strlen(line));
		fprintf(fp, " %" PRIu64 "\n", f->weights[order[i]]);
	}
	free(order);
	return 0;
}
