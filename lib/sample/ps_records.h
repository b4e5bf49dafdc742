/*
 * ps_records: decode the perf ring-buffer records we ask for into plain
 * structs.  The layout of a sample follows from PS_SAMPLE_TYPE; side-band
 * records carry the sample_id_all trailer (pid/tid, time, cpu).
 *
 * Decoding never trusts sizes: a record shorter than its fields say is
 * rejected (PS_REC_BAD) rather than read past its end.
 */
#ifndef PS_RECORDS_H
#define PS_RECORDS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>

#define PS_SAMPLE_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | \
			PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)
/* With DWARF unwinding: the user registers and a copy of the user stack. */
#define PS_SAMPLE_TYPE_DWARF (PS_SAMPLE_TYPE | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)

/*
 * x86_64 user registers we ask for: AX..IP (perf numbers 0-8) and R8-R15
 * (16-23), everything the CFI of ordinary code can refer to.  They arrive
 * in increasing perf register number.
 */
#define PS_REGS_MASK 0x0000000000ff01ffULL
#define PS_NREGS 17
/*
 * Just what a frame-pointer walk needs: BP, SP and IP.  The kernel
 * writes each register it is asked for into every sample, ~35 ns
 * apiece on a context switch.
 */
#define PS_REGS_FP_MASK 0x00000000000001c0ULL

/* What the sampler asked for, which fixes the layout of its samples. */
struct ps_rec_format {
	uint64_t sample_type;
	uint64_t regs_mask;     /* sample_regs_user */
};

enum ps_rec_kind {
	PS_REC_OTHER,
	PS_REC_BAD,
	PS_REC_SAMPLE,
	PS_REC_MMAP,
	PS_REC_COMM,
	PS_REC_FORK,
	PS_REC_EXIT,
	PS_REC_LOST,
	PS_REC_THROTTLE,
	PS_REC_UNTHROTTLE,
	PS_REC_SWITCH,          /* a context switch of the task: misc says out (and preempted) */
};

struct ps_rec {
	enum ps_rec_kind kind;
	uint16_t misc;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	union {
		struct {
			uint64_t ip;
			uint64_t period;
			uint64_t nr;
			const uint64_t *ips;	/* into the record; NULL: no call chain asked */
			uint64_t regs_abi;	/* 0: no user registers (kernel thread) */
			uint64_t regs_mask;	/* which registers regs holds */
			const uint64_t *regs;	/* into the record, by perf register number */
			uint64_t stack_size;	/* bytes of stack copied */
			const unsigned char *stack;
		} sample;
		struct {
			uint64_t start, len, pgoff;
			uint32_t prot, flags;
			uint64_t ino;
			const char *filename;	/* points into the record */
			bool has_prot;
		} mmap;
		struct {
			const char *name;
			bool exec;
		} comm;
		struct {
			uint32_t pid, ppid, tid, ptid;
		} task;
		struct {
			uint64_t lost;
		} lost;
	} u;
};

void ps_rec_decode(const struct perf_event_header *hdr, const struct ps_rec_format *fmt,
		   struct ps_rec *out);

/*
 * The user register reg (perf's numbering, PERF_REG_X86_* of <asm/perf_regs.h>) of a sample,
 * if the sample has it.
 */
static inline bool ps_rec_user_reg(const struct ps_rec *r, unsigned reg, uint64_t *value)
{
	uint64_t mask = r->u.sample.regs_mask;

	if (!r->u.sample.regs || reg >= 64 || !(mask & (1ull << reg)))
		return false;
	*value = r->u.sample.regs[__builtin_popcountll(mask & ((1ull << reg) - 1))];
	return true;
}

/* Timestamp of a record, without decoding the rest (0 if it has none). */
uint64_t ps_rec_time(const struct perf_event_header *hdr);

#endif
