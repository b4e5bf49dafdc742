#!/usr/bin/env bash
# make check-valgrind: perfscope itself under valgrind memcheck, on what the
# integration suites exercise: every command and output format, attaching,
# forking and threaded targets, and the error paths (bad options, garbage
# and missing inputs, unwritable outputs, a missing or crashing target,
# SIGINT, SIGTERM and a second SIGINT mid-run).  Each case must exit as
# perfscope does natively (its status is checked) with no invalid read or
# write, no use of uninitialised memory and no definite leak.
#
# Why cases here and not the bats suites under memcheck: memcheck slows
# perfscope 20-50x and every start costs ~1.5 s, which the suites' timed
# assertions (shares of ~2,000 samples, --duration, signals sent after 1 s)
# and their ~400 invocations would not survive within CI's budget.  So each
# path runs once, on short workloads.  The profiled programs run natively:
# memcheck follows perfscope, not its children.
#
# No suppression is needed: memcheck reports nothing in the libraries on
# these paths (elfutils 0.188, cJSON, protobuf-c, zlib, libiberty).  Should
# one be, it goes in a committed file passed with --suppressions, naming
# the library's function and saying why.
#
#   VALGRIND_JOBS=N   cases run N at a time (default: the number of CPUs)
#   VALGRIND_DRY=1    the same cases without valgrind: checks the expected
#                     exit statuses in seconds
#   VALGRIND_ONLY=RE  only the cases whose name matches the regular expression
#   VALGRIND_KEEP=1   keep the logs and outputs (the directory is printed)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
PERFSCOPE=${PERFSCOPE:-$root/build/perfscope}
WL=$root/tests/workloads/bin
tmp=$(mktemp -d)
[ -n "${VALGRIND_KEEP:-}" ] && echo "# logs and outputs in $tmp"
cleanup() {
	kill "${spin:-}" "${threads:-}" 2>/dev/null
	[ -n "${VALGRIND_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
jobs=${VALGRIND_JOBS:-$(nproc)}
n=0

VALGRIND=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
	--show-leak-kinds=definite)

# Becomes perfscope (exec: signals sent to this process reach it), with
# memcheck's log in $tmp/NAME.vg.
run_case() {
	local name=$1
	shift
	if [ -n "${VALGRIND_DRY:-}" ]; then
		: > "$tmp/$name.vg"
		exec "$PERFSCOPE" "$@"
	fi
	exec "${VALGRIND[@]}" --log-file="$tmp/$name.vg" "$PERFSCOPE" "$@"
}

# Judges one finished case: "ok" when the status is the expected one and
# memcheck's log holds no report ("==PID==" lines; a "--PID-- WARNING:
# unhandled syscall", pidfd_open which valgrind 3.19 lacks, only makes the
# call fail as an old kernel would, and perfscope falls back).
judge() {
	local name=$1 want=${2# } rc=$3
	if [ "$rc" -ne 99 ] && [[ " $want " == *" $rc "* ]] && ! grep -q '^==[0-9]*==' "$tmp/$name.vg"; then
		echo "ok - valgrind: $name" > "$tmp/$name.tap"
	else
		{
			echo "not ok - valgrind: $name (exit $rc, wanted ${want// / or })"
			sed 's/^/# /' "$tmp/$name.vg" | head -60
			tail -5 "$tmp/$name.out" | sed 's/^/# out: /'
		} > "$tmp/$name.tap"
	fi
}

# Waits for a free job slot, so cases run $jobs at a time.
slot() {
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n
	done
}

# vg NAME [WANT...] -- ARGS...: perfscope ARGS under memcheck; WANT is the
# exit status or statuses it must end with (default 0); stdin is $input
# when set, else /dev/null.
vg() {
	local name=$1 want=
	shift
	while [ "$1" != -- ]; do
		want+=" $1"
		shift
	done
	shift
	[[ "$name" =~ ${VALGRIND_ONLY:-.} ]] || return 0
	n=$((n + 1))
	slot
	(
		rc=0
		(run_case "$name" "$@" < "${input:-/dev/null}" > "$tmp/$name.out" 2>&1) || rc=$?
		judge "$name" "${want:-0}" "$rc"
	) &
}

# vg_signal NAME WANT "SIG..." -- ARGS...: the same, with the signals sent
# to perfscope once its target runs (0.2 s apart; the second SIGINT lands
# while frames are being named, which memcheck makes slow).
vg_signal() {
	local name=$1 want=$2 sigs=$3
	shift 4
	[[ "$name" =~ ${VALGRIND_ONLY:-.} ]] || return 0
	n=$((n + 1))
	slot
	(
		rc=0
		run_case "$name" "$@" < /dev/null > "$tmp/$name.out" 2>&1 &
		pid=$!
		# the target is perfscope's child; a second more of sampling
		for _ in $(seq 300); do
			pgrep -P "$pid" > /dev/null && break
			sleep 0.1
		done
		sleep 1
		for s in $sigs; do
			kill -"$s" "$pid"
			sleep 0.2
		done
		wait "$pid" || rc=$?
		judge "$name" "$want" "$rc"
	) &
}

# Inputs, made natively.
"$PERFSCOPE" cpu-profile -q -F 499 -o "$tmp/base.folded" -- "$WL/cpusplit" --seconds 0.3 >/dev/null
"$PERFSCOPE" cpu-profile -q -F 499 -o "$tmp/base.json" -- "$WL/cpusplit" --seconds 0.3 >/dev/null
"$PERFSCOPE" cpu-profile -q -F 499 -o "$tmp/new.json" -- "$WL/cpusplit" --seconds 0.3 >/dev/null
"$PERFSCOPE" profile -q -o "$tmp/prof0" -- "$WL/offwork" --seconds 0.2 >/dev/null
"$PERFSCOPE" memory-profile -q -o "$tmp/mem0" -- "$WL/memwork" leaks >/dev/null
printf '{"cpu_percent": 95, "threads": 40, "open_files": 900, "operations": [{"name": "get", "count": 10, "avg_ms": 30}]}\n' \
	> "$tmp/app.json"
cat > "$tmp/rules.json" <<'EOF'
{"rules": [{"id": "fds.many", "type": "descriptor_leak", "area": "io",
  "input": "process.open_files", "unit": "count", "info": 100, "warning": 1000,
  "summary": "{value} open files (warning at {warning})", "explanation": "e", "solution": "s"}]}
EOF
echo '{"thresholds": {"cpu.busy_process.warning": 95}}' > "$tmp/config.json"
echo '{"rules": [{"id": "x", "type": "t", "area": "disk"}]}' > "$tmp/badrules.json"
echo '{"thresholds": {"cpu.busy_process.warning": 95,}}' > "$tmp/badconfig.json"
printf 'main;f 10\nnot a folded line\n;; -3\n' > "$tmp/garbage.folded"
head -c 3000 /dev/urandom > "$tmp/garbage.bin"
echo '{"metadata": {"samples": "many"}, "functions": 7}' > "$tmp/garbage.json"
echo '[{"name": null}, 3]' > "$tmp/array.json"
printf '#!/bin/sh\n' > "$tmp/notexec"
chmod 644 "$tmp/notexec"
: > "$tmp/afile"
# targets to attach to, out of the job table that slot() counts
"$WL/spin" > "$tmp/spin.pid" &
spin=$!
"$WL/threads" --seconds 120 > /dev/null &
threads=$!
disown "$spin" "$threads"

# cpu-profile: every format, both samplers, attaching, threads, repeats
vg cpu-profile-folded -- cpu-profile -q -F 499 -o "$tmp/cpu.folded" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-json -- cpu-profile -q -F 499 --call-graph fp -o "$tmp/cpu.json" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-pprof -- cpu-profile -q -F 499 -o "$tmp/cpu.pb.gz" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-svg -- cpu-profile -q -F 499 --format svg -o "$tmp/cpu.svg" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-speedscope -- cpu-profile -q -F 499 --format speedscope -o "$tmp/cpu.speedscope.json" -- "$WL/threads" --seconds 0.3
vg cpu-profile-perf-script -- cpu-profile -q -F 499 --format perf-script -o "$tmp/cpu.perf-script" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-per-thread -- cpu-profile -q -F 499 --per-thread -o "$tmp/threads.folded" -- "$WL/threads" --seconds 0.3
vg cpu-profile-repeat -- cpu-profile -q -F 499 --repeat 3 -o "$tmp/rep.json" -- "$WL/cpusplit" --seconds 0.2
vg cpu-profile-baseline 0 8 9 -- cpu-profile -q -F 499 -o "$tmp/gate.json" --baseline "$tmp/base.json" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-forker -- cpu-profile -q -F 499 -o "$tmp/forker.folded" -- "$WL/forker" --seconds 0.3
vg cpu-profile-pid -- cpu-profile -q -F 499 -d 1 --pid "$spin" -o "$tmp/pid.folded"
vg cpu-profile-ptrace -- cpu-profile -q --sampler ptrace -o "$tmp/pt.folded" -- "$WL/cpusplit" --seconds 0.3
vg cpu-profile-ptrace-pid -- cpu-profile -q --sampler ptrace -d 1 --pid "$threads" -o "$tmp/ptpid.folded"
vg cpu-profile-summary -- cpu-profile -F 499 -o "$tmp/summary.folded" -- "$WL/cpusplit" --seconds 0.3

# profile: launched, attached, repeated with rules of its own
vg profile -- profile -q -o "$tmp/prof" -- "$WL/offwork" --seconds 0.2
vg profile-pid -- profile -q -d 1 --pid "$threads" -o "$tmp/profpid"
vg profile-repeat-rules -- profile -q --repeat 2 --no-html --rules "$tmp/rules.json" \
	--set cpu.busy_process.warning=95 -o "$tmp/profrep" -- "$WL/cpusplit" --seconds 0.2
vg profile-summary -- profile -o "$tmp/profsum" -- "$WL/offwork" --seconds 0.2

# memory-profile: leaks, a forking and execing program, threads, a crash, sampling, attaching
vg memory-profile -- memory-profile -q -o "$tmp/mem" -- "$WL/memwork" leaks
vg memory-profile-forkexec -- memory-profile -q -o "$tmp/memfork" -- "$WL/memwork" forkexec
vg memory-profile-threads -- memory-profile -o "$tmp/memthreads" -- "$WL/memwork" threads
vg memory-profile-crash 134 -- memory-profile -q -o "$tmp/memcrash" -- "$WL/memwork" crash
vg memory-profile-sampled -- memory-profile -q --sampled -o "$tmp/memsampled" -- "$WL/memwork" leaks
vg memory-profile-pid -- memory-profile -q -d 1 --pid "$spin" -o "$tmp/mempid"
# not memory-profile of a static program: measuring a uprobe's cost puts one
# on perfscope's own code, whose int3 memcheck runs as a guest instruction

# the target: missing, not executable, crashing, killed by --duration
vg target-not-found 127 -- cpu-profile -q -o "$tmp/x.folded" -- "$tmp/no-such-program"
vg target-not-executable 126 -- profile -q -o "$tmp/x" -- "$tmp/notexec"
vg target-segv 139 -- cpu-profile -q -F 499 -o "$tmp/segv.folded" -- "$WL/misbehave" segv
vg target-abort 134 -- profile -q -o "$tmp/abort" -- "$WL/misbehave" abort
vg target-duration 143 -- cpu-profile -q -F 499 -d 0.5 -o "$tmp/dur.folded" -- "$WL/misbehave" burn 30
vg target-ignores-term 137 -- cpu-profile -q -F 499 -d 0.5 -o "$tmp/kill.folded" -- "$WL/misbehave" ignoreterm
vg pid-not-found 3 -- profile -q -d 1 --pid 2147483646 -o "$tmp/nopid"

# perfscope interrupted: the output still written, the signal passed on
vg_signal sigint-cpu-profile 130 INT -- cpu-profile -q -F 499 -o "$tmp/int.folded" -- "$WL/misbehave" burn 60
vg_signal sigterm-profile 143 TERM -- profile -q -o "$tmp/term" -- "$WL/misbehave" burn 60
vg_signal sigint-twice 130 "INT INT" -- cpu-profile -q -F 499 -o "$tmp/int2.json" -- "$WL/misbehave" burn 60
vg_signal sigint-memory-profile 130 INT -- memory-profile -q -o "$tmp/memint" -- "$WL/misbehave" burn 60

# usage errors
vg no-arguments 2 --
vg unknown-command 2 -- frobnicate
vg unknown-option 2 -- profile --bogus -- true
vg bad-frequency 2 -- cpu-profile -F lots -- true
vg bad-duration 2 -- memory-profile -d -1 -- true
vg no-target 2 -- cpu-profile -q
vg bad-format 2 -- cpu-profile --format gif -o "$tmp/x" -- true
vg bad-set 2 -- recommend --metrics "$tmp/app.json" --set no.such.warning=1
vg help -- help profile
vg version -- --version

# outputs that cannot be written: said before the target runs
vg unwritable-file 5 -- cpu-profile -q -o "$tmp/no-such-dir/x.folded" -- true
vg unwritable-dir 5 -- profile -q -o "$tmp/afile/sub" -- true
vg unwritable-memory 5 -- memory-profile -q -o /proc/perfscope-x -- true
vg unwritable-flamegraph 5 -- flamegraph -o "$tmp/no-such-dir/f.svg" "$tmp/cpu.folded"

# inputs: missing, garbage, binary
vg recommend-missing 6 -- recommend --metrics "$tmp/no-such.json"
vg recommend-garbage 6 -- recommend --metrics "$tmp/garbage.bin"
vg recommend-wrong-shape 6 -- recommend --metrics "$tmp/array.json"
vg recommend-odd-report -- recommend --metrics "$tmp/garbage.json"
vg recommend-bad-rules 6 -- recommend --metrics "$tmp/app.json" --rules "$tmp/badrules.json"
vg recommend-bad-config 6 -- recommend --metrics "$tmp/app.json" --config "$tmp/badconfig.json"
vg diff-garbage 6 -- diff "$tmp/garbage.folded" "$tmp/base.folded"
vg diff-binary 6 -- diff "$tmp/base.folded" "$tmp/garbage.bin"
vg flamegraph-garbage 6 -- flamegraph -o "$tmp/g.svg" "$tmp/garbage.json"
vg report-garbage 6 -- report -o "$tmp/g.html" "$tmp/garbage.json"
vg report-missing 6 -- report -o "$tmp/g.html" "$tmp/no-such.json"

# recommend: every input kind, rules, thresholds, formats, baselines
vg recommend -- recommend --metrics "$tmp/prof0/report.json"
vg recommend-markdown -- recommend --metrics "$tmp/prof0/report.json" --format markdown
vg recommend-json-rules -- recommend --metrics "$tmp/app.json" --format json --rules "$tmp/rules.json" \
	--set cpu.busy_process.warning=97 --set io.small_writes.info=8192
vg recommend-config -- recommend --metrics "$tmp/app.json" --config "$tmp/config.json" -o "$tmp/rec.md" --format markdown
vg recommend-memory -- recommend --metrics "$tmp/mem0/memory.json" --format json
vg recommend-baseline 0 8 9 -- recommend --metrics "$tmp/new.json" --baseline "$tmp/base.json" --fail-on-regression 50
vg recommend-baseline-memory 0 8 9 -- recommend --metrics "$tmp/mem0/memory.json" --baseline "$tmp/mem0/memory.json"

# diff: folded and JSON reports, every output
vg diff -- diff "$tmp/base.folded" "$tmp/cpu.folded"
vg diff-svg -- diff -f svg -o "$tmp/diff.svg" "$tmp/base.folded" "$tmp/cpu.folded"
vg diff-json -- diff "$tmp/base.json" "$tmp/new.json"
vg diff-json-folded -- diff -f folded -o "$tmp/diff.folded" "$tmp/base.json" "$tmp/new.json"
vg diff-memory -- diff --weight leaked "$tmp/mem0/memory.json" "$tmp/mem0/memory.json"

# flamegraph: folded from a file and standard input, each kind of report
vg flamegraph -- flamegraph -o "$tmp/f.svg" "$tmp/base.folded"
input=$tmp/base.folded vg flamegraph-stdin -- flamegraph --icicle --title "from stdin" -o "$tmp/stdin.svg" -
vg flamegraph-memory -- flamegraph -o "$tmp/mem.svg" "$tmp/mem0/memory.json"
vg flamegraph-report -- flamegraph -o "$tmp/prof.svg" "$tmp/prof0/report.json"
vg flamegraph-cpu-json -- flamegraph -o "$tmp/cpujson.svg" "$tmp/base.json"
vg flamegraph-speedscope -- flamegraph -o "$tmp/f.speedscope.json" "$tmp/prof0/report.json"

# report: both pages, to a file and to standard output
vg report -- report -o "$tmp/r.html" "$tmp/prof0/report.json"
vg report-memory -- report -o - "$tmp/mem0/memory.json"

wait
cat "$tmp"/*.tap 2>/dev/null
passed=$(cat "$tmp"/*.tap 2>/dev/null | grep -c '^ok ')
failed=$(cat "$tmp"/*.tap 2>/dev/null | grep -c '^not ok ')
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -eq "$n" ]
