/*
 * The memory writers read a finished run (run/ps_memrun.h) and nothing
 * else, so a run built here by hand, its heap fed tracker records with no
 * tracker, no perf events and no root, is all they need.  Checked against
 * what was fed in: memory.json's summary (allocations, bytes lost, the
 * peak), its metadata (exit status, notes under their keys or null in
 * their places, the counts), the sites with their named frames, and the
 * folded files' lines to the byte, and the page.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ps_util.h"
#include "memory/ps_heap.h"
#include "memory/ps_memproto.h"
#include "report/ps_memreport.h"
#include "run/ps_memrun.h"
#include "symbols_fixture.h"
#include "unit.h"

#define MS 1000000ull   /* nanoseconds */
#define PID 200

struct fx {
	struct ps_modules mm;
	struct ps_procs pp;
	struct ps_stacks ss, faults;
	struct ps_symbols sy;
	struct ps_heap hp;
	struct ps_mem_run run;
};

static char *const argv[] = { "leaky", "--n", "10", NULL };

static int stack_rec(struct ps_heap *hp, uint64_t hash, const uint64_t *pcs, uint32_t n)
{
	union {
		struct ps_mem_rec_stack r;
		char bytes[sizeof(struct ps_mem_rec_stack) + 4 * sizeof(uint64_t)];
	} u = { 0 };

	u.r.h = (struct ps_mem_rec){ .type = PS_MEM_REC_STACK, .size = sizeof(u), .tid = PID };
	u.r.stack = hash;
	u.r.nframes = n;
	memcpy(u.r.pcs, pcs, n * sizeof(*pcs));
	return ps_heap_apply(hp, 0, &u.r.h, 0);
}

static int alloc_rec(struct ps_heap *hp, uint64_t addr, uint64_t bytes, uint64_t hash, uint64_t t)
{
	struct ps_mem_rec_alloc r = {
		.h = { .type = PS_MEM_REC_ALLOC, .api = PS_MEM_API_MALLOC, .size = sizeof(r), .tid = PID },
		.addr = addr, .bytes = bytes, .stack = hash,
	};

	return ps_heap_apply(hp, 0, &r.h, t);
}

static int free_rec(struct ps_heap *hp, uint64_t addr, uint64_t t)
{
	struct ps_mem_rec_free r = {
		.h = { .type = PS_MEM_REC_FREE, .api = PS_MEM_API_FREE, .size = sizeof(r), .tid = PID },
		.addr = addr,
	};

	return ps_heap_apply(hp, 0, &r.h, t);
}

/* Names every frame the heap interned by its offset in /usr/bin/leaky. */
static void name_frames(struct fx *x)
{
	size_t n = x->ss.nframes;

	for (size_t i = 0; i < n; i++) {
		uint64_t off = x->ss.frames[i].offset;
		const char *name = off == 0x1010 ? "leak_here" : off == 0x1020 ? "main" :
				   off == 0x1030 ? "scratch" : "other";

		fixture_frame(&x->sy, &x->ss, x->ss.frames[i].module, off, PS_SYM_FUNC, name, NULL);
	}
}

/*
 * leaky (pid 200): main -> leak_here allocates 10 x 1000 bytes at 1..10 ms,
 * never freed, found definitely lost; then main -> scratch allocates
 * 5 x 200 bytes, each freed at once.  The program exited with status 3.
 */
