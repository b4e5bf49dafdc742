/*
 * ps_cpureport: the symbolized view of a CPU profile that every writer
 * reads: stacks as display-frame lists (outermost first), per-function
 * self/total counts, per-thread and per-process totals.
 *
 * Frames beyond the outermost known root (_start, __libc_start_main,
 * clone, start_thread, ...) are dropped: they are what a frame-pointer walk
 * reads from a caller built without frame pointers, not real callers.
 */
#ifndef PS_CPUREPORT_H
#define PS_CPUREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ps_procs;
struct ps_stacks;
struct ps_symbols;

struct ps_rstack {
	size_t stack;          /* its ps_stacks id: the frames before symbolization */
	uint32_t thread;       /* ps_procs thread instance */
	uint64_t count;
	size_t first;          /* into ps_cpureport.syms: outermost first */
	uint32_t nsyms;
	bool complete;         /* reaches a known root */
	bool truncated;
};

/* How a user function's thread came to be in the kernel, from the outermost kernel frame. */
enum ps_kernel_entry {
	PS_KENTRY_SYSCALL, PS_KENTRY_FAULT, PS_KENTRY_IRQ, PS_KENTRY_OTHER, PS_KENTRY_KINDS,
};

/* "system calls", "page faults", "interrupts", "kernel". */
extern const char *const ps_kernel_entry_names[PS_KENTRY_KINDS];

struct ps_func {
	uint32_t name, module, file, line;
	/*
	 * A user function: the samples in the kernel whose innermost user
	 * frame it is, by how they entered it (its time that users can act
	 * on: self + kernel_under).  A kernel function: its self samples so
	 * charged to a user function.
	 */
	uint64_t kernel_under, kernel_by[PS_KENTRY_KINDS];
	uint64_t charged_away;
	bool nameless;         /* code without a symbol: named after its start address */
	uint64_t self, total;
	size_t last_stack;     /* build-time: counts total once per stack */
};

struct ps_thread_total {
	uint32_t thread;       /* ps_procs thread instance */
	uint64_t samples;
};

struct ps_process_total {
	uint32_t pid;
	const char *comm;
	uint64_t samples;
};

struct ps_cpureport {
	struct ps_rstack *stacks;
	size_t nstacks;
	uint32_t *syms;        /* ps_symbols sym indices */
	size_t nsyms, syms_cap;
	struct ps_func *funcs; /* sorted by self desc, then name */
	size_t nfuncs, funcs_cap;
	struct ps_thread_total *threads;
	size_t nthreads;
	struct ps_process_total *procs;
	size_t nprocs;
	uint64_t total;
	uint64_t complete;
	uint64_t truncated;
};

/* Builds r from the symbolized stacks; 0 or PS_E_NOMEM. */
int ps_cpureport_build(struct ps_cpureport *r, const struct ps_stacks *stacks,
		       const struct ps_symbols *symbols, const struct ps_procs *procs);
void ps_cpureport_release(struct ps_cpureport *r);

/*
 * When CPython's interpreter loop holds a noticeable share of the samples
 * and no Python function is named (no -X perf), a note saying what to do;
 * "" otherwise.
 */
void ps_cpureport_python_note(const struct ps_cpureport *r, const struct ps_symbols *symbols,
			      char *note, size_t len);

/*
 * When functions without a name hold a noticeable share of the samples
 * (stripped code), a note saying how much, in which modules, and what
 * gives them names; "" otherwise.
 */
void ps_cpureport_nameless_note(const struct ps_cpureport *r, const struct ps_symbols *symbols,
				char *note, size_t len);

/*
 * The frame (index from the outermost) a stack's samples are charged to:
 * its leaf, or when the leaf is in the kernel, the innermost frame of the
 * program (the one that entered the kernel); the leaf of a kernel-only stack.
 */
uint32_t ps_cpureport_charged_frame(const struct ps_cpureport *r, const struct ps_symbols *symbols,
				    const struct ps_rstack *rs);

/* A function's samples charged to it: its own, and the kernel's under it (user), or what is left (kernel). */
uint64_t ps_func_charged(const struct ps_func *f);

/*
 * The functions in order of charged samples, most first (malloc'ed, *n of
 * them; NULL when out of memory): what a reader can act on, a page fault
 * counted against the code that touched the page.
 */
size_t *ps_cpureport_charged_order(const struct ps_cpureport *r, size_t *n);

/* Share of samples whose stack reaches a known root, 0..1 (1 if no samples). */
double ps_cpureport_completeness(const struct ps_cpureport *r);

#endif
