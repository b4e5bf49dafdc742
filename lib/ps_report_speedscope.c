/*
 * A CPU profile in speedscope's file format (its schema:
 * https://www.speedscope.app/file-format-schema.json; a copy is in tests/):
 * one "sampled" profile per thread, each unique stack once with its
 * sample count as the weight, the frames shared between them.  A frame is
 * a function (its name and file), as in the folded output: the symbols of
 * one function's lines are one frame.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "ps_json.h"
#include "ps_report.h"
#include "ps_strtab.h"

#define NO_FRAME UINT32_MAX

struct frames {
	cJSON *list;                /* shared.frames */
	uint32_t *of_sym;           /* ps_symbols index -> frame index, NO_FRAME */
	struct ps_strtab keys;      /* "name\tfile": its id - 1 is the frame's index */
};

/* The frame of symbol `sym`, added to the shared list the first time. */
static uint32_t frame_of(struct frames *f, const struct ps_cpuprof *p, uint32_t sym)
{
	const struct ps_sym *s = &p->symbols.syms[sym];
	const char *file = s->file ? ps_strtab_get(&p->symbols.strs, s->file) : "";
	char name[1024], key[1536];
	size_t before = f->keys.count;
	int64_t id;
	cJSON *o;

	if (f->of_sym[sym] != NO_FRAME)
		return f->of_sym[sym];
	ps_report_frame_name(&p->symbols, s, name, sizeof(name));
	snprintf(key, sizeof(key), "%s\t%s", name, file);
	id = ps_strtab_intern(&f->keys, key);
	if (id <= 0)
		return 0;	/* out of memory: the first frame rather than a broken file */
	if ((size_t)id >= before) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", name);
		if (file[0])
			cJSON_AddStringToObject(o, "file", file);
		cJSON_AddItemToArray(f->list, o);
	}
	return f->of_sym[sym] = (uint32_t)id - 1;
}

/* An empty sampled profile for thread instance t: samples and weights to fill. */
static cJSON *new_profile(const struct ps_cpuprof *p, uint32_t t)
{
	const struct ps_thread_instance *th = &p->procs.threads[t];
	cJSON *o = cJSON_CreateObject();
	char name[96];

	snprintf(name, sizeof(name), "%s (pid %u, tid %u)", th->comm[0] ? th->comm : "[unknown]",
		 (unsigned)th->pid, (unsigned)th->tid);
	cJSON_AddStringToObject(o, "type", "sampled");
	cJSON_AddStringToObject(o, "name", name);
	cJSON_AddStringToObject(o, "unit", "none");
	cJSON_AddNumberToObject(o, "startValue", 0);
	cJSON_AddNumberToObject(o, "endValue", 0);
	cJSON_AddArrayToObject(o, "samples");
	cJSON_AddArrayToObject(o, "weights");
	return o;
}

static int write_speedscope(FILE *fp, const struct ps_cpuprof *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = &p->report;
	struct frames f = { .list = cJSON_CreateArray(),
			    .of_sym = malloc((p->symbols.nsyms + 1) * sizeof(uint32_t)) };
	cJSON **profile_of = calloc(p->procs.nthreads + 1, sizeof(*profile_of));
	cJSON *root = cJSON_CreateObject(), *profiles = cJSON_CreateArray();
	char name[160];

	if (!f.list || !f.of_sym || !profile_of || !root || !profiles || ps_strtab_init(&f.keys) < 0) {
		cJSON_Delete(f.list);
		cJSON_Delete(root);
		cJSON_Delete(profiles);
		free(f.of_sym);
		free(profile_of);
		ps_strtab_release(&f.keys);
		return -1;
	}
	for (size_t i = 0; i < p->symbols.nsyms; i++)
		f.of_sym[i] = NO_FRAME;
	/* the threads in the report's order (most samples first) */
	for (size_t i = 0; i < r->nthreads; i++) {
		uint32_t t = r->threads[i].thread;

		profile_of[t] = new_profile(p, t);
		cJSON_AddItemToArray(profiles, profile_of[t]);
	}
	for (size_t i = 0; i < r->nstacks; i++) {
		const struct ps_rstack *rs = &r->stacks[i];
		cJSON *prof = profile_of[rs->thread], *stack = cJSON_CreateArray();

		if (!prof) {
			prof = profile_of[rs->thread] = new_profile(p, rs->thread);
			cJSON_AddItemToArray(profiles, prof);
		}
		for (uint32_t k = 0; k < rs->nsyms; k++)
			cJSON_AddItemToArray(stack, cJSON_CreateNumber(frame_of(&f, p, r->syms[rs->first + k])));
		cJSON_AddItemToArray(cJSON_GetObjectItem(prof, "samples"), stack);
		cJSON_AddItemToArray(cJSON_GetObjectItem(prof, "weights"), cJSON_CreateNumber((double)rs->count));
		cJSON_SetNumberValue(cJSON_GetObjectItem(prof, "endValue"),
				     cJSON_GetObjectItem(prof, "endValue")->valuedouble + (double)rs->count);
	}
	cJSON_AddStringToObject(root, "$schema", "https://www.speedscope.app/file-format-schema.json");
	snprintf(name, sizeof(name), "perfscope cpu-profile of %s",
		 p->cfg.argv ? p->cfg.argv[0] : "a running process");
	cJSON_AddStringToObject(root, "name", name);
	snprintf(name, sizeof(name), "perfscope %s", o->version ? o->version : "");
	cJSON_AddStringToObject(root, "exporter", name);
	cJSON_AddNumberToObject(root, "activeProfileIndex", 0);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(root, "shared"), "frames", f.list);
	cJSON_AddItemToObject(root, "profiles", profiles);
	free(f.of_sym);
	free(profile_of);
	ps_strtab_release(&f.keys);
	return ps_json_print(fp, root);
}

const struct ps_report_writer ps_report_speedscope = {
	.name = "speedscope",
	.extension = ".speedscope.json",
	.write = write_speedscope,
};
