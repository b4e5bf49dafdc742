#!/usr/bin/env bash
# make soak: perfscope's own memory stays flat over a long run.
#
#   tests/soak.sh [COMMAND...]    profile, cpu-profile, memory-profile (default: all three)
#
# Each command profiles tests/workloads/bin/soak (busy threads whose stacks
# vary within a bounded set, allocating all the time) for SOAK_SECONDS
# (default 600, each), while VmRSS of the perfscope process is read from
# /proc every SOAK_INTERVAL seconds (default 5) and printed.  The run is
# split by time: the first SOAK_WARMUP (a fraction, default 0.1) is
# warm-up (rings being touched a first time, tables filling, stacks seen a
# first time), the next 15% the early window, the last half the late
# window.  Memory is flat when the late maximum exceeds the early maximum
# by at most SOAK_MARGIN_KB (default 2048).  A run that could pass
# without looking fails instead: fewer than SOAK_MIN_READINGS readings
# (default 4) in either window, or a report that saw too little of the
# workload (see work_seen).
#
# Other knobs: SOAK_THREADS (workload threads, 4), SOAK_FREQUENCY (-F of
# the CPU samplers, 999: ten times the default, so a leak per sample shows
# ten times sooner), SOAK_OUT (keeps the reports and series there; a
# temporary directory otherwise).
#
# Why 2 MB: what may legitimately grow after the first quarter is small
# and bounded: the metrics series (at most 1024 points, ~150 kB), the
# stack table's doublings as the last rare stacks (kernel frames under an
# interrupt) are first seen (steps of 70-400 kB were measured), glibc's
# heap top (128 kB steps).  A leak is not: over the last three quarters of
# 10 minutes at 999 Hz on two busy CPUs (~900,000 samples and as many
# system calls and switches) anything that keeps more than a few bytes a
# sample or event passes 2 MB, and in memory-profile (~30 million
# allocations and frees) anything that keeps a byte in ten events.  A 10%
# margin instead would have been 0.4 MB for cpu-profile (one doubling) and
# 1.4 MB for memory-profile.
# Prints TAP: one test per command.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
PERFSCOPE=${PERFSCOPE:-$root/build/perfscope}
WORKLOAD=$root/tests/workloads/bin/soak
seconds=${SOAK_SECONDS:-600}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: SOAK_SECONDS takes whole seconds, not '$seconds'" >&2; exit 2; }
interval=${SOAK_INTERVAL:-5}
margin_kb=${SOAK_MARGIN_KB:-2048}
min_readings=${SOAK_MIN_READINGS:-4}
threads=${SOAK_THREADS:-4}
frequency=${SOAK_FREQUENCY:-999}
warmup=${SOAK_WARMUP:-0.1}
if [ -n "${SOAK_OUT:-}" ]; then
	out=$SOAK_OUT
	mkdir -p "$out"
else
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
[ $# -gt 0 ] || set -- profile cpu-profile memory-profile
n=0 failed=0

# Runs "perfscope $cmd ..." on the workload; writes "SECONDS VmRSS RssAnon
# RssFile RssShmem" lines (kB).  RssShmem is memory-profile's rings: 2 MiB a
# thread, in RSS once the thread has written all of it.
run_series() {
	local cmd=$1 dest=$2 series=$3 pid t0 t key kb rest line
	local freq=()
	[ "$cmd" != memory-profile ] && freq=(-F "$frequency")
	t0=$EPOCHREALTIME
	"$PERFSCOPE" "$cmd" -q "${freq[@]}" -o "$dest" -- \
		"$WORKLOAD" --seconds "$seconds" --threads "$threads" > "$out/$cmd.stdout" 2> "$out/$cmd.stderr" &
	pid=$!
	: > "$series"
	# bash builtins only, but for sleep: readings keep their pace on a busy machine
	while sleep "$interval"; do
		line=
		while read -r key kb rest; do
			case $key in VmRSS:|RssAnon:|RssFile:|RssShmem:) line+=" $kb" ;; esac
		done 2>/dev/null < "/proc/$pid/status" || break
		[ -n "$line" ] || break
		t=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
		# none once the workload's time is up: perfscope is then writing its
		# reports, which is not the run's steady state
		[ "$t" -lt $((seconds * 1000)) ] && printf '%d.%03d%s\n' $((t / 1000)) $((t % 1000)) "$line" >> "$series"
	done
	wait "$pid"
}

