/*
 * DWARF unwinding of user stacks, online, from the registers and the copy
 * of the user stack the kernel takes with each sample.
 *
 * Two walkers.  The fast one steps frame by frame with rules from
 * ps_cfi's cache (rsp/rbp plus a constant; nearly all compiled code), at
 * a hash lookup and two loads per frame.  A sample that meets anything
 * else (a signal frame, a CFA expression, code without CFI) is unwound
 * again from the start with libdwfl, which handles all of DWARF.
 *
 * Cost model for libdwfl: building a session costs 100-170 us with
 * elfutils 0.188, so one session per process is kept across samples
 * (libdwfl then caches each module's CFI); unwinding a ~15-frame stack is
 * then 5-10 us, most of it libdwfl's per-frame allocations.
 * Modules are reported into a session lazily, when a frame's pc first
 * lands in them, at the bias their mapping gives.  Sessions are bounded
 * (MAX_SESSIONS, least recently used dropped) and dropped on exec and exit.
 *
 * Where the copy ran out (a deep stack) or CFI is missing, the kernel's
 * frame-pointer chain finishes the stack if it passes through the last
 * frame DWARF found.
 *
 * A sample with only BP, SP and IP (PS_REGS_FP_MASK: off-CPU stacks with
 * --call-graph fp, where the kernel's own frame-pointer walk would cost
 * more than the copy) is walked the same way, but where a rule is missing
 * or needs another register the walk follows the frame pointer through
 * the copy instead of calling libdwfl.
 */
#include <asm/perf_regs.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/ps_cfi.h"
#include "sample/ps_perf.h"
#include "symbols/ps_procs.h"
#include "unwind/ps_unwind.h"
#include "base/ps_util.h"

#define MAX_SESSIONS 64

/* perf's x86_64 register order in our mask -> DWARF register numbers. */
enum { P_AX, P_BX, P_CX, P_DX, P_SI, P_DI, P_BP, P_SP, P_IP, P_R8 };

/* What a session was told about one module, to notice when it goes stale. */
struct reported {
	Dwfl_Module *mod;
	uint32_t module;     /* ps_modules id */
	uint64_t bias;
};

struct session {
	uint32_t pid;
	Dwfl *dwfl;
	bool attached;
	bool stale;          /* a module no longer matches the mappings */
	uint64_t last_used;
	struct reported *mods;
	size_t nmods, mods_cap;
};

struct dwarf_unwinder {
	struct ps_unwinder base;
	struct ps_procs *procs;
	struct ps_cfi cfi;
	bool verify;         /* PERFSCOPE_VERIFY_UNWIND: check the fast walker */
	struct session sessions[MAX_SESSIONS];
	uint64_t clock;

	/* the sample being unwound */
	const struct ps_rec *sample;
	uint64_t start_ip, start_sp;   /* where unwinding starts (see leaf_without_cfi) */
	struct session *cur;
	uint64_t sp;
	struct ps_unwind_frame *out;
	unsigned n, max;
	unsigned first_user;           /* index of the first user frame in out[] */
	bool ran_off_copy, missing_module, hit_depth;
	bool full_regs;                /* every register CFI may need, so libdwfl can run */
	int fp_join;                   /* index of the last fast frame's pc in the kernel's
					* frame-pointer chain, or -1 (see fast_unwind) */
};

/*
 * Unwinding reads the module's own .eh_frame only.  Looking for separate
 * debug files would make libdwfl prefer their .debug_frame, which for
 * glibc (libc6-dbg) means decompressing megabytes while sampling, for CFI
 * that .eh_frame already has.  Names and lines come later, from
 * ps_symbols, which does read the debug files.
 */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod; (void)userdata; (void)modname; (void)base; (void)file_name;
	(void)debuglink_file; (void)debuglink_crc; (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks session_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = no_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct dwarf_unwinder *du = arg;

	(void)dwfl;
	if (*thread_argp)
		return 0;
	*thread_argp = du;
	return (pid_t)du->sample->tid;
}

