#!/usr/bin/env bats
# Targets that misbehave (tests/workloads/misbehave.c) and a perfscope that
# is interrupted: each case checks the exit status, what perfscope said
# and that what it wrote is complete.
load common

setup() {
	out="$BATS_TEST_TMPDIR/out.folded"
	json="$BATS_TEST_TMPDIR/out.json"
	dir="$BATS_TEST_TMPDIR/prof"
	MB="$WL/misbehave"
}

# Samples under function $1 in the folded file $2 (default $out).
under() {
	chain_samples "${2:-$out}" "$1"
}

@test "a target that crashes (SIGSEGV, abort): 139 and 134, its profile written up to the crash" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$out" -- "$MB" segv
	[ "$status" -eq 139 ] || { echo "$output"; return 1; }
	assert_folded_valid "$out"
	# 0.3 s at 499 Hz before the crash
	[ "$(under burn_before_crash)" -ge 100 ]
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$json" -- "$MB" abort
	[ "$status" -eq 134 ]
	jq -e '.metadata.exit_code == 134 and .metadata.exit_signal == 6' "$json" >/dev/null
	# profile writes every file of a crashed program too
	run "$PERFSCOPE" profile -q -o "$dir" -- "$MB" segv
	[ "$status" -eq 139 ]
	for f in report.json cpu.folded wall.folded cpu.svg; do [ -s "$dir/$f" ] || { echo "no $f"; return 1; }; done
	# it never waited: an empty off-CPU graph, but there
	[ -e "$dir/offcpu.folded" ]
	[ -s "$dir/offcpu.svg" ]
	jq -e '.metadata.exit_signal == 11 and ([.cpu.functions[] | select(.name == "burn_before_crash")] | length == 1)' "$dir/report.json" >/dev/null
}

@test "a target that exits at once: its status, and empty but complete outputs" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -o "$json" -- "$MB" instant
	[ "$status" -eq 7 ]
	jq -e '.metadata.exit_code == 7 and (.functions | type == "array")' "$json" >/dev/null
	run "$PERFSCOPE" profile -q -o "$dir" -- "$MB" instant
	[ "$status" -eq 7 ]
	jq -e '.metadata.exit_code == 7 and .syscalls.complete' "$dir/report.json" >/dev/null
	run "$PERFSCOPE" memory-profile -q -o "$dir/mem" -- "$MB" instant
	[ "$status" -eq 7 ]
	jq -e '.metadata.exit_code == 7' "$dir/mem/memory.json" >/dev/null
}

@test "a target that execs itself: both images profiled under their own functions" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$out" -- "$MB" exec
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(under burn_before_exec)" -ge 100 ]
	[ "$(under burn_main)" -ge 100 ]
}

@test "2000 short-lived children: every fork and wait counted exactly, no hang" {
	require_perf
	run timeout 120 "$PERFSCOPE" profile -q -o "$dir" -- "$MB" forkmany 2000
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	json="$dir/report.json"
	jq -e '([.syscalls.calls[] | select(.name == "wait4") | .count] == [2000]) and
	       ([.syscalls.calls[] | select(.name == "clone" or .name == "clone3") | .count] | add == 2000)' \
		"$json" >/dev/null || { jq -c '[.syscalls.calls[] | {name, count}]' "$json"; return 1; }
	jq -e '[.cpu.functions[] | select(.name == "burn_after_forks")] | length == 1' "$json" >/dev/null
	run timeout 120 "$PERFSCOPE" memory-profile -q -o "$dir/mem" -- "$MB" forkmany 2000
	[ "$status" -eq 0 ]
	# each child is a process image of its own
	jq -e '.processes | length == 2001' "$dir/mem/memory.json" >/dev/null
}

@test "1000 threads at once: each followed, the work of all of them under thread_burn" {
	require_perf
	run timeout 120 "$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$MB" threads 1000
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"threads=1000"* ]]
	# 1000 x 2 ms of CPU at 999 Hz: about 2000 samples, at least half of them seen
	[ "$(under thread_burn)" -ge 1000 ]
	run timeout 120 "$PERFSCOPE" profile -q -o "$dir" -- "$MB" threads 1000
	[ "$status" -eq 0 ]
	jq -e '.offcpu.threads | length >= 1001' "$dir/report.json" >/dev/null
}

@test "a 10,000-deep recursion: stacks cut at the limit and said to be truncated, nothing breaks" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$json" -- "$MB" recurse 10000
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	jq -e '.metadata.truncated_stacks > 0 and .metadata.unwind_failures.truncated > 0' "$json" >/dev/null || { jq -c .metadata "$json"; return 1; }
	jq -e '[.stacks[] | .frames | length] | max >= 100' "$json" >/dev/null
	jq -e '[.functions[] | select(.name == "burn_for")] | length == 1' "$json" >/dev/null
}

@test "a target that deletes its own executable is still named and unwound" {
	require_perf
	cp "$MB" "$BATS_TEST_TMPDIR/doomed"
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$out" -- "$BATS_TEST_TMPDIR/doomed" unlinkself
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ ! -e "$BATS_TEST_TMPDIR/doomed" ]
	total=$(folded_total "$out")
	# whole stacks, from _start, named
	[ "$(under "_start;__libc_start_main;__libc_start_call_main;main;burn_deleted")" -ge $((total * 9 / 10)) ] ||
		{ head -3 "$out"; return 1; }
}

