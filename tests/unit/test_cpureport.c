/*
 * ps_cpureport: the CPU report model built from stacks, symbols and
 * threads.  The symbols are made by hand (no files read), one frame at a
 * time: inlined functions, kernel frames, a frame read beyond _start, the
 * same name in two modules, recursion.  Checked: display frames outermost
 * first and trimmed to the outermost known root, self and total counts
 * (total once per stack) and their shares, the order of the functions,
 * per-thread and per-process totals, truncated and pooled stacks,
 * completeness, and frames no symbol names (ps_symbols_resolve on
 * unknown memory).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/ps_stacks.h"
#include "run/ps_cpureport.h"
#include "symbols/ps_modules.h"
#include "symbols/ps_procs.h"
#include "symbols/ps_symbols.h"
#include "symbols_fixture.h"
#include "unit.h"

struct fx {
	struct ps_modules mm;
	struct ps_symbols sy;
	struct ps_stacks ss;
	struct ps_procs pp;
	struct ps_cpureport r;
};

static void fx_init(struct fx *x)
{
	memset(x, 0, sizeof(*x));
	ps_modules_init(&x->mm);
	ps_symbols_init(&x->sy, &x->mm);
	ps_stacks_init(&x->ss);
	ps_procs_init(&x->pp, &x->mm);
}

static void fx_release(struct fx *x)
{
	ps_cpureport_release(&x->r);
	ps_procs_release(&x->pp);
	ps_stacks_release(&x->ss);
	ps_symbols_release(&x->sy);
	ps_modules_release(&x->mm);
}

static uint32_t frame(struct fx *x, uint32_t module, uint64_t offset, enum ps_sym_kind kind, const char *name,
		      const char *inlined)
{
	return fixture_frame(&x->sy, &x->ss, module, offset, kind, name, inlined);
}

static const char *name_of(const struct fx *x, uint32_t name)
{
	return ps_strtab_get(&x->sy.strs, name);
}

static const struct ps_func *func(const struct fx *x, const char *name, uint32_t module)
{
	for (size_t i = 0; i < x->r.nfuncs; i++)
		if (strcmp(name_of(x, x->r.funcs[i].name), name) == 0 && x->r.funcs[i].module == module)
			return &x->r.funcs[i];
	return NULL;
}

static int counts(const struct fx *x, const char *name, uint32_t module, uint64_t self, uint64_t total)
{
	const struct ps_func *f = func(x, name, module);

	if (f && f->self == self && f->total == total)
		return 1;
	if (f)
		printf("# %s: self %llu, total %llu\n", name, (unsigned long long)f->self, (unsigned long long)f->total);
	else
		printf("# %s: no such function\n", name);
	return 0;
}

/* Stack i's display frames, outermost first, as "a;b;c". */
static const char *path(const struct fx *x, size_t i, char *buf, size_t len)
{
	const struct ps_rstack *rs = &x->r.stacks[i];
	size_t used = 0;

	buf[0] = '\0';
	for (uint32_t k = 0; k < rs->nsyms && used < len; k++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", k ? ";" : "",
					 ps_sym_name(&x->sy, &x->sy.syms[x->r.syms[rs->first + k]]));
	return buf;
}

enum { APP = 7, LIBC = 9 };

