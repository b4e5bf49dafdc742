#!/usr/bin/env bats
# The test harness itself: tests/run.sh must not be green unless the suites
# ran and passed, and tests/lint_bats.py must find checks that cannot fail.
# Each test runs run.sh on made-up suites in a directory of its own.
load common

setup() {
	suites="$BATS_TEST_TMPDIR/suites"
	mkdir -p "$suites"
}

# runner ARGS...: tests/run.sh on $suites only (no unit tests), outside CI
# unless the test sets CI itself.
runner() {
	run env SUITE_DIR="$suites" UNIT_DIR= CI="${CI_FOR_RUNNER:-}" PERFSCOPE="$PERFSCOPE" \
		"$BATS_TEST_DIRNAME/run.sh" "$@"
}

# suite NAME: a suite from standard input, its tests written "TEST" (bats
# would take an "@test" line in this file for one of its own)
suite() {
	sed 's/^TEST /@test /' > "$suites/$1.bats"
}

@test "a passing suite passes, and says how many ran" {
	printf 'TEST "one" { true; }\nTEST "two" { [ 1 -eq 1 ]; }\n' | suite good
	runner good
	[ "$status" -eq 0 ]
	[[ "$output" == *"2 passed, 0 failed, 0 skipped"* ]]
}

@test "a suite named but missing fails the run" {
	printf 'TEST "one" { true; }\n' | suite good
	runner good no_such_suite
	[ "$status" -ne 0 ]
	[[ "$output" == *"no_such_suite: no such suite: tests/no_such_suite.bats"* ]]
	[[ "$output" == *"1 passed, 1 failed"* ]]
}

@test "a failing test fails the run" {
	printf 'TEST "one" { true; }\nTEST "two" { false; }\n' | suite mixed
	runner mixed
	[ "$status" -ne 0 ]
	[[ "$output" == *"mixed: 2 two"* ]]
	[[ "$output" == *"1 passed, 1 failed"* ]]
}

@test "a runner killed part way fails its suite: its plan and its results differ" {
	# the second test kills bats (and itself) with its whole process group
	suite killed <<'EOF'
TEST "one" { true; }
TEST "two" { kill -KILL -- -"$(ps -o pgid= $$ | tr -d ' ')"; }
TEST "three" { true; }
EOF
	runner killed
	[ "$status" -ne 0 ]
	[[ "$output" == *"killed: "*"planned 3 tests but reported 1"* ]] || { echo "$output"; return 1; }
}

@test "a runner that exits non-zero without a failing test fails its suite" {
	printf 'TEST "one" { true; }\n' | suite quiet
	mkdir "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\necho 1..1\necho ok 1 one\nexit 2\n' > "$BATS_TEST_TMPDIR/bin/bats"
	chmod +x "$BATS_TEST_TMPDIR/bin/bats"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" runner quiet
	[ "$status" -ne 0 ]
	[[ "$output" == *"quiet: exited 2 without a failing test"* ]]
}

@test "a suite that outlives its timeout is killed and fails" {
	printf 'TEST "one" { true; }\nTEST "hangs" { sleep 60; }\n' | suite hang
	start=$SECONDS
	DEFAULT_SUITE_TIMEOUT=2 runner hang
	[ "$status" -ne 0 ]
	[ $((SECONDS - start)) -lt 30 ]
	[[ "$output" == *"hang: killed after its timeout of 2 s"* ]]
}

@test "a suite that ran no test fails" {
	printf '# nothing here\n' | suite empty
	runner empty
	[ "$status" -ne 0 ]
	[[ "$output" == *"empty: ran no tests"* ]]
}

@test "outside CI a skip is counted with its reason; under CI it fails" {
	printf 'TEST "one" { true; }\nTEST "needs perf" { skip "perf_event_open refused here"; }\n' | suite skips
	runner skips
	[ "$status" -eq 0 ]
	[[ "$output" == *"skips: 2 needs perf # skip perf_event_open refused here"* ]]
	[[ "$output" == *"1 passed, 0 failed, 1 skipped"* ]]
	CI_FOR_RUNNER=true runner skips
	[ "$status" -ne 0 ]
	[[ "$output" == *"skips: skipped under CI: 2 needs perf # skip perf_event_open refused here"* ]]
	[[ "$output" == *"1 passed, 1 failed, 0 skipped"* ]]
}

