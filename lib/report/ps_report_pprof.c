/*
 * A CPU profile in pprof's format: a profile.proto Profile message
 * (lib/proto/profile.proto, encoded by protobuf-c), gzip-compressed (zlib),
 * which pprof, Pyroscope, Parca and Grafana read.
 *
 *   sample_type   samples/count and cpu/nanoseconds, the second being the
 *                 count times the period: one sample stands for 1/frequency
 *                 seconds of CPU (period_type cpu/nanoseconds)
 *   Sample        one per unique (thread, stack), leaf first, labelled with
 *                 the thread's and process's names and ids
 *   Location      one per unique frame (module, file offset), its Lines the
 *                 functions inlined there, innermost first, then the
 *                 function that holds them: pprof expands them as we do
 *   Function      one per (name, file, module); no start line (perfscope
 *                 does not read the functions' declarations)
 *   Mapping       one per module, with its path and build id; a frame's
 *                 address is its file offset (absolute for the kernel and
 *                 JIT code), and file_offset is memory_start, so
 *                 address - memory_start + file_offset is the file offset
 *                 pprof's own symbolizer would want; has_functions is set,
 *                 so it keeps our names.
 *
 * The frames of each stack are those of the report (ps_cpureport): what
 * lies beyond a thread's entry point is left out, as in the folded output.
 *
 * Nothing is held packed: protobuf-c packs into a buffer whose append
 * deflates straight into the file.
 */
#include <protobuf-c/protobuf-c.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "profile.pb-c.h"
#include "report/ps_report.h"
#include "base/ps_error.h"
#include "base/ps_strtab.h"
#include "base/ps_util.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

#define NLABELS 4   /* thread, process, pid, tid */

struct pprof {
	const struct ps_cpu_run *p;
	struct ps_strtab strs;       /* the string table: id == index, 0 is "" */
	struct ps_strtab fn_keys;    /* "name file module": id - 1 is the function's index */
	uint32_t *fn_of_sym;         /* ps_symbols sym -> function id, 0 not yet */
	uint64_t *loc_of_frame;      /* ps_stacks frame id -> location id, 0 not yet */
	uint64_t *map_of_module;     /* module id -> mapping id, 0 not yet */

	pb_function *funcs;
	size_t nfuncs, funcs_cap;
	pb_location *locs;
	size_t *loc_first_line;      /* the location's Lines in `lines`, set at the end */
	size_t nlocs, locs_cap, loc_first_cap;
	pb_line *lines;
	size_t nlines, lines_cap;
	pb_mapping *maps;
	size_t nmaps, maps_cap;

	pb_sample *samples;          /* one per report stack */
	uint64_t *loc_ids;           /* every sample's location ids, end to end */
	size_t nloc_ids;
	int64_t *values;             /* 2 per sample */
	pb_label *labels;            /* NLABELS per sample */
	pb_label **label_ptrs;
};

/* The string's index in the table, or -1 when out of memory. */
static int64_t str_id(struct pprof *pp, const char *s)
{
	return ps_strtab_intern(&pp->strs, s ? s : "");
}

static int64_t mapping_of(struct pprof *pp, uint32_t module)
{
	const struct ps_module *m = &pp->p->modules->mods[module];
	char build_id[128];
	int64_t file, bid;
	pb_mapping *pm;

	if (pp->map_of_module[module])
		return (int64_t)pp->map_of_module[module];
	file = str_id(pp, m->path);
	bid = str_id(pp, ps_symbols_build_id(pp->p->symbols, module, build_id, sizeof(build_id)));
	if (file < 0 || bid < 0 || ps_grow(&pp->maps, &pp->maps_cap, pp->nmaps + 1, sizeof(*pp->maps)) < 0)
		return PS_E_NOMEM;
	pm = &pp->maps[pp->nmaps++];
	perftools__profiles__mapping__init(pm);
	pm->id = pp->nmaps;
	pm->memory_start = UINT64_MAX;
	pm->filename = file;
	pm->build_id = bid;
	pm->has_functions = true;
	return (int64_t)(pp->map_of_module[module] = pm->id);
}