static int fx_init(struct fx *x)
{
	static const uint64_t leak_pcs[] = { 0x401011, 0x401021 }, scratch_pcs[] = { 0x401031, 0x401021 };
	struct ps_heap_block *live;
	uint8_t kinds[16];
	size_t n = 0;
	int rc = 0;

	memset(x, 0, sizeof(*x));
	if (ps_modules_init(&x->mm) < 0 || ps_procs_init(&x->pp, &x->mm) < 0 ||
	    ps_symbols_init(&x->sy, &x->mm) < 0)
		return -1;
	ps_stacks_init(&x->ss);
	ps_stacks_init(&x->faults);
	if (ps_heap_init(&x->hp, &x->pp, &x->ss) < 0 || ps_heap_add_proc(&x->hp, PID, 0, "/usr/bin/leaky", 0) != 0 ||
	    ps_procs_add_map(&x->pp, PID, 0, 0x400000, 0x10000, 0, "/usr/bin/leaky") < 0)
		return -1;
	rc |= stack_rec(&x->hp, 0xa1, leak_pcs, 2);
	rc |= stack_rec(&x->hp, 0xb2, scratch_pcs, 2);
	for (uint64_t i = 0; i < 10; i++)
		rc |= alloc_rec(&x->hp, 0x10000 + i * 0x1000, 1000, 0xa1, (i + 1) * MS);
	for (uint64_t i = 0; i < 5; i++) {
		rc |= alloc_rec(&x->hp, 0x90000, 200, 0xb2, (20 + 2 * i) * MS);
		rc |= free_rec(&x->hp, 0x90000, (21 + 2 * i) * MS);
	}
	if (rc)
		return -1;
	live = ps_heap_live_sorted(&x->hp, 0, &n);
	if (!live || n != 10)
		return -1;
	memset(kinds, PS_LEAK_DEFINITE, sizeof(kinds));
	ps_heap_set_leaks(&x->hp, 0, live, kinds, n);
	free(live);
	ps_heap_end(&x->hp, 0, 40 * MS, true, false);
	name_frames(x);

	ps_mem_run_init(&x->run);
	x->run.run = (struct ps_run){ .argv = argv, .pid = PID, .start_ns = 0, .end_ns = 40 * MS,
				      .stopped_by = PS_RUN_TARGET_EXIT, .exited = true, .exit_code = 3,
				      .target_cpu_s = -1, .notes = x->run.run.notes };
	x->run.tracking = (struct ps_mem_tracking){ .launched = true, .tracker = "/usr/lib/libperfscope_mem.so",
						    .interval_s = 0.1 };
	x->run.counts = (struct ps_mem_counts){ .records = 17, .dropped = 2, .refused_files = 1 };
	x->run.scan = (struct ps_mem_scan){ .root_bytes = 4096, .heap_bytes = 10000 };
	x->run.faults = (struct ps_mem_faults){ .stacks = &x->faults };
	x->run.heap = &x->hp;
	x->run.stacks = &x->ss;
	x->run.symbols = &x->sy;
	x->run.procs = &x->pp;
	x->run.modules = &x->mm;
	if (ps_mem_run_find_sites(&x->run) < 0)
		return -1;
	return ps_notes_set(&x->run.run.notes, "faults_note", "not asked for (--no-faults)");
}

static void fx_release(struct fx *x)
{
	ps_mem_run_release(&x->run);
	ps_heap_release(&x->hp);
	ps_symbols_release(&x->sy);
	ps_stacks_release(&x->faults);
	ps_stacks_release(&x->ss);
	ps_procs_release(&x->pp);
	ps_modules_release(&x->mm);
}

static double number(const cJSON *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path = dot + 1;
	}
	o = cJSON_GetObjectItemCaseSensitive(o, path);
	return cJSON_IsNumber(o) ? o->valuedouble : -1;
}

static char *read_out(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return ps_read_file(path, NULL);
}

