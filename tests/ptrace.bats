#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# The ptrace sampler: the fallback where perf_event_open is refused.
load common

setup() {
	out="$BATS_TEST_TMPDIR/out.folded"
}

# A ptrace sample stands for the ticks of CPU time since the thread's last
# one (a weight of one or more), and its stops come late, at the thread's
# next way out of the kernel: a share's variance is PTRACE_DESIGN times a
# binomial one over the same total (tests/bench/shares.sh measured 2.3:
# mean z^2 over 45 shares of 15 loaded runs; tests/README.md).  The stops
# cost the program CPU time of their own, in whatever they interrupt, so
# the leaves are checked by their split among themselves (assert_split).
PTRACE_DESIGN=2.5
LEAVES="leaf_sixty leaf_thirty leaf_ten"

@test "ptrace sampler: the 60/30/10 split without frame pointers, full DWARF chains" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 999 -o "$out" -- "$WL/cpusplit-nofp" --seconds 4
	[ "$status" -eq 0 ]
	[ "$(folded_total "$out")" -ge 2800 ]
	assert_split "$out" "$PTRACE_DESIGN" $LEAVES
	total=$(folded_total "$out")
	[ "$(chain_samples "$out" "main")" -ge $((total * 98 / 100)) ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -F 99 -o "$json" -- "$WL/cpusplit-nofp" --seconds 0.3
	jq -e '.metadata.sampler == "ptrace" and .metadata.event == "ptrace-timer" and .metadata.unwinder == "dwarf"' "$json"
}

@test "ptrace and perf_event samplers each find the split the program measured" {
	require_perf
	a="$BATS_TEST_TMPDIR/a.folded" b="$BATS_TEST_TMPDIR/b.folded"
	"$PERFSCOPE" cpu-profile -q --sampler ptrace -F 999 -o "$a" -- "$WL/cpusplit-nofp" --seconds 4 > "$a.out"
	"$PERFSCOPE" cpu-profile -q --sampler perf -F 999 -o "$b" -- "$WL/cpusplit-nofp" --seconds 2 > "$b.out"
	[ "$(folded_total "$a")" -ge 2800 ]
	[ "$(folded_total "$b")" -ge 1400 ]
	output=$(cat "$a.out") assert_split "$a" "$PTRACE_DESIGN" $LEAVES
	assert_cpusplit_shares "$b" "$(cat "$b.out")"
}

@test "perf_event_open refused: auto falls back to ptrace, says so, and profiles" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$HELPERS/noperf" "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$WL/cpusplit-nofp" --seconds 4
	[ "$status" -eq 0 ]
	[[ "$output" == *"note: perf_event_open refused"*"sampling with ptrace instead"* ]]
	jq -e '.metadata.sampler == "ptrace"' "$json"
	jq -e '.metadata.sampler_note | test("perf_event_paranoid")' "$json"
	# with root's capabilities, no paranoid setting refuses: the note names seccomp, not a sysctl
	if [ "$(id -u)" -eq 0 ]; then
		jq -e '.metadata.sampler_note | test("seccomp filter") and (test("sysctl") | not)' "$json"
	fi
	jq -r '.stacks[] | "\(.frames | join(";")) \(.count)"' "$json" > "$BATS_TEST_TMPDIR/json.folded"
	[ "$(folded_total "$BATS_TEST_TMPDIR/json.folded")" -eq "$(jq .metadata.samples "$json")" ]
	assert_split "$BATS_TEST_TMPDIR/json.folded" "$PTRACE_DESIGN" $LEAVES
}

@test "ptrace sampler follows threads created later" {
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 499 --per-thread -o "$out" -- "$WL/threads" --seconds 1.5
	[ "$status" -eq 0 ]
	heavy=$(chain_samples "$out" "worker-heavy")
	light=$(chain_samples "$out" "worker-light")
	[ "$heavy" -gt 400 ]
	[ "$light" -gt 40 ]
	assert_part_ratio worker-light "$light" worker-heavy "$heavy" "$PTRACE_DESIGN"
}

@test "ptrace sampler: exit codes, signals and --duration behave as with perf events" {
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -o "$out" -- "$WL/exitwith" 7
	[ "$status" -eq 7 ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -o "$out" -- "$WL/exitwith" --signal 11
	[ "$status" -eq 139 ]
	run "$PERFSCOPE" cpu-profile -q --sampler ptrace -F 199 -d 1 -o "$out" -- "$WL/spin"
	[ "$status" -eq 143 ]
	# spin says, as it dies, how much CPU time it had
	assert_sample_count spin_forever "$(chain_samples "$out" "main;spin_forever")" "$(truth_seconds spin_forever)" 199
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
	cpu_before=$(awk '{ print $1 }' "/proc/$bg/schedstat")
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 199 -d 1 -o "$out" --pid "$bg"
	cpu_after=$(awk '{ print $1 }' "/proc/$bg/schedstat")
	alive=0
	if kill -0 "$bg" 2>/dev/null; then alive=1; fi
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	[ "$alive" -eq 1 ]
	total=$(folded_total "$out")
	# one busy thread sampled for about 1 s at 199 Hz: its samples stand
	# for the CPU time it used meanwhile.  /proc was read before perfscope
	# started and after it ended, so that count holds its attach and its
	# detach too: at most all of it, at least 80%
	expected=$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { printf "%d", (b - a) / 1e9 * 199 }')
	[ "$total" -le $((expected * 11 / 10 + 2)) ] || { echo "$total samples, $expected expected"; return 1; }
	[ "$total" -ge $((expected * 8 / 10)) ] || { echo "$total samples, $expected expected"; return 1; }
	[ "$(chain_samples "$out" "main;spin_forever")" -ge $((total * 95 / 100)) ]
}

@test "ptrace sampler attaches to every thread of a running process" {
	"$WL/threads" --seconds 4 >/dev/null &
	bg=$!
	sleep 0.5
	h0=$(thread_cpu_ns "$bg" worker-heavy)
	l0=$(thread_cpu_ns "$bg" worker-light)
	run "$PERFSCOPE" cpu-profile --sampler ptrace -F 499 --per-thread -d 1.5 -o "$out" --pid "$bg"
	h1=$(thread_cpu_ns "$bg" worker-heavy)
	l1=$(thread_cpu_ns "$bg" worker-light)
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	heavy=$(chain_samples "$out" "worker-heavy")
	light=$(chain_samples "$out" "worker-light")
	# most of the heavy thread's CPU time over the profile was sampled (the
	# kernel's count spans a little more: /proc is read just outside it)
	[ "$heavy" -ge $(((h1 - h0) * 499 / 1000000000 * 8 / 10)) ]
	# the light thread's part of the two, as the kernel counted their CPU
	# time over the profile
	assert_share "worker-light of both" "$light" $((light + heavy)) \
		"$(awk -v h=$((h1 - h0)) -v l=$((l1 - l0)) 'BEGIN { printf "%.6f", l / (h + l) }')" "$PTRACE_DESIGN"
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
	alive=0
	if kill -0 "$bg" 2>/dev/null; then alive=1; fi
	kill -9 "$bg" 2>/dev/null
	[ "$status" -eq 0 ]
	[ "$alive" -eq 1 ]
	[[ "$output" == *"sampling with ptrace instead"* ]]
	jq -e '.metadata.sampler == "ptrace" and .metadata.attached' "$json"
	jq -e '.functions[] | select(.name == "spin_forever") | .self_pct > 90' "$json"
}