static int64_t function_of(struct pprof *pp, uint32_t sym)
{
	const struct ps_sym *s = &pp->p->symbols->syms[sym];
	size_t before = pp->fn_keys.count;
	char key[64];
	int64_t id, name, file;
	pb_function *f;

	if (pp->fn_of_sym[sym])
		return pp->fn_of_sym[sym];
	snprintf(key, sizeof(key), "%u %u %u", s->name, s->file, s->module);
	id = ps_strtab_intern(&pp->fn_keys, key);
	if (id <= 0)
		return PS_E_NOMEM;
	if ((size_t)id >= before) {	/* a new one: it is function number id */
		name = str_id(pp, ps_sym_name(pp->p->symbols, s));
		file = str_id(pp, ps_strtab_get(&pp->p->symbols->strs, s->file));
		if (name < 0 || file < 0 ||
		    ps_grow(&pp->funcs, &pp->funcs_cap, pp->nfuncs + 1, sizeof(*pp->funcs)) < 0)
			return PS_E_NOMEM;
		f = &pp->funcs[pp->nfuncs++];
		perftools__profiles__function__init(f);
		f->id = (uint64_t)id;
		f->name = name;
		f->system_name = name;	/* we keep only the demangled name */
		f->filename = file;
	}
	return pp->fn_of_sym[sym] = (uint32_t)id;
}

/* The location of ps_stacks frame `frame`, made the first time. */
static int64_t location_of(struct pprof *pp, uint32_t frame)
{
	const struct ps_frame_key *fk = &pp->p->stacks->frames[frame];
	const struct ps_symbols *sy = pp->p->symbols;
	uint32_t count, first = sy->frame_first[frame];
	const struct ps_sym *syms = ps_symbols_frame(sy, frame, &count);
	int64_t map = mapping_of(pp, fk->module);
	size_t mcap = pp->loc_first_cap;
	pb_location *loc;
	pb_mapping *pm;

	if (pp->loc_of_frame[frame])
		return (int64_t)pp->loc_of_frame[frame];
	if (map < 0 || ps_grow(&pp->locs, &pp->locs_cap, pp->nlocs + 1, sizeof(*pp->locs)) < 0 ||
	    ps_grow(&pp->loc_first_line, &mcap, pp->nlocs + 1, sizeof(*pp->loc_first_line)) < 0 ||
	    ps_grow(&pp->lines, &pp->lines_cap, pp->nlines + count, sizeof(*pp->lines)) < 0)
		return PS_E_NOMEM;
	pp->loc_first_cap = mcap;
	pm = &pp->maps[map - 1];
	loc = &pp->locs[pp->nlocs];
	perftools__profiles__location__init(loc);
	loc->id = pp->nlocs + 1;
	loc->mapping_id = (uint64_t)map;
	loc->address = fk->offset;
	loc->n_line = count;
	pp->loc_first_line[pp->nlocs++] = pp->nlines;
	/* the frame's symbols are innermost first, as pprof wants its lines */
	for (uint32_t k = 0; k < count; k++) {
		pb_line *l = &pp->lines[pp->nlines++];
		int64_t fn = function_of(pp, first + k);

		if (fn < 0)
			return PS_E_NOMEM;
		perftools__profiles__line__init(l);
		l->function_id = (uint64_t)fn;
		l->line = syms[k].line;
		pm->has_filenames |= syms[k].file != 0;
		pm->has_line_numbers |= syms[k].line != 0;
		pm->has_inline_frames |= syms[k].kind == PS_SYM_INLINE;
	}
	if (fk->offset < pm->memory_start)
		pm->memory_start = fk->offset;
	if (fk->offset >= pm->memory_limit)
		pm->memory_limit = fk->offset + 1;
	return (int64_t)(pp->loc_of_frame[frame] = loc->id);
}

