#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# How cpu-profile starts, ends and fails: exit status, attach, duration,
# signals, refused permissions and unwritable outputs.
load common

setup() {
	out="$BATS_TEST_TMPDIR/out.folded"
}

teardown() {
	if [ -n "${bg_pid:-}" ]; then kill -9 "$bg_pid" 2>/dev/null || true; fi
}

# Starts `spin` in the background; sets bg_pid once it has printed its pid.
start_spin() {
	"$WL/spin" "$@" > "$BATS_TEST_TMPDIR/spin.out" &
	bg_pid=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/spin.out" ] && return 0
		sleep 0.05
	done
	return 1
}

@test "the target's exit code is passed on" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -o "$out" -- "$WL/exitwith" 7
	[ "$status" -eq 7 ]
	[ -f "$out" ]
	json="$BATS_TEST_TMPDIR/o.json"
	run "$PERFSCOPE" cpu-profile -q -o "$json" -- "$WL/exitwith" 3
	[ "$status" -eq 3 ]
	jq -e '.metadata.exit_code == 3 and .metadata.exit_signal == 0' "$json"
}

@test "a target killed by a signal gives 128+N, and the output is still written" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -o "$out" -- "$WL/exitwith" --signal 11
	[ "$status" -eq 139 ]
	[ -f "$out" ]
	run "$PERFSCOPE" cpu-profile -q -o "$out" -- "$WL/exitwith" --signal 6
	[ "$status" -eq 134 ]
}

@test "the target keeps perfscope's stdin, stdout and stderr" {
	require_perf
	run bash -c "echo through-stdin | '$PERFSCOPE' cpu-profile -q -o '$out' -- cat"
	[ "$status" -eq 0 ]
	[ "$output" = "through-stdin" ]
	run bash -c "'$PERFSCOPE' cpu-profile -q -o '$out' -- sh -c 'echo to-stderr >&2' 2>&1 >/dev/null"
	[ "$output" = "to-stderr" ]
}

@test "command not found: exit 127 with a message" {
	run -127 "$PERFSCOPE" cpu-profile -q -o "$out" -- /no/such/program
	[[ "$output" == *"command not found: '/no/such/program'"* ]]
	run -127 "$PERFSCOPE" cpu-profile -q -o "$out" -- no-such-program-in-path
}

@test "command not executable: exit 126 with a hint" {
	printf '#!/bin/sh\n' > "$BATS_TEST_TMPDIR/noexec"
	chmod 644 "$BATS_TEST_TMPDIR/noexec"
	run "$PERFSCOPE" cpu-profile -q -o "$out" -- "$BATS_TEST_TMPDIR/noexec"
	if [ "$(id -u)" -eq 0 ] && [ "$status" -ne 126 ]; then
		echo "status $status: $output"
	fi
	[ "$status" -eq 126 ]
	[[ "$output" == *"cannot execute"* ]]
	[[ "$output" == *"chmod +x"* ]]
}

