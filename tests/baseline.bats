#!/usr/bin/env bats
# --baseline and --fail-on-regression on the profiling commands themselves:
# a run compared with an earlier report as it is written, and the gate's
# verdict as the exit status.  Workloads whose counts are known make the
# regressions.

load common

setup() {
	dir="$BATS_TEST_TMPDIR"
}

check() {
	jq -e "$1" "$json" >/dev/null || { echo "failed: $1"; jq -c "${2:-.comparison}" "$json"; return 1; }
}

@test "memory-profile: a leak that tripled is a regression (exit 8), the same leak passes" {
	"$PERFSCOPE" memory-profile -q -o "$dir/m1" -- "$WL/memwork" leak 1000
	run "$PERFSCOPE" memory-profile -o "$dir/m2" --baseline "$dir/m1/memory.json" \
		--fail-on-regression 10 -- "$WL/memwork" leak 3000
	[ "$status" -eq 8 ] || { echo "$output"; return 1; }
	# the summary names the figure and by how much
	grep -Eq "worse +memory.leaked_bytes +1000 -> 3000 +\+200.0%" <<<"$output" || { echo "$output"; return 1; }
	json="$dir/m2/memory.json"
	check '.comparison.regressions == 2 and
	       (.comparison.figures[] | select(.name == "memory.leaked_bytes") |
	        .baseline == 1000 and .value == 3000 and .change_pct == 200 and .verdict == "worse")'
	# the same program again: no count changed (a timing may have: 0 or 9)
	run "$PERFSCOPE" memory-profile -q -o "$dir/m3" --baseline "$dir/m1/memory.json" \
		--fail-on-regression 10 -- "$WL/memwork" leak 1000
	[ "$status" -eq 0 ] || [ "$status" -eq 9 ] || { echo "$output"; return 1; }
	json="$dir/m3/memory.json"
	check '.comparison.regressions == 0 and
	       ([.comparison.figures[] | select(.kind == "count") | .verdict] | all(. == "same"))'
	# a leak that shrank is better, and passes
	run "$PERFSCOPE" memory-profile -q -o "$dir/m4" --baseline "$dir/m2/memory.json" \
		--fail-on-regression 10 -- "$WL/memwork" leak 1000
	json="$dir/m4/memory.json"
	check '.comparison.figures[] | select(.name == "memory.leaked_bytes") | .verdict == "better"'
}

@test "profile: twice the system calls is a regression naming the call; the same run is not" {
	[ "$(id -u)" -eq 0 ] || skip "system call tracing needs root"
	"$PERFSCOPE" profile -q -o "$dir/p1" -- dd if=/dev/zero of=/dev/null bs=4k count=1000 2>/dev/null
	run "$PERFSCOPE" profile -o "$dir/p2" --baseline "$dir/p1/report.json" --fail-on-regression 10 \
		-- dd if=/dev/zero of=/dev/null bs=4k count=2000
	[ "$status" -eq 8 ] || { echo "$output"; return 1; }
	[[ "$output" == *"Compared with $dir/p1/report.json"* ]] || { echo "$output"; return 1; }
	# dd's 1,000 more reads and writes of 4 KiB, over the few reads of its
	# start-up: within a point of +100%
	json="$dir/p2/report.json"
	check '[.comparison.figures[] | select(.name == "syscalls.read.count" or .name == "syscalls.write.count" or
	        .name == "syscalls.read.bytes" or .name == "syscalls.write.bytes") |
	        select(.verdict == "worse" and .change_pct > 98 and .change_pct <= 100)] | length == 4'
	run "$PERFSCOPE" profile -q -o "$dir/p3" --baseline "$dir/p1/report.json" --fail-on-regression 10 \
		-- dd if=/dev/zero of=/dev/null bs=4k count=1000
	[ "$status" -eq 0 ] || [ "$status" -eq 9 ] || { echo "$output"; return 1; }
	json="$dir/p3/report.json"
	check '.comparison.regressions == 0 and
	       ([.comparison.figures[] | select(.name | test("^syscalls\\.(read|write)\\.")) |
	         select(.kind == "count") | .verdict] | all(. == "same"))'
}

@test "cpu-profile: a slower function is flagged by its share, beyond sampling noise" {
	require_perf
	# about 2,000 samples a side: a share within about a point
	"$PERFSCOPE" cpu-profile -q -F 1000 -o "$dir/c1.json" -- "$WL/cpusplit" --seconds 2 > "$dir/c1.out"
	# leaf_ten three times slower: 10% of the samples becomes 25% (6/3/3)
	run "$PERFSCOPE" cpu-profile -q -F 1000 -o "$dir/c2.folded" --baseline "$dir/c1.json" \
		--fail-on-regression 10 -- "$WL/cpusplit" --seconds 2 --ten-units 3
	# shares are timings: inconclusive (9), never a regression on one run
	[ "$status" -eq 9 ] || { echo "$output"; return 1; }
	"$PERFSCOPE" cpu-profile -q -F 1000 -o "$dir/c3.json" --baseline "$dir/c1.json" \
		-- "$WL/cpusplit" --seconds 2 --ten-units 3 > "$dir/c3.out"
	json="$dir/c3.json"
	# about 10% then 25%: each run's share is what that run measured of
	# itself, within what its samples can stray
	check '.comparison.figures[] | select(.name == "cpu.leaf_ten.self_pct") |
	       .verdict == "inconclusive" and .sampling_p < 1e-6'
	for run in c1 c3; do
		pct=$(jq '.functions[] | select(.name == "leaf_ten") | .self_pct' "$dir/$run.json")
		samples=$(jq '.metadata.samples' "$dir/$run.json")
		assert_share "$run leaf_ten" "$(awk -v p="$pct" -v n="$samples" 'BEGIN { printf "%.0f", p * n / 100 }')" \
			"$samples" "$(truth_share leaf_ten "$(cat "$dir/$run.out")")"
	done
	# and the comparison carries those two shares
	jq -e --argjson b "$(jq '.functions[] | select(.name == "leaf_ten") | .self_pct' "$dir/c1.json")" \
		--argjson v "$(jq '.functions[] | select(.name == "leaf_ten") | .self_pct' "$dir/c3.json")" \
		'.comparison.figures[] | select(.name == "cpu.leaf_ten.self_pct") |
		 ((.baseline - $b) | fabs) < 0.01 and ((.value - $v) | fabs) < 0.01' "$json"
}