static bool get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct dwarf_unwinder *du = arg;

	(void)dwfl;
	*thread_argp = du;
	return (uint32_t)tid == du->sample->tid;
}

/* Only the stack copy is readable: the target itself is never touched. */
static bool read_stack(struct dwarf_unwinder *du, uint64_t addr, uint64_t *result)
{
	uint64_t size = du->sample->u.sample.stack_size;

	/* addresses come from the program's registers and stack: no sum of
	 * them may wrap */
	if (addr >= du->sp && size >= sizeof(*result) && addr - du->sp <= size - sizeof(*result)) {
		memcpy(result, du->sample->u.sample.stack + (addr - du->sp), sizeof(*result));
		return true;
	}
	/* Above the copy but plausibly on the stack: the copy was too small. */
	if (addr >= du->sp && addr - du->sp >= size && addr - du->sp < (64u << 20))
		du->ran_off_copy = true;
	return false;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	uint64_t word;

	(void)dwfl;
	if (!read_stack(arg, addr, &word))
		return false;
	*result = word;
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct dwarf_unwinder *du = arg;
	const uint64_t *r = du->sample->u.sample.regs;
	Dwarf_Word dw[17] = {
		r[P_AX], r[P_DX], r[P_CX], r[P_BX], r[P_SI], r[P_DI], r[P_BP], du->start_sp,
		r[P_R8], r[P_R8 + 1], r[P_R8 + 2], r[P_R8 + 3],
		r[P_R8 + 4], r[P_R8 + 5], r[P_R8 + 6], r[P_R8 + 7], du->start_ip,
	};

	return dwfl_thread_state_registers(thread, 0, 17, dw);
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.get_thread = get_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

static void end_session(struct session *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s->mods);
	memset(s, 0, sizeof(*s));
}

static const struct reported *find_reported(const struct session *s, const Dwfl_Module *mod)
{
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].mod == mod)
			return &s->mods[i];
	return NULL;
}

static struct session *get_session(struct dwarf_unwinder *du, uint32_t pid)
{
	struct session *free_slot = NULL, *oldest = NULL;

	for (unsigned i = 0; i < MAX_SESSIONS; i++) {
		struct session *s = &du->sessions[i];

		if (s->dwfl && s->pid == pid && !s->stale)
			return s;
		if (s->dwfl && s->pid == pid)
			end_session(s);
		if (!s->dwfl && !free_slot)
			free_slot = s;
		if (s->dwfl && (!oldest || s->last_used < oldest->last_used))
			oldest = s;
	}
	if (!free_slot) {
		du->base.stats.sessions_evicted++;
		end_session(oldest);
		free_slot = oldest;
	}
	free_slot->dwfl = dwfl_begin(&session_callbacks);
	if (!free_slot->dwfl)
		return NULL;
	free_slot->pid = pid;
	return free_slot;
}

/*
 * Makes sure the module mapped at pc is in the session, as it is mapped
 * now; false if it cannot be.  A session whose module at pc is another file
 * or another bias than the mapping says (dlclose, then dlopen of something
 * else at the same address) is marked stale.
 */
