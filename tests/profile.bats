#!/usr/bin/env bats
# perfscope profile: on-CPU stacks, system calls and metrics in one run,
# checked against programs whose answers are known.

load common

setup() {
	out="$BATS_TEST_TMPDIR/prof"
	json="$out/report.json"
}

teardown() {
	# a test that switched delay accounting puts it back, even when it failed
	if [ -n "${delayacct_was:-}" ]; then
		echo "$delayacct_was" > /proc/sys/kernel/task_delayacct
	fi
}

check() {
	if [ "$1" = --arg ]; then
		jq -e --arg "$2" "$3" "$4" "$json" >/dev/null || { echo "failed: $4"; jq -c "${5:-.metadata}" "$json"; return 1; }
		return
	fi
	jq -e "$1" "$json" >/dev/null || { echo "failed: $1"; jq -c "${2:-.metadata}" "$json"; return 1; }
}

# "name=value" from the workload's own report
count() {
	tr ' ' '\n' < "$BATS_TEST_TMPDIR/counts" | sed -n "s/^$1=//p"
}

# irq, softirq and steal clock ticks of the whole machine so far
stolen_ticks() {
	awk '/^cpu / { print $7 + $8 + $9 }' /proc/stat
}

# Every thread's wall time (birth or start to exit or end) is split into
# on-CPU, runnable and blocked time, 95% of it at least, with no switch
# record missing its other half.
all_time_accounted() {
	check '.offcpu.unpaired_switches == 0 and ([.offcpu.threads[] |
	       .on_cpu_s + .runnable_s + ([.blocked_s[]] | add // 0) >= 0.95 * .wall_s] | all)' \
		'{unpaired: .offcpu.unpaired_switches, threads: [.offcpu.threads[] | {tid, wall_s, on_cpu_s, runnable_s, blocked_s}]}'
}

calls() {
	jq -r --arg n "$1" '[.syscalls.calls[] | select(.name == $n) | .'"$2"'] | add // 0' "$json"
}

@test "system calls of an I/O workload: counts and bytes equal the program's own" {
	[ "$(id -u)" -eq 0 ] || skip "tracepoints need root"
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/iowork" "$BATS_TEST_TMPDIR" > "$BATS_TEST_TMPDIR/counts"
	check '.metadata.sections.syscalls.collected' '.metadata.sections'
	check '.syscalls.complete and .syscalls.lost_events == 0 and .syscalls.unmatched_exits == 0' \
		'.syscalls | del(.calls)'
	report_len=$(wc -c < "$BATS_TEST_TMPDIR/counts")
	# its own writes, and the one write of this report
	[ "$(calls write count)" -eq $(( $(count write) + 1 )) ]
	[ "$(calls write bytes)" -eq $(( $(count write_bytes) + report_len )) ]
	[ "$(calls fsync count)" -eq "$(count fsync)" ]
	[ "$(calls pread64 count)" -eq "$(count pread64)" ]
	[ "$(calls pread64 bytes)" -eq "$(count pread64_bytes)" ]
	[ "$(calls read count)" -eq "$(count read)" ]
	[ "$(calls read bytes)" -eq "$(count read_bytes)" ]
	[ "$(calls lseek count)" -eq "$(count lseek)" ]
	# latencies are ordered and the total is the sum of the calls
	check '[.syscalls.calls[] | .p50_us <= .p95_us and .p95_us <= .p99_us and .p99_us <= .max_us] | all' \
		'[.syscalls.calls[] | {name, p50_us, p95_us, p99_us, max_us}]'
	check '[.syscalls.calls[] | select(.name == "fsync") | .total_s > 0] == [true]' '.syscalls'
	# the file: its bytes, its 16 fsyncs, and its pattern: the writes and the
	# read() pass sequential, the 20,000 preads (and the read after each
	# rewind) random, give or take preads that land where the last ended
	check --arg f "$BATS_TEST_TMPDIR/iowork.data" '[.files[] | select(.name == $f)] | length == 1' '.files'
	file='.files[] | select(.name | endswith("/iowork.data"))'
	check "$file | .written_bytes == $(count write_bytes) and .read_bytes == $(( $(count pread64_bytes) + $(count read_bytes) ))" "$file"
	check "$file | .writes == $(count write) and .syncs == $(count fsync) and .kind == \"file\"" "$file"
	check "$file | .random_ops >= 20000 and .random_ops <= 20010" "$file"
	check "$file | .sequential_ops >= $(count write) + $(count read) - 10 and .sequential_ops <= $(count write) + $(count read)" "$file"
	all_time_accounted
}

@test "files opened, read and closed between two rounds are named after the path they were opened by" {
	[ "$(id -u)" -eq 0 ] || skip "system calls need tracepoints"
	dir="$BATS_TEST_TMPDIR/files"
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P)
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/shortopen" "$dir" 2000 > "$BATS_TEST_TMPDIR/counts"
	[ "$(count reads_short)" -eq 4000 ] && [ "$(count reads_other)" -eq 4000 ]
	# open("short.txt") relative to the working directory, openat(dirfd, "other.txt")
	check --arg d "$dir" '[.files[] | select(.name == ($d + "/short.txt"))] |
	       length == 1 and .[0].reads == 4000 and .[0].read_bytes == 2000000 and .[0].kind == "file"' \
		'[.files[] | {name, reads, read_bytes}]'
	check --arg d "$dir" '[.files[] | select(.name == ($d + "/sub/other.txt"))] |
	       length == 1 and .[0].reads == 4000 and .[0].read_bytes == 1000000' \
		'[.files[] | {name, reads, read_bytes}]'
	check '[.files[] | select(.name == "[closed]")] == [] and .syscalls.open_paths.captured >= 4002' \
		'{files: [.files[] | {name, reads}], paths: .syscalls.open_paths}'
}