static void memory_json(const char *dir)
{
	char *text = read_out(dir, "memory.json");
	cJSON *doc = text ? cJSON_Parse(text) : NULL;
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	const cJSON *faults = cJSON_GetObjectItemCaseSensitive(doc, "page_faults");
	const cJSON *sites = cJSON_GetObjectItemCaseSensitive(doc, "sites");
	const cJSON *first = cJSON_GetArrayItem(sites, 0), *frames;
	const cJSON *note;

	CHECK(doc != NULL, "memory.json parses");
	CHECK(number(doc, "summary.allocations") == 15, "15 allocations (got %g)", number(doc, "summary.allocations"));
	CHECK(number(doc, "summary.lost.bytes") == 10000 && number(doc, "summary.lost.blocks") == 10,
	      "10000 bytes in 10 blocks lost (got %g in %g)", number(doc, "summary.lost.bytes"),
	      number(doc, "summary.lost.blocks"));
	CHECK(number(doc, "summary.peak_bytes") == 10200, "peak 10000 leaked + one 200-byte scratch block (got %g)",
	      number(doc, "summary.peak_bytes"));
	CHECK(number(doc, "summary.processes") == 1, "one process");
	CHECK(number(md, "exit_code") == 3 && number(md, "exit_signal") == 0, "exit status 3, no signal");
	CHECK(number(md, "duration_s") == 0.04, "40 ms run (got %g)", number(md, "duration_s"));
	CHECK(number(md, "records") == 17 && number(md, "dropped_records") == 2 && number(md, "refused_files") == 1,
	      "the reader's counts as the run has them");
	CHECK(number(md, "leak_scan.root_bytes") == 4096, "leak scan's roots");
	CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(md, "mode")) &&
	      strcmp(cJSON_GetObjectItemCaseSensitive(md, "mode")->valuestring, "exact") == 0, "mode exact");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(md, "tracker_note")) &&
	      cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(md, "uprobe_note")),
	      "notes the run does not have are null under their keys");
	note = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(md, "leak_scan"), "note");
	CHECK(cJSON_IsNull(note), "no leak-scan note: null");
	note = cJSON_GetObjectItemCaseSensitive(faults, "note");
	CHECK(cJSON_IsString(note) && strcmp(note->valuestring, "not asked for (--no-faults)") == 0,
	      "the faults note is page_faults.note");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(faults, "sampled")), "faults not sampled");
	CHECK(cJSON_GetArraySize(sites) == 2 && number(first, "allocated_bytes") == 10000 &&
	      number(first, "allocations") == 10, "two sites, the leaking one first with 10 x 1000 bytes");
	frames = cJSON_GetObjectItemCaseSensitive(first, "stack");
	CHECK(cJSON_GetArraySize(frames) == 2 &&
	      strcmp(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(frames, 0), "function")->valuestring,
		     "leak_here") == 0, "its stack starts at leak_here");
	cJSON_Delete(doc);
	free(text);
}

static void folded(const char *dir)
{
	static const struct { const char *file, *want; } cases[] = {
		{ "leaks.folded", "leaky;main;leak_here 10000\n" },
		{ "allocations.folded", "leaky;main;leak_here 10000\nleaky;main;scratch 1000\n" },
		{ "temporary.folded", "leaky;main;scratch 1000\n" },
		{ "faults.folded", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = read_out(dir, cases[i].file);

		CHECK(text && strcmp(text, cases[i].want) == 0, "%s: the fed sites, outermost first", cases[i].file);
		if (text && strcmp(text, cases[i].want) != 0)
			printf("# got: %s\n", text);
		free(text);
	}
}

/* Each site's frame, found once for the run, is the one found on each call. */
static void site_frames(struct fx *x)
{
	struct ps_mem_site_frame *once = x->run.site_frames;
	bool same = once != NULL;

	x->run.site_frames = NULL;
	for (size_t i = 0; same && i < x->hp.nsites; i++) {
		struct ps_mem_site_frame f;

		ps_mem_run_site(&x->run, &x->hp.sites[i], &f);
		same = f.function == once[i].function && f.caller == once[i].caller && f.index == once[i].index;
	}
	x->run.site_frames = once;
	CHECK(same, "the sites' frames found once are those found site by site");
	CHECK(once && once[0].function && strcmp(once[0].function, "leak_here") == 0 && once[0].index == 0 &&
	      strcmp(once[0].caller, "main") == 0, "the leaking site: leak_here, called by main");
}

int main(void)
{
	char dir[] = "/tmp/ps-memreport-XXXXXX";
	struct ps_memreport_opts o = { .version = "test", .no_html = true };
	struct ps_error err = { 0 };
	struct fx x;
	char *html;
	int rc = fx_init(&x);

	CHECK(rc == 0, "a memory run built by hand");
	CHECK(mkdtemp(dir) != NULL, "a temporary directory");
	if (rc == 0) {
		rc = ps_memreport_write_all(&x.run, dir, &o, &err);
		CHECK(rc == 0, "the files are written (%s)", err.msg);
		memory_json(dir);
		folded(dir);
		site_frames(&x);
		o.no_html = false;
		rc = ps_memreport_write_all(&x.run, dir, &o, &err);
		html = read_out(dir, "memory.html");
		CHECK(rc == 0 && html && strstr(html, "leak_here") && strstr(html, "<svg"),
		      "memory.html: the page with its graphs, naming the leaking function");
		free(html);
	}
	fx_release(&x);
	ps_remove_tree(dir);
	return unit_done();
}