static bool report_module_at(struct dwarf_unwinder *du, uint64_t pc)
{
	struct session *s = du->cur;
	const struct ps_map *map = ps_procs_find_map(du->procs, du->sample->pid, du->sample->time, pc);
	Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, pc);
	const struct ps_elfinfo *ei;
	const struct reported *known;
	struct ps_module *m;
	uint64_t bias;

	if (!map) {
		du->missing_module = true;
		return false;
	}
	m = &du->procs->modules->mods[map->module];
	ei = m->kind == PS_MOD_FILE ? ps_module_elfinfo(m) : NULL;
	if (!ei || !ps_elfinfo_bias(ei, map->start, map->pgoff, &bias)) {
		du->missing_module = true;
		return false;
	}
	if (mod) {
		known = find_reported(s, mod);
		if (known && known->module == map->module && known->bias == bias)
			return true;
		s->stale = true;
		return false;
	}
	if (ps_grow(&s->mods, &s->mods_cap, s->nmods + 1, sizeof(*s->mods)) < 0)
		return false;
	if (!ps_module_file(m))
		return false;	/* not a regular file: nothing to read */
	dwfl_report_begin_add(s->dwfl);
	mod = dwfl_report_elf(s->dwfl, m->name, ps_module_file(m), -1, bias, true);
	dwfl_report_end(s->dwfl, NULL, NULL);
	if (!mod || dwfl_addrmodule(s->dwfl, pc) != mod) {
		s->stale = true;
		return false;
	}
	s->mods[s->nmods++] = (struct reported){ .mod = mod, .module = map->module, .bias = bias };
	return true;
}

static int on_frame(Dwfl_Frame *state, void *arg)
{
	struct dwarf_unwinder *du = arg;
	Dwarf_Addr pc;
	bool activation = false, first = du->n == du->first_user;

	if (!dwfl_frame_pc(state, &pc, NULL) || pc == 0)
		return DWARF_CB_ABORT;
	if (du->n >= du->max) {
		du->hit_depth = true;
		return DWARF_CB_ABORT;
	}
	/*
	 * Telling whether this frame is an activation (the first, or one
	 * interrupted by a signal) makes libdwfl unwind it, which needs its
	 * module in the session: report it first, or libdwfl falls back to
	 * a frame-pointer guess that reads garbage in code without them.
	 */
	if (!report_module_at(du, first ? pc : pc - 1)) {
		du->out[du->n++] = (struct ps_unwind_frame){ .ip = pc, .return_address = !first };
		return DWARF_CB_ABORT;
	}
	if (!dwfl_frame_pc(state, &pc, &activation) || pc == 0)
		return DWARF_CB_ABORT;
	du->out[du->n++] = (struct ps_unwind_frame){ .ip = pc, .return_address = !activation };
	return DWARF_CB_OK;
}

/*
 * Appends the frame-pointer frames that follow the last DWARF frame, when
 * the frame-pointer chain passes through it.
 */
static bool extend_with_fp(struct dwarf_unwinder *du, const struct ps_unwind_frame *fp,
			   unsigned nfp, unsigned dwarf_first)
{
	uint64_t last;

	if (du->n <= dwarf_first)
		return false;
	last = du->out[du->n - 1].ip;
	if (du->fp_join >= 0 && (unsigned)du->fp_join < nfp && fp[du->fp_join].ip == last) {
		for (unsigned k = (unsigned)du->fp_join + 1; k < nfp && du->n < du->max; k++)
			du->out[du->n++] = fp[k];
		return (unsigned)du->fp_join + 1 < nfp;
	}
	for (unsigned i = 0; i < nfp; i++) {
		if (fp[i].ip != last)
			continue;
		for (unsigned k = i + 1; k < nfp && du->n < du->max; k++)
			du->out[du->n++] = fp[k];
		return i + 1 < nfp;
	}
	return false;
}

static void classify_failure(struct dwarf_unwinder *du, int rc)
{
	struct ps_unwind_stats *st = &du->base.stats;

	if (du->hit_depth)
		st->depth_limit++;
	else if (du->ran_off_copy)
		st->truncated++;
	else if (du->missing_module)
		st->no_module++;
	else if (rc != 0 && dwfl_errno() != 0)
		st->no_cfi++;
}

