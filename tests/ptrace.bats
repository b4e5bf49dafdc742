#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The ptrace sampler: the fallback where perf_event_open is refused.
load common

setup() {
	out="$BATS_TEST_TMPDIR/out.folded"
}

@test "ptrace sampler: the 60/30/10 split without frame pointers, full DWARF chains" {
	json="$BATS_TEST_TMPDIR/out.json"
	# ~3,800 samples: ptrace samples are weighted by CPU time, which widens a
	# share's error to ~1.2 points here, so 5 points stay 4 sigma
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 999 -o "$out" -- "$WL/cpusplit-nofp" --seconds 4
	[ "$status" -eq 0 ]
	[ "$(folded_total "$out")" -ge 2800 ]
	assert_cpusplit_shares "$out"
	total=$(folded_total "$out")
	[ "$(chain_samples "$out" "main")" -ge $((total * 98 / 100)) ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -F 99 -o "$json" -- "$WL/cpusplit-nofp" --seconds 0.3
	jq -e '.metadata.sampler == "ptrace" and .metadata.event == "ptrace-timer" and .metadata.unwinder == "dwarf"' "$json"
}

@test "ptrace and perf_event samplers agree within 5 points per leaf" {
	require_perf
	a="$BATS_TEST_TMPDIR/a.folded" b="$BATS_TEST_TMPDIR/b.folded"
	# ~3,800 ptrace and ~2,000 perf samples: the difference of two shares has
	# an error of ~1.6 points
	"$PERFSCOPE" cpu-profile -q --sampler ptrace -F 999 -o "$a" -- "$WL/cpusplit-nofp" --seconds 4 >/dev/null
	"$PERFSCOPE" cpu-profile -q --sampler perf -F 999 -o "$b" -- "$WL/cpusplit-nofp" --seconds 2 >/dev/null
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		assert_within "$leaf" "$(self_share "$a" $leaf)" "$(self_share "$b" $leaf)" $TOLERANCE_POINTS
	done
}

@test "perf_event_open refused: auto falls back to ptrace, says so, and profiles" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$HELPERS/noperf" "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$WL/cpusplit-nofp" --seconds 4
	[ "$status" -eq 0 ]
	[[ "$output" == *"note: perf_event_open refused"*"sampling with ptrace instead"* ]]
	jq -e '.metadata.sampler == "ptrace"' "$json"
	jq -e '.metadata.sampler_note | test("perf_event_paranoid")' "$json"
	sixty=$(jq '.functions[] | select(.name == "leaf_sixty") | .self_pct | round' "$json")
	assert_within leaf_sixty "$sixty" 60 $TOLERANCE_POINTS
}

@test "ptrace sampler follows threads created later" {
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 499 --per-thread -o "$out" -- "$WL/threads" --seconds 1.5
	[ "$status" -eq 0 ]
	heavy=$(chain_samples "$out" "worker-heavy")
	light=$(chain_samples "$out" "worker-light")
	[ "$heavy" -gt 400 ]
	[ "$light" -gt 40 ]
	assert_within light/heavy "$((100 * light / heavy))" 25 10
}

@test "ptrace sampler: exit codes, signals and --duration behave as with perf events" {
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -o "$out" -- "$WL/exitwith" 7
	[ "$status" -eq 7 ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -o "$out" -- "$WL/exitwith" --signal 11
	[ "$status" -eq 139 ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -F 199 -d 1 -o "$out" -- "$WL/spin"
	[ "$status" -eq 143 ]
	[ "$(chain_samples "$out" "main;spin_forever")" -ge 100 ]
}

@test "ptrace sampler: the target still gets its own signals" {
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -o "$out" -- sh -c 'trap "echo got-usr1; exit 3" USR1; kill -USR1 $$; sleep 5'
	[ "$status" -eq 3 ]
	[[ "$output" == *"got-usr1"* ]]
}

@test "ptrace sampler attaches with --pid: CPU time counted from the attach, target left running" {
	"$WL/spin" > "$BATS_TEST_TMPDIR/spin.out" &
	bg=$!
	sleep 0.5	# CPU time used before the attach must not be counted
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 199 -d 1 -o "$out" --pid "$bg"
	alive=0; kill -0 "$bg" 2>/dev/null && alive=1
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	[ "$alive" -eq 1 ]
	total=$(folded_total "$out")
	# one busy thread for 1 s at 199 Hz: 199 samples' worth of CPU time
	assert_within samples "$total" 199 30
	[ "$(chain_samples "$out" "main;spin_forever")" -ge $((total * 95 / 100)) ]
}

@test "ptrace sampler attaches to every thread of a running process" {
	"$WL/threads" --seconds 4 >/dev/null &
	bg=$!
	sleep 0.5
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 499 --per-thread -d 1.5 -o "$out" --pid "$bg"
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	heavy=$(chain_samples "$out" "worker-heavy")
	light=$(chain_samples "$out" "worker-light")
	[ "$heavy" -gt 500 ]
	assert_within light/heavy "$((100 * light / heavy))" 25 10
}

@test "ptrace sampler: --pid of no such process exits 3" {
	pid=$(sh -c 'echo $$')
	run "$PERFSCOPE" cpu-profile --sampler ptrace -o "$out" --pid "$pid"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no such process: $pid"* ]]
}

@test "ptrace sampler: the JSON totals add up" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -F 499 -o "$json" -- "$WL/threads" --seconds 1
	[ "$status" -eq 0 ]
	samples=$(jq '.metadata.samples' "$json")
	[ "$samples" -gt 400 ]
	[ "$(jq '[.stacks[].count] | add' "$json")" -eq "$samples" ]
	[ "$(jq '[.threads[].samples] | add' "$json")" -eq "$samples" ]
}

@test "perf_event_open refused with --pid: auto falls back to ptrace too" {
	"$WL/spin" > "$BATS_TEST_TMPDIR/spin.out" &
	bg=$!
	sleep 0.3
	json="$BATS_TEST_TMPDIR/out.json"
	run "$HELPERS/noperf" "$PERFSCOPE" cpu-profile -F 199 -d 1 -o "$json" --pid "$bg"
	alive=0; kill -0 "$bg" 2>/dev/null && alive=1
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	[ "$alive" -eq 1 ]
	[[ "$output" == *"sampling with ptrace instead"* ]]
	jq -e '.metadata.sampler == "ptrace" and .metadata.attached' "$json"
	jq -e '.functions[] | select(.name == "spin_forever") | .self_pct > 90' "$json"
}
