#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/ps_cpureport.h"
#include "symbols/ps_procs.h"
#include "model/ps_stacks.h"
#include "symbols/ps_symbols.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

static const char *const known_roots[] = {
	"_start", "__libc_start_main", "__libc_start_main_impl", "__libc_start_call_main",
	"clone", "__clone", "clone3", "__clone3", "start_thread", "_dl_start_user",
	"_dl_start",
	/* Go: a goroutine's stack starts at goexit, a thread's at mstart, the program's at rt0_go */
	"runtime.goexit", "runtime.goexit.abi0", "runtime.mstart", "runtime.mstart.abi0",
	"runtime.rt0_go", "runtime.rt0_go.abi0",
};

static bool is_root(const char *name)
{
	for (size_t i = 0; i < sizeof(known_roots) / sizeof(known_roots[0]); i++)
		if (strcmp(name, known_roots[i]) == 0)
			return true;
	return false;
}

void ps_cpureport_release(struct ps_cpureport *r)
{
	free(r->stacks);
	free(r->syms);
	free(r->funcs);
	free(r->threads);
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

/* Appends the display frames of one stack, outermost first; returns count. */
static int expand_stack(struct ps_cpureport *r, const struct ps_stacks *stacks,
			const struct ps_stack *s, const struct ps_symbols *sy)
{
	const uint32_t *frames = ps_stack_frames(stacks, s);
	size_t start = r->nsyms;

	for (uint32_t i = s->nframes; i-- > 0;) {
		uint32_t n;
		const struct ps_sym *syms = ps_symbols_frame(sy, frames[i], &n);

		if (ps_grow(&r->syms, &r->syms_cap, r->nsyms + n, sizeof(*r->syms)) < 0)
			return PS_E_NOMEM;
		/* A frame's own syms are innermost first; we want outermost first. */
		for (uint32_t k = n; k-- > 0;)
			r->syms[r->nsyms++] = (uint32_t)(&syms[k] - sy->syms);
	}
	return (int)(r->nsyms - start);
}

/* Drops what precedes the outermost root; returns whether one was found. */
static bool trim_to_root(struct ps_cpureport *r, struct ps_rstack *rs, const struct ps_symbols *sy)
{
	for (uint32_t i = 0; i < rs->nsyms; i++) {
		const struct ps_sym *sym = &sy->syms[r->syms[rs->first + i]];

		if (sym->kind != PS_SYM_KERNEL && is_root(ps_sym_name(sy, sym))) {
			memmove(&r->syms[rs->first], &r->syms[rs->first + i],
				(rs->nsyms - i) * sizeof(*r->syms));
			rs->nsyms -= i;
			r->nsyms -= i;
			return true;
		}
	}
	return false;
}

struct func_index {
	uint32_t *slots;   /* func index + 1 */
	size_t cap;
};

static uint64_t func_hash(uint32_t name, uint32_t module)
{
	return ps_hash_combine(ps_hash_u64(name), module);
}

static int64_t func_of(struct ps_cpureport *r, struct func_index *fi, const struct ps_sym *sym)
{
	size_t i;

	if (!fi->slots || (r->nfuncs + 1) * 2 > fi->cap) {
		size_t ncap = fi->cap ? fi->cap * 2 : 1024;
		uint32_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return PS_E_NOMEM;
		for (size_t f = 0; f < r->nfuncs; f++) {
			size_t j = (size_t)func_hash(r->funcs[f].name, r->funcs[f].module) & (ncap - 1);
			while (n[j])
				j = (j + 1) & (ncap - 1);
			n[j] = (uint32_t)f + 1;
		}
		free(fi->slots);
		fi->slots = n;
		fi->cap = ncap;
	}
	for (i = (size_t)func_hash(sym->name, sym->module) & (fi->cap - 1); fi->slots[i];
	     i = (i + 1) & (fi->cap - 1)) {
		struct ps_func *f = &r->funcs[fi->slots[i] - 1];

		if (f->name == sym->name && f->module == sym->module)
			return fi->slots[i] - 1;
	}
	if (ps_grow(&r->funcs, &r->funcs_cap, r->nfuncs + 1, sizeof(*r->funcs)) < 0)
		return PS_E_NOMEM;
	r->funcs[r->nfuncs] = (struct ps_func){
		.name = sym->name, .module = sym->module, .file = sym->file, .line = sym->line,
		.last_stack = (size_t)-1,
		.nameless = sym->kind == PS_SYM_UNRESOLVED && sym->module != PS_MODULE_KERNEL &&
			    sym->module != PS_MODULE_UNKNOWN,
	};
	fi->slots[i] = (uint32_t)r->nfuncs + 1;
	return (int64_t)r->nfuncs++;
}

const char *const ps_kernel_entry_names[PS_KENTRY_KINDS] = {
	[PS_KENTRY_SYSCALL] = "system calls", [PS_KENTRY_FAULT] = "page faults",
	[PS_KENTRY_IRQ] = "interrupts", [PS_KENTRY_OTHER] = "kernel",
};

/* How the kernel was entered, by its outermost frame's name (x86-64 entry code). */
static enum ps_kernel_entry kernel_entry(const char *outermost)
{
	if (strstr(outermost, "page_fault"))
		return PS_KENTRY_FAULT;
	if (strstr(outermost, "SYSCALL") || strstr(outermost, "syscall") || strncmp(outermost, "__x64_sys_", 10) == 0)
		return PS_KENTRY_SYSCALL;
	if (strstr(outermost, "sysvec") || strstr(outermost, "interrupt") || strstr(outermost, "irq"))
		return PS_KENTRY_IRQ;
	return PS_KENTRY_OTHER;
}

static bool kernel_sym(const struct ps_sym *s)
{
	return s->kind == PS_SYM_KERNEL || s->module == PS_MODULE_KERNEL;
}

uint32_t ps_cpureport_charged_frame(const struct ps_cpureport *r, const struct ps_symbols *sy,
				    const struct ps_rstack *rs)
{
	uint32_t leaf = rs->nsyms ? rs->nsyms - 1 : 0;

	if (!rs->nsyms || !kernel_sym(&sy->syms[r->syms[rs->first + leaf]]))
		return leaf;
	for (uint32_t i = leaf; i-- > 0;)
		if (!kernel_sym(&sy->syms[r->syms[rs->first + i]]))
			return i;
	return leaf;	/* a kernel-only stack: the kernel function keeps it */
}

/* A stack whose leaf is in the kernel: its samples charged to its innermost user frame. */
static void charge_kernel(struct ps_cpureport *r, const struct ps_symbols *sy, const struct ps_rstack *rs,
			  int64_t user_f, uint32_t user_i, int64_t leaf_f)
{
	const struct ps_sym *outer = &sy->syms[r->syms[rs->first + user_i + 1]];
	enum ps_kernel_entry how = kernel_entry(ps_strtab_get(&sy->strs, outer->name));

	r->funcs[user_f].kernel_under += rs->count;
	r->funcs[user_f].kernel_by[how] += rs->count;
	r->funcs[leaf_f].charged_away += rs->count;
}

static int count_functions(struct ps_cpureport *r, const struct ps_symbols *sy)
{
	struct func_index fi = { 0 };

	for (size_t s = 0; s < r->nstacks; s++) {
		const struct ps_rstack *rs = &r->stacks[s];
		uint32_t charged_i = ps_cpureport_charged_frame(r, sy, rs);
		int64_t charged_f = -1;

		for (uint32_t i = 0; i < rs->nsyms; i++) {
			const struct ps_sym *sym = &sy->syms[r->syms[rs->first + i]];
			int64_t f = func_of(r, &fi, sym);

			if (f < 0) {
				free(fi.slots);
				return PS_E_NOMEM;
			}
			if (i == charged_i)
				charged_f = f;
			if (r->funcs[f].last_stack != s) {
				r->funcs[f].total += rs->count;
				r->funcs[f].last_stack = s;
			}
			if (i + 1 < rs->nsyms)
				continue;
			r->funcs[f].self += rs->count;
			if (charged_i != i)
				charge_kernel(r, sy, rs, charged_f, charged_i, f);
		}
	}
	free(fi.slots);
	return 0;
}

static int cmp_func(const void *a, const void *b, void *ctx)
{
	const struct ps_symbols *symbols = ctx;
	const struct ps_func *x = a, *y = b;

	if (x->self != y->self)
		return x->self > y->self ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(ps_strtab_get(&symbols->strs, x->name),
		      ps_strtab_get(&symbols->strs, y->name));
}

static int count_threads(struct ps_cpureport *r, const struct ps_procs *procs)
{
	uint64_t *per_thread = calloc(procs->nthreads + 1, sizeof(*per_thread));

	if (!per_thread)
		return PS_E_NOMEM;
	for (size_t s = 0; s < r->nstacks; s++)
		per_thread[r->stacks[s].thread] += r->stacks[s].count;
	r->threads = calloc(procs->nthreads + 1, sizeof(*r->threads));
	r->procs = calloc(procs->nthreads + 1, sizeof(*r->procs));
	if (!r->threads || !r->procs) {
		free(per_thread);
		return PS_E_NOMEM;
	}
	for (size_t t = 0; t < procs->nthreads; t++) {
		const struct ps_thread_instance *ti = &procs->threads[t];
		size_t p;

		if (!per_thread[t])
			continue;
		r->threads[r->nthreads++] = (struct ps_thread_total){ .thread = (uint32_t)t,
								      .samples = per_thread[t] };
		for (p = 0; p < r->nprocs; p++)
			if (r->procs[p].pid == ti->pid && strcmp(r->procs[p].comm, ti->proc_comm) == 0)
				break;
		if (p == r->nprocs)
			r->procs[r->nprocs++] = (struct ps_process_total){ .pid = ti->pid,
									   .comm = ti->proc_comm };
		r->procs[p].samples += per_thread[t];
	}
	free(per_thread);
	return 0;
}

int ps_cpureport_build(struct ps_cpureport *r, const struct ps_stacks *stacks,
		       const struct ps_symbols *symbols, const struct ps_procs *procs)
{
	memset(r, 0, sizeof(*r));
	r->stacks = calloc(stacks->nstacks + 1, sizeof(*r->stacks));
	if (!r->stacks)
		return PS_E_NOMEM;
	for (size_t i = 0; i < stacks->nstacks; i++) {
		const struct ps_stack *s = &stacks->stacks[i];
		struct ps_rstack *rs = &r->stacks[r->nstacks++];
		int n;

		rs->stack = i;
		rs->thread = s->thread;
		rs->count = s->count;
		rs->first = r->nsyms;
		n = expand_stack(r, stacks, s, symbols);
		if (n < 0)
			return PS_E_NOMEM;
		rs->nsyms = (uint32_t)n;
		rs->complete = trim_to_root(r, rs, symbols);
		rs->truncated = s->flags & PS_STACK_TRUNCATED;
		r->total += s->count;
		if (rs->complete)
			r->complete += s->count;
		if (rs->truncated)
			r->truncated += s->count;
	}
	if (count_functions(r, symbols) < 0 || count_threads(r, procs) < 0)
		return PS_E_NOMEM;
	if (r->nfuncs)
		qsort_r(r->funcs, r->nfuncs, sizeof(*r->funcs), cmp_func, (void *)symbols);
	return 0;
}

uint64_t ps_func_charged(const struct ps_func *f)
{
	return f->self + f->kernel_under - f->charged_away;
}

static int cmp_charged(const void *a, const void *b, void *ctx)
{
	const struct ps_cpureport *r = ctx;
	uint64_t x = ps_func_charged(&r->funcs[*(const size_t *)a]), y = ps_func_charged(&r->funcs[*(const size_t *)b]);

	if (x != y)
		return x > y ? -1 : 1;
	/* the self order (and its names' order) among equals */
	return *(const size_t *)a < *(const size_t *)b ? -1 : *(const size_t *)a > *(const size_t *)b;
}

size_t *ps_cpureport_charged_order(const struct ps_cpureport *r, size_t *n)
{
	size_t *order = malloc((r->nfuncs + 1) * sizeof(*order));

	*n = 0;
	if (!order)
		return NULL;
	for (size_t i = 0; i < r->nfuncs; i++)
		if (ps_func_charged(&r->funcs[i]))
			order[(*n)++] = i;
	qsort_r(order, *n, sizeof(*order), cmp_charged, (void *)r);
	return order;
}

double ps_cpureport_completeness(const struct ps_cpureport *r)
{
	return r->total ? (double)r->complete / (double)r->total : 1.0;
}

/* Below this share of the samples, nameless code or an interpreter is not worth a note. */
#define NOTE_SHARE 0.05
#define NAMELESS_MODULES 3

void ps_cpureport_nameless_note(const struct ps_cpureport *r, const struct ps_symbols *symbols,
				char *note, size_t len)
{
	struct { uint32_t module; uint64_t self; } top[NAMELESS_MODULES] = { 0 };
	uint64_t nameless = 0;
	size_t used, ntop = 0;

	note[0] = '\0';
	for (size_t i = 0; i < r->nfuncs; i++) {
		const struct ps_func *f = &r->funcs[i];
		size_t k;

		if (!f->nameless || !f->self)
			continue;
		nameless += f->self;
		for (k = 0; k < ntop && top[k].module != f->module; k++)
			;
		if (k < ntop) {
			top[k].self += f->self;
		} else if (ntop < NAMELESS_MODULES) {
			top[ntop].module = f->module;
			top[ntop++].self = f->self;
		}
	}
	/* frames left unnamed in a hurry (a second Ctrl-C) have names, not yet looked up */
	if (!r->total || symbols->hurried || (double)nameless < NOTE_SHARE * (double)r->total)
		return;
	used = (size_t)snprintf(note, len, "%.1f%% of the samples are in functions without a name (stripped "
				"code: no symbol table, no debug information), each shown as [MODULE+0xSTART] "
				"after its start address; in",
				100.0 * (double)nameless / (double)r->total);
	for (size_t k = 0; k < ntop && used < len; k++) {
		const struct ps_module *m = &symbols->modules->mods[top[k].module];

		used += (size_t)snprintf(note + used, len - used, "%s %s (%.1f%%)", k ? "," : "",
					 m->path ? m->path : m->name,
					 100.0 * (double)top[k].self / (double)r->total);
	}
	if (used < len)
		snprintf(note + used, len - used, ".  For names: install the debug symbols of the package "
			 "that ships it (Debian: its -dbgsym package, which 'dpkg -S PATH' names; Fedora: "
			 "its -debuginfo), or build it with -g and do not strip it");
}

/* CPython's interpreter loop: Python functions run inside it, invisible to a native profiler. */
#define PYTHON_EVAL "_PyEval_EvalFrameDefault"
/* Python 3.12's -X perf names each Python function's trampoline "py::function:file". */
#define PYTHON_FRAME_PREFIX "py::"

void ps_cpureport_python_note(const struct ps_cpureport *r, const struct ps_symbols *symbols,
			      char *note, size_t len)
{
	uint64_t in_eval = 0;

	note[0] = '\0';
	for (size_t i = 0; i < r->nfuncs; i++) {
		const char *name = ps_strtab_get(&symbols->strs, r->funcs[i].name);

		if (strncmp(name, PYTHON_FRAME_PREFIX, strlen(PYTHON_FRAME_PREFIX)) == 0)
			return;		/* the Python functions are there */
		if (strcmp(name, PYTHON_EVAL) == 0)
			in_eval = r->funcs[i].total;
	}
	if (!r->total || (double)in_eval < NOTE_SHARE * (double)r->total)
		return;
	snprintf(note, len, "%.1f%% of the samples are Python code running in the interpreter (%s): "
		 "a native profile shows the interpreter, not the Python functions.  To see them: Python "
		 "3.12 or newer with 'python3 -X perf' (or PYTHONPERFSUPPORT=1), which perfscope names "
		 "as py:: frames; for older Pythons, py-spy", 100.0 * (double)in_eval / (double)r->total,
		 PYTHON_EVAL);
}