/* Unwinds the current sample from start_ip/start_sp; -2 if no session could start. */
static int unwind_in_session(struct dwarf_unwinder *du)
{
	const struct ps_rec *sample = du->sample;

	du->cur = get_session(du, sample->pid);
	if (!du->cur)
		return -2;
	du->cur->last_used = ++du->clock;
	du->first_user = du->n;
	if (!report_module_at(du, du->start_ip))
		return du->cur->stale ? -1 : -2;
	if (!du->cur->attached) {
		if (!dwfl_attach_state(du->cur->dwfl, NULL, (pid_t)sample->pid, &thread_callbacks, du))
			return -2;
		du->cur->attached = true;
	}
	return dwfl_getthread_frames(du->cur->dwfl, (pid_t)sample->tid, on_frame, du);
}


/* How the fast walker ended. */
enum fast_end {
	FAST_COMPLETE,   /* reached the outermost frame */
	FAST_STOPPED,    /* stopped early; the flags say why */
	FAST_FALLBACK,   /* met a rule it does not handle: use libdwfl */
};

/* The ELF address of pc in its mapping, if that is a file we can read. */
static bool file_vaddr(struct dwarf_unwinder *du, uint64_t pc, uint32_t *module, uint64_t *vaddr)
{
	const struct ps_map *map = ps_procs_find_map(du->procs, du->sample->pid, du->sample->time, pc);
	struct ps_module *m;
	const struct ps_elfinfo *ei;

	if (!map)
		return false;
	m = &du->procs->modules->mods[map->module];
	ei = m->kind == PS_MOD_FILE ? ps_module_elfinfo(m) : NULL;
	if (!ei || !ps_elfinfo_offset_to_vaddr(ei, pc - map->start + map->pgoff, vaddr))
		return false;
	*module = map->module;
	return true;
}

/*
 * One step by the frame pointer, for a frame without a usable rule when
 * libdwfl cannot be asked (not all registers sampled): [bp] is the
 * caller's bp and [bp + 8] the return address.  The frame must lie above
 * sp, or bp does not point at one.
 */
static bool frame_pointer_step(struct dwarf_unwinder *du, struct ps_cfa_regs *regs, uint64_t *ra)
{
	uint64_t next_bp;

	if (!regs->bp_known || regs->bp < regs->sp || !read_stack(du, regs->bp + 8, ra) ||
	    !read_stack(du, regs->bp, &next_bp))
		return false;
	regs->sp = regs->bp + 16;
	regs->bp = next_bp;
	return true;
}

static bool load_stack(uint64_t addr, uint64_t *out, void *ctx)
{
	return read_stack(ctx, addr, out);
}

/*
 * Walks the stack with cached rules, recording frames as libdwfl would:
 * the same pcs, the same stopping points.  Only rsp, rbp and rip are
 * tracked; a rule that needs another register falls back (or, in a
 * sample without the other registers, steps by frame pointer).
 */
static enum fast_end fast_unwind(struct dwarf_unwinder *du)
{
	uint64_t pc = du->start_ip;
	struct ps_cfa_regs regs = { .sp = du->start_sp };
	bool exact = true;
	/*
	 * The kernel's chain holds the leaf's pc, then the return address of
	 * each frame that keeps a frame pointer: a frame's pc is entry k of
	 * it when its callee keeps one and k frames before it do.  Recursion
	 * repeats pcs, so a position is needed, not just a matching pc.
	 */
	unsigned frames_with_fp = 0;
	bool callee_has_fp = true;	/* the leaf's pc is entry 0 */

	regs.bp_known = ps_rec_user_reg(du->sample, PERF_REG_X86_BP, &regs.bp);