@test "a baseline that cannot be compared stops the run before the program starts" {
	echo '{"kind": "memory-profile",' > "$dir/broken.json"
	run "$PERFSCOPE" profile -q -o "$dir/p" --baseline "$dir/broken.json" -- touch "$dir/ran"
	[ "$status" -eq 6 ]
	[[ "$output" == *"--baseline: $dir/broken.json: line 2, column 1"* ]] || { echo "$output"; return 1; }
	[ ! -e "$dir/ran" ]
	run "$PERFSCOPE" memory-profile -q -o "$dir/m" --baseline "$dir/missing.json" -- touch "$dir/ran"
	[ "$status" -eq 6 ]
	[[ "$output" == *"cannot read '$dir/missing.json'"* ]]
	[ ! -e "$dir/ran" ]
	# another command's report
	echo '{"kind": "memory-profile", "summary": {}}' > "$dir/mem.json"
	run "$PERFSCOPE" cpu-profile -q -o "$dir/c.folded" --baseline "$dir/mem.json" -- touch "$dir/ran"
	[ "$status" -eq 6 ]
	[[ "$output" == *"is a memory-profile report, not a cpu-profile one"* ]] || { echo "$output"; return 1; }
	[ ! -e "$dir/ran" ]
	# a gate without a baseline is a usage error
	run "$PERFSCOPE" memory-profile --fail-on-regression 5 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--fail-on-regression needs --baseline FILE"* ]]
}

@test "the program's own failure is its exit status, whatever the comparison" {
	"$PERFSCOPE" memory-profile -q -o "$dir/m1" -- "$WL/memwork" leak 1000
	run "$PERFSCOPE" memory-profile -q -o "$dir/m2" --baseline "$dir/m1/memory.json" \
		--fail-on-regression 10 -- "$WL/exitwith" 3
	[ "$status" -eq 3 ] || { echo "$output"; return 1; }
	# and the comparison is still in the report
	json="$dir/m2/memory.json"
	check '.comparison.figures[] | select(.name == "memory.leaked_bytes") | .verdict == "better"'
}

@test "cpu-profile --repeat: a slower function is worse by the U test over the runs; the same program passes" {
	require_perf
	for k in base same; do
		"$PERFSCOPE" cpu-profile -q -F 999 --repeat 5 -o "$dir/$k.json" -- "$WL/cpusplit" --seconds 0.4 > /dev/null
	done
	json="$dir/base.json"
	check '(.runs | length) == 5 and all(.runs[]; ."cpu.leaf_sixty.self_pct" > 40)' '.runs'
	run "$PERFSCOPE" cpu-profile -q -F 999 --repeat 5 -o "$dir/slow.json" --baseline "$dir/base.json" \
		--fail-on-regression 10 -- "$WL/cpusplit" --seconds 0.4 --ten-units 3
	[ "$status" -eq 8 ] || { echo "$output"; return 1; }
	# five runs against five, every slow one above every base one: p = 2/252
	# (or near it: shares of a few hundred samples tie, and ties widen it)
	json="$dir/slow.json"
	check '.comparison.figures[] | select(.name == "cpu.leaf_ten.self_pct") |
	       .verdict == "worse" and .runs == 5 and .baseline_runs == 5 and .p_value < 0.05'
	# nothing changed: no regression.  The split of a program drifts
	# between two series of runs a few seconds apart (leaf_thirty 27% then
	# 31%, and 28.1% then 32.4% with p 0.008, on CI): real, but not the
	# program's doing, so the same program is held to a 25% change, which
	# the slow leaf above (+200%) clears many times over.  Inconclusive may
	# be.
	run "$PERFSCOPE" recommend -m "$dir/same.json" --baseline "$dir/base.json" --fail-on-regression 25
	[ "$status" -eq 0 ] || [ "$status" -eq 9 ] || { echo "$output"; return 1; }
}

@test "cpu-profile --repeat: one output file, named after the first run; a failing run ends the series" {
	mkdir "$dir/w"
	cd "$dir/w"
	run "$PERFSCOPE" cpu-profile --repeat 3 -- "$WL/cpusplit" --seconds 0.1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(ls | wc -l)" -eq 1 ]
	ls perfscope-cpusplit-*.folded
	[[ "$output" == *"3 of 3 runs"* ]]
	# each run printed its line: the series ran three times
	[ "$(grep -c '^cpusplit: rounds=' <<<"$output")" -eq 3 ]
	run "$PERFSCOPE" cpu-profile -q --repeat 3 -o "$dir/x.folded" -- "$WL/exitwith" 4
	[ "$status" -eq 4 ]
	run "$PERFSCOPE" cpu-profile --repeat 2 --pid 1
	[ "$status" -eq 2 ]
}
