#!/usr/bin/env bash
# Runs perfscope's tests: the C unit tests in $UNIT_DIR and the bats files
# in tests/ (or only those named: `tests/run.sh cli cpu_profile`).  Every
# runner speaks TAP; this script counts the results, shows every skip with
# its reason, and ends with "N passed, N failed, N skipped".
#
# A green run proves that the suites ran.  A suite fails, whatever its
# lines say, when:
#   - it was named but does not exist;
#   - its plan ("1..N") is missing or N differs from the results it gave
#     (a killed or crashed runner);
#   - its runner exits non-zero without a "not ok" line;
#   - it outlives its timeout (SUITE_TIMEOUT below): killed, then failed.
# Under CI (CI=true) a skip is a failure: CI's machine has perf_event_open,
# root and the browser, so a test that skips there is a broken install.
# Elsewhere skips stay skips, each listed with its reason.
set -u
# SUITE_DIR: where the .bats files are (tests/harness.bats points it at
# made-up suites to test this script)
here=${SUITE_DIR:-$(cd "$(dirname "$0")" && pwd)}
: "${PERFSCOPE:?set PERFSCOPE to the perfscope binary}"
export PERFSCOPE
export UNIT_DIR="${UNIT_DIR:-}"

# Seconds a suite may run before it is killed and counted as failed: about
# three times its longest run seen on the 2-core VM under ASan (the slowest
# build CI runs), so that a hung perfscope fails CI instead of hanging it.
# SUITE_TIMEOUT_SCALE multiplies them all (a slower machine, valgrind).
declare -A SUITE_TIMEOUT=(
	[memory_profile]=900 [profile]=900 [html]=600 [faults]=600 [recommend]=600
	[cpu_profile]=600 [export]=600 [baseline]=600 [unwind]=600 [symbols]=600
)
: "${DEFAULT_SUITE_TIMEOUT:=300}"
UNIT_TIMEOUT=120
scale=${SUITE_TIMEOUT_SCALE:-1}

passed=0 failed=0 skipped=0
failures=() skips=()
in_ci=0
[ "${CI:-}" = true ] && in_ci=1

# Counts one runner's TAP from stdin, echoing it; sets s_plan and s_results
# for the caller's checks.
count_tap() {
	local suite=$1 line
	s_plan="" s_results=0 s_failed=0
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*)
			s_results=$((s_results + 1)); s_failed=$((s_failed + 1))
			failed=$((failed + 1)); failures+=("$suite: ${line#not ok }") ;;
		"ok "*"# skip"*|"ok "*"# SKIP"*)
			s_results=$((s_results + 1))
			if [ "$in_ci" = 1 ]; then
				failed=$((failed + 1)); failures+=("$suite: skipped under CI: ${line#ok }")
			else
				skipped=$((skipped + 1)); skips+=("$suite: ${line#ok }")
			fi ;;
		"ok "*)
			s_results=$((s_results + 1)); passed=$((passed + 1)) ;;
		1..*)
			s_plan=${line#1..} ;;
		esac
	done
}

suite_failed() {
	failed=$((failed + 1)); failures+=("$1: $2")
	echo "# FAILED: $1: $2"
}

# After a runner: its exit status ($2), plan and results must agree.
# timeout(1) exits 124 when it stopped the runner, 137 when it had to kill
# it (as a runner killed by anyone else does: the time tells them apart).
check_suite() {
	local suite=$1 rc=$2 limit=$3 took=$4
	if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$took" -ge "$limit" ]; }; then
		suite_failed "$suite" "killed after its timeout of $limit s (tests/run.sh: SUITE_TIMEOUT)"
	elif ! [[ "$s_plan" =~ ^[0-9]+$ ]]; then
		suite_failed "$suite" "no TAP plan (1..N): the runner did not finish (exit status $rc)"
	elif [ "$s_plan" -ne "$s_results" ]; then
		suite_failed "$suite" "planned $s_plan tests but reported $s_results (exit status $rc)"
	elif [ "$rc" -ne 0 ] && [ "$s_failed" -eq 0 ]; then
		suite_failed "$suite" "exited $rc without a failing test"
	elif [ "$s_plan" -eq 0 ]; then
		suite_failed "$suite" "ran no tests"
	fi
}

# run_suite NAME LIMIT CMD...: the command under its timeout, counted.
run_suite() {
	local suite=$1 limit=$2 rcfile start
	shift 2
	rcfile=$(mktemp)
	start=$SECONDS
	count_tap "$suite" < <(timeout --kill-after=10 "$limit" "$@" 2>&1; echo $? > "$rcfile")
	check_suite "$suite" "$(cat "$rcfile")" "$limit" $((SECONDS - start))
	rm -f "$rcfile"
	echo "# $suite: $((SECONDS - start)) s"
}

if [ -n "$UNIT_DIR" ]; then
	units=("$UNIT_DIR"/*)
	if ! [ -x "${units[0]}" ]; then
		suite_failed unit "no unit test programs in $UNIT_DIR"
	fi
	for t in "${units[@]}"; do
		[ -x "$t" ] || continue
		echo "# unit: $(basename "$t")"
		run_suite "unit/$(basename "$t")" $((UNIT_TIMEOUT * scale)) "$t"
	done
fi

files=()
if [ $# -gt 0 ]; then
	for n in "$@"; do
		if [ -f "$here/$n.bats" ]; then
			files+=("$here/$n.bats")
		else
			suite_failed "$n" "no such suite: tests/$n.bats"
		fi
	done
else
	files=("$here"/*.bats)
fi
for f in "${files[@]}"; do
	name=$(basename "$f" .bats)
	echo "# bats: $name.bats"
	run_suite "$name" $(( ${SUITE_TIMEOUT[$name]:-$DEFAULT_SUITE_TIMEOUT} * scale )) bats --tap "$f"
done

echo
if [ ${#skips[@]} -gt 0 ]; then
	echo "Skipped (not passed):"
	printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo "Failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
