#!/usr/bin/env bash
# make bench: perfscope's overhead measured side by side with the
# unprofiled run and with `perf record -g`, interleaved so machine noise
# hits every configuration alike; medians of $RUNS runs.  Prints a
# markdown table (the README's Performance section keeps the latest).
#
#   RUNS=5 UNITS=9000 tests/bench/run.sh
. "$(dirname "$0")/common.sh"

have_perf=1
perf record -q -o "$tmp/probe.data" -- true >/dev/null 2>&1 || have_perf=0


# Each run appends "elapsed cpu" of the target to $tmp/<config>.
run_bare() {
	"$WORK" --units "$UNITS" > "$tmp/out"
	echo "$(field elapsed < "$tmp/out") $(field cpu < "$tmp/out")" >> "$tmp/bare"
}

run_perfscope() {
	local hz=$1
	"$PERFSCOPE" cpu-profile -F "$hz" -o "$tmp/ps.folded" -- "$WORK" --units "$UNITS" \
		> "$tmp/out" 2> "$tmp/err"
	echo "$(field elapsed < "$tmp/out") $(field cpu < "$tmp/out")" >> "$tmp/ps$hz"
	# "perfscope: 0.01 s CPU while sampling (...) + 0.04 s to symbolize and write, peak RSS 18.6 MB"
	sed -n 's/.*perfscope: \([0-9.]*\) s CPU while sampling.* + \([0-9.]*\) s to symbolize.*peak RSS \([0-9.]*\) MB.*/\1 \3 \2/p' "$tmp/err" >> "$tmp/ps$hz.self"
	sed -n 's/.* \([0-9.]*\) s after sampling ended.*/\1/p' "$tmp/err" >> "$tmp/ps$hz.latency"
}

run_perf() {
	local hz=$1
	perf record -q -g -F "$hz" -o "$tmp/perf.data" -- "$WORK" --units "$UNITS" \
		> "$tmp/out" 2>/dev/null
	echo "$(field elapsed < "$tmp/out") $(field cpu < "$tmp/out")" >> "$tmp/perf$hz"
}

echo "benchmark: fixedwork --units $UNITS (15-deep stacks), $RUNS runs each, interleaved" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	run_bare
	for hz in 99 999; do
		run_perfscope "$hz"
		[ "$have_perf" = 1 ] && run_perf "$hz"
	done
done

col() { awk -v c="$1" '{ print $c }' "$2" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3fx", a / b; else print "n/a" }'; }
extra_pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.2f%%", 100 * (a - b) / b; else print "n/a" }'; }

bare_wall=$(col 1 "$tmp/bare"); bare_cpu=$(col 2 "$tmp/bare")

# 100,000 samples: how long after the target's exit is the output written?
"$PERFSCOPE" cpu-profile -F 20000 -o "$tmp/big.folded" -- "$WORK" --threads 2 --units 7500 \
	> /dev/null 2> "$tmp/big.err"
big_samples=$(sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/big.err")
big_latency=$(sed -n 's/.* \([0-9.]*\) s after sampling ended.*/\1/p' "$tmp/big.err")
big_rss=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/big.err")

echo "| measure (median of $RUNS) | 99 Hz | 999 Hz | target |"
echo "|---|---|---|---|"
row() { echo "| $1 | $2 | $3 | $4 |"; }
w99=$(col 1 "$tmp/ps99"); w999=$(col 1 "$tmp/ps999")
c99=$(col 2 "$tmp/ps99"); c999=$(col 2 "$tmp/ps999")
row "target wall time, perfscope / unprofiled" "$(ratio "$w99" "$bare_wall")" "$(ratio "$w999" "$bare_wall")" ""
if [ "$have_perf" = 1 ]; then
	row "target wall time, perf record -g / unprofiled" "$(ratio "$(col 1 "$tmp/perf99")" "$bare_wall")" \
		"$(ratio "$(col 1 "$tmp/perf999")" "$bare_wall")" ""
fi
row "extra target CPU time under perfscope" "$(extra_pct "$c99" "$bare_cpu")" "$(extra_pct "$c999" "$bare_cpu")" "<= 0.5% / 3%"
s99=$(col 1 "$tmp/ps99.self"); s999=$(col 1 "$tmp/ps999.self")
row "perfscope CPU while sampling, % of one core" \
	"$(awk -v a="$s99" -v b="$w99" 'BEGIN { printf "%.2f%%", 100 * a / b }')" \
	"$(awk -v a="$s999" -v b="$w999" 'BEGIN { printf "%.2f%%", 100 * a / b }')" "<= 1% / 5%"
row "perfscope peak RSS" "$(col 2 "$tmp/ps99.self") MB" "$(col 2 "$tmp/ps999.self") MB" "< 50 MB"
row "perfscope one-time symbolize + write CPU" "$(col 3 "$tmp/ps99.self") s" "$(col 3 "$tmp/ps999.self") s" ""
row "output written after target exit" "$(col 1 "$tmp/ps99.latency") s" "$(col 1 "$tmp/ps999.latency") s" ""
echo
echo "Unprofiled: ${bare_wall} s wall, ${bare_cpu} s CPU. With ${big_samples} samples (-F 20000, 2 threads):"
echo "output written ${big_latency} s after the target exited (target: <= 1 s), peak RSS ${big_rss} MB."
