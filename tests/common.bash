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
	awk '{ t += $NF } END { printf "%.0f\n", t }' "$1"
}

# Samples of stacks whose frames contain the ;-separated sequence $2.
# (Sums are printed with %.0f: mawk prints numbers above 2^31 as 4.0006e+09
# with print, and its %d stops at 2^31 - 1.)
chain_samples() {
	awk -v c=";$2;" '{ line = $0; n = $NF; sub(/ [0-9]+$/, "", line);
		if (index(";" line ";", c)) t += n } END { printf "%.0f\n", t }' "$1"
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

# Ground truth printed by the workloads themselves ("wl-truth: pid=P cpu=S
# NAME=S ...", tests/workloads/wl_common.h): the seconds of NAME summed over
# every process's line in $2 (default: bats' $output).  Fails, saying so,
# when no line has it: a workload that stopped measuring must not pass.
truth_seconds() {
	awk -v k="$1" '/^wl-truth: / { for (i = 2; i <= NF; i++) { n = index($i, "=")
			if (substr($i, 1, n - 1) == k) { s += substr($i, n + 1); found = 1 } } }
		END { if (!found) exit 1; printf "%.6f\n", s }' <<<"${2-$output}" || {
		echo "the workload printed no wl-truth value for '$1'" >&2
		return 1
	}
}

# Share (0..1) of the processes' CPU time spent in part $1.
truth_share() {
	local part cpu
	part=$(truth_seconds "$1" "${2-$output}") || return 1
	cpu=$(truth_seconds cpu "${2-$output}") || return 1
	awk -v a="$part" -v b="$cpu" 'BEGIN { printf "%.6f\n", a / b }'
}

# How far a sampled share may stray, in percentage points: 4 standard
# deviations of a binomial share P (0..1) over N samples, times the square
# root of DESIGN (the variance factor of a sampler whose samples are not
# equal draws, 1 for perf_event's), plus SHARE_SLACK_POINTS for what sampling
# does not explain.  tests/bench/shares.sh measures it: 90 shares of
# cpusplit and libcsplit in 15 runs beside two CPU burners on the 2-core
# VM had mean z^2 0.54 and max |z| 2.86 for the perf sampler, and at most
# 3.1 points off (tests/README.md).
SHARE_SLACK_POINTS=0.5
share_tolerance() {
	awk -v n="$1" -v p="$2" -v d="${3:-1}" -v slack="$SHARE_SLACK_POINTS" \
		'BEGIN { if (n <= 0) n = 1; printf "%.2f\n", 400 * sqrt(d * p * (1 - p) / n) + slack }'
}

# assert_share WHAT HITS TOTAL EXPECTED [DESIGN]: HITS of TOTAL samples is
# EXPECTED (0..1) within share_tolerance.  Fails on an empty profile.
assert_share() {
	local what=$1 hits=$2 total=$3 expected=$4 design=${5:-1} tol
	[ "$total" -gt 0 ] || { echo "$what: no samples" >&2; return 1; }
	tol=$(share_tolerance "$total" "$expected" "$design")
	awk -v w="$what" -v h="$hits" -v n="$total" -v e="$expected" -v t="$tol" 'BEGIN {
		got = 100 * h / n; want = 100 * e; d = got - want; if (d < 0) d = -d
		msg = sprintf("%s: %.2f%% of %d samples, expected %.2f%% +/- %.2f points", w, got, n, want, t)
		if (d > t) { print msg > "/dev/stderr"; exit 1 }
		print msg }'
}

# Self samples of leaf frame $2 in folded file $1.
self_samples() {
	awk -v f="$2" '{ line = $0; n = $NF; sub(/ [0-9]+$/, "", line)
		k = split(line, fr, ";"); if (fr[k] == f) hit += n } END { printf "%.0f\n", hit }' "$1"
}

# assert_self_share FOLDED LEAF [TRUTH-TEXT] [DESIGN]: the leaf's self share
# is the share of CPU time the workload measured in it.
assert_self_share() {
	local expected
	expected=$(truth_share "$2" "${3-$output}") || return 1
	assert_share "$2" "$(self_samples "$1" "$2")" "$(folded_total "$1")" "$expected" "${4:-1}"
}

