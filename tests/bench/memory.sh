#!/usr/bin/env bash
# Part of make bench: memory-profile's cost, side by side with the
# unprofiled run and with heaptrack, interleaved, medians of $RUNS.
#   - time added per allocation event (a malloc or a free) on allocwork
#     (10 million malloc/free pairs of mixed sizes from four sites, no frame
#     pointers), with 1, 2 and 4 threads: wall time for 1 thread, target CPU
#     time per event for all; and the same with the target held on CPU 0
#     and perfscope on CPU 1, so that on a 2-core machine the threads compete
#     with each other, not with perfscope's reader, and the cost per event
#     can be compared across thread counts;
#   - a compute-bound program (fixedwork): overhead and fixed cost;
#   - one long run (PAIRS_LONG pairs): output size, perfscope's peak RSS and
#     how soon the reports are written after the target ends.
. "$(dirname "$0")/common.sh"
ALLOC="$root/build/helpers/allocwork"
PAIRS=${PAIRS:-10000000}
PAIRS_LONG=${PAIRS_LONG:-60000000}

# two CPUs at least, and taskset: the pinned rows
pinned=0
[ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null && pinned=1
have_heaptrack=1
command -v heaptrack >/dev/null || have_heaptrack=0

# "elapsed=S cpu=S" -> appended to $tmp/<name>.wall and .cpu
record() {
	field elapsed < "$tmp/out" >> "$tmp/$1.wall"
	field cpu < "$tmp/out" >> "$tmp/$1.cpu"
}

echo "benchmark (memory): allocwork --pairs $PAIRS, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	for t in 1 2 4; do
		"$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"; record bare$t
		"$PERFSCOPE" memory-profile -q -o "$tmp/ps" -- "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"
		record ps$t
		"$PERFSCOPE" memory-profile -q --sampled -o "$tmp/ps" -- "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"
		record sampled$t
		# the cost of interposing malloc at all: the tracker loaded, not recording
		LD_PRELOAD="$root/build/libperfscope-preload.so" "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"
		record interposed$t
		if [ "$pinned" = 1 ]; then
			taskset -c 0 "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"; record pbare$t
			taskset -c 1 "$PERFSCOPE" memory-profile -q -o "$tmp/ps" -- \
				taskset -c 0 "$ALLOC" --pairs "$PAIRS" --threads $t > "$tmp/out"
			record pps$t
		fi
		if [ "$have_heaptrack" = 1 ]; then
			mkdir -p "$tmp/htdata"
			heaptrack -o "$tmp/htdata/run" "$ALLOC" --pairs "$PAIRS" --threads $t 2>/dev/null | grep elapsed > "$tmp/out"
			record ht$t
			rm -rf "$tmp/htdata"
		fi
	done
	"$WORK" --units "$UNITS" > "$tmp/out"; record cbare
	start=$(date +%s.%N)
	"$PERFSCOPE" memory-profile -q -o "$tmp/ps" -- "$WORK" --units "$UNITS" > "$tmp/out"
	end=$(date +%s.%N)
	record cps
	# launch to reports written, minus the target's own run time
	awk -v a="$start" -v b="$end" -v t="$(field elapsed < "$tmp/out")" 'BEGIN { printf "%.4f\n", b - a - t }' >> "$tmp/cfixed"
done

"$PERFSCOPE" memory-profile -o "$tmp/long" -- "$ALLOC" --pairs "$PAIRS_LONG" --threads 2 > "$tmp/out" 2> "$tmp/long.err"
long_wall=$(field elapsed < "$tmp/out")
long_rss=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/long.err")
long_after=$(sed -n 's/.*, \([0-9.]*\) s after the target ended.*/\1/p' "$tmp/long.err")
long_bytes=$(du -sb "$tmp/long" | cut -f1)

m() { median < "$tmp/$1"; }
# added nanoseconds per event (2 events per pair)
per_event() { awk -v a="$(m "$1")" -v b="$(m "$2")" -v n="$PAIRS" 'BEGIN { printf "%.0f", 1e9 * (a - b) / (2 * n) }'; }

echo "| allocwork, $PAIRS malloc/free pairs (median of $RUNS) | 1 thread | 2 threads | 4 threads | target |"
echo "|---|---|---|---|---|"
echo "| unprofiled wall time | $(m bare1.wall) s | $(m bare2.wall) s | $(m bare4.wall) s | |"
echo "| perfscope: wall time added per event | $(per_event ps1.wall bare1.wall) ns | $(per_event ps2.wall bare2.wall) ns | $(per_event ps4.wall bare4.wall) ns | <= 100 ns |"
echo "| perfscope: target CPU added per event | $(per_event ps1.cpu bare1.cpu) ns | $(per_event ps2.cpu bare2.cpu) ns | $(per_event ps4.cpu bare4.cpu) ns | flat with threads |"
if [ "$pinned" = 1 ]; then
	echo "| target on CPU 0, perfscope on CPU 1: target CPU added per event | $(per_event pps1.cpu pbare1.cpu) ns | $(per_event pps2.cpu pbare2.cpu) ns | $(per_event pps4.cpu pbare4.cpu) ns | flat with threads |"
fi
slowdown() { awk -v a="$(m "$1")" -v b="$(m "$2")" 'BEGIN { printf "%+.1f%%", 100 * (a / b - 1) }'; }
echo "| perfscope --sampled (512 KiB): slowdown | $(slowdown sampled1.wall bare1.wall) | $(slowdown sampled2.wall bare2.wall) | $(slowdown sampled4.wall bare4.wall) | <= 5% |"
echo "| the preloaded tracker, not recording: slowdown | $(slowdown interposed1.wall bare1.wall) | $(slowdown interposed2.wall bare2.wall) | $(slowdown interposed4.wall bare4.wall) | |"
if [ "$have_heaptrack" = 1 ]; then
	echo "| heaptrack: wall time added per event | $(per_event ht1.wall bare1.wall) ns | $(per_event ht2.wall bare2.wall) ns | $(per_event ht4.wall bare4.wall) ns | |"
	echo "| heaptrack / perfscope, added wall time | $(awk -v h="$(per_event ht1.wall bare1.wall)" -v p="$(per_event ps1.wall bare1.wall)" 'BEGIN { printf "%.1fx", h / p }') | $(awk -v h="$(per_event ht2.wall bare2.wall)" -v p="$(per_event ps2.wall bare2.wall)" 'BEGIN { printf "%.1fx", h / p }') | $(awk -v h="$(per_event ht4.wall bare4.wall)" -v p="$(per_event ps4.wall bare4.wall)" 'BEGIN { printf "%.1fx", h / p }') | >= 2.5x |"
fi
echo
echo "| compute-bound fixedwork (median of $RUNS) | value | target |"
echo "|---|---|---|"
echo "| target wall time, perfscope / unprofiled | $(awk -v a="$(m cps.wall)" -v b="$(m cbare.wall)" 'BEGIN { printf "%.3fx", a / b }') | <= 1.02x |"
echo "| fixed cost: launch to reports written, minus the target's run | $(awk -v a="$(m cfixed)" 'BEGIN { printf "%.0f ms", a * 1000 }') | <= 50 ms |"
echo
echo "Long run: $PAIRS_LONG pairs on 2 threads, ${long_wall} s under perfscope: output $(awk -v b="$long_bytes" 'BEGIN { if (b < 1e6) printf "%.0f KB", b / 1e3; else printf "%.1f MB", b / 1e6 }') (target <= 20 MB), perfscope peak RSS ${long_rss} MB (target <= 64 MB), reports written ${long_after} s after the target ended (target <= 1 s)."
