#include <stdio.h>
#include <string.h>

#include "ps_outfile.h"
#include "ps_report.h"

static const struct ps_report_writer *const writers[] = {
	&ps_report_folded,
	&ps_report_json,
};

#define NWRITERS (sizeof(writers) / sizeof(writers[0]))

const struct ps_report_writer *ps_report_by_name(const char *name)
{
	for (size_t i = 0; i < NWRITERS; i++)
		if (strcmp(writers[i]->name, name) == 0)
			return writers[i];
	return NULL;
}

const struct ps_report_writer *ps_report_for_path(const char *path)
{
	size_t plen = strlen(path);

	for (size_t i = 0; i < NWRITERS; i++) {
		size_t elen = strlen(writers[i]->extension);

		if (plen > elen && strcmp(path + plen - elen, writers[i]->extension) == 0)
			return writers[i];
	}
	return &ps_report_folded;
}

int ps_report_write(const struct ps_report_writer *w, const char *path,
		    const struct ps_cpuprof *p, const struct ps_report_opts *o,
		    struct ps_error *err)
{
	struct ps_outfile out;
	int rc = ps_outfile_open(&out, path, err);

	if (rc < 0)
		return rc;
	if (w->write(out.fp, p, o) < 0) {
		ps_outfile_abort(&out);
		return ps_error_set(err, PS_E_NOMEM, "out of memory while writing '%s'", path);
	}
	return ps_outfile_commit(&out, err);
}

const char *ps_report_frame_name(const struct ps_symbols *sy, const struct ps_sym *s,
				 char *buf, size_t len)
{
	const char *suffix = s->kind == PS_SYM_INLINE ? "_[i]" :
			     s->kind == PS_SYM_KERNEL ? "_[k]" :
			     s->kind == PS_SYM_JIT ? "_[j]" : "";

	snprintf(buf, len, "%s%s", ps_sym_name(sy, s), suffix);
	return buf;
}
