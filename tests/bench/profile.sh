#!/usr/bin/env bash
# Part of make bench: perfscope profile's cost, side by side with the
# unprofiled run, strace -c -f and perf trace -s, interleaved, medians of $RUNS:
#   - time added per traced system call on a loop of trivial ones
#     (getppid, 1-byte read and write), and whether events were lost;
#   - time added per context switch (a ping-pong over pipes, both ends on
#     CPU 0 so that a switch is a switch, not a wake-up of an idle CPU whose
#     timing swamps the cost): by the whole profile, and by its off-CPU
#     stacks alone (against --no-offcpu), with DWARF and with --call-graph fp;
#   - start-up: profile -- /bin/true against the bare run;
#   - a CPU-bound program (fixedwork) at the default settings.
. "$(dirname "$0")/common.sh"
SC="$root/build/helpers/syscallwork"
LOOPS=${LOOPS:-50000}   # strace takes ~130 us a call here
PINGS=${PINGS:-20000}

have_perf_trace=1
perf trace -s -o /dev/null -- /bin/true >/dev/null 2>&1 || have_perf_trace=0

wall() { field elapsed < "$tmp/out"; }

echo "benchmark (profile): syscallwork --loops $LOOPS, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	"$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_ps" -- "$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/ps"
	jq '.syscalls.lost_events' "$tmp/d_ps/report.json" >> "$tmp/lost"
	jq '[.syscalls.calls[] | select(.name == "getppid") | .p50_us] | add' "$tmp/d_ps/report.json" >> "$tmp/p50"
	strace -c -f -o /dev/null "$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/strace"
	if [ "$have_perf_trace" = 1 ]; then
		perf trace -s -o /dev/null -- "$SC" --loops "$LOOPS" > "$tmp/out" 2>/dev/null; wall >> "$tmp/perftrace"
	fi
	taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_pp" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_ps"
	jq '.offcpu.switches' "$tmp/d_pp/report.json" >> "$tmp/pp_switches"
	jq '.offcpu.lost_events' "$tmp/d_pp/report.json" >> "$tmp/pp_lost"
	du -sk "$tmp/d_pp" | cut -f1 >> "$tmp/pp_kb"
	"$PERFSCOPE" profile -q --no-offcpu -o "$tmp/d_pn" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_nooff"
	"$PERFSCOPE" profile -q --call-graph fp -o "$tmp/d_pf" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_fp"
	jq '.offcpu.lost_events' "$tmp/d_pf/report.json" >> "$tmp/pp_lost"
	"$PERFSCOPE" profile -q --call-graph fp --no-offcpu -o "$tmp/d_pfn" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_fp_nooff"
	sleep 0.2	# the last run's tracepoints are still being torn down (ps_closer.h)
	s=$(date +%s.%N); /bin/true; e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" 'BEGIN { print b - a }' >> "$tmp/true_bare"
	s=$(date +%s.%N); "$PERFSCOPE" profile -q -o "$tmp/d_tr" -- /bin/true; e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" 'BEGIN { print b - a }' >> "$tmp/true_ps"
	"$WORK" --units "$UNITS" > "$tmp/out"; wall >> "$tmp/cpu_bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_cw" -- "$WORK" --units "$UNITS" > "$tmp/out"; wall >> "$tmp/cpu_ps"
done

m() { median < "$tmp/$1"; }
calls=$((3 * LOOPS))
per_call() { awk -v a="$(m "$1")" -v b="$(m bare)" -v n="$calls" 'BEGIN { printf "%.2f us", 1e6 * (a - b) / n }'; }
echo "| syscallwork: $calls trivial system calls (median of $RUNS) | value | target |"
echo "|---|---|---|"
echo "| unprofiled | $(m bare) s | |"
echo "| perfscope profile: time added per system call | $(per_call ps) | <= 3 us |"
echo "| strace -c -f: time added per system call | $(per_call strace) | |"
if [ "$have_perf_trace" = 1 ]; then
	echo "| perf trace -s: time added per system call | $(per_call perftrace) | |"
fi
echo "| events lost by perfscope (max over runs) | $(sort -n "$tmp/lost" | tail -1) | 0 |"
echo "| getppid latency p50 reported | $(m p50) us | within 1 us of the bare call |"
per_switch() { awk -v a="$(m "$1")" -v b="$(m "$2")" -v n="$((2 * PINGS))" 'BEGIN { printf "%.2f us", 1e6 * (a - b) / n }'; }
echo "| ping-pong on one CPU ($((2 * PINGS)) context switches): unprofiled | $(m pp_bare) s | |"
echo "| time added per context switch by off-CPU stacks (profile against profile --no-offcpu) | $(per_switch pp_ps pp_nooff) | <= 7 us (DWARF stacks) |"
echo "| the same with --call-graph fp (3 registers and a 4 KiB stack copy, walked by perfscope) | $(per_switch pp_fp pp_fp_nooff) | <= 3 us (frame-pointer stacks) |"
echo "| time added per context switch by the whole profile (CPU sampler, system calls, off-CPU) | $(per_switch pp_ps pp_bare) | |"
echo "| off-CPU records lost in the ping-pong (max over runs, both modes) | $(sort -n "$tmp/pp_lost" | tail -1) | 0 |"
echo "| switch records in the ping-pong (an in and an out per switch) | $(m pp_switches) | |"
echo "| profile's output for the ping-pong, all files | $(m pp_kb) KB | < 1 MB (perf record: ~20 MB per 100,000 switches) |"
echo "| start-up: profile -- /bin/true, over the bare run | $(awk -v a="$(m true_ps)" -v b="$(m true_bare)" 'BEGIN { printf "%.0f ms", 1000 * (a - b) }') | <= 20 ms |"
echo "| CPU-bound fixedwork, profile / unprofiled | $(awk -v a="$(m cpu_ps)" -v b="$(m cpu_bare)" 'BEGIN { printf "%.3fx", a / b }') | <= 1.03x |"
