#!/usr/bin/env bats
# A profiled program owns the tracker's files it writes into, and can write
# anything there (tests/workloads/hostile.c).  Whatever it does, perfscope
# writes its reports, ends, says what it refused and leaves nothing behind;
# a perfscope killed outright takes its target with it, and the next one
# removes what it left.
load common

setup() {
	out="$BATS_TEST_TMPDIR/out"
	json="$out/memory.json"
}

check() {
	jq -e "$1" "$json" >/dev/null || { echo "failed: $1"; jq -c "${2:-.metadata}" "$json"; return 1; }
}

# hostile MODE [ARGS]: memory-profile of hostile MODE, bounded in time; sets
# status and output; the session directory must be gone afterwards.
hostile() {
	run timeout 60 "$PERFSCOPE" memory-profile -o "$out" -- "$WL/hostile" "$@"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"hostile: $1 done"* ]] || { echo "$output"; return 1; }
	# the reports are whole
	jq -e . "$json" >/dev/null
}

# The blocks the program kept before and after the damage, classified at
# its exit (for damage that leaves its rings readable): the first lost, the
# last still reachable through a global.
leaks_classified() {
	check '[.sites[] | select(.stack[0].function | test("^allocate")) | .leaks] |
	       ([.[].definite.bytes] | add) == 1234 and ([.[].reachable.bytes] | add) == 1234' \
		'[.sites[] | {f: .stack[0].function, l: .leaks}]'
}

# Whether process $1 has ended (a zombie that init has not reaped yet has).
ended() {
	[ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# No session directory of a perfscope that has ended stays behind.
no_sessions_left() {
	local left
	left=$(find /dev/shm /tmp -maxdepth 1 -name "perfscope-mem-$1-*" 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

@test "a record stamped before the run began is dropped and counted, not a hang" {
	hostile early-time
	check '.metadata.rejected_records == 1 and .metadata.corrupt_files == 0'
	leaks_classified
	[[ "$output" == *"1 records stamped outside this run were dropped"* ]]
}

@test "a record stamped in the far future is dropped and counted" {
	hostile late-time
	check '.metadata.rejected_records == 1 and .metadata.corrupt_files == 0'
	leaks_classified
}

@test "a ring whose head jumps past its size is corrupt: read no further, said" {
	start=$SECONDS
	hostile head-jump
	# the program was not kept waiting at its exit for a scan that will not come
	[ $((SECONDS - start)) -lt 5 ]
	check '.metadata.corrupt_files == 1 and .metadata.truncated_files == 0'
	[[ "$output" == *"1 tracker files made no sense part way"* ]]
}

@test "random bytes as records: the ring is corrupt, the run goes on" {
	hostile garbage
	check '.metadata.corrupt_files == 1'
}

@test "a file truncated under perfscope reads as zeros, not a SIGBUS" {
	run timeout 60 "$PERFSCOPE" memory-profile -o "$out" -- "$WL/hostile" truncate
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	check '.metadata.truncated_files == 1 and .metadata.corrupt_files == 1'
	[[ "$output" == *"1 tracker files were truncated under perfscope"* ]]
	# what was read before the cut is kept
	check '.summary.allocations >= 1000' '.summary'
}

@test "a program that asks for its leak scan again and again is scanned once, at its exit" {
	start=$SECONDS
	hostile rescan
	# 100 requests of 5 ms: the run is the program's time, not 100 scans
	[ $((SECONDS - start)) -lt 20 ]
	check '.summary.processes == 1' '.summary'
	# its leaks classified at its real exit
	leaks_classified
}

@test "a file named after another process is refused: that process is not stopped, read or listed" {
	sleep 30 &
	victim=$!
	hostile forge "$victim"
	leaks_classified
	state=$(awk '{ print $3 }' "/proc/$victim/stat")
	tracer=$(awk '/^TracerPid:/ { print $2 }' "/proc/$victim/status")
	kill "$victim"
	check '.metadata.refused_files == 1'
	jq -e --argjson v "$victim" '[.processes[].pid] | index($v) == null' "$json"
	[ "$state" = S ]
	[ "$tracer" -eq 0 ]
	[[ "$output" == *"1 tracker files named processes that are not the program's"* ]]
}

@test "whatever the program leaves in the session directory, the directory goes" {
	"$PERFSCOPE" memory-profile -q -o "$out" -- "$WL/hostile" litter > "$BATS_TEST_TMPDIR/stdout" &
	ps_pid=$!
	wait "$ps_pid"
	grep -q 'hostile: litter done' "$BATS_TEST_TMPDIR/stdout"
	no_sessions_left "$ps_pid"
	# the link it left was removed, not followed
	[ -s /etc/passwd ]
}

@test "a perfscope killed outright: its target dies with it, the next start removes its session" {
	for cmd in cpu-profile memory-profile; do
		if [ "$cmd" = cpu-profile ]; then require_perf; fi
		"$PERFSCOPE" "$cmd" -q -o "$BATS_TEST_TMPDIR/$cmd.out" -- "$WL/spin" > "$BATS_TEST_TMPDIR/spin.out" &
		ps_pid=$!
		for _ in $(seq 100); do
			[ -s "$BATS_TEST_TMPDIR/spin.out" ] && break
			sleep 0.05
		done
		target=$(head -1 "$BATS_TEST_TMPDIR/spin.out")
		[ -n "$target" ]
		kill -KILL "$ps_pid"
		wait "$ps_pid" || true
		# PR_SET_PDEATHSIG: gone within a moment
		for _ in $(seq 50); do
			if ended "$target"; then break; fi
			sleep 0.02
		done
		ended "$target" || { echo "$cmd: target $target outlived perfscope"; return 1; }
		: > "$BATS_TEST_TMPDIR/spin.out"
	done
	# memory-profile's session is still there, then gone at the next start
	[ -n "$(find /dev/shm /tmp -maxdepth 1 -name "perfscope-mem-$ps_pid-*")" ]
	"$PERFSCOPE" memory-profile -q -o "$BATS_TEST_TMPDIR/next" -- true
	no_sessions_left "$ps_pid"
}

@test "--keep-running: a perfscope that ends leaves its target running" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -d 0.3 --keep-running -o "$BATS_TEST_TMPDIR/k.folded" -- "$WL/spin" --seconds 5
	[ "$status" -eq 0 ]
	target=$(head -1 <<<"$output")
	kill -0 "$target"
	kill "$target"
}

@test "code mapped from a FIFO (or anything but a file) is never opened to be named" {
	start=$SECONDS
	hostile fifo-map
	[ $((SECONDS - start)) -lt 20 ]
	# the allocation is there, its frames unnamed
	check '[.sites[] | select(.allocated_bytes == 77) | .stack[0].function | test("^\\[code.fifo\\+0x")] == [true]' \
		'[.sites[] | select(.allocated_bytes == 77) | .stack]'
}

@test "a leak scan that would read terabytes of the program's mappings stops, and says so" {
	start=$SECONDS
	hostile bigmap
	# 16 TiB of writable mappings: the scan stops after a gigabyte or so
	[ $((SECONDS - start)) -lt 30 ]
	[[ "$output" == *"leaks not classified: the leak scan stopped after reading"* ]] || { echo "$output"; return 1; }
	check '.metadata.leak_scan.note | test("stopped after reading")' '.metadata.leak_scan'
}