static void set_label(pb_label *l, int64_t key, int64_t str, int64_t num)
{
	perftools__profiles__label__init(l);
	l->key = key;
	l->str = str;
	l->num = num;
}

/*
 * Sample i: report stack i's frames, leaf first, as far as the report
 * keeps them (it drops what lies beyond the thread's entry point).
 */
static int add_sample(struct pprof *pp, size_t i, int64_t period, const int64_t keys[NLABELS])
{
	const struct ps_cpu_run *p = pp->p;
	const struct ps_rstack *rs = &p->report->stacks[i];
	const struct ps_stack *st = &p->stacks->stacks[rs->stack];
	const struct ps_thread_instance *t = &p->procs->threads[rs->thread];
	const uint32_t *frames = ps_stack_frames(p->stacks, st);
	pb_sample *s = &pp->samples[i];
	pb_label *l = &pp->labels[i * NLABELS];
	int64_t comm = str_id(pp, t->comm), proc = str_id(pp, t->proc_comm);
	uint32_t left = rs->nsyms;

	if (comm < 0 || proc < 0)
		return PS_E_NOMEM;
	perftools__profiles__sample__init(s);
	s->location_id = &pp->loc_ids[pp->nloc_ids];
	for (uint32_t f = 0; f < st->nframes && left > 0; f++) {
		int64_t loc = location_of(pp, frames[f]);
		uint32_t n = p->symbols->frame_count[frames[f]];

		if (loc < 0)
			return PS_E_NOMEM;
		pp->loc_ids[pp->nloc_ids++] = (uint64_t)loc;
		s->n_location_id++;
		left -= n < left ? n : left;
	}
	s->value = &pp->values[2 * i];
	s->n_value = 2;
	s->value[0] = (int64_t)rs->count;
	s->value[1] = (int64_t)rs->count * period;
	set_label(&l[0], keys[0], comm, 0);
	set_label(&l[1], keys[1], proc, 0);
	set_label(&l[2], keys[2], 0, t->pid);
	set_label(&l[3], keys[3], 0, t->tid);
	s->label = &pp->label_ptrs[i * NLABELS];
	s->n_label = NLABELS;
	for (int k = 0; k < NLABELS; k++)
		s->label[k] = &l[k];
	return 0;
}

static int add_samples(struct pprof *pp, int64_t period)
{
	const struct ps_cpureport *r = pp->p->report;
	size_t n = r->nstacks, nframes = 0;
	int64_t keys[NLABELS] = { str_id(pp, "thread"), str_id(pp, "process"), str_id(pp, "pid"),
				  str_id(pp, "tid") };

	for (size_t i = 0; i < n; i++)
		nframes += pp->p->stacks->stacks[r->stacks[i].stack].nframes;
	pp->samples = calloc(n + 1, sizeof(*pp->samples));
	pp->loc_ids = calloc(nframes + 1, sizeof(*pp->loc_ids));
	pp->values = calloc(2 * n + 1, sizeof(*pp->values));
	pp->labels = calloc(NLABELS * n + 1, sizeof(*pp->labels));
	pp->label_ptrs = calloc(NLABELS * n + 1, sizeof(*pp->label_ptrs));
	if (!pp->samples || !pp->loc_ids || !pp->values || !pp->labels || !pp->label_ptrs)
		return PS_E_NOMEM;
	for (int k = 0; k < NLABELS; k++)
		if (keys[k] < 0)
			return PS_E_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (add_sample(pp, i, period, keys) < 0)
			return PS_E_NOMEM;
	return 0;
}

/* ptrs[i] = &items[i]: the arrays protobuf-c walks, made once nothing grows. */
#define POINT_AT(ptrs, items, n)                                             \
	do {                                                                 \
		(ptrs) = calloc((n) + 1, sizeof(*(ptrs)));                   \
		for (size_t i_ = 0; (ptrs) && i_ < (n); i_++)                \
			(ptrs)[i_] = &(items)[i_];                           \
	} while (0)

