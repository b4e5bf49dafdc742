#!/usr/bin/env bash
# make bench: the CPU sampler's cost to the target, side by side with the
# unprofiled run and with perf record at the same settings (DWARF stacks,
# 32 KiB user stack copies: --call-graph dwarf,32768), interleaved so that
# machine noise hits every configuration alike; $RUNS rounds, each figure
# paired with its round's unprofiled run (common.sh).  Each round also runs
# the unprofiled program a second time: that pair's difference is the
# noise floor, what the machine alone does to the figure.  What a sample
# costs is measured at 999 Hz, where it is ten times larger against the
# same noise: perfscope with 32 and 8 KiB stack copies, perf record with
# the same 32 KiB, perf record taking no stack at all (the sample alone:
# the timer interrupt and a record of the pc), and, without perf, a timer
# signal at 999 Hz with an empty handler (timer_tick.c, preloaded).  Prints a markdown
# table (docs/performance.md keeps the latest); exits 1 when
# a target is missed by more than its spread.
#
#   RUNS=5 UNITS=9000 tests/bench/run.sh
. "$(dirname "$0")/common.sh"

have_perf=1
perf record -q -o "$tmp/probe.data" -- true >/dev/null 2>&1 || have_perf=0
"${CC:-cc}" -O2 -shared -fPIC -o "$tmp/timer_tick.so" "$here/timer_tick.c"

# "elapsed=S cpu=S" of the target -> $tmp/NAME.wall and $tmp/NAME.cpu
record() {
	field elapsed < "$tmp/out" >> "$tmp/$1.wall"
	field cpu < "$tmp/out" >> "$tmp/$1.cpu"
}

run_bare() {
	"$WORK" --units "$UNITS" > "$tmp/out"
	record "$1"
}

# run_perfscope HZ NAME [OPTION...]; the runs named psHZ also keep perfscope's own figures
run_perfscope() {
	local hz=$1 name=$2
	shift 2
	"$PERFSCOPE" cpu-profile -F "$hz" "$@" -o "$tmp/ps.folded" -- "$WORK" --units "$UNITS" \
		> "$tmp/out" 2> "$tmp/err"
	record "$name"
	[ "$name" = "ps$hz" ] || return 0
	sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.samples"
	# "perfscope: 0.01 s CPU while sampling (...) + 0.04 s to symbolize and write, peak RSS 18.6 MB"
	sed -n 's/.*perfscope: \([0-9.]*\) s CPU while sampling.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.self"
	sed -n 's/.* + \([0-9.]*\) s to symbolize.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.symbolize"
	sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.rss"
	sed -n 's/.* \([0-9.]*\) s after sampling ended.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.latency"
}

# run_perf HZ NAME [OPTION...]
run_perf() {
	local hz=$1 name=$2
	shift 2
	perf record -q -F "$hz" "$@" -o "$tmp/perf.data" -- "$WORK" --units "$UNITS" > "$tmp/out" 2>/dev/null
	record "$name"
}

echo "benchmark: fixedwork --units $UNITS (15-deep stacks), $RUNS runs each, interleaved" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	run_bare bare
	for hz in 99 999; do
		run_perfscope "$hz" "ps$hz"
		[ "$have_perf" = 1 ] && run_perf "$hz" "perf$hz" --call-graph dwarf,32768
	done
	run_perfscope 999 ps999s8 --stack-size 8192
	[ "$have_perf" = 1 ] && run_perf 999 perf999nocg
	TIMER_TICK_HZ=999 LD_PRELOAD="$tmp/timer_tick.so" "$WORK" --units "$UNITS" > "$tmp/out"
	record tick999
	run_bare bare2
done

# 100,000 samples or more: how long after the target's exit is the output written?
"$PERFSCOPE" cpu-profile -F 20000 -o "$tmp/big.folded" -- "$WORK" --threads 2 --units 7500 \
	> /dev/null 2> "$tmp/big.err"