@test "an unwritable output is refused before the target starts (exit 5)" {
	run "$PERFSCOPE" cpu-profile -q -o /nonexistent-dir/x.folded -- "$WL/marker" "$BATS_TEST_TMPDIR/ran"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cannot write '/nonexistent-dir/x.folded'"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
	run "$PERFSCOPE" cpu-profile -q -o "$BATS_TEST_TMPDIR" -- "$WL/marker" "$BATS_TEST_TMPDIR/ran"
	[ "$status" -eq 5 ]
	[[ "$output" == *"is a directory"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "--pid of no such process: exit 3" {
	run "$PERFSCOPE" cpu-profile -q -o "$out" --pid 999999999
	[ "$status" -eq 3 ]
	run "$PERFSCOPE" cpu-profile -q -o "$out" --pid 0
	[ "$status" -eq 2 ]
	pid=$(sh -c 'echo $$')	# a pid that has just exited
	run "$PERFSCOPE" cpu-profile -q -o "$out" --pid "$pid"
	[ "$status" -eq 3 ]
	[[ "$output" == *"no such process: $pid"* ]]
}

@test "perf_event_open refused (a container's seccomp profile), --sampler perf: exit 4 and what to do" {
	run "$HELPERS/noperf" "$PERFSCOPE" cpu-profile --sampler perf -o "$out" -- "$WL/marker" "$BATS_TEST_TMPDIR/ran"
	[ "$status" -eq 4 ]
	[[ "$output" == *"perf_event_open refused"* ]]
	[[ "$output" == *"hint:"*"perf_event_paranoid"* ]]
	[[ "$output" == *"seccomp"* ]]
	[ ! -e "$out" ]
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]	# the target was stopped before its first instruction
}

@test "--pid attaches to a running process, which keeps running afterwards" {
	require_perf
	start_spin
	run "$PERFSCOPE" cpu-profile -F 999 -d 1 -o "$out" --pid "$bg_pid"
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	[ "$total" -ge 500 ]
	[ "$(chain_samples "$out" "main;spin_forever")" -ge $((total * 9 / 10)) ]
	kill -0 "$bg_pid"
}

@test "--pid follows every thread of a multi-threaded process" {
	require_perf
	"$WL/threads" --seconds 4 >/dev/null &
	bg_pid=$!
	sleep 0.5
	h0=$(thread_cpu_ns "$bg_pid" worker-heavy)
	l0=$(thread_cpu_ns "$bg_pid" worker-light)
	run "$PERFSCOPE" cpu-profile -F 999 --per-thread -d 1 -o "$out" --pid "$bg_pid"
	h1=$(thread_cpu_ns "$bg_pid" worker-heavy)
	l1=$(thread_cpu_ns "$bg_pid" worker-light)
	[ "$status" -eq 0 ]
	# each thread's samples, as many as the CPU time the kernel counted
	# for it over the profile (a little more: /proc is read just outside it)
	heavy=$(chain_samples "$out" "worker-heavy")
	light=$(chain_samples "$out" "worker-light")
	[ "$heavy" -gt 0 ]
	[ "$light" -gt 0 ]
	[ "$heavy" -le $(((h1 - h0) * 999 / 1000000000 + 5)) ]
	[ "$light" -le $(((l1 - l0) * 999 / 1000000000 + 5)) ]
	assert_share "worker-light of both" "$light" $((light + heavy)) \
		"$(awk -v h=$((h1 - h0)) -v l=$((l1 - l0)) 'BEGIN { printf "%.6f", l / (h + l) }')"
}

@test "--pid ends when the process exits" {
	require_perf
	start_spin --seconds 1
	start=$(date +%s%N)
	before=$(awk '{ print $1 / 1e9 }' "/proc/$bg_pid/schedstat")
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" --pid "$bg_pid"
	[ "$status" -eq 0 ]
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
	[ "$elapsed_ms" -lt 3000 ]
	# the CPU time spin had from just before perfscope started to its exit,
	# sampled from the attach: at most all of it, and at least 80% (the
	# attach takes its time)
	wait "$bg_pid" || true
	expected=$(awk -v b="$before" '{ printf "%d", ($2 - b) * 999 }' <<<"$(grep -o 'spin_forever=[0-9.]*' "$BATS_TEST_TMPDIR/spin.out" | tr = ' ')")
	samples=$(chain_samples "$out" "spin_forever")
	[ "$samples" -le $((expected * 11 / 10 + 2)) ] || { echo "$samples samples, $expected expected"; return 1; }
	[ "$samples" -ge $((expected * 8 / 10)) ] || { echo "$samples samples, $expected expected"; return 1; }
}

@test "--duration ends a launched target with SIGTERM (exit 143)" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 999 -d 1 -o "$out" -- "$WL/spin"
	[ "$status" -eq 143 ]
	# spin says, as it dies, how much CPU time it had
	assert_sample_count spin_forever "$(chain_samples "$out" "spin_forever")" "$(truth_seconds spin_forever)" 999
}

@test "--duration --keep-running leaves the target running and exits 0" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 999 -d 0.5 --keep-running -o "$out" -- "$WL/spin" --seconds 3
	[ "$status" -eq 0 ]
	pid=$(head -1 <<<"$output")
	cpu=$(awk '{ print $1 / 1e9 }' "/proc/$pid/schedstat")
	kill -0 "$pid"
	kill "$pid"
	# half a second of sampling: some, and at most the CPU time spin has
	# had by now (it went on after perfscope let go)
	samples=$(chain_samples "$out" "spin_forever")
	[ "$samples" -ge 50 ]
	[ "$samples" -le $(awk -v c="$cpu" 'BEGIN { printf "%d", c * 999 + 5 }') ]
}