@test "a target that ignores SIGTERM: --duration kills it 2 s later (137), the profile written" {
	require_perf
	start=$(date +%s.%N)
	run "$PERFSCOPE" cpu-profile -q -F 499 -d 0.5 -o "$out" -- "$MB" ignoreterm
	end=$(date +%s.%N)
	[ "$status" -eq 137 ] || { echo "$output"; return 1; }
	awk -v a="$start" -v b="$end" 'BEGIN { exit !(b - a >= 2.4 && b - a < 10) }'
	# the profile covers the 0.5 s asked for (~250 samples), not the grace period
	[ "$(under burn_main)" -ge 100 ]
}

@test "SIGTERM and SIGHUP to perfscope: sampling stops, the signal is passed on, the output written" {
	require_perf
	for sig in TERM HUP; do
		"$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$MB" burn 60 &
		ps_pid=$!
		sleep 1
		kill -"$sig" "$ps_pid"
		rc=0; wait "$ps_pid" || rc=$?
		want=$((128 + $(kill -l "$sig")))
		[ "$rc" -eq "$want" ] || { echo "$sig: exit $rc, wanted $want"; return 1; }
		[ "$(under burn_main)" -ge 300 ]
		! pgrep -f "$MB burn 60" >/dev/null || false
	done
}

@test "a second Ctrl-C writes at once: the frames not yet named stay addresses" {
	require_perf
	"$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$MB" burn 60 2> "$BATS_TEST_TMPDIR/err" &
	ps_pid=$!
	sleep 1
	kill -INT "$ps_pid"
	sleep 0.02
	kill -INT "$ps_pid"
	rc=0; wait "$ps_pid" || rc=$?
	[ "$rc" -eq 130 ]
	assert_folded_valid "$out"
	[ "$(folded_total "$out")" -ge 300 ]
	grep -q "interrupted again: [0-9]* frames left unnamed" "$BATS_TEST_TMPDIR/err"
	grep -q '\[misbehave+0x' "$out"
}

@test "the stack table is bounded: past PERFSCOPE_MAX_STACK_MB new stacks keep their leaf, self times exact" {
	require_perf
	# 8 KiB: full before the first stack
	run env PERFSCOPE_MAX_STACK_MB=0.008 "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"the stack table reached its limit"*"kept with their leaf frame only"* ]]
	jq -e '.metadata.pooled_samples > 0 and .metadata.pooled_samples <= .metadata.samples and
	       .metadata.stack_table_limit_bytes == 8388' "$json" >/dev/null
	# every sample still counted, the split of self time the program
	# measured intact
	samples=$(jq .metadata.samples "$json")
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		assert_share "$leaf" "$(jq --arg f "$leaf" '[.functions[] | select(.name == $f) | .self] | add' "$json")" \
			"$samples" "$(truth_share "$leaf")"
	done
	run env PERFSCOPE_MAX_STACK_MB=lots "$PERFSCOPE" cpu-profile -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"PERFSCOPE_MAX_STACK_MB must be a number of megabytes"* ]]
}

@test "a full disk: the file that did not fit is named, what was written stays whole, no temporary left" {
	require_perf
	[ "$(id -u)" -eq 0 ] || skip "mounting a small file system needs root"
	small="$BATS_TEST_TMPDIR/small"
	mkdir -p "$small"
	mount -t tmpfs -o size=16k tmpfs "$small" || skip "cannot mount a tmpfs here"
	run "$PERFSCOPE" profile -q -o "$small/p" -- "$MB" burn 0.3
	status_profile=$status out_profile=$output
	# whatever room is left goes too (a short profile's JSON can fit in it)
	head -c 16k /dev/zero > "$small/filler" 2>/dev/null || true
	run "$PERFSCOPE" cpu-profile -q -o "$small/x.json" -- "$MB" burn 0.3
	status_cpu=$status out_cpu=$output
	files=$(ls -A "$small/p" 2>/dev/null; ls -A "$small")
	valid=1
	for f in "$small"/p/*.json; do [ -e "$f" ] && { jq -e . "$f" >/dev/null || valid=0; }; done
	umount "$small"
	[ "$status_profile" -eq 5 ] || { echo "$out_profile"; return 1; }
	[ "$status_cpu" -eq 5 ] || { echo "$out_cpu"; return 1; }
	[[ "$out_profile" == *"cannot write '$small/p/"*"No space left on device"*"free some space"* ]] || { echo "$out_profile"; return 1; }
	[[ "$out_cpu" == *"cannot write '$small/x.json': No space left on device"* ]] || { echo "$out_cpu"; return 1; }
	# every file there is complete (no temporary files, no cut JSON)
	[[ "$files" != *".tmp."* ]] || { echo "$files"; return 1; }
	[ "$valid" -eq 1 ]
}

@test "children too short-lived to be sampled: their CPU time is counted and said" {
	require_perf
	json="$BATS_TEST_TMPDIR/kids.json"
	# 300 children of 4 ms each: none lives a 99 Hz period
	run "$PERFSCOPE" cpu-profile -o "$json" -- "$MB" shortkids 300
	[ "$status" -eq 0 ]
	[[ "$output" == *"lived less than a sampling period (10 ms at 99 Hz) and were never sampled"* ]] ||
		{ echo "$output"; return 1; }
	# 1.2 s of CPU at least (300 x 4 ms), nearly none of it sampled
	jq -e '.metadata.target_cpu_s >= 1.2 and .metadata.unsampled_cpu_s >= 0.9 * .metadata.target_cpu_s' "$json"
	# an ordinary program: what is not sampled is under a period
	run "$PERFSCOPE" cpu-profile -o "$json" -- "$MB" burn 0.5
	[ "$status" -eq 0 ]
	[[ "$output" != *"were never sampled"* ]]
	jq -e '.metadata.target_cpu_s >= 0.5 and .metadata.unsampled_cpu_s < 0.02' "$json"
}