big_samples=$(sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/big.err")
big_latency=$(sed -n 's/.* \([0-9.]*\) s after sampling ended.*/\1/p' "$tmp/big.err")
big_rss=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/big.err")

extra() { paired '100 * (a / b - 1)' "$tmp/$1.cpu" "$tmp/$2.cpu"; }
m() { median < "$tmp/$1"; }
bench_header "fixedwork --units $UNITS, 15-deep stacks (median of $RUNS)"
bench_row "extra target CPU time, perfscope -F 99" "%+.2f%%" "<=" 0.5 $(extra ps99 bare)
bench_row "extra target CPU time, perfscope -F 999" "%+.2f%%" "<=" 3 $(extra ps999 bare)
if [ "$have_perf" = 1 ]; then
	bench_row "extra target CPU time, perf record -F 99 --call-graph dwarf,32768" "%+.2f%%" "" "" $(extra perf99 bare)
	bench_row "extra target CPU time, perf record -F 999 --call-graph dwarf,32768" "%+.2f%%" "" "" $(extra perf999 bare)
	bench_row "extra target CPU time, perf record -F 999, no call chain (the sample alone)" "%+.2f%%" "" "" \
		$(extra perf999nocg bare)
fi
bench_row "extra target CPU time, perfscope -F 999 --stack-size 8192" "%+.2f%%" "" "" $(extra ps999s8 bare)
bench_row "extra target CPU time, no profiler: a timer signal at 999 Hz, empty handler" "%+.2f%%" "" "" $(extra tick999 bare)
bench_row "the noise floor: the round's second unprofiled run against its first" "%+.2f%%" "" "" $(extra bare2 bare)
# The 999 Hz runs' extra CPU divided by their samples: what one sample costs
# the target; times the samples of a 99 Hz run, what 99 Hz should cost.
bench_row "target CPU added per sample, perfscope -F 999" "%.1f us" "" "" \
	$(paired '1e6 * (a - b) / c' "$tmp/ps999.cpu" "$tmp/bare.cpu" "$tmp/ps999.samples")
bench_row "the same times the samples of a 99 Hz run, as extra target CPU at 99 Hz" "%+.2f%%" "<=" 0.5 \
	$(paired '100 * (a - b) / c * d / b' "$tmp/ps999.cpu" "$tmp/bare.cpu" "$tmp/ps999.samples" "$tmp/ps99.samples")
bench_row "target wall time, perfscope -F 99 / unprofiled" "%.3fx" "" "" $(paired 'a / b' "$tmp/ps99.wall" "$tmp/bare.wall")
bench_row "target wall time, perfscope -F 999 / unprofiled" "%.3fx" "" "" $(paired 'a / b' "$tmp/ps999.wall" "$tmp/bare.wall")
bench_row "perfscope CPU while sampling, % of one core, -F 99" "%.2f%%" "<=" 1 $(paired '100 * a / b' "$tmp/ps99.self" "$tmp/ps99.wall")
bench_row "perfscope CPU while sampling, % of one core, -F 999" "%.2f%%" "<=" 5 $(paired '100 * a / b' "$tmp/ps999.self" "$tmp/ps999.wall")
bench_row "perfscope peak RSS, -F 99" "%.1f MB" "<" 50 $(cat "$tmp/ps99.rss")
bench_row "perfscope peak RSS, -F 999" "%.1f MB" "<" 50 $(cat "$tmp/ps999.rss")
bench_row "perfscope one-time symbolize + write CPU, -F 99" "%.3f s" "" "" $(cat "$tmp/ps99.symbolize")
bench_row "perfscope one-time symbolize + write CPU, -F 999" "%.3f s" "" "" $(cat "$tmp/ps999.symbolize")
bench_row "output written after the target's exit, -F 99" "%.3f s" "" "" $(cat "$tmp/ps99.latency")
bench_row "output written after the target's exit, -F 999" "%.3f s" "" "" $(cat "$tmp/ps999.latency")
bench_row "$big_samples samples (-F 20000, 2 threads, one run): output written after the target's exit" \
	"%.3f s" "<=" 1 $big_latency
bench_row "$big_samples samples (-F 20000, 2 threads, one run): perfscope peak RSS" "%.1f MB" "<" 50 $big_rss
echo
echo "Unprofiled: $(m bare.wall) s wall, $(m bare.cpu) s CPU; samples per run: $(m ps99.samples) at 99 Hz, $(m ps999.samples) at 999 Hz."
bench_done
