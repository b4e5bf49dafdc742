# Shared by the bats files: paths, a probe for perf_event_open, and
# helpers that read folded output back.
WL="$BATS_TEST_DIRNAME/workloads/bin"
HELPERS="${HELPER_DIR:-$BATS_TEST_DIRNAME/../build/helpers}"
PERFSCOPE="${PERFSCOPE:-$BATS_TEST_DIRNAME/../build/perfscope}"
TOLERANCE_POINTS=5

# A negated command (! grep ...) fails a bats test only when it is the
# test's last line: bash's errexit ignores it.  The suites write
# `! cmd || false`, which fails wherever it stands.

# Skips (with the reason perfscope gives) where perf_event_open is refused.
require_perf() {
	local out rc
	out=$("$PERFSCOPE" cpu-profile -q --sampler perf -o "$BATS_TEST_TMPDIR/probe.folded" -- true 2>&1)
	rc=$?
	if [ "$rc" -eq 4 ]; then
		skip "perf_event_open refused here: $(head -1 <<<"$out")"
	fi
}

# Self share (percent, integer-rounded) of the leaf frame $2 in folded file $1.
self_share() {
	awk -v f="$2" '{ n = $NF; total += n; line = $0; sub(/ [0-9]+$/, "", line);
		k = split(line, fr, ";"); if (fr[k] == f) hit += n }
		END { if (total == 0) print -1; else printf "%d\n", (100 * hit / total) + 0.5 }' "$1"
}

# Total samples in a folded file.
folded_total() {
	awk '{ t += $NF } END { print t + 0 }' "$1"
}

# Samples of stacks whose frames contain the ;-separated sequence $2.
chain_samples() {
	awk -v c=";$2;" '{ line = $0; n = $NF; sub(/ [0-9]+$/, "", line);
		if (index(";" line ";", c)) t += n } END { print t + 0 }' "$1"
}

# Fails with a message unless |actual - expected| <= tolerance.
assert_within() {
	local what=$1 actual=$2 expected=$3 tol=$4
	local d=$((actual - expected))
	[ "${d#-}" -le "$tol" ] || {
		echo "$what: got $actual, expected $expected +/- $tol" >&2
		return 1
	}
}

# Every line is "frames COUNT" with a positive count and no empty frame.
assert_folded_valid() {
	local bad
	bad=$(awk '!/^[^ ;][^;]*(;[^;]+)* [0-9]+$/ || $NF <= 0' "$1" | head -3)
	[ -z "$bad" ] || { echo "malformed folded lines: $bad" >&2; return 1; }
}

# The cpusplit ground truth: leaves at 60/30/10 of self samples.
assert_cpusplit_shares() {
	assert_within leaf_sixty "$(self_share "$1" leaf_sixty)" 60 $TOLERANCE_POINTS &&
	assert_within leaf_thirty "$(self_share "$1" leaf_thirty)" 30 $TOLERANCE_POINTS &&
	assert_within leaf_ten "$(self_share "$1" leaf_ten)" 10 $TOLERANCE_POINTS
}

# Fails, saying what to install, unless Chromium, node and tests/browser's
# npm packages (playwright-core, and each package named) are there: they
# are installable, so their absence is not a reason to skip.
need_browser() {
	local pkg
	command -v node >/dev/null && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || {
		echo "the browser tests need chromium and node: build-aux/install-deps.sh --test installs them"
		return 1
	}
	for pkg in playwright-core "$@"; do
		[ -d "$BATS_TEST_DIRNAME/browser/node_modules/$pkg" ] || {
			echo "the browser tests need tests/browser's npm package $pkg: build-aux/install-deps.sh --test" \
				"installs it (npm ci in tests/browser)"
			return 1
		}
	done
}

# For tests that run perfscope as user nobody: skips unless we are root
# with setpriv and nobody can reach the given files; sets $nobody_dir, a
# directory nobody can write (the caller removes it).
require_nobody() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to the nobody user"
	nobody_dir=$(mktemp -d /tmp/perfscope-nobody.XXXXXX)
	chmod 777 "$nobody_dir"
	for f in "$@"; do
		if ! as_nobody test -x "$f"; then
			rm -rf "$nobody_dir"
			skip "the build tree is not reachable by user nobody"
		fi
	done
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