static void model(void)
{
	struct fx x;
	uint32_t S, M, W, C, G, K, L, L2, T, KC;
	char buf[256];
	static const char *const order[] = { "compute", "do_syscall_64", "hot_loop", "memcpy", "main", "_start",
					     "work", "memcpy", "start_thread", "clone" };
	int in_order = 1, rc;

	fx_init(&x);
	S = frame(&x, APP, 0x10, PS_SYM_FUNC, "_start", NULL);
	M = frame(&x, APP, 0x20, PS_SYM_FUNC, "main", NULL);
	W = frame(&x, APP, 0x30, PS_SYM_FUNC, "work", "hot_loop");
	C = frame(&x, APP, 0x40, PS_SYM_FUNC, "compute", NULL);
	G = frame(&x, APP, 0x50, PS_SYM_FUNC, "junk", NULL);
	K = frame(&x, PS_MODULE_KERNEL, 0xffff0000, PS_SYM_KERNEL, "do_syscall_64", NULL);
	L = frame(&x, LIBC, 0x60, PS_SYM_FUNC, "memcpy", NULL);
	L2 = frame(&x, APP, 0x70, PS_SYM_FUNC, "memcpy", NULL);
	T = frame(&x, LIBC, 0x80, PS_SYM_FUNC, "start_thread", NULL);
	KC = frame(&x, PS_MODULE_KERNEL, 0xffff0100, PS_SYM_KERNEL, "clone", NULL);
	/* thread instances 0 (app), 1 (worker of app), 2 (other), 3 (idle) */
	ps_procs_comm(&x.pp, 100, 100, 0, "app", false);
	ps_procs_comm(&x.pp, 100, 101, 0, "worker", false);
	ps_procs_comm(&x.pp, 200, 200, 0, "other", false);
	ps_procs_comm(&x.pp, 200, 201, 0, "idle", false);
	/* leaf first */
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ C, W, M, S, G }, 5, 6, 0);
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ W, M, S }, 3, 3, 0);
	ps_stacks_add(&x.ss, 1, (uint32_t[]){ K, L, T }, 3, 4, 0);
	ps_stacks_add(&x.ss, 1, (uint32_t[]){ L2, C, KC }, 3, 2, 0);
	ps_stacks_add(&x.ss, 2, (uint32_t[]){ C, C, M }, 3, 5, PS_STACK_TRUNCATED);
	rc = ps_cpureport_build(&x.r, &x.ss, &x.sy, &x.pp);
	CHECK(rc == 0 && x.r.nstacks == 5, "five stacks built (rc %d)", rc);

	/* 6 + 3 + 4 + 2 + 5 */
	CHECK(x.r.total == 20, "20 samples in all (got %llu)", (unsigned long long)x.r.total);
	CHECK(strcmp(path(&x, 0, buf, sizeof(buf)), "_start;main;work;hot_loop;compute") == 0,
	      "outermost first, junk beyond _start dropped, hot_loop inlined inside work (%s)", buf);
	CHECK(x.r.stacks[0].nsyms == 5 && x.r.stacks[0].complete && !x.r.stacks[0].truncated && x.r.stacks[0].count == 6 &&
	      x.r.stacks[0].thread == 0 && x.r.stacks[0].stack == 0, "stack 0: 5 frames, complete, 6 samples, thread 0");
	CHECK(x.sy.syms[x.r.syms[x.r.stacks[0].first + 3]].kind == PS_SYM_INLINE, "hot_loop keeps its inline kind");
	CHECK(x.r.stacks[1].first == 5 && strcmp(path(&x, 1, buf, sizeof(buf)), "_start;main;work;hot_loop") == 0,
	      "stack 1 starts where stack 0's trimmed frames end (first %zu: %s)", x.r.stacks[1].first, buf);
	CHECK(strcmp(path(&x, 2, buf, sizeof(buf)), "start_thread;memcpy;do_syscall_64") == 0 && x.r.stacks[2].complete,
	      "start_thread is a root: complete, with its kernel frame innermost");
	CHECK(strcmp(path(&x, 3, buf, sizeof(buf)), "clone;compute;memcpy") == 0 && !x.r.stacks[3].complete,
	      "a kernel frame named clone is not a root: incomplete, nothing dropped (%s)", buf);
	CHECK(strcmp(path(&x, 4, buf, sizeof(buf)), "main;compute;compute") == 0 && !x.r.stacks[4].complete &&
	      x.r.stacks[4].truncated, "the truncated stack: no root, flagged truncated");
	CHECK(x.r.nsyms == 5 + 4 + 3 + 3 + 3, "18 display frames kept (got %zu)", x.r.nsyms);
	/* complete: 6 + 3 + 4 */
	CHECK(x.r.complete == 13 && x.r.truncated == 5, "13 samples complete, 5 truncated");
	CHECK(fabs(ps_cpureport_completeness(&x.r) - 0.65) < 1e-12, "completeness 13 / 20 = 0.65 (got %g)",
	      ps_cpureport_completeness(&x.r));

	CHECK(x.r.nfuncs == 10, "10 functions: junk is not one, memcpy is two (got %zu)", x.r.nfuncs);
	CHECK(func(&x, "junk", APP) == NULL, "the frame beyond the root counts nowhere");
	/* compute: leaf of stacks 0 (6) and 4 (5); in stacks 0, 3 and 4 */
	CHECK(counts(&x, "compute", APP, 11, 13), "compute: self 6 + 5 = 11, total 6 + 2 + 5 = 13, recursion counted once");
	CHECK(counts(&x, "hot_loop", APP, 3, 9) && counts(&x, "work", APP, 0, 9),
	      "an inlined function is a function of its own: hot_loop self 3 total 9; work self 0 total 9");
	CHECK(counts(&x, "main", APP, 0, 14), "main: in stacks 0, 1, 4: total 6 + 3 + 5 = 14");
	CHECK(counts(&x, "_start", APP, 0, 9), "_start: total 6 + 3 = 9");
	CHECK(counts(&x, "do_syscall_64", PS_MODULE_KERNEL, 4, 4), "the kernel leaf: self 4, total 4");
	CHECK(counts(&x, "memcpy", LIBC, 0, 4) && counts(&x, "memcpy", APP, 2, 2),
	      "memcpy of libc (total 4) and of the program (self 2) are two functions");
	CHECK(counts(&x, "clone", PS_MODULE_KERNEL, 0, 2) && counts(&x, "start_thread", LIBC, 0, 4), "clone 2, start_thread 4");
	CHECK(func(&x, "compute", APP) && func(&x, "main", APP) &&
	      fabs((double)func(&x, "compute", APP)->self / (double)x.r.total - 0.55) < 1e-12 &&
	      fabs((double)func(&x, "main", APP)->total / (double)x.r.total - 0.7) < 1e-12,
	      "shares: compute self 11 / 20 = 55%%, main total 14 / 20 = 70%%");
	for (size_t i = 0; i < x.r.nfuncs && i < 10; i++)
		if (strcmp(name_of(&x, x.r.funcs[i].name), order[i]) != 0) {
			printf("# function %zu: %s, wanted %s\n", i, name_of(&x, x.r.funcs[i].name), order[i]);
			in_order = 0;
		}
	CHECK(in_order, "by self (11, 4, 3, 2), then total (14, 9, 9, 4, 4, 2), then name (_start before work, "
	      "memcpy before start_thread)");
	CHECK(x.r.nfuncs == 10 && x.r.funcs[3].module == APP && x.r.funcs[7].module == LIBC, "the program's memcpy (self 2) 4th, libc's 8th");

	/* the kernel's 4 samples under libc's memcpy (entered by a system call) count for memcpy */
	{
		const struct ps_func *lm = func(&x, "memcpy", LIBC), *k = func(&x, "do_syscall_64", PS_MODULE_KERNEL);
		size_t n = 0, *charged = ps_cpureport_charged_order(&x.r, &n);

		CHECK(lm && k && lm->kernel_under == 4 && lm->kernel_by[PS_KENTRY_SYSCALL] == 4 &&
		      ps_func_charged(lm) == 4 && k->charged_away == 4 && ps_func_charged(k) == 0,
		      "kernel time charged: memcpy 4 (system calls), do_syscall_64 none left");
		CHECK(charged && n == 4 && strcmp(name_of(&x, x.r.funcs[charged[0]].name), "compute") == 0 &&
		      x.r.funcs[charged[1]].module == LIBC && strcmp(name_of(&x, x.r.funcs[charged[2]].name), "hot_loop") == 0 &&
		      x.r.funcs[charged[3]].module == APP, "by charged samples: compute 11, libc's memcpy 4, hot_loop 3, "
		      "the program's memcpy 2; the kernel function has none left (%zu)", n);
		free(charged);
	}

	CHECK(x.r.nthreads == 3, "three threads with samples; the idle one is left out (got %zu)", x.r.nthreads);
	CHECK(x.r.nthreads == 3 && x.r.threads[0].thread == 0 && x.r.threads[0].samples == 9 &&
	      x.r.threads[1].thread == 1 && x.r.threads[1].samples == 6 && x.r.threads[2].thread == 2 &&
	      x.r.threads[2].samples == 5, "per thread: app 6 + 3 = 9, worker 4 + 2 = 6, other 5");
	CHECK(x.r.nprocs == 2 && x.r.procs[0].pid == 100 && strcmp(x.r.procs[0].comm, "app") == 0 &&
	      x.r.procs[0].samples == 15, "process 100 (app): its two threads, 9 + 6 = 15");
	CHECK(x.r.nprocs == 2 && x.r.procs[1].pid == 200 && strcmp(x.r.procs[1].comm, "other") == 0 &&
	      x.r.procs[1].samples == 5, "process 200 (other): 5");
	ps_cpureport_release(&x.r);
	CHECK(x.r.stacks == NULL && x.r.nfuncs == 0 && x.r.total == 0, "released: empty");
	fx_release(&x);
}

