#!/usr/bin/env bash
# Part of make bench: perfscope profile's cost, side by side with the
# unprofiled run, strace -c -f and perf trace -s, interleaved, medians of $RUNS:
#   - time added per traced system call on a loop of trivial ones
#     (getppid, 1-byte read and write), and whether events were lost;
#   - the getppid p50 that profile reports, beside a bare getppid() timed
#     by bare_getppid.c (built here into the scratch directory);
#   - time added per context switch (a ping-pong over pipes, both ends on
#     CPU 0 so that a switch is a switch, not a wake-up of an idle CPU whose
#     timing swamps the cost): by the whole profile, and by its off-CPU
#     stacks alone (against --no-offcpu), with DWARF and with --call-graph fp;
#     and perf record -e sched:sched_switch -g on the same ping-pong: its
#     cost and the size of its perf.data;
#   - start-up: profile -- /bin/true against the bare run;
#   - a CPU-bound program (fixedwork) at the default settings.
# $RUNS rounds, each figure paired with its round's unprofiled run
# (common.sh); exits 1 when a target is missed by more than its spread.
. "$(dirname "$0")/common.sh"
SC="$root/build/helpers/syscallwork"
LOOPS=${LOOPS:-50000}   # strace takes ~130 us a call here
PINGS=${PINGS:-20000}

have_perf_trace=1
perf trace -s -o /dev/null -- /bin/true >/dev/null 2>&1 || have_perf_trace=0
have_perf_sched=1
perf record -q -e sched:sched_switch -g -o "$tmp/probe.data" -- /bin/true >/dev/null 2>&1 || have_perf_sched=0
"${CC:-cc}" -O2 -o "$tmp/bare_getppid" "$here/bare_getppid.c"

wall() { field elapsed < "$tmp/out"; }

echo "benchmark (profile): syscallwork --loops $LOOPS, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	"$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_ps" -- "$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/ps"
	jq '.syscalls.lost_events' "$tmp/d_ps/report.json" >> "$tmp/lost"
	jq '[.syscalls.calls[] | select(.name == "getppid") | .p50_us] | add' "$tmp/d_ps/report.json" >> "$tmp/p50"
	"$tmp/bare_getppid" 100000 | field p50_us >> "$tmp/p50_bare"
	strace -c -f -o /dev/null "$SC" --loops "$LOOPS" > "$tmp/out"; wall >> "$tmp/strace"
	if [ "$have_perf_trace" = 1 ]; then
		perf trace -s -o /dev/null -- "$SC" --loops "$LOOPS" > "$tmp/out" 2>/dev/null; wall >> "$tmp/perftrace"
	fi
	taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_pp" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_ps"
	jq '.offcpu.switches' "$tmp/d_pp/report.json" >> "$tmp/pp_switches"
	jq '.offcpu.lost_events' "$tmp/d_pp/report.json" >> "$tmp/pp_lost"
	du -sb "$tmp/d_pp" | awk '{ print $1 / 1000 }' >> "$tmp/pp_kb"
	"$PERFSCOPE" profile -q --no-offcpu -o "$tmp/d_pn" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_nooff"
	"$PERFSCOPE" profile -q --call-graph fp -o "$tmp/d_pf" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_fp"
	jq '.offcpu.lost_events' "$tmp/d_pf/report.json" >> "$tmp/pp_lost"
	"$PERFSCOPE" profile -q --call-graph fp --no-offcpu -o "$tmp/d_pfn" -- taskset -c 0 "$SC" --mode pingpong --loops "$PINGS" > "$tmp/out"; wall >> "$tmp/pp_fp_nooff"
	if [ "$have_perf_sched" = 1 ]; then
		perf record -q -e sched:sched_switch -g -o "$tmp/pp.data" -- taskset -c 0 "$SC" --mode pingpong \
			--loops "$PINGS" > "$tmp/out" 2>/dev/null
		wall >> "$tmp/pp_perf"
		stat -c %s "$tmp/pp.data" | awk '{ print $1 / 1000 }' >> "$tmp/pp_perf_kb"
	fi
	sleep 0.2	# the last run's tracepoints are still being torn down (ps_closer.h)
	s=$(date +%s.%N); /bin/true; e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" 'BEGIN { print b - a }' >> "$tmp/true_bare"
	s=$(date +%s.%N); "$PERFSCOPE" profile -q -o "$tmp/d_tr" -- /bin/true; e=$(date +%s.%N)
	awk -v a="$s" -v b="$e" 'BEGIN { print b - a }' >> "$tmp/true_ps"
	"$WORK" --units "$UNITS" > "$tmp/out"; field cpu < "$tmp/out" >> "$tmp/cpu_bare"
	"$PERFSCOPE" profile -q -o "$tmp/d_cw" -- "$WORK" --units "$UNITS" > "$tmp/out"; field cpu < "$tmp/out" >> "$tmp/cpu_ps"