/* gzip output: protobuf-c appends packed bytes, zlib deflates them to fp. */
struct gz_out {
	ProtobufCBuffer base;        /* first: protobuf-c calls base.append */
	z_stream z;
	FILE *fp;
	bool failed;                 /* a write failed: the file's error says why */
	unsigned char out[1 << 16];
};

static int gz_pump(struct gz_out *g, const uint8_t *data, size_t len, int flush)
{
	int rc;

	g->z.next_in = (Bytef *)data;
	g->z.avail_in = (uInt)len;
	do {
		size_t have;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof(g->out);
		rc = deflate(&g->z, flush);
		if (rc == Z_STREAM_ERROR)
			return -1;
		have = sizeof(g->out) - g->z.avail_out;
		if (have && fwrite(g->out, 1, have, g->fp) != have) {
			g->failed = true;
			return 0;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
	return 0;
}

static void gz_append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data)
{
	struct gz_out *g = (struct gz_out *)buffer;

	/* protobuf-c appends small pieces (strings, varints): far below 4 GiB */
	if (!g->failed && gz_pump(g, data, len, Z_NO_FLUSH) < 0)
		g->failed = true;
}

static int write_gzip(FILE *fp, const pb_profile *msg)
{
	struct gz_out *g = calloc(1, sizeof(*g));
	int rc = -1;

	if (!g)
		return PS_E_NOMEM;
	g->base.append = gz_append;
	g->fp = fp;
	/* 15 + 16: a gzip header and trailer around the deflate stream */
	if (deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto out;
	perftools__profiles__profile__pack_to_buffer(msg, &g->base);
	if (!g->failed && gz_pump(g, NULL, 0, Z_FINISH) < 0)
		g->failed = true;
	deflateEnd(&g->z);
	rc = 0;		/* a failed write shows as the file's error at commit */
out:
	free(g);
	return rc;
}

/* Wall-clock time of a CLOCK_MONOTONIC instant, in Unix epoch nanoseconds. */
static int64_t epoch_ns(uint64_t mono_ns)
{
	struct timespec now;
	int64_t real;

	clock_gettime(CLOCK_REALTIME, &now);
	real = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	return real - (int64_t)(ps_now_ns() - mono_ns);
}

static int add_comments(struct pprof *pp, const struct ps_report_opts *o, int64_t *ids)
{
	const struct ps_cpu_run *p = pp->p;
	char text[3][512];

	snprintf(text[0], sizeof(text[0]), "perfscope %s cpu-profile of %s", o->version ? o->version : "",
		 p->run.argv ? p->run.argv[0] : "a running process");
	snprintf(text[1], sizeof(text[1]), "event %s at %u Hz, sampler %s, %s unwinding",
		 p->sampling.event[0] ? p->sampling.event : "none", p->sampling.frequency,
		 p->sampling.sampler ? p->sampling.sampler : "none", p->sampling.unwinder);
	snprintf(text[2], sizeof(text[2]), "%llu samples, %llu lost",
		 (unsigned long long)p->counts.samples, (unsigned long long)p->counts.lost);
	for (int i = 0; i < 3; i++)
		if ((ids[i] = str_id(pp, text[i])) < 0)
			return PS_E_NOMEM;
	return 0;
}

static void release(struct pprof *pp)
{
	ps_strtab_release(&pp->strs);
	ps_strtab_release(&pp->fn_keys);
	free(pp->fn_of_sym);
	free(pp->loc_of_frame);
	free(pp->map_of_module);
	free(pp->funcs);
	free(pp->locs);
	free(pp->loc_first_line);
	free(pp->lines);
	free(pp->maps);
	free(pp->samples);
	free(pp->loc_ids);
	free(pp->values);
	free(pp->labels);
	free(pp->label_ptrs);
}

static int write_pprof(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	struct pprof pp = { .p = p };
	pb_profile msg = PERFTOOLS__PROFILES__PROFILE__INIT;
	pb_value_type types[2] = { PERFTOOLS__PROFILES__VALUE_TYPE__INIT,
				   PERFTOOLS__PROFILES__VALUE_TYPE__INIT };
	pb_value_type period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT, *type_ptrs[2];
	int64_t period = (int64_t)(1000000000ULL / (p->sampling.frequency ? p->sampling.frequency : 1));
	int64_t comments[3], cpu, ns;
	pb_location **locs = NULL;
	pb_line **lines = NULL;
	pb_function **funcs = NULL;
	pb_mapping **maps = NULL;
	pb_sample **samples = NULL;
	int rc = PS_E_NOMEM;

	if (ps_strtab_init(&pp.strs) < 0 || ps_strtab_init(&pp.fn_keys) < 0)
		goto out;
	pp.fn_of_sym = calloc(p->symbols->nsyms + 1, sizeof(*pp.fn_of_sym));
	pp.loc_of_frame = calloc(p->stacks->nframes + 1, sizeof(*pp.loc_of_frame));
	pp.map_of_module = calloc(p->modules->count + 1, sizeof(*pp.map_of_module));
	if (!pp.fn_of_sym || !pp.loc_of_frame || !pp.map_of_module)
		goto out;
	types[0].type = str_id(&pp, "samples");
	types[0].unit = str_id(&pp, "count");
	types[1].type = cpu = str_id(&pp, "cpu");
	types[1].unit = ns = str_id(&pp, "nanoseconds");
	if (types[0].type < 0 || types[0].unit < 0 || cpu < 0 || ns < 0 ||
	    add_samples(&pp, period) < 0 || add_comments(&pp, o, comments) < 0)
		goto out;
	/* every table is complete */
	POINT_AT(lines, pp.lines, pp.nlines);
	POINT_AT(locs, pp.locs, pp.nlocs);
	POINT_AT(funcs, pp.funcs, pp.nfuncs);
	POINT_AT(maps, pp.maps, pp.nmaps);
	POINT_AT(samples, pp.samples, p->report->nstacks);
	if (!lines || !locs || !funcs || !maps || !samples)
		goto out;
	for (size_t i = 0; i < pp.nlocs; i++)
		pp.locs[i].line = &lines[pp.loc_first_line[i]];
	for (size_t m = 0; m < p->modules->count; m++) {
		pb_mapping *pm = pp.map_of_module[m] ? &pp.maps[pp.map_of_module[m] - 1] : NULL;

		if (pm && p->modules->mods[m].kind == PS_MOD_FILE)
			pm->file_offset = pm->memory_start;
	}
	type_ptrs[0] = &types[0];
	type_ptrs[1] = &types[1];
	msg.n_sample_type = 2;
	msg.sample_type = type_ptrs;
	msg.n_sample = p->report->nstacks;
	msg.sample = samples;
	msg.n_mapping = pp.nmaps;
	msg.mapping = maps;
	msg.n_location = pp.nlocs;
	msg.location = locs;
	msg.n_function = pp.nfuncs;
	msg.function = funcs;
	msg.n_string_table = pp.strs.count;
	msg.string_table = pp.strs.strs;
	msg.time_nanos = epoch_ns(p->run.start_ns);
	msg.duration_nanos = p->run.end_ns > p->run.start_ns ? (int64_t)(p->run.end_ns - p->run.start_ns) : 0;
	period_type.type = cpu;
	period_type.unit = ns;
	msg.period_type = &period_type;
	msg.period = period;
	msg.n_comment = 3;
	msg.comment = comments;
	msg.default_sample_type = cpu;
	rc = write_gzip(fp, &msg);
out:
	free(lines);
	free(locs);
	free(funcs);
	free(maps);
	free(samples);
	release(&pp);
	return rc;
}

const struct ps_report_writer ps_report_pprof = {
	.name = "pprof",
	.extension = ".pb.gz",
	.write = write_pprof,
};
