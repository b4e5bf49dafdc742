#!/usr/bin/env bash
# make check-valgrind: perfscope itself under valgrind memcheck, once per
# command, on the test workloads: no invalid read or write, no use of
# uninitialised memory, no definite leak.  (The bats suites time their
# programs, which memcheck slows 20-50x, so each command runs here once
# instead, through the paths the suites take.)  The profiled programs run
# natively: memcheck follows perfscope, not its children.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
PERFSCOPE=${PERFSCOPE:-$root/build/perfscope}
WL=$root/tests/workloads/bin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

vg() {
	local name=$1
	shift
	local rc=0

	# the command's own exit status may be anything but 99, memcheck's
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --log-file="$tmp/$name.vg" \
		"$PERFSCOPE" "$@" > "$tmp/$name.out" 2>&1 || rc=$?
	# memcheck's reports are "==PID==" lines; "--PID-- WARNING: unhandled
	# syscall" (pidfd_open, which valgrind 3.19 lacks) only makes the call
	# fail, as an old kernel would, and perfscope falls back
	if [ "$rc" -ne 99 ] && [ "$rc" -lt 128 ] && ! grep -q '^==[0-9]*==' "$tmp/$name.vg"; then
		echo "ok $((passed + failed + 1)) valgrind: $name"
		passed=$((passed + 1))
	else
		echo "not ok $((passed + failed + 1)) valgrind: $name"
		sed 's/^/# /' "$tmp/$name.vg" | head -40
		tail -5 "$tmp/$name.out" | sed 's/^/# out: /'
		failed=$((failed + 1))
	fi
}

"$PERFSCOPE" cpu-profile -q -F 499 -o "$tmp/base.folded" -- "$WL/cpusplit" --seconds 0.3 >/dev/null
"$PERFSCOPE" cpu-profile -q -F 499 -o "$tmp/base.json" -- "$WL/cpusplit" --seconds 0.3 >/dev/null
vg cpu-profile-folded cpu-profile -q -F 499 -o "$tmp/cpu.folded" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-json cpu-profile -q -F 499 --call-graph fp -o "$tmp/cpu.json" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-speedscope cpu-profile -q -F 499 -o "$tmp/cpu.speedscope.json" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-pprof cpu-profile -q -F 499 -o "$tmp/cpu.pb.gz" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-ptrace cpu-profile -q --sampler ptrace -o "$tmp/pt.folded" -- "$WL/cpusplit" --seconds 0.3
vg profile profile -q -o "$tmp/prof" -- "$WL/offwork" --seconds 0.2
vg memory-profile memory-profile -q -o "$tmp/mem" -- "$WL/memwork" leaks
# not memory-profile of a static program: measuring a uprobe's cost puts one
# on perfscope's own code, whose int3 memcheck runs as a guest instruction
vg recommend recommend --metrics "$tmp/prof/report.json"
vg recommend-baseline recommend --metrics "$tmp/cpu.json" --baseline "$tmp/base.json" --fail-on-regression 50
vg diff diff "$tmp/base.folded" "$tmp/cpu.folded"
vg diff-svg diff -f svg -o "$tmp/diff.svg" "$tmp/base.folded" "$tmp/cpu.folded"
vg flamegraph flamegraph -o "$tmp/f.svg" "$tmp/cpu.folded"
vg flamegraph-speedscope flamegraph -o "$tmp/f.speedscope.json" "$tmp/prof/report.json"
vg report report -o "$tmp/r.html" "$tmp/prof/report.json"
echo "1..$((passed + failed))"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
