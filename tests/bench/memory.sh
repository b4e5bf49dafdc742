#!/usr/bin/env bash
# Part of make bench: memory-profile's cost, side by side with the
# unprofiled run and with heaptrack, interleaved; $RUNS rounds, each figure
# paired with its round's unprofiled run (common.sh).
#   - time added per allocation event (a malloc or a free) on allocwork
#     (10 million malloc/free pairs of mixed sizes from four sites, no frame
#     pointers), with 1, 2 and 4 threads, in wall time; and the target CPU
#     per event with the target held on CPU 0 and perfscope on CPU 1, so
#     that on a 2-core machine the threads compete with each other, not
#     with perfscope's reader, and the cost per event can be compared across
#     thread counts;
#   - sampling mode (--sampled, one allocation per 512 KiB on average): the
#     slowdown, beside the noise floor (a second unprofiled run against the
#     first); and, at 1 thread, its two parts: the hooks with nothing
#     sampled (a 1 TiB mean) and the cost of one sampled allocation (a
#     16 KiB mean, so that there are ~100 times as many);
#   - the same parts in instructions, which machine noise does not touch:
#     allocwork (CG_PAIRS pairs) under valgrind --tool=cachegrind, bare,
#     with --sampled and with the 1 TiB mean (one run each: the counts
#     repeat to a few hundred instructions), when valgrind is installed;
#   - a compute-bound program (fixedwork): overhead and fixed cost;
#   - one long run (PAIRS_LONG pairs): output size, perfscope's peak RSS and
#     how soon the reports are written after the target ends.
# Exits 1 when a target is missed by more than its spread.
. "$(dirname "$0")/common.sh"
ALLOC="$root/build/helpers/allocwork"
PAIRS=${PAIRS:-10000000}
PAIRS_LONG=${PAIRS_LONG:-60000000}
CG_PAIRS=${CG_PAIRS:-1000000}

# two CPUs at least, and taskset: the pinned rows
pinned=0
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && pinned=1
have_heaptrack=1
command -v heaptrack >/dev/null || have_heaptrack=0
have_valgrind=1
command -v valgrind >/dev/null || have_valgrind=0

# "elapsed=S cpu=S" -> appended to $tmp/<name>.wall and .cpu
record() {
	field elapsed < "$tmp/out" >> "$tmp/$1.wall"
	field cpu < "$tmp/out" >> "$tmp/$1.cpu"
}
memprof() { "$PERFSCOPE" memory-profile -q --no-html -o "$tmp/ps" "$@" > "$tmp/out"; }

echo "benchmark (memory): allocwork --pairs $PAIRS, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	for t in 1 2 4; do
		"$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"; record bare$t
		memprof -- "$ALLOC" --pairs "$PAIRS" --threads $t; record ps$t
		memprof --sampled -- "$ALLOC" --pairs "$PAIRS" --threads $t; record sampled$t
		jq '[.processes[].allocations] | add' "$tmp/ps/memory.json" >> "$tmp/sampled$t.samples"
		if [ "$pinned" = 1 ]; then
			taskset -c 0 "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"; record pbare$t
			taskset -c 1 "$PERFSCOPE" memory-profile -q --no-html -o "$tmp/ps" -- \
				taskset -c 0 "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"
			record pps$t
		fi
		if [ "$have_heaptrack" = 1 ]; then
			mkdir -p "$tmp/htdata"
			heaptrack -o "$tmp/htdata/run" "$ALLOC" --pairs "$PAIRS" --threads $t 2>/dev/null | grep elapsed > "$tmp/out"
			record ht$t
			rm -rf "$tmp/htdata"
		fi
		"$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"; record again$t
	done
	# sampling mode's two parts, at 1 thread
	memprof --sample-bytes 1099511627776 -- "$ALLOC" --pairs "$PAIRS"; record nosample1
	memprof --sample-bytes 16384 -- "$ALLOC" --pairs "$PAIRS"; record s16k1
	jq '[.processes[].allocations] | add' "$tmp/ps/memory.json" >> "$tmp/s16k1.samples"
	"$WORK" --units "$UNITS" > "$tmp/out"; record cbare
	start=$(date +%s.%N)
	"$PERFSCOPE" memory-profile -q -o "$tmp/ps" -- "$WORK" --units "$UNITS" > "$tmp/out"
	end=$(date +%s.%N)
	record cps
	# launch to reports written, minus the target's own run time
	awk -v a="$start" -v b="$end" -v t="$(field elapsed < "$tmp/out")" 'BEGIN { printf "%.4f\n", b - a - t }' >> "$tmp/cfixed"
done

# instructions and first-level data cache misses: "I refs" and "D1 misses" -> $tmp/cg.NAME
cachegrind() {
	local name=$1
	shift
	"$@" valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null \
		--log-file="$tmp/cg.log" "$ALLOC" --pairs "$CG_PAIRS" > /dev/null
	sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p; s/.*D1 *misses: *\([0-9,]*\).*/\1/p' "$tmp/cg.log" |
		tr -d , | paste -sd' ' > "$tmp/cg.$name"
}
if [ "$have_valgrind" = 1 ]; then
	echo "  cachegrind: allocwork --pairs $CG_PAIRS" >&2
	cachegrind bare
	cachegrind sampled "$PERFSCOPE" memory-profile -q --no-html -o "$tmp/ps" --sampled --
	cg_samples=$(jq '[.processes[].allocations] | add' "$tmp/ps/memory.json")
	cachegrind hooks "$PERFSCOPE" memory-profile -q --no-html -o "$tmp/ps" --sample-bytes 1099511627776 --
fi