@test "the lint finds checks that cannot fail, and none in the suites" {
	suite weak <<'EOF'
TEST "weak" {
	[ "$a" -eq 1 ] && [ "$b" -eq 2 ]
	[ -s "$f" ] || grep x "$f" | head >&2
	! grep -q error "$log"
	[ "$c" -eq 3 ]
}
TEST "fine" {
	[ "$a" -eq 1 ] && [ "$b" -eq 2 ] || { echo "a=$a b=$b"; return 1; }
	[[ "$x" == a* && "$y" == b* ]]
	! grep -q error "$log" || false
	alive=0; kill -0 "$pid" 2>/dev/null && alive=1
	[ "$a" -eq 1 ] && [ "$b" -eq 2 ]
}
EOF
	run python3 "$BATS_TEST_DIRNAME/lint_bats.py" "$suites/weak.bats"
	[ "$status" -eq 1 ]
	[ "$(grep -c . <<<"$output")" -eq 3 ]
	[[ "$output" == *"weak.bats:2: checks joined by &&"* ]]
	[[ "$output" == *"weak.bats:3: an || fallback that always succeeds"* ]]
	[[ "$output" == *"weak.bats:4: a negated command mid-test"* ]]
	run python3 "$BATS_TEST_DIRNAME/lint_bats.py" "$BATS_TEST_DIRNAME"/*.bats "$BATS_TEST_DIRNAME/common.bash"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "lib/'s folders include only their own and earlier stages (docs/internals.md's order)" {
	run python3 "$BATS_TEST_DIRNAME/lint_layers.py"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# and it finds an include that goes up
	tree="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$tree/lib/base" "$tree/lib/report" "$tree/lib/run" "$tree/preload" "$tree/docs"
	cp "$BATS_TEST_DIRNAME/../docs/internals.md" "$tree/docs/"
	printf '#include "report/ps_report.h"\n' > "$tree/lib/base/ps_up.c"
	printf '#include "../lib/base/ps_util.h"\n' > "$tree/preload/pl_x.c"
	# a writer that reads a session, not a run: an earlier stage, but refused
	printf '#include "session/ps_cpuprof.h"\n' > "$tree/lib/report/ps_w.c"
	# a finished run that holds a collector, not its model table: an earlier stage, but refused
	printf '#include "collect/ps_syscalls.h"\n' > "$tree/lib/run/ps_r.h"
	run python3 "$BATS_TEST_DIRNAME/lint_layers.py" "$tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"lib/base/ps_up.c: includes report/ps_report.h, a later stage"* ]]
	[[ "$output" == *"preload/pl_x.c: includes base/ps_util.h"* ]]
	[[ "$output" == *"lib/report/ps_w.c: includes session/ps_cpuprof.h: outputs read lib/run"* ]]
	[[ "$output" == *"lib/run/ps_r.h: includes collect/ps_syscalls.h: a run holds model tables"* ]]
}

@test "every function lib/'s headers declare is called outside its own file" {
	run python3 "$BATS_TEST_DIRNAME/lint_unused.py"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# and it finds one called only at home and one called nowhere
	tree="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$tree/lib/base" "$tree/cli"
	printf 'int ps_home(void);\nint ps_dead(int x);\nint ps_used(void);\n' > "$tree/lib/base/ps_x.h"
	printf 'int ps_home(void)\n{\n\treturn 1;\n}\nint ps_dead(int x)\n{\n\treturn x;\n}\nint ps_used(void)\n{\n\treturn ps_home();\n}\n' > "$tree/lib/base/ps_x.c"
	printf 'int main(void) { return ps_used(); }\n' > "$tree/cli/main.c"
	run python3 "$BATS_TEST_DIRNAME/lint_unused.py" "$tree"
	[ "$status" -eq 1 ]
	[[ "$output" == *"lib/base/ps_x.h: ps_home is called only in its own file: make it static"* ]]
	[[ "$output" == *"lib/base/ps_x.h: ps_dead is called nowhere: remove it"* ]]
	[[ "$output" != *"ps_used"* ]]
}
