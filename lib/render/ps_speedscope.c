/*
 * speedscope's file format: the frames, the profiles and their samples,
 * written out (ps_speedscope.h).
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/ps_speedscope.h"
#include "base/ps_error.h"
#include "base/ps_utf8.h"
#include "base/ps_util.h"

int ps_speedscope_init(struct ps_speedscope *s)
{
	memset(s, 0, sizeof(*s));
	return ps_strtab_init(&s->frames);
}

void ps_speedscope_release(struct ps_speedscope *s)
{
	for (size_t i = 0; i < s->nprofiles; i++) {
		free(s->profiles[i]->name);
		free(s->profiles[i]->frames);
		free(s->profiles[i]->samples);
		free(s->profiles[i]);
	}
	free(s->profiles);
	free(s->key);
	ps_strtab_release(&s->frames);
	memset(s, 0, sizeof(*s));
}

int64_t ps_speedscope_frame(struct ps_speedscope *s, const char *name, const char *file)
{
	/* the name's length first: no character of a name can then be mistaken for where it ends */
	size_t len = strlen(name), need = len + (file ? strlen(file) : 0) + 24;
	int64_t id;

	if (ps_grow(&s->key, &s->key_cap, need, 1) < 0)
		return PS_E_NOMEM;
	snprintf(s->key, s->key_cap, "%zu:%s%s", len, name, file ? file : "");
	id = ps_strtab_intern(&s->frames, s->key);
	/* id 0 is the strtab's empty string, never a key */
	return id <= 0 ? PS_E_NOMEM : id - 1;
}

struct ps_speedscope_profile *ps_speedscope_profile(struct ps_speedscope *s, const char *name, const char *unit)
{
	struct ps_speedscope_profile *p;

	if (ps_grow(&s->profiles, &s->profiles_cap, s->nprofiles + 1, sizeof(*s->profiles)) < 0 ||
	    !(p = calloc(1, sizeof(*p))))
		return NULL;
	if (!(p->name = strdup(name))) {
		free(p);
		return NULL;
	}
	p->unit = unit;
	s->profiles[s->nprofiles++] = p;
	return p;
}

int ps_speedscope_sample(struct ps_speedscope_profile *p, const uint32_t *frames, size_t n, double weight)
{
	if (ps_grow(&p->frames, &p->frames_cap, p->nframes + n, sizeof(*p->frames)) < 0 ||
	    ps_grow(&p->samples, &p->samples_cap, p->nsamples + 1, sizeof(*p->samples)) < 0)
		return PS_E_NOMEM;
	if (n) {
		memcpy(p->frames + p->nframes, frames, n * sizeof(*frames));
		p->nframes += n;
	}
	p->samples[p->nsamples++] = (struct ps_speedscope_sample){ p->nframes, weight };
	p->total += weight;
	return 0;
}

const char *ps_speedscope_unit(const char *unit)
{
	static const struct { const char *ours, *theirs; } units[] = {
		{ "samples", "none" }, { "none", "none" }, { "ns", "nanoseconds" },
		{ "nanoseconds", "nanoseconds" }, { "us", "microseconds" }, { "microseconds", "microseconds" },
		{ "ms", "milliseconds" }, { "milliseconds", "milliseconds" }, { "s", "seconds" },
		{ "seconds", "seconds" }, { "bytes", "bytes" }, { "B", "bytes" },
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i].ours) == 0)
			return units[i].theirs;
	return NULL;
}

/* s as a JSON string, escaped by cJSON. */
static void put_string(FILE *fp, const char *s)
{
	cJSON *item = cJSON_CreateStringReference(s);
	char *text = item ? cJSON_PrintUnformatted(item) : NULL;

	if (text)
		ps_utf8_put(fp, text, strlen(text));
	else
		fputs("\"\"", fp);
	free(text);
	cJSON_Delete(item);
}

/* A weight: whole numbers (counts, bytes, nanoseconds) exactly, as integers. */
static void put_number(FILE *fp, double v)
{
	if (v == floor(v) && fabs(v) <= 9007199254740992.0)
		fprintf(fp, "%.0f", v);
	else
		fprintf(fp, "%.17g", isfinite(v) ? v : 0);
}

static void put_frames(FILE *fp, const struct ps_speedscope *s)
{
	for (size_t i = 1; i < s->frames.count; i++) {
		const char *key = ps_strtab_get(&s->frames, (uint32_t)i), *colon = strchr(key, ':');
		size_t len = strtoul(key, NULL, 10);
		char *name = strndup(colon + 1, len);
		const char *file = colon + 1 + len;

		fputs(i > 1 ? ",\n{\"name\":" : "\n{\"name\":", fp);
		put_string(fp, name ? name : "");
		free(name);
		if (*file) {
			fputs(",\"file\":", fp);
			put_string(fp, file);
		}
		fputc('}', fp);
	}
}

static void put_profile(FILE *fp, const struct ps_speedscope_profile *p)
{
	size_t f = 0;

	fputs("{\"type\":\"sampled\",\"name\":", fp);
	put_string(fp, p->name);
	fprintf(fp, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":", p->unit);
	put_number(fp, p->total);
	fputs(",\n\"samples\":[", fp);
	for (size_t i = 0; i < p->nsamples; i++) {
		fputs(i ? ",\n[" : "\n[", fp);
		for (; f < p->samples[i].end; f++)
			fprintf(fp, f + 1 < p->samples[i].end ? "%u," : "%u", p->frames[f]);
		fputc(']', fp);
	}
	fputs("],\n\"weights\":[", fp);
	for (size_t i = 0; i < p->nsamples; i++) {
		if (i)
			fputs(i % 20 ? "," : ",\n", fp);
		put_number(fp, p->samples[i].weight);
	}
	fputs("]}", fp);
}

/* A profile and its place among them: heaviest first, as added among equals. */
struct ranked {
	const struct ps_speedscope_profile *p;
	size_t added;
};

static int cmp_heavier(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->p->total != y->p->total)
		return x->p->total > y->p->total ? -1 : 1;
	return x->added < y->added ? -1 : x->added > y->added;
}

int ps_speedscope_write(FILE *fp, const struct ps_speedscope *s, const char *name, const char *exporter)
{
	struct ranked *order = malloc((s->nprofiles + 1) * sizeof(*order));

	if (!order)
		return PS_E_NOMEM;
	for (size_t i = 0; i < s->nprofiles; i++)
		order[i] = (struct ranked){ s->profiles[i], i };
	qsort(order, s->nprofiles, sizeof(*order), cmp_heavier);
	fputs("{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\",\n\"name\":", fp);
	put_string(fp, name);
	fputs(",\n\"exporter\":", fp);
	put_string(fp, exporter);
	fputs(",\n\"activeProfileIndex\":0,\n\"shared\":{\"frames\":[", fp);
	put_frames(fp, s);
	fputs("]},\n\"profiles\":[", fp);
	for (size_t i = 0; i < s->nprofiles; i++) {
		fputs(i ? ",\n" : "\n", fp);
		put_profile(fp, order[i].p);
	}
	fputs("]}\n", fp);
	free(order);
	return ferror(fp) ? -1 : 0;
}
