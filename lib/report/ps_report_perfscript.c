/*
 * A CPU profile as the text `perf script` prints for sampled call chains,
 * which speedscope, the Firefox Profiler, inferno and FlameGraph's
 * stackcollapse-perf.pl import:
 *
 *   comm pid/tid time: period event: 
 *   \t    addr symbol+0xoff (module)    innermost first
 *   ...
 *   (a blank line)
 *
 * perfscope aggregates as it samples, so it has no single samples to
 * print; it prints each unique (thread, stack) as many blocks as it has
 * samples.  Weighting one block by its period would be shorter, but the
 * importers count blocks: speedscope and stackcollapse-perf.pl add 1 per
 * block whatever the period says.  So, up to a bound (the option
 * perf_script_max_samples, PS_PERFSCRIPT_MAX_SAMPLES by default), every
 * sample is a block of its own whose period is the nominal sampling
 * period (1/frequency, in nanoseconds), as perf prints them.  Past the
 * bound the file would grow without limit, so each stack's samples are
 * merged into ceil(count / m) blocks, m the smallest factor that keeps the
 * total within about the bound, whose periods add up to count periods:
 * readers that weigh by period stay exact, readers that count blocks see
 * each stack's share off by at most one block.
 *
 * perfscope keeps no sample times: each thread's blocks are laid end to
 * end from the start of the profile, each one period after the last, so
 * readers that weigh a sample by the time to the next one see the same
 * weights.  No "[cpu]" column: perfscope does not record which CPU a
 * sample ran on (perf prints none either for a profile of one program).
 *
 * A frame's address is its ELF virtual address in the module (absolute for
 * the kernel and JIT code), as perf prints it.  Kernel frames are in
 * "[kernel.kallsyms]" and JIT frames in "/tmp/perf-PID.map", perf's own
 * names, which the importers use to mark them; inlined functions, for
 * which the format has no mark the importers read, carry the suffix
 * "_[i]", as in the folded output, at their caller's address, with no
 * offset; so do names perfscope could not find ("[module+0xOFFSET]").
 * A caller's address and offset are those of its call instruction's last
 * byte (the return address less one), where perf prints the return
 * address.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/ps_report.h"
#include "base/ps_error.h"
#include "base/ps_util.h"

struct text {
	char *buf;
	size_t len, cap;
};

static int text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->buf ? t->buf + t->len : NULL, t->buf ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if (t->buf && (size_t)n < room) {
			t->len += (size_t)n;
			return 0;
		}
		if (ps_grow(&t->buf, &t->cap, t->len + (size_t)n + 1, 1) < 0)
			return PS_E_NOMEM;
	}
}

/* The address perf would print: the ELF virtual address for a file. */
static uint64_t frame_address(const struct ps_module *m, uint64_t offset)
{
	uint64_t vaddr;

	if (m->kind == PS_MOD_FILE && m->elf && m->elf->valid &&
	    ps_elfinfo_offset_to_vaddr(m->elf, offset, &vaddr))
		return vaddr;
	return offset;
}

/* The frame lines of report stack rs, innermost first, into t. */
static int stack_text(struct text *t, const struct ps_cpu_run *p, const struct ps_rstack *rs)
{
	const struct ps_stack *st = &p->stacks->stacks[rs->stack];
	const uint32_t *frames = ps_stack_frames(p->stacks, st);
	const struct ps_symbols *sy = p->symbols;
	uint32_t left = rs->nsyms;
	int rc;

	t->len = 0;
	for (uint32_t f = 0; f < st->nframes && left > 0; f++) {
		const struct ps_frame_key *fk = &p->stacks->frames[frames[f]];
		const struct ps_module *m = &p->modules->mods[fk->module];
		uint64_t addr = frame_address(m, fk->offset);
		uint32_t count;
		const struct ps_sym *syms = ps_symbols_frame(sy, frames[f], &count);

		for (uint32_t k = 0; k < count && left > 0; k++, left--) {
			char jit_map[64], offset[16];
			const char *module = m->path;

			if (syms[k].kind == PS_SYM_JIT) {
				snprintf(jit_map, sizeof(jit_map), "/tmp/perf-%u.map", m->pid);
				module = jit_map;
			}
			if (syms[k].kind == PS_SYM_INLINE)
				snprintf(offset, sizeof(offset), "_[i]");
			else if (syms[k].kind == PS_SYM_UNRESOLVED)
				offset[0] = '\0';
			else
				snprintf(offset, sizeof(offset), "+0x%" PRIx32, syms[k].offset);
			rc = text_add(t, "\t%16" PRIx64 " %s%s (%s)\n", addr, ps_sym_name(sy, &syms[k]),
				      offset, module);
			if (rc < 0)
				return rc;
		}
	}
	return text_add(t, "\n");
}

struct order {
	uint32_t thread;
	size_t stack;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

static int write_perfscript(FILE *fp, const struct ps_cpu_run *p, const struct ps_report_opts *o)
{
	const struct ps_cpureport *r = p->report;
	uint64_t period = 1000000000ULL / (p->sampling.frequency ? p->sampling.frequency : 1);
	uint64_t bound = o->perf_script_max_samples ? o->perf_script_max_samples : PS_PERFSCRIPT_MAX_SAMPLES;
	uint64_t merge = r->total > bound ? (r->total + bound - 1) / bound : 1;
	const char *event = p->sampling.event[0] ? p->sampling.event : "cpu-clock";
	struct order *ord = calloc(r->nstacks + 1, sizeof(*ord));
	struct text body = { 0 };
	uint64_t now = p->run.start_ns;
	uint32_t thread = UINT32_MAX;
	int rc = 0;

	if (!ord)
		return PS_E_NOMEM;
	for (size_t i = 0; i < r->nstacks; i++)
		ord[i] = (struct order){ .thread = r->stacks[i].thread, .stack = i };
	qsort(ord, r->nstacks, sizeof(*ord), cmp_order);
	for (size_t i = 0; i < r->nstacks; i++) {
		const struct ps_rstack *rs = &r->stacks[ord[i].stack];
		const struct ps_thread_instance *t = &p->procs->threads[rs->thread];
		uint64_t blocks = (rs->count + merge - 1) / merge;
		unsigned __int128 weight = (unsigned __int128)rs->count * period;

		if (rs->thread != thread) {	/* each thread's time starts again */
			thread = rs->thread;
			now = p->run.start_ns;
		}
		rc = stack_text(&body, p, rs);
		if (rc < 0)
			goto out;
		for (uint64_t b = 0; b < blocks; b++) {
			/* the blocks' periods add up to exactly count periods */
			uint64_t this_period = (uint64_t)(weight * (b + 1) / blocks - weight * b / blocks);

			fprintf(fp, "%s %5u/%-5u %5" PRIu64 ".%06" PRIu64 ": %10" PRIu64 " %s: \n",
				t->comm[0] ? t->comm : "[unknown]", (unsigned)t->pid, (unsigned)t->tid,
				now / 1000000000, now % 1000000000 / 1000, this_period, event);
			fwrite(body.buf, 1, body.len, fp);
			now += this_period;
		}
	}
out:
	free(body.buf);
	free(ord);
	return rc;
}

const struct ps_report_writer ps_report_perfscript = {
	.name = "perf-script",
	.extension = ".perf-script",
	.also_extension = ".perf.txt",
	.write = write_perfscript,
};