@test "sockets: bytes and time per peer, on loopback" {
	[ "$(id -u)" -eq 0 ] || skip "tracepoints need root"
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/network" > "$BATS_TEST_TMPDIR/counts"
	port=$(count port)
	# the client's socket, whose peer is the server's port, and the server's
	check "[.files[] | select(.name == \"tcp 127.0.0.1:$port\") | [.kind, .written_bytes, .read_bytes]] == [[\"socket\", $(count sent), $(count received)]]" \
		'[.files[] | {name, written_bytes, read_bytes}]'
	check "[.files[] | select(.kind == \"socket\" and .name != \"tcp 127.0.0.1:$port\" and .read_bytes > 0) | [.read_bytes, .written_bytes]] == [[$(count sent), $(count received)]]" \
		'[.files[] | {name, written_bytes, read_bytes}]'
	# the server waited for the client's data on its socket
	check '.offcpu.blocked_by_reason_s.network > 0' '.offcpu.blocked_by_reason_s'
	all_time_accounted
}

@test "off-CPU: 1 s on CPU, 1 s asleep and 1 s on a pipe, each within 10% at its own stack" {
	[ "$(id -u)" -eq 0 ] || skip "off-CPU stacks need kernel events"
	run "$PERFSCOPE" profile -q -o "$out" -- "$WL/offwork" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	check '.metadata.sections.offcpu.collected and .offcpu.stacks and .offcpu.lost_events == 0' \
		'.metadata.sections'
	within() { jq -e "$1 | . > 0.9 and . < 1.1" "$json" >/dev/null || { echo "not within 10%: $1"; jq -c "$1" "$json"; return 1; }; }
	within '[.offcpu.top[] | select(.reason == "sleep" and any(.stack[]; .function == "nap")) | .blocked_s] | add'
	within '[.offcpu.top[] | select(.reason == "pipe" and any(.stack[]; .function == "wait_pipe")) | .blocked_s] | add'
	within '[.cpu.functions[] | select(.name == "burn") | .self] | add / 99'
	# the main thread's wall time is accounted for: on CPU, runnable and blocked
	check '.offcpu.threads[] | select(.tid == .pid) | .on_cpu_s + .runnable_s + ([.blocked_s[]] | add) > 0.95 * 3' \
		'.offcpu.threads'
	# schedstat agrees: the main thread was on a CPU (or waiting for one) for its 1 s of burn()
	check '.scheduler.schedstat and (.scheduler.threads[] | select(.from_start) | .cpu_s + .sched_delay_s | . > 0.9 and . < 1.1)' \
		'.scheduler'
	# the folded files carry the same nanoseconds
	awk '/;nap;.*\[sleep\]/ { ns += $NF } END { exit !(ns > 0.9e9 && ns < 1.1e9) }' "$out/offcpu.folded"
	awk '/;burn / { ns += $NF } END { exit !(ns > 0.9e9 && ns < 1.1e9) }' "$out/wall.folded"
	# and the flame graph drawn from them: burn, nap's sleep and the pipe
	# wait each as wide as their seconds of the whole (within 10%), in ns
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$out/wall.svg" > "$BATS_TEST_TMPDIR/wall.json"
	total=$(jq '.total' "$BATS_TEST_TMPDIR/wall.json")
	jq -e --argjson total "$total" '.inner as $inner |
	       def secs(f): [.frames[] | select(f) | .width] | add / $inner * $total / 1e9;
	       (secs(.name == "burn") | . > 0.9 and . < 1.1) and (secs(.name == "wait_pipe") | . > 0.9 and . < 1.1) and
	       ([.frames[] | select(.name == "[pipe]") | .kind] | unique == ["offcpu"]) and
	       (.frames[] | select(.name == "all") | .title | test(" ns, 100.00%"))' "$BATS_TEST_TMPDIR/wall.json" ||
		{ jq -c '[.frames[] | select(.width > 5) | [.name, .width, .kind]]' "$BATS_TEST_TMPDIR/wall.json"; return 1; }
	for g in cpu offcpu; do /usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$out/$g.svg" > /dev/null; done
}

