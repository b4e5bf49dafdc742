#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "model/ps_folded.h"
#include "base/ps_error.h"
#include "base/ps_outfile.h"
#include "report/ps_report.h"

/* Longer extensions first: ".speedscope.json" before ".json"; ".perf.txt" ends no other. */
static const struct ps_report_writer *const writers[] = {
	&ps_report_folded,
	&ps_report_speedscope,
	&ps_report_json,
	&ps_report_svg,
	&ps_report_pprof,
	&ps_report_perfscript,
};

#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

const struct ps_report_writer *ps_report_by_name(const char *name)
{
	for (size_t i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

static bool ends_with(const char *path, const char *ext)
{
	size_t plen = strlen(path), elen = ext ? strlen(ext) : 0;

	return ext && plen > elen && strcmp(path + plen - elen, ext) == 0;
}

const struct ps_report_writer *ps_report_for_path(const char *path)
{
	for (size_t i = 0; i < NWRITERS; i++)
		if (ends_with(path, writers[i]->extension) || ends_with(path, writers[i]->also_extension))
			return writers[i];
	return &ps_report_folded;
}

int ps_report_write(const struct ps_report_writer *w, const char *path,
		    const struct ps_cpu_run *p, const struct ps_report_opts *o,
		    struct ps_error *err)
{
	struct ps_outfile out;
	int rc = ps_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	rc = w->write(out.fp, p, o);
	if (rc < 0) {
		ps_outfile_abort(&out);
		return ps_outfile_write_failed(err, rc, path);
	}
	return ps_outfile_commit(&out, err);
}

const char *ps_report_frame_name(const struct ps_symbols *sy, const struct ps_sym *s,
				 char *buf, size_t len)
{
	const char *suffix = s->kind == PS_SYM_INLINE ? "_[i]" :
			     s->kind == PS_SYM_KERNEL ? "_[k]" :
			     s->kind == PS_SYM_JIT ? "_[j]" : "";
	const char *name = ps_sym_name(sy, s);

	/* most frames need no suffix: their name as it is, not a copy (a
	 * memory profile's folded files name millions of frames) */
	if (!*suffix && strlen(name) < len)
		return name;
	snprintf(buf, len, "%s%s", name, suffix);
	return buf;
}

/* key: a literal; value: a string that outlives the tree, or NULL (null). */
static void add_name(cJSON *o, const char *key, const char *value)
{
	cJSON_AddItemToObjectCS(o, key, value ? cJSON_CreateStringReference(value) : cJSON_CreateNull());
}

cJSON *ps_report_stack_json(const struct ps_symbols *sy, const struct ps_modules *mods,
			    const struct ps_stacks *ss, int64_t stack, ps_report_skip_fn skip,
			    const void *ctx)
{
	cJSON *arr = cJSON_CreateArray();
	const struct ps_stack *st;
	const uint32_t *frames;

	if (stack < 0)
		return arr;
	st = &ss->stacks[stack];
	frames = ps_stack_frames(ss, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		uint32_t count;
		const struct ps_sym *syms = ps_symbols_frame(sy, frames[i], &count);

		if (skip && skip(syms, ctx))
			continue;
		for (uint32_t k = 0; k < count; k++) {
			cJSON *o = cJSON_CreateObject();

			add_name(o, "function", ps_sym_name(sy, &syms[k]));
			add_name(o, "module", mods->mods[syms[k].module].path);
			add_name(o, "file", syms[k].file ? ps_strtab_get(&sy->strs, syms[k].file) : NULL);
			cJSON_AddItemToObjectCS(o, "line", cJSON_CreateNumber(syms[k].line));
			cJSON_AddItemToObjectCS(o, "inline", cJSON_CreateBool(syms[k].kind == PS_SYM_INLINE));
			cJSON_AddItemToArray(arr, o);
		}
	}
	return arr;
}

int ps_report_fold_stack(struct ps_folded *f, const struct ps_symbols *sy, const struct ps_stacks *ss,
			 const struct ps_stack *st, ps_report_skip_fn skip, const void *ctx)
{
	const uint32_t *frames = ps_stack_frames(ss, st);
	char name[1024];

	for (uint32_t i = st->nframes; i-- > 0;) {
		uint32_t count;
		const struct ps_sym *syms = ps_symbols_frame(sy, frames[i], &count);

		if (skip && skip(syms, ctx))
			continue;
		for (uint32_t k = count; k-- > 0;)
			if (ps_folded_frame(f, ps_report_frame_name(sy, &syms[k], name, sizeof(name))) < 0)
				return PS_E_NOMEM;
	}
	return 0;
}