static void pooled(void)
{
	struct fx x;
	uint32_t S, M, W, C;
	char buf[256];

	fx_init(&x);
	S = frame(&x, APP, 0x10, PS_SYM_FUNC, "_start", NULL);
	M = frame(&x, APP, 0x20, PS_SYM_FUNC, "main", NULL);
	W = frame(&x, APP, 0x30, PS_SYM_FUNC, "work", "hot_loop");
	C = frame(&x, APP, 0x40, PS_SYM_FUNC, "compute", NULL);
	ps_procs_comm(&x.pp, 100, 100, 0, "app", false);
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ C, M, S }, 3, 3, 0);
	x.ss.max_bytes = 1;	/* full from now on */
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ W, M, S }, 3, 2, 0);
	CHECK(x.ss.pooled == 2 && x.ss.nstacks == 2 && x.ss.stacks[1].nframes == 1 &&
	      (x.ss.stacks[1].flags & PS_STACK_POOLED), "the table full: the second stack kept as its leaf alone");
	ps_cpureport_build(&x.r, &x.ss, &x.sy, &x.pp);
	CHECK(strcmp(path(&x, 1, buf, sizeof(buf)), "work;hot_loop") == 0 && !x.r.stacks[1].complete,
	      "the pooled stack: its leaf frame's work and hot_loop, no root (%s)", buf);
	CHECK(x.r.total == 5 && x.r.complete == 3 && fabs(ps_cpureport_completeness(&x.r) - 0.6) < 1e-12,
	      "5 samples, 3 complete: completeness 0.6");
	CHECK(counts(&x, "hot_loop", APP, 2, 2) && counts(&x, "compute", APP, 3, 3),
	      "self counts stay exact: hot_loop 2, compute 3");
	CHECK(counts(&x, "main", APP, 0, 3) && counts(&x, "work", APP, 0, 2),
	      "totals lose the pooled stack's callers: main 3, not 5");
	fx_release(&x);
}