@test "--call-graph fp: off-CPU stacks from frame pointers still name the caller of the libc wrapper" {
	[ "$(id -u)" -eq 0 ] || skip "off-CPU stacks need kernel events"
	run "$PERFSCOPE" profile -q --call-graph fp -o "$out" -- "$WL/offwork" --seconds 0.5
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# read() and nanosleep() are frameless in libc: the chain alone skips wait_pipe and sleep_for
	within() { jq -e "$1 | . > 0.45 and . < 0.55" "$json" >/dev/null || { echo "not within 10%: $1"; jq -c "$1" "$json"; return 1; }; }
	within '[.offcpu.top[] | select(.reason == "pipe" and ([.stack[:3][] | .function] | index(["read", "wait_pipe", "main"]))) | .blocked_s] | add'
	within '[.offcpu.top[] | select(.reason == "sleep" and any(.stack[]; .function == "sleep_for") and any(.stack[]; .function == "nap")) | .blocked_s] | add'
	run "$PERFSCOPE" profile --call-graph lbr -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown --call-graph 'lbr' (use dwarf, fp or auto)"* ]]
}

@test "off-CPU stacks deeper than the 4 KiB stack copy: cut and counted with fp, finished from the kernel's chain with DWARF" {
	[ "$(id -u)" -eq 0 ] || skip "off-CPU stacks need kernel events"
	# the pipe wait's stack, leaf first, descend() frames counted
	pipe_stack() { jq -c '[.offcpu.top[] | select(.reason == "pipe")][0].stack | map(.function) |
		{ n: map(select(. == "descend")) | length, top: .[:2], main: any(. == "main") }' "$1/report.json"; }
	# 5 levels of ~220 bytes fit in the copy: the whole stack from the copy alone
	run "$PERFSCOPE" profile -q --call-graph fp -o "$out" -- "$WL/offwork" --seconds 0.2 --depth 5
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(pipe_stack "$out")" = '{"n":5,"top":["read","wait_pipe"],"main":true}' ] || { pipe_stack "$out"; return 1; }
	[ "$(jq .offcpu.truncated_stacks "$json")" -eq 0 ]
	# 60 levels (~13 KB) do not: fp keeps what the copy holds and says it cut the stack
	run "$PERFSCOPE" profile -q --call-graph fp -o "$out.deep" -- "$WL/offwork" --seconds 0.2 --depth 60
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	jq -e '.n >= 10 and .n < 60 and .top == ["read", "wait_pipe"] and (.main | not)' <<<"$(pipe_stack "$out.deep")" >/dev/null ||
		{ pipe_stack "$out.deep"; return 1; }
	[ "$(jq .offcpu.truncated_stacks "$out.deep/report.json")" -ge 1 ]
	# DWARF continues with the kernel's frame-pointer chain, at the right
	# place although every descend() frame has the same return address
	run "$PERFSCOPE" profile -q --call-graph dwarf -o "$out.dwarf" -- "$WL/offwork" --seconds 0.2 --depth 60
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(pipe_stack "$out.dwarf")" = '{"n":60,"top":["read","wait_pipe"],"main":true}' ] || { pipe_stack "$out.dwarf"; return 1; }
}

@test "lock contention: the worker threads wait on the futex, at the lock's call site" {
	[ "$(id -u)" -eq 0 ] || skip "off-CPU stacks need kernel events"
	stolen0=$(stolen_ticks)
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/lockwork" --threads 4 --rounds 100 > "$BATS_TEST_TMPDIR/counts"
	stolen=$(( $(stolen_ticks) - stolen0 ))
	# nearly all blocked time is lock waits, and the workers' waits are under take_lock
	check '.offcpu.blocked_by_reason_s.lock > 0.95 * .offcpu.blocked_s' '.offcpu | del(.top, .threads)'
	check '([.offcpu.top[] | select(.reason == "lock" and any(.stack[]; .function == "take_lock")) | .blocked_s] | add) >
	       0.9 * ([.offcpu.threads[] | select(.tid != .pid) | .blocked_s[]] | add)' \
		'[.offcpu.top[] | {reason, blocked_s, f: [.stack[:4][] | .function]}]'
	# the workers waited a substantial part of their 0.4 s of held locks (a
	# mutex is not fair: one of them may have run its rounds untroubled)
	check '[.offcpu.threads[] | select(.tid != .pid) | .blocked_s.lock // 0] | (map(select(. > 0.02)) | length >= 2) and add > 0.2' \
		'.offcpu.threads'
	check '[.syscalls.calls[] | select(.name == "futex") | .count] | add > 100' '[.syscalls.calls[] | {name, count}]'
	all_time_accounted
	# each worker's on-CPU time from the switch records equals the CPU time
	# it measured itself (its own clock, read just before it ended) within
	# 5 ms + 5%, plus what the machine lost to interrupts and the hypervisor
	# during the run (a switch record's interval includes them, a thread's
	# clock leaves them out); schedstat's last reading of it is at most one
	# 50 ms round old
	truth=$(awk -v stolen="$stolen" -v hz="$(getconf CLK_TCK)" '$1 == "worker" {
		printf "%s{\"tid\":%s,\"cpu_s\":%.9f,\"stolen_s\":%.3f}", n++ ? "," : "[", $2, $4 / 1e9, stolen / hz }
		END { print "]" }' "$BATS_TEST_TMPDIR/counts")
	check --arg truth "$truth" '($truth | fromjson) as $w | . as $r | ($w | length == 4) and all($w[];
	       . as $k | ($r.offcpu.threads[] | select(.tid == $k.tid) | .on_cpu_s - $k.cpu_s |
	                  . < 0.005 + 0.05 * $k.cpu_s + $k.stolen_s and . > -0.005 - 0.05 * $k.cpu_s) and
	       ($r.scheduler.threads[] | select(.tid == $k.tid) | .cpu_s - $k.cpu_s | . < 0.005 and . > -0.05))' \
		'{switch: [.offcpu.threads[] | {tid, on_cpu_s}], schedstat: [.scheduler.threads[] | {tid, cpu_s}], unpaired: .offcpu.unpaired_switches}' || { cat "$BATS_TEST_TMPDIR/counts"; return 1; }
}