done

f() { echo "$tmp/$1"; }
calls=$((3 * LOOPS)); switches=$((2 * PINGS))
per_call() { paired "1e6 * (a - b) / $calls" "$(f "$1")" "$(f bare)"; }
per_switch() { paired "1e6 * (a - b) / $switches" "$(f "$1")" "$(f "$2")"; }
bench_header "syscallwork: $calls trivial system calls; ping-pong: $switches context switches on one CPU (median of $RUNS)"
bench_row "unprofiled system-call loop" "%.4f s" "" "" $(cat "$(f bare)")
bench_row "perfscope profile: time added per system call" "%.2f us" "<=" 3 $(per_call ps)
bench_row "strace -c -f: time added per system call" "%.2f us" "" "" $(per_call strace)
if [ "$have_perf_trace" = 1 ]; then
	bench_row "perf trace -s: time added per system call" "%.2f us" "" "" $(per_call perftrace)
fi
bench_row "events lost by perfscope (max over runs)" "%.0f" "<=" 0 "$(sort -n "$(f lost)" | tail -1)"
bench_row "getppid latency p50 reported by profile" "%.3f us" "" "" $(cat "$(f p50)")
bench_row "bare getppid() p50, timed by bare_getppid" "%.3f us" "" "" $(cat "$(f p50_bare)")
bench_row "reported p50 minus the bare call's" "%+.3f us" "<=" 1 $(paired 'a - b' "$(f p50)" "$(f p50_bare)")
bench_row "unprofiled ping-pong" "%.4f s" "" "" $(cat "$(f pp_bare)")
bench_row "time added per context switch by off-CPU stacks (profile against profile --no-offcpu)" "%.2f us" "<=" 7 \
	$(per_switch pp_ps pp_nooff)
bench_row "the same with --call-graph fp (3 registers and a 4 KiB stack copy, walked by perfscope)" "%.2f us" "<=" 3 \
	$(per_switch pp_fp pp_fp_nooff)
bench_row "time added per context switch by the whole profile (CPU sampler, system calls, off-CPU)" "%.2f us" "" "" \
	$(per_switch pp_ps pp_bare)
bench_row "off-CPU records lost in the ping-pong (max over runs, both modes)" "%.0f" "<=" 0 "$(sort -n "$(f pp_lost)" | tail -1)"
bench_row "switch records in the ping-pong (an in and an out per switch)" "%.0f" "" "" $(cat "$(f pp_switches)")
bench_row "profile's output for the ping-pong, all files" "%.0f KB" "<" 1000 $(cat "$(f pp_kb)")
if [ "$have_perf_sched" = 1 ]; then
	bench_row "perf record -e sched:sched_switch -g: time added per context switch" "%.2f us" "" "" \
		$(per_switch pp_perf pp_bare)
	bench_row "perf record -e sched:sched_switch -g: perf.data for the ping-pong" "%.0f KB" "" "" $(cat "$(f pp_perf_kb)")
fi
bench_row "start-up: profile -- /bin/true, over the bare run" "%.0f ms" "<=" 20 \
	$(paired '1000 * (a - b)' "$(f true_ps)" "$(f true_bare)")
bench_row "CPU-bound fixedwork: extra target CPU time under profile" "%+.2f%%" "<=" 3 \
	$(paired '100 * (a / b - 1)' "$(f cpu_ps)" "$(f cpu_bare)")
bench_done