	for (;;) {
		struct ps_cfa_rule rule;
		enum ps_cfa_step_result step;
		uint64_t lookup = exact ? pc : pc - 1, vaddr, ra;
		uint32_t module;

		if (du->n >= du->max) {
			du->hit_depth = true;
			return FAST_STOPPED;
		}
		du->out[du->n++] = (struct ps_unwind_frame){ .ip = pc, .return_address = !exact };
		du->fp_join = callee_has_fp ? (int)frames_with_fp : -1;
		callee_has_fp = true;	/* unless its rule says otherwise, below */
		if (!file_vaddr(du, lookup, &module, &vaddr)) {
			if (!du->full_regs && frame_pointer_step(du, &regs, &ra))
				goto next;
			du->missing_module = true;
			return FAST_STOPPED;
		}
		rule = ps_cfi_lookup(&du->cfi, module, vaddr);
		if (rule.kind == PS_CFA_OUTERMOST)
			return FAST_COMPLETE;
		step = ps_cfa_step(&rule, &regs, &ra, load_stack, du);
		if (step == PS_CFA_CANNOT) {
			if (du->full_regs)
				return FAST_FALLBACK;
			if (frame_pointer_step(du, &regs, &ra))
				goto next;
			du->base.stats.no_cfi++;
			return FAST_STOPPED;
		}
		if (step == PS_CFA_UNREADABLE)
			return FAST_STOPPED;
		callee_has_fp = rule.cfa_reg == PS_CFA_REG_RBP;
next:
		frames_with_fp += callee_has_fp;
		if (ra == 0)
			return FAST_COMPLETE;
		pc = ra;
		exact = false;
	}
}

/* PERFSCOPE_VERIFY_UNWIND: does libdwfl find the same frames? */
static void verify_fast(struct dwarf_unwinder *du, unsigned first)
{
	struct ps_unwind_frame fast[PS_UNWIND_MAX_FRAMES];
	unsigned nfast = du->n - first;
	bool flags[3] = { du->ran_off_copy, du->missing_module, du->hit_depth };

	memcpy(fast, du->out + first, nfast * sizeof(*fast));
	du->n = first;
	du->ran_off_copy = du->missing_module = du->hit_depth = false;
	unwind_in_session(du);
	du->base.stats.verified++;
	if (du->n - first != nfast || memcmp(fast, du->out + first, nfast * sizeof(*fast)) != 0)
		du->base.stats.verify_mismatches++;
	/* what ships is the fast walker's result */
	memcpy(du->out + first, fast, nfast * sizeof(*fast));
	du->n = first + nfast;
	du->ran_off_copy = flags[0];
	du->missing_module = flags[1];
	du->hit_depth = flags[2];
}

static bool in_file_mapping(const struct dwarf_unwinder *du, uint64_t addr)
{
	const struct ps_map *map = ps_procs_find_map(du->procs, du->sample->pid, du->sample->time, addr);

	return map && du->procs->modules->mods[map->module].kind == PS_MOD_FILE;
}

/*
 * A sample in code without CFI or a file (JIT stubs): assume a leaf that
 * has not touched the stack, so [sp] is its return address, and go on
 * from there if that address is in a mapped file.  Returns true when the
 * leaf was recorded and the start moved to its caller.
 */
static bool leaf_without_cfi(struct dwarf_unwinder *du)
{
	const struct ps_rec *sample = du->sample;
	uint64_t ret;

	if (in_file_mapping(du, du->start_ip) || sample->u.sample.stack_size < 8 ||
	    du->n >= du->max)
		return false;
	memcpy(&ret, sample->u.sample.stack, sizeof(ret));
	if (!in_file_mapping(du, ret))
		return false;
	du->out[du->n++] = (struct ps_unwind_frame){ .ip = du->start_ip };
	du->start_ip = ret;
	du->start_sp += 8;
	return true;
}

static void dwarf_unwind(struct ps_unwinder *uw, const struct ps_rec *sample,
			 struct ps_unwind_frame *out, unsigned max,
			 struct ps_unwind_result *res)
{
	struct dwarf_unwinder *du = (struct dwarf_unwinder *)uw;
	struct ps_unwind_frame fp[PS_PERF_MAX_STACK + 8];
	unsigned user_first, nfp, kernel_frames;
	int rc = -1;