@test "a forked child: its threads, CPU time and metrics are counted with the parent's" {
	run "$PERFSCOPE" profile -q --interval 0.1 -o "$out" -- "$WL/forker" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	child=$(sed -n 's/.*child=\([0-9]*\).*/\1/p' <<<"$output")
	# the child burns for 1 s of wall time, the parent for 0.5 s: on a CPU
	# or waiting for one (a busy machine), within 10% by schedstat (the
	# child's last reading is at most one 50 ms round old)
	check --arg child "$child" '.scheduler.processes | length == 2 and
	       (.[] | select(.pid == ($child | tonumber)) | .cpu_s + .sched_delay_s | . > 0.85 and . < 1.1) and
	       (.[] | select(.pid != ($child | tonumber)) | .cpu_s + .sched_delay_s | . > 0.45 and . < 0.55)' \
		'.scheduler.processes'
	# the metrics timeline adds the child (alive, then reaped into the
	# parent's numbers): the CPU time schedstat counted, within 10% and
	# 30 ms (10 ms ticks)
	check '([.scheduler.processes[].cpu_s] | add) as $cpu | [.metrics.timeline as $t | range(1; $t | length) |
	        ($t[.][1] + $t[.][2]) / 100 * ($t[.][0] - $t[. - 1][0])] | add | . - $cpu | fabs < 0.1 * $cpu + 0.03' \
		'{timeline: .metrics.timeline, schedstat: .scheduler.processes}'
}

