#!/usr/bin/env bash
# Part of make bench: how often the regression gate cries wolf, and whether
# it sees a real slowdown.  $SERIES series of `profile --repeat $REPEAT` of
# the same fixed-work program (nothing changed), and $SLOW series of a build
# doing 20% more work.  Every pair of unchanged series is one comparison
# (recommend --baseline --fail-on-regression 10): exit 8 there is a false
# alarm.  Every slow series against every unchanged one should be exit 8.
# Then single cpu-profile runs of one program (cpusplit, 60/30/10, ~1,000
# samples): a function's share may only be flagged (exit 9) when it moved
# more than sampling explains, so pairs of unchanged runs should pass.  And
# $SHARE_SERIES series of cpu-profile --repeat $REPEAT of it: three shares
# judged by the U test, where a false regression (exit 8) was once seen.
# The pairs share series, so they are not independent draws: the rate is an
# estimate of what one CI comparison risks, not a confidence bound.
# Each figure is one count over all the pairs, so it has no spread: a
# target missed is missed, and the script exits 1.
. "$(dirname "$0")/common.sh"
SERIES=${SERIES:-15}    # 105 comparisons
SLOW=${SLOW:-4}
REPEAT=${REPEAT:-5}
GATE_UNITS=${GATE_UNITS:-500}   # ~0.2 s a run here
SLOW_UNITS=$((GATE_UNITS * 12 / 10))
CPU_RUNS=${CPU_RUNS:-15}
SHARE_SERIES=${SHARE_SERIES:-10}   # 45 comparisons
SPLIT="$root/tests/workloads/bin/cpusplit"

series() {   # series NAME UNITS
	"$PERFSCOPE" profile -q --repeat "$REPEAT" -o "$tmp/$1" -- "$WORK" --units "$2" > /dev/null
}

echo "benchmark (gate): $SERIES + $SLOW series of profile --repeat $REPEAT, fixedwork --units $GATE_UNITS / $SLOW_UNITS" >&2
# interleaved, so that a slow spell of the machine hits both kinds
for i in $(seq "$SERIES"); do
	echo "  series $i/$SERIES" >&2
	series "same$i" "$GATE_UNITS"
	if [ "$i" -le "$SLOW" ]; then
		series "slow$i" "$SLOW_UNITS"
	fi
done

for i in $(seq "$CPU_RUNS"); do
	echo "  cpu-profile $i/$CPU_RUNS" >&2
	"$PERFSCOPE" cpu-profile -q -F 999 -o "$tmp/cpu$i.json" -- "$SPLIT" --seconds 1 > /dev/null
done

for i in $(seq "$SHARE_SERIES"); do
	echo "  cpu-profile --repeat $REPEAT $i/$SHARE_SERIES" >&2
	"$PERFSCOPE" cpu-profile -q -F 999 --repeat "$REPEAT" -o "$tmp/share$i.json" -- "$SPLIT" --seconds 0.4 > /dev/null
done

gate() {   # gate NEW BASE -> the exit status
	local rc=0 new=$tmp/$1/report.json base=$tmp/$2/report.json
	[ -d "$tmp/$1" ] || { new=$tmp/$1.json; base=$tmp/$2.json; }
	"$PERFSCOPE" recommend -m "$new" --baseline "$base" --fail-on-regression 10 > "$tmp/gate.out" || rc=$?
	echo "$rc"
}

pairs=0; alarms=0; inconclusive=0
for i in $(seq "$SERIES"); do
	for j in $(seq $((i + 1)) "$SERIES"); do
		rc=$(gate "same$j" "same$i")
		pairs=$((pairs + 1))
		case "$rc" in
		0) ;;
		8) alarms=$((alarms + 1)); grep -E "^  worse" "$tmp/gate.out" | sed 's/^/    false alarm: /' >&2 ;;
		9) inconclusive=$((inconclusive + 1)) ;;
		*) echo "recommend failed ($rc)" >&2; cat "$tmp/gate.out" >&2; exit 1 ;;
		esac
	done
done
slow_pairs=0; caught=0
for i in $(seq "$SLOW"); do
	for j in $(seq "$SERIES"); do
		rc=$(gate "slow$i" "same$j")
		slow_pairs=$((slow_pairs + 1))
		[ "$rc" = 8 ] && caught=$((caught + 1))
	done
done

cpu_pairs=0; cpu_flagged=0
for i in $(seq "$CPU_RUNS"); do
	for j in $(seq $((i + 1)) "$CPU_RUNS"); do
		rc=$(gate "cpu$j" "cpu$i")
		cpu_pairs=$((cpu_pairs + 1))
		case "$rc" in
		0) ;;
		8|9) cpu_flagged=$((cpu_flagged + 1)); grep -E "^  (worse|inconclusive)" "$tmp/gate.out" | sed 's/^/    flagged: /' >&2 ;;
		*) echo "recommend failed ($rc)" >&2; cat "$tmp/gate.out" >&2; exit 1 ;;
		esac
	done
done

share_pairs=0; share_alarms=0
for i in $(seq "$SHARE_SERIES"); do
	for j in $(seq $((i + 1)) "$SHARE_SERIES"); do
		rc=$(gate "share$j" "share$i")
		share_pairs=$((share_pairs + 1))
		if [ "$rc" = 8 ]; then
			share_alarms=$((share_alarms + 1))
			grep -E "^  worse" "$tmp/gate.out" | sed 's/^/    false alarm: /' >&2
		fi
	done
done

echo
bench_header "regression gate, profile --repeat $REPEAT, limit 10%"
bench_row "unchanged program: comparisons that failed the gate (exit 8), target 1 in 100" "%.0f of $pairs" "<=" \
	"$(awk -v n="$pairs" 'BEGIN { print n / 100 }')" "$alarms"
bench_row "unchanged program: inconclusive (exit 9)" "%.0f of $pairs" "" "" "$inconclusive"
bench_row "20% more work: comparisons that failed the gate (exit 8), target all" "%.0f of $slow_pairs" ">=" "$slow_pairs" "$caught"
bench_row "unchanged cpusplit, one cpu-profile run each: comparisons flagged (exit 8 or 9), target 1 in 100" \
	"%.0f of $cpu_pairs" "<=" "$(awk -v n="$cpu_pairs" 'BEGIN { print n / 100 }')" "$cpu_flagged"
bench_row "unchanged cpusplit, cpu-profile --repeat $REPEAT: comparisons that failed the gate (exit 8), target 1 in 100" \
	"%.0f of $share_pairs" "<=" "$(awk -v n="$share_pairs" 'BEGIN { print n / 100 }')" "$share_alarms"
bench_done
