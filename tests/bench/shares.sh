#!/usr/bin/env bash
# Where the suites' share tolerances come from (tests/common.bash,
# share_tolerance): RUNS profiles of cpusplit (and libcsplit) with each
# sampler, on a loaded machine (one busy process per CPU beside the
# profile, as when the suites run beside a build), each share compared with
# the CPU time the workload measured of itself (its wl-truth line).  For
# every share: z = (observed - truth) / binomial sd over the run's samples.
# Prints, per sampler, the number of shares, the mean and largest |z|,
# mean z^2 (about 1 for a sampler whose samples are independent draws; the
# variance factor otherwise, what PTRACE_DESIGN in tests/ptrace.bats
# stands for) and the largest |observed - truth| in points.
#
#   RUNS=20 bash tests/bench/shares.sh
. "$(dirname "$0")/common.sh"
RUNS=${RUNS:-20}
WL="$root/tests/workloads/bin"

burners=()
for _ in $(seq "$(nproc)"); do
	sh -c 'while :; do :; done' &
	burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT

# One run's shares against its truth, a line per share: "sampler workload
# part observed expected samples".  perf_event: a part's share of all
# samples against its share of the process's CPU time.  ptrace: the
# leaves' split among themselves (the stops cost CPU time of their own,
# tests/ptrace.bats).
zscores() {
	local sampler=$1 workload=$2
	shift 2
	"$PERFSCOPE" cpu-profile -q --sampler "$sampler" -F 999 -o "$tmp/run.folded" -- "$WL/$workload" "$@" \
		> "$tmp/run.out"
	awk -v truth="$tmp/run.out" -v s="$sampler $workload" '
		BEGIN { while ((getline l < truth) > 0) if (l ~ /^wl-truth: /) {
				n = split(l, f, " ")
				for (i = 2; i <= n; i++) { k = index(f[i], "="); t[substr(f[i], 1, k - 1)] += substr(f[i], k + 1) } } }
		{ line = $0; c = $NF; sub(/ [0-9]+$/, "", line); k = split(line, fr, ";")
		  self[fr[k]] += c; total += c
		  for (i = 1; i <= k; i++) if (!(fr[i] in seen)) { seen[fr[i]] = 1; incl[fr[i]] += c }
		  delete seen }
		END { split_only = s ~ /^ptrace/
			for (p in t) {
				if (p == "cpu" || p == "pid" || p == "clock_read_us") continue
				# leaves are self shares; the paths of libcsplit are inclusive
				got[p] = (p == "sort_numbers" || p == "copy_buffers" || p == "own_work") ? incl[p] : self[p]
				parts_s += t[p]; parts_n += got[p] }
			for (p in got) {
				if (split_only) { e = t[p] / parts_s; o = got[p] / parts_n; n = parts_n }
				else { e = t[p] / t["cpu"]; o = got[p] / total; n = total }
				printf "%s %s %.4f %.4f %d\n", s, p, o, e, n } }' "$tmp/run.folded"
}

echo "benchmark (shares): $RUNS runs a sampler, $(nproc) CPU burners beside them" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	zscores perf cpusplit --seconds 2 >> "$tmp/perf"
	zscores perf libcsplit --seconds 2 | grep -v ' memcpy ' >> "$tmp/perf"
	zscores ptrace cpusplit-nofp --seconds 2 >> "$tmp/ptrace"
done

echo "| share against the workload's own measure ($RUNS runs each, loaded) | shares | mean abs z | max abs z | mean z^2 | max abs difference |"
echo "|---|---|---|---|---|---|"
for sampler in perf ptrace; do
	awk -v s="$sampler" '{ o = $4; e = $5; n = $6; sd = sqrt(e * (1 - e) / n); z = (o - e) / sd
		if (z < 0) z = -z; d = 100 * (o - e); if (d < 0) d = -d
		c++; sz += z; sz2 += z * z; if (z > mz) mz = z; if (d > md) md = d }
		END { printf "| %s sampler | %d | %.2f | %.2f | %.2f | %.2f points |\n", s, c, sz / c, mz, sz2 / c, md }' "$tmp/$sampler"
done