# assert_chain_share FOLDED CHAIN [PART]: the samples whose stack holds
# CHAIN (its callees included) are the share of CPU time the workload
# measured in PART (default: CHAIN's last frame).
assert_chain_share() {
	local part=${3:-${2##*;}} expected
	expected=$(truth_share "$part") || return 1
	assert_share "$2" "$(chain_samples "$1" "$2")" "$(folded_total "$1")" "$expected"
}

# assert_sample_count WHAT SAMPLES SECONDS HZ [LOST]: SAMPLES on-CPU samples are
# SECONDS of CPU time at HZ.  cpu-clock fires every 1/HZ s of a thread's
# time on a CPU: a count misses at most the partial period at each end of
# each thread, so 2 samples + 2% fewer.  More are allowed, 2 + 10% + LOST
# seconds' worth: the time on a CPU by which cpu-clock fires (and the switch
# records count) holds time a thread's CPU clock and schedstat leave out,
# interrupts and time the hypervisor took.  LOST is the machine's share of
# it that /proc/stat shows (lost_since), but that is not all of it: in 2
# runs of offwork in 15 at load 4-6, burn had 106 and 109 samples for
# 0.99 s of thread CPU time (1.07 and 1.09 s on a CPU by the switch
# records) with 1 tick stolen.  Otherwise within 1.3 samples over 27 runs.
assert_sample_count() {
	awk -v w="$1" -v n="$2" -v s="$3" -v hz="$4" -v lost="${5:-0}" 'BEGIN { e = s * hz; d = n - e
		msg = sprintf("%s: %s samples, %.6f s of CPU time at %d Hz is %.1f", w, n, s, hz, e)
		if (n == "null" || n == "" || d > 2 + 0.1 * e + lost * hz || -d > 2 + 0.02 * e) {
			print msg " (2 + 2% fewer, 2 + 10% + " lost " s more allowed)" > "/dev/stderr"; exit 1 }
		print msg }'
}

# assert_wait WHAT BLOCKED WALL: a wait perfscope measured from the switch
# records (blocked from the switch out to the wake-up) is the wall time the
# workload measured around the call, at most 1 ms more and at most 10 ms +
# 1% less (the call's own CPU time and the wait for a CPU once woken are in
# the workload's figure only).  Measured on the loaded 2-core VM (load 2-4):
# blocked - wall between -0.3 ms and 0 over 36 waits of 1 s.  A missing
# figure (null) fails.
assert_wait() {
	awk -v w="$1" -v b="$2" -v t="$3" 'BEGIN { d = b - t
		msg = sprintf("%s: %s s blocked, the workload measured %.6f s", w, b, t)
		if (b == "null" || b == "" || d > 0.001 || d < -0.01 - 0.01 * t) {
			print msg " (allowed: 10 ms + 1% less, 1 ms more)" > "/dev/stderr"; exit 1 }
		print msg }'
}

# cpusplit's three leaves, each at the share the run measured (about
# 60/30/10 of its CPU time; 50/25/25 with --ten-units 3).
assert_cpusplit_shares() {
	local leaf
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		assert_self_share "$1" "$leaf" "${2-$output}" "${3:-1}" || return 1
	done
}

# assert_full_chains FOLDED CHAIN...: at least 99% of the self samples of
# each chain's leaf (its last frame) come with the whole chain above it.
assert_full_chains() {
	local folded=$1 chain leaf self full
	shift
	for chain in "$@"; do
		leaf=${chain##*;}
		self=$(self_samples "$folded" "$leaf")
		full=$(awk -v c=";$chain" '{ line = $0; n = $NF; sub(/ [0-9]+$/, "", line)
			if (substr(line, length(line) - length(c) + 1) == c) t += n } END { printf "%.0f\n", t }' "$folded")
		[ "$self" -gt 0 ] || { echo "$leaf: no samples" >&2; return 1; }
		[ $((100 * full)) -ge $((99 * self)) ] ||
			{ echo "$leaf: $full of its $self samples under $chain" >&2; return 1; }
	done
}

# assert_part_ratio A HITS_A B HITS_B [DESIGN]: A's part of the samples of
# the two is A's part of the CPU time the workload measured in the two.
assert_part_ratio() {
	local a b expected
	a=$(truth_seconds "$1") || return 1
	b=$(truth_seconds "$3") || return 1
	expected=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.6f\n", a / (a + b) }')
	assert_share "$1 of $1+$3" "$2" $(($2 + $4)) "$expected" "${5:-1}"
}

# CPU nanoseconds the kernel has counted for the threads of process $1
# named $2 (their schedstat): ground truth for a process running outside
# the test's view, such as one attached to with --pid.
thread_cpu_ns() {
	local t sum=0
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$2" ] || continue
		sum=$((sum + $(awk '{ print $1 }' "$t/schedstat" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}

# assert_split FOLDED DESIGN PART...: the parts' self samples split among
# themselves as the CPU time the workload measured in them (from $output).
# For a sampler whose own cost lands in the program's time (ptrace: the
# stops), so only the split among the parts is the program's.
assert_split() {
	local folded=$1 design=$2 part total=0 measured=0 t
	shift 2
	for part in "$@"; do
		total=$((total + $(self_samples "$folded" "$part")))
		t=$(truth_seconds "$part") || return 1
		measured=$(awk -v a="$measured" -v b="$t" 'BEGIN { print a + b }')
	done
	for part in "$@"; do
		assert_share "$part of the parts" "$(self_samples "$folded" "$part")" "$total" \
			"$(awk -v a="$(truth_seconds "$part")" -v b="$measured" 'BEGIN { printf "%.6f", a / b }')" "$design" ||
			return 1
	done
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
# with setpriv; sets $nobody_dir, a directory user nobody can write (the
# caller removes it).  Where nobody cannot reach a file named (a checkout in
# a private home directory), the test runs copies instead: perfscope with
# its preload library and the workloads, in $nobody_dir, and PERFSCOPE and
# WL name them.
require_nobody() {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
	[ "$(id -u)" -eq 0 ] || skip "needs root to switch to the nobody user"
	nobody_dir=$(mktemp -d /tmp/perfscope-nobody.XXXXXX)
	chmod 777 "$nobody_dir"
	local f
	for f in "$@"; do
		as_nobody test -x "$f" && continue
		mkdir "$nobody_dir/bin"
		cp "$PERFSCOPE" "$(dirname "$PERFSCOPE")/libperfscope-preload.so" "$nobody_dir/bin/"
		cp -r "$WL" "$nobody_dir/wl"
		chmod -R a+rX "$nobody_dir/bin" "$nobody_dir/wl"
		PERFSCOPE=$nobody_dir/bin/perfscope
		WL=$nobody_dir/wl
		break
	done
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
}