@test "Ctrl-C (SIGINT) stops sampling, passes it on, and still writes the output" {
	require_perf
	"$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$WL/spin" > "$BATS_TEST_TMPDIR/spin.out" &
	ps_pid=$!
	sleep 1
	kill -INT "$ps_pid"
	rc=0; wait "$ps_pid" || rc=$?
	[ "$rc" -eq 130 ]
	# spin had the SIGINT too, and said its CPU time as it died: sampled
	# until perfscope's Ctrl-C, so at most all of it and at least half (it
	# runs on while perfscope stops its sampling and passes the signal on)
	cpu=$(truth_seconds spin_forever "$(cat "$BATS_TEST_TMPDIR/spin.out")")
	samples=$(chain_samples "$out" "spin_forever")
	[ "$samples" -le $(awk -v c="$cpu" 'BEGIN { printf "%d", c * 999 + 4 * sqrt(c * 999) + 2 }') ]
	[ "$samples" -ge $(awk -v c="$cpu" 'BEGIN { printf "%d", c * 999 / 2 }') ]
	target=$(head -1 "$BATS_TEST_TMPDIR/spin.out")
	! kill -0 "$target" 2>/dev/null || false
}

@test "an unprivileged user can profile their own program" {
	require_perf
	require_nobody "$PERFSCOPE" "$WL/cpusplit"
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	run as_nobody "$PERFSCOPE" cpu-profile --sampler perf -F 999 -o "$nobody_dir/out.folded" \
		-- "$WL/cpusplit" --seconds 1
	if [ "$paranoid" -gt 2 ]; then
		[ "$status" -eq 4 ]
		[[ "$output" == *"perf_event_paranoid"* ]]
	else
		[ "$status" -eq 0 ]
		assert_cpusplit_shares "$nobody_dir/out.folded"
		if [ "$paranoid" -ge 2 ]; then
			[[ "$output" == *"kernel frames not recorded"* ]]
			[ "$(grep -c '_\[k\]' "$nobody_dir/out.folded")" -eq 0 ]
		fi
	fi
	rm -rf "$nobody_dir"
}

@test "lost samples are counted, reported, and come with advice" {
	require_perf
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	[ "$paranoid" -le 2 ] || skip "perf_event_paranoid is $paranoid: no perf events for user nobody"
	require_nobody "$PERFSCOPE" "$WL/threads"
	# an unprivileged ring is small (kernel.perf_event_mlock_kb): 2 threads of
	# 32 KiB stack copies at 50 kHz overflow it
	run as_nobody "$PERFSCOPE" cpu-profile --sampler perf -F 50000 -o "$nobody_dir/out.json" \
		-- "$WL/threads" --seconds 1
	lost=$(jq '.metadata.lost_samples' "$nobody_dir/out.json")
	rm -rf "$nobody_dir"
	[ "$status" -eq 0 ]
	[ "$lost" -gt 0 ] || skip "no samples were lost on this machine"
	[[ "$output" == *"$lost lost"* ]]
	[[ "$output" == *"samples were lost: the ring buffers overflowed; lower -F"* ]]
	[[ "$output" == *"perf_event_mlock_kb"* ]]
}