# What the report saw of the workload, as "WHAT: N (at least M), ..." and
# a last word "enough" or "too little": samples or events over the whole
# run (a tenth of one busy CPU at -F; 10,000 allocations a second: the
# workload keeps two CPUs busy and makes ~100,000 on an idle machine), and
# work in the late half where the report has a timeline (profile: the
# process's CPU use, at least a tenth of a CPU; memory-profile: bytes
# allocated in its time slices).  Floors low enough for a machine busy
# with other work, high enough that a sampler or tracker that stopped
# early cannot pass.
work_seen() {
	local f=$frequency
	case $1 in
	profile) jq -r --argjson s "$seconds" --argjson f "$f" '
		(.cpu.metadata.samples) as $n | (.syscalls.events) as $e |
		([.metrics.timeline[] | select(.[0] >= $s / 2) | .[1] + .[2]] | add / (length + 1e-9)) as $late |
		"samples \($n) (at least \($s * $f / 10 | floor)), system calls \($e) (at least \($s * 10)), " +
		"CPU in the late half \($late | floor)% (at least 10): " +
		(if $n >= $s * $f / 10 and $e >= $s * 10 and $late >= 10 then "enough" else "too little" end)' \
		"$2/report.json" ;;
	cpu-profile) jq -r --argjson s "$seconds" --argjson f "$f" '
		.metadata.samples as $n | "samples \($n) (at least \($s * $f / 10 | floor)): " +
		(if $n >= $s * $f / 10 then "enough" else "too little" end)' "$2" ;;
	memory-profile) jq -r --argjson s "$seconds" '
		.summary.allocations as $n |
		([.processes[].slices[] | select(.start_s >= $s / 2) | .allocated_bytes] | add // 0) as $late |
		"allocations \($n) (at least \($s * 10000)), bytes allocated in the late half \($late) (at least 1000000): " +
		(if $n >= $s * 10000 and $late >= 1000000 then "enough" else "too little" end)' "$2/memory.json" ;;
	esac
}

# Distinct stacks (or allocation sites) in the report: what its memory holds.
stacks_seen() {
	case $1 in
	profile) jq '.cpu.stacks | length' "$2/report.json" ;;
	cpu-profile) jq '.stacks | length' "$2" ;;
	memory-profile) jq '.sites | length' "$2/memory.json" ;;
	esac
}

for cmd in "$@"; do
	n=$((n + 1))
	case $cmd in
	profile|memory-profile) dest=$out/$cmd ;;
	cpu-profile) dest=$out/cpu.json ;;
	*) echo "soak.sh: unknown command '$cmd'" >&2; exit 2 ;;
	esac
	series=$out/$cmd.rss
	run_series "$cmd" "$dest" "$series"
	rc=$?
	seen=$(work_seen "$cmd" "$dest" 2>/dev/null)
	stacks=$(stacks_seen "$cmd" "$dest" 2>/dev/null)
	verdict=$(awk -v s="$seconds" -v w="$warmup" -v m="$margin_kb" -v need="$min_readings" '
		$1 >= s * w && $1 < s * (w + 0.15) { ne++; if ($2 > early) early = $2 }
		$1 >= s * 0.50 { nl++; if ($2 > late) late = $2 }
		END {
			printf "early max %d kB (%d readings), late max %d kB (%d readings), growth %+d kB, margin %d kB",
				early, ne, late, nl, late - early, m
			if (ne < need || nl < need) print ": too few readings"
			else if (late - early > m) print ": NOT FLAT"
			else print ": flat"
		}' "$series")
	echo "# $cmd, ${seconds} s, $threads threads, VmRSS every ${interval} s (seconds kB):"
	awk '{ printf "%s%s s %s kB", (NR % 6 == 1 ? "#   " : ", "), $1, $2 } NR % 6 == 0 { print "" }
		END { if (NR % 6) print ""
		      printf "# the last reading: anonymous %d kB, file %d kB, shared %d kB\n", $3, $4, $5 }' "$series"
	echo "# $verdict"
	echo "# the report: ${seen:-unreadable}; distinct stacks ${stacks:-none}"
	if [ "$rc" -eq 0 ] && [[ "$verdict" == *": flat" ]] && [[ "$seen" == *": enough" ]]; then
		echo "ok $n soak: $cmd"
	else
		echo "not ok $n soak: $cmd (exit $rc)"
		sed 's/^/# stderr: /' "$out/$cmd.stderr" | tail -5
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