	/* no call chain asked (--call-graph fp off-CPU): the copy is all there is */
	user_first = 0;
	nfp = sample->u.sample.ips ? ps_unwind_callchain(sample, fp, sizeof(fp) / sizeof(fp[0]), &user_first)
				   : 0;
	kernel_frames = user_first < max ? user_first : max;
	memcpy(out, fp, kernel_frames * sizeof(*out));
	/* per-sample state; the sessions carry over */
	du->sample = sample;
	du->cur = NULL;
	du->out = out;
	du->n = kernel_frames;
	du->max = max;
	du->ran_off_copy = du->missing_module = du->hit_depth = false;

	if (!ps_rec_user_reg(sample, PERF_REG_X86_SP, &du->sp) ||
	    !ps_rec_user_reg(sample, PERF_REG_X86_IP, &du->start_ip) ||
	    !sample->u.sample.stack_size) {
		uw->stats.no_user_state++;
		goto use_fp;
	}
	/* set_initial_registers reads them by position in exactly this mask */
	du->full_regs = sample->u.sample.regs_mask == PS_REGS_MASK;
	du->fp_join = -1;
	du->start_sp = du->sp;
	if (leaf_without_cfi(du))
		kernel_frames = du->n;	/* the leaf is kept across retries */
	switch (fast_unwind(du)) {
	case FAST_COMPLETE:
		rc = 0;
		/* fall through */
	case FAST_STOPPED:
		uw->stats.fast_unwound++;
		if (du->verify && du->full_regs)
			verify_fast(du, kernel_frames);
		goto unwound;
	case FAST_FALLBACK:
		du->fp_join = -1;	/* libdwfl's frames: no position known */
		break;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		du->n = kernel_frames;
		du->ran_off_copy = du->missing_module = du->hit_depth = false;
		rc = unwind_in_session(du);
		if (rc == -2)
			goto use_fp_counted;
		/* The mappings changed under the session: start afresh, once. */
		if (!du->cur->stale)
			break;
	}
unwound:
	uw->stats.dwarf_unwound++;
	/* libdwfl ends most complete unwinds with an error too: judge by cause. */
	if (du->ran_off_copy || du->missing_module || du->hit_depth ||
	    (rc != 0 && du->n <= kernel_frames + 1)) {
		classify_failure(du, rc);
		if (extend_with_fp(du, fp + user_first, nfp - user_first, kernel_frames))
			uw->stats.fp_extended++;
	}
	res->nframes = du->n;
	res->truncated = du->ran_off_copy || du->hit_depth;
	return;

use_fp_counted:
	classify_failure(du, rc);
use_fp:
	/* No DWARF state: the frame-pointer chain is the best we have. */
	for (unsigned i = user_first; i < nfp && du->n < max; i++)
		out[du->n++] = fp[i];
	res->nframes = du->n;
	res->truncated = sample->u.sample.nr >= PS_PERF_MAX_STACK;
}

static void dwarf_forget(struct ps_unwinder *uw, uint32_t pid)
{
	struct dwarf_unwinder *du = (struct dwarf_unwinder *)uw;

	for (unsigned i = 0; i < MAX_SESSIONS; i++)
		if (du->sessions[i].dwfl && du->sessions[i].pid == pid)
			end_session(&du->sessions[i]);
}

static void dwarf_release(struct ps_unwinder *uw)
{
	struct dwarf_unwinder *du = (struct dwarf_unwinder *)uw;

	for (unsigned i = 0; i < MAX_SESSIONS; i++)
		end_session(&du->sessions[i]);
	ps_cfi_release(&du->cfi);
	free(du);
}

struct ps_unwinder *ps_unwind_dwarf_new(struct ps_procs *procs)
{
	struct dwarf_unwinder *du = calloc(1, sizeof(*du));

	if (!du)
		return NULL;
	du->base.name = "dwarf";
	du->base.unwind = dwarf_unwind;
	du->base.forget = dwarf_forget;
	du->base.release = dwarf_release;
	du->procs = procs;
	ps_cfi_init(&du->cfi, procs->modules);
	du->verify = getenv("PERFSCOPE_VERIFY_UNWIND") != NULL;
	return &du->base;
}
