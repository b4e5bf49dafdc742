#!/usr/bin/env bash
# Runs perfscope's tests: the C unit tests in $UNIT_DIR and the bats files
# in tests/ (or only those named: `tests/run.sh cli cpu_profile`).  Every
# runner speaks TAP; this script counts the results, shows every skip with
# its reason, and ends with "N passed, N failed, N skipped".  A skip never
# counts as a pass; any failure makes the exit status non-zero.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${PERFSCOPE:?set PERFSCOPE to the perfscope binary}"
export PERFSCOPE
export UNIT_DIR="${UNIT_DIR:-}"

passed=0 failed=0 skipped=0
failures=() skips=()

count_tap() {
	local suite=$1 line
	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"not ok "*)
			failed=$((failed + 1)); failures+=("$suite: ${line#not ok }") ;;
		"ok "*"# skip"*|"ok "*"# SKIP"*)
			skipped=$((skipped + 1)); skips+=("$suite: ${line#ok }") ;;
		"ok "*)
			passed=$((passed + 1)) ;;
		esac
	done
}

if [ -n "$UNIT_DIR" ] && [ -d "$UNIT_DIR" ]; then
	for t in "$UNIT_DIR"/*; do
		[ -x "$t" ] || continue
		echo "# unit: $(basename "$t")"
		out=$("$t" 2>&1); rc=$?
		count_tap "unit/$(basename "$t")" <<<"$out"
		if [ $rc -ne 0 ] && ! grep -q '^not ok' <<<"$out"; then
			failed=$((failed + 1)); failures+=("unit/$(basename "$t"): exited $rc")
		fi
	done
fi

if [ $# -gt 0 ]; then
	files=(); for n in "$@"; do files+=("$here/$n.bats"); done
else
	files=("$here"/*.bats)
fi
for f in "${files[@]}"; do
	echo "# bats: $(basename "$f")"
	count_tap "$(basename "$f" .bats)" < <(bats --tap "$f" 2>&1)
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
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