@test "block I/O delay: measured with delay accounting on, null and said with it off" {
	[ "$(id -u)" -eq 0 ] || skip "switching delay accounting needs root"
	[ -w /proc/sys/kernel/task_delayacct ] || skip "no delay accounting in this kernel"
	delayacct_was=$(cat /proc/sys/kernel/task_delayacct)
	echo 0 > /proc/sys/kernel/task_delayacct
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/iowork" "$BATS_TEST_TMPDIR" > /dev/null
	echo 1 > /proc/sys/kernel/task_delayacct
	"$PERFSCOPE" profile -q -o "$out.on" -- "$WL/iowork" "$BATS_TEST_TMPDIR" --blkio > "$BATS_TEST_TMPDIR/counts"
	check '.scheduler.processes[0].blkio_delay_s == null and
	       (.scheduler.blkio_delay_note | test("kernel.task_delayacct=1"))' '.scheduler | del(.threads)'
	# with it on: the kernel's figure, as the program read it itself just
	# before it exited.  perfscope's last reading is at most one 50 ms round
	# earlier, and a task cannot wait longer than it lives: 0.05 s + a tick
	# below.  (It is the kernel's own clock, not the switch records: on one
	# CI machine it was 0.18 s where the switches said 0.08 s blocked.)
	own=$(sed -n 's/.*blkio_ticks=\([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/counts")
	[ -n "$own" ] || { cat "$BATS_TEST_TMPDIR/counts"; return 1; }
	json="$out.on/report.json"
	check --arg own "$own" '($own | tonumber) as $own | .scheduler.blkio_delay_note == null and
	       .scheduler.processes[0].blkio_delay_s as $b | $b > 0 and $b <= $own / 100 + 0.001 and $b >= $own / 100 - 0.061' \
		'{own_ticks: '"$own"', scheduler: (.scheduler | del(.threads)), blocked: .offcpu.blocked_by_reason_s}'
}

@test "failed system calls are counted by errno" {
	[ "$(id -u)" -eq 0 ] || skip "tracepoints need root"
	run "$PERFSCOPE" profile -q -o "$out" -- /bin/ls /nonexistent-perfscope-path
	[ "$status" -eq 2 ]
	check '[.syscalls.calls[] | select(.errnos.ENOENT > 0)] | length > 0' '[.syscalls.calls[] | {name, errnos}]'
}

@test "metrics: a CPU-bound program shows about one CPU busy, in user time" {
	run "$PERFSCOPE" profile -q --interval 0.2 -o "$out" -- "$WL/spin" --seconds 1.5
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	check '.metadata.sections.metrics.collected' '.metadata.sections'
	check '.metrics.columns[1] == "cpu_user_pct" and (.metrics.timeline | length) >= 5' '.metrics | del(.timeline)'
	# the readings in the middle of the run (10 ms ticks: within 15 points)
	check '[.metrics.timeline[2:-1][] | .[1] + .[2]] | (add / length) > 85 and (add / length) < 115' \
		'.metrics.timeline'
	check '.cpu.metadata.samples > 50' '.cpu.metadata'
	[ -s "$out/cpu.folded" ]
}

@test "an unprivileged user: system calls refused and said, the rest written" {
	paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
	[ "$paranoid" -ge 2 ] || skip "perf_event_paranoid is $paranoid: tracepoints may be allowed"
	require_nobody "$PERFSCOPE" "$WL/spin"
	run as_nobody "$PERFSCOPE" profile -o "$nobody_dir/out" -- "$WL/spin" --seconds 0.5
	[ "$status" -eq 0 ] || { rm -rf "$nobody_dir"; echo "$output"; return 1; }
	[[ "$output" == *"system calls: not traced:"* ]]
	json="$nobody_dir/out/report.json"
	check '.metadata.sections.syscalls.collected == false and (.metadata.sections.syscalls.note | length) > 0' \
		'.metadata.sections'
	check '.metadata.sections.metrics.collected and .cpu.metadata.samples > 0' '.metadata'
	check '.scheduler.schedstat and (.scheduler.threads | length) >= 1' '.scheduler'
	# switch records still give per-thread times, without stacks
	check '.metadata.sections.offcpu.collected and .offcpu.stacks == false' '.metadata.sections'
	check '[.offcpu.threads[] | select(.tid == .pid) | .on_cpu_s] | add > 0.3' '.offcpu.threads'
	rm -rf "$nobody_dir"
}

@test "--no-syscalls and --no-offcpu leave their sections out, and say so" {
	run "$PERFSCOPE" profile -q --no-syscalls --no-offcpu -o "$out" -- "$WL/spin" --seconds 0.3
	[ "$status" -eq 0 ]
	check '.metadata.sections.syscalls == {"collected": false, "note": "not asked for (--no-syscalls)"}' '.metadata.sections'
	check '.metadata.sections.offcpu == {"collected": false, "note": "not asked for (--no-offcpu)"}' '.metadata.sections'
	check '.syscalls.calls == [] and .offcpu.switches == 0 and .cpu.metadata.samples > 0' '.syscalls'
}

@test "the report's diagnosis follows --set, --config and --rules, as recommend does" {
	d="$BATS_TEST_TMPDIR"
	"$PERFSCOPE" profile -q --no-syscalls --no-offcpu -o "$out" -- "$WL/spin" --seconds 0.5 > /dev/null
	# one function has all the samples: cpu.hot_function (info 25%, warning 50%) found
	check '[.diagnosis.findings[] | select(.rule == "cpu.hot_function")] | length == 1' '.diagnosis.findings'
	echo '{"thresholds": {"cpu.hot_function.warning": 3}}' > "$d/config.json"
	"$PERFSCOPE" profile -q --no-syscalls --no-offcpu -o "$out.set" --config "$d/config.json" \
		--set cpu.hot_function.info=2 -- "$WL/spin" --seconds 0.5 > /dev/null
	json="$out.set/report.json"
	check '([.diagnosis.findings[] | select(.rule == "cpu.hot_function")] | length == 0) and
	       (.diagnosis.other_rules[] | select(.rule == "cpu.hot_function") | .status == "ok" and .info == 2 and .warning == 3)' \
		'.diagnosis'
	# recommend with the same thresholds on the same report: the same diagnosis
	"$PERFSCOPE" recommend -m "$json" -f json --config "$d/config.json" --set cpu.hot_function.info=2 > "$d/rec.json"
	jq -e --slurpfile r "$d/rec.json" '.diagnosis.findings == $r[0].findings and .diagnosis.score == $r[0].score' "$json"
	# a rules file that cannot be used stops the run before the program starts
	echo '{"rules": [' > "$d/bad-rules.json"
	run "$PERFSCOPE" profile -q -o "$out.bad" --rules "$d/bad-rules.json" -- touch "$d/ran"
	[ "$status" -eq 6 ]
	[[ "$output" == *"$d/bad-rules.json: line 2"* ]] || { echo "$output"; return 1; }
	[ ! -e "$d/ran" ] && [ ! -e "$out.bad/report.json" ]
}

@test "--pid: every thread of a running process, the ones started before perfscope too" {
	# all the system calls are made by a second thread, running before we attach
	"$WL/syscalls" --seconds 6 --thread > /dev/null &
	pid=$!
	sleep 0.3
	run "$PERFSCOPE" profile -q -d 1.5 -o "$out" --pid "$pid"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	check '.metadata.attached and .metadata.stopped_by == "duration"'
	# the thread calls write and getppid in turn: any window holds as many of each, +/- 1
	w=$(calls write count) g=$(calls getppid count)
	[ "$w" -ge 20000 ] || { echo "writes: $w"; return 1; }
	assert_within getppid "$g" "$w" 1
	check '[.offcpu.threads[] | select(.tid != .pid) | .on_cpu_s] | add > 0.5' '.offcpu.threads'
	check '[.cpu.threads[] | select(.comm == "syscaller") | .samples] | add > 50' '.cpu.threads'
}

@test "--pid on a program whose main thread exits: perfscope waits, it does not spin" {
	# the rings of the main thread's events hang up when it exits, and a
	# hung-up descriptor polls readable for ever (perfscope used 0.9 s of
	# CPU in 1.5 s before it stopped polling them; ~0.03 s now)
	"$WL/threads" --seconds 4 --main-exits &
	pid=$!
	sleep 0.1
	{ TIMEFORMAT='%U %S'; time "$PERFSCOPE" profile -q -d 1.5 -o "$out" --pid "$pid" > "$BATS_TEST_TMPDIR/log" 2>&1; } 2> "$BATS_TEST_TMPDIR/cpu"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	cat "$BATS_TEST_TMPDIR/log"
	jq -e '.metadata.stopped_by == "duration"' "$json" > /dev/null
	awk '{ s = $1 + $2; print "perfscope CPU:", s, "s"; exit !(s < 0.6) }' "$BATS_TEST_TMPDIR/cpu"
	# and it still samples the workers after the main thread is gone
	check '[.cpu.threads[] | select(.comm == "worker-heavy") | .samples] | add > 100' '.cpu.threads'
}

@test "usage errors: exit 2 before anything runs" {
	run "$PERFSCOPE" profile --interval 0.01 -- /bin/true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--interval takes a number of seconds of at least 0.1"* ]]
	run "$PERFSCOPE" profile
	[ "$status" -eq 2 ]
	run "$PERFSCOPE" profile -o /proc/perfscope-cannot -- /bin/true
	[ "$status" -eq 5 ]
}