rm -rf "$tmp/long"
"$PERFSCOPE" memory-profile -o "$tmp/long" -- "$ALLOC" --pairs "$PAIRS_LONG" --threads 2 > "$tmp/out" 2> "$tmp/long.err"
long_wall=$(field elapsed < "$tmp/out")
long_rss=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/long.err")
long_after=$(sed -n 's/.*, \([0-9.]*\) s after the target ended.*/\1/p' "$tmp/long.err")
long_kb=$(du -sb "$tmp/long" | awk '{ printf "%.0f", $1 / 1000 }')

f() { echo "$tmp/$1"; }
# nanoseconds added per event (2 events per pair), one figure per run
per_event() { paired "1e9 * (a - b) / (2 * $PAIRS)" "$(f "$1")" "$(f "$2")"; }
slowdown() { paired '100 * (a / b - 1)' "$(f "$1")" "$(f "$2")"; }
bench_header "allocwork, $PAIRS malloc/free pairs (median of $RUNS)"
for t in 1 2 4; do
	th="$t thread"; [ $t = 1 ] || th="${th}s"
	bench_row "unprofiled wall time, $th" "%.3f s" "" "" $(cat "$(f bare$t.wall)")
	bench_row "perfscope: wall time added per event, $th" "%.0f ns" "<=" 100 $(per_event ps$t.wall bare$t.wall)
	if [ "$pinned" = 1 ]; then
		bench_row "target on CPU 0, perfscope on CPU 1: target CPU added per event, $th" "%.0f ns" "" "" \
			$(per_event pps$t.cpu pbare$t.cpu)
	fi
	bench_row "perfscope --sampled: slowdown (wall), $th" "%+.1f%%" "<=" 5 $(slowdown sampled$t.wall bare$t.wall)
	bench_row "perfscope --sampled: target CPU added, $th" "%+.1f%%" "" "" $(slowdown sampled$t.cpu bare$t.cpu)
	bench_row "the noise floor: a second unprofiled run against the first (wall), $th" "%+.1f%%" "" "" \
		$(slowdown again$t.wall bare$t.wall)
	if [ "$have_heaptrack" = 1 ]; then
		bench_row "heaptrack: wall time added per event, $th" "%.0f ns" "" "" $(per_event ht$t.wall bare$t.wall)
		bench_row "heaptrack / perfscope, added wall time, $th" "%.1fx" ">=" 2.5 \
			$(paired '(a - c) / (b - c)' "$(f ht$t.wall)" "$(f ps$t.wall)" "$(f bare$t.wall)")
	fi
done
if [ "$pinned" = 1 ]; then
	# flat with threads: 4 threads' cost per event at most 1.25x one thread's
	bench_row "pinned target CPU added per event, 4 threads / 1 thread" "%.2fx" "<=" 1.25 \
		$(paired '(a - b) / (c - d)' "$(f pps4.cpu)" "$(f pbare4.cpu)" "$(f pps1.cpu)" "$(f pbare1.cpu)")
fi
bench_row "sampling's hooks alone (--sample-bytes 1 TiB, nothing sampled): target CPU added, 1 thread" "%+.1f%%" "" "" \
	$(slowdown nosample1.cpu bare1.cpu)
bench_row "target CPU per sampled allocation (--sample-bytes 16384), 1 thread" "%.2f us" "" "" \
	$(paired '1e6 * (a - b) / c' "$(f s16k1.cpu)" "$(f nosample1.cpu)" "$(f s16k1.samples)")
bench_row "the same times the $(median < "$(f sampled1.samples)") allocations --sampled took, as target CPU added, 1 thread" "%+.1f%%" "" "" \
	$(paired '100 * (a - b) / c * d / e' "$(f s16k1.cpu)" "$(f nosample1.cpu)" "$(f s16k1.samples)" \
		"$(f sampled1.samples)" "$(f bare1.cpu)")
if [ "$have_valgrind" = 1 ]; then
	# cg_pct NAME COLUMN: % added over the bare run
	cg_pct() { paste "$tmp/cg.$1" "$tmp/cg.bare" | awk -v c="$2" '{ print 100 * ($c / $(c + 2) - 1) }'; }
	bench_row "--sampled: instructions added (cachegrind, $CG_PAIRS pairs, 1 thread, one run)" "%+.2f%%" "" "" \
		"$(cg_pct sampled 1)"
	bench_row "the hooks alone (1 TiB mean): instructions added per malloc/free pair" "%.1f" "" "" \
		"$(paste "$tmp/cg.hooks" "$tmp/cg.bare" | awk -v n="$CG_PAIRS" '{ print ($1 - $3) / n }')"
	bench_row "instructions per sampled allocation and its free ($cg_samples sampled)" "%.0f" "" "" \
		"$(paste "$tmp/cg.sampled" "$tmp/cg.hooks" | awk -v n="$cg_samples" '{ print ($1 - $3) / n }')"
	bench_row "--sampled: first-level data cache misses added" "%+.2f%%" "" "" "$(cg_pct sampled 2)"
fi
echo
bench_header "compute-bound fixedwork (median of $RUNS)"
bench_row "target wall time, perfscope / unprofiled" "%.3fx" "<=" 1.02 $(paired 'a / b' "$(f cps.wall)" "$(f cbare.wall)")
bench_row "fixed cost: launch to reports written, minus the target's run" "%.0f ms" "<=" 50 \
	$(awk '{ print $1 * 1000 }' "$(f cfixed)")
echo
bench_header "long run: $PAIRS_LONG pairs on 2 threads, ${long_wall} s under perfscope (one run)"
bench_row "output, all files" "%.0f KB" "<=" 20000 $long_kb
bench_row "perfscope peak RSS" "%.1f MB" "<=" 64 $long_rss
bench_row "reports written after the target ended" "%.3f s" "<=" 1 $long_after
bench_done