static void unresolved(void)
{
	struct fx x;
	uint32_t a, b;
	char buf[256];
	int rc;

	fx_init(&x);
	a = (uint32_t)ps_stacks_frame(&x.ss, PS_MODULE_UNKNOWN, 0x1234);
	b = (uint32_t)ps_stacks_frame(&x.ss, PS_MODULE_UNKNOWN, 0x5678);
	ps_procs_comm(&x.pp, 300, 300, 0, "jit", false);
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ a, b }, 2, 7, 0);
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ a }, 1, 1, 0);
	rc = ps_symbols_resolve(&x.sy, &x.ss);
	CHECK(rc == 0 && x.sy.unresolved == 2, "two unknown frames, each left unnamed once (got %llu)",
	      (unsigned long long)x.sy.unresolved);
	ps_cpureport_build(&x.r, &x.ss, &x.sy, &x.pp);
	CHECK(strcmp(path(&x, 0, buf, sizeof(buf)), "[unknown+0x5678];[unknown+0x1234]") == 0,
	      "unresolved frames are kept, named by address (%s)", buf);
	CHECK(x.sy.syms[x.r.syms[x.r.stacks[0].first]].kind == PS_SYM_UNRESOLVED, "of kind unresolved");
	CHECK(counts(&x, "[unknown+0x1234]", PS_MODULE_UNKNOWN, 8, 8) &&
	      counts(&x, "[unknown+0x5678]", PS_MODULE_UNKNOWN, 0, 7),
	      "they count like functions: the leaf self 7 + 1 = 8, its caller total 7");
	CHECK(x.r.complete == 0 && ps_cpureport_completeness(&x.r) == 0, "no root: completeness 0");
	CHECK(x.r.nprocs == 1 && x.r.procs[0].samples == 8 && strcmp(x.r.procs[0].comm, "jit") == 0, "one process, 8 samples");
	fx_release(&x);

	fx_init(&x);
	rc = ps_cpureport_build(&x.r, &x.ss, &x.sy, &x.pp);
	CHECK(rc == 0 && x.r.total == 0 && x.r.nfuncs == 0 && x.r.nthreads == 0 && x.r.nprocs == 0,
	      "no stacks: an empty report");
	CHECK(ps_cpureport_completeness(&x.r) == 1.0, "and no samples count as complete (1)");
	fx_release(&x);
}

/* Two roots in one stack: the outermost is where it starts. */
static void roots(void)
{
	struct fx x;
	uint32_t X, CL, T, F;
	char buf[256];

	fx_init(&x);
	X = frame(&x, APP, 0x90, PS_SYM_FUNC, "junk", NULL);
	CL = frame(&x, LIBC, 0xa0, PS_SYM_FUNC, "clone3", NULL);
	T = frame(&x, LIBC, 0x80, PS_SYM_FUNC, "start_thread", NULL);
	F = frame(&x, APP, 0xb0, PS_SYM_FUNC, "fn", NULL);
	ps_procs_comm(&x.pp, 100, 100, 0, "app", false);
	ps_stacks_add(&x.ss, 0, (uint32_t[]){ F, T, CL, X }, 4, 1, 0);
	ps_cpureport_build(&x.r, &x.ss, &x.sy, &x.pp);
	CHECK(strcmp(path(&x, 0, buf, sizeof(buf)), "clone3;start_thread;fn") == 0 && x.r.stacks[0].complete,
	      "clone3 then start_thread: trimmed at the outermost root, both kept (%s)", buf);
	fx_release(&x);
}

int main(void)
{
	model();
	roots();
	pooled();
	unresolved();
	return unit_done();
}
