# Sourced by the benchmark scripts: paths, knobs, a scratch directory, the
# helpers that read the fixed-work program's and perfscope's output, and
# bench_row, which prints a figure beside its target and says whether the
# target was met.
#
# A script measures each configuration once per round, interleaved, so
# that a slow spell of the machine hits every configuration alike; each
# round gives one figure (paired with that round's unprofiled run where
# there is one); a row shows the median of those per-run figures and their
# spread, the median absolute deviation (MAD: the median of |figure -
# median|).  A target missed by more than that spread fails the script
# (bench_done), after the whole table is printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${PERFSCOPE:=$root/build/perfscope}"
WORK="$root/build/helpers/fixedwork"
RUNS=${RUNS:-5}
UNITS=${UNITS:-9000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bench_missed=0

# The number after NAME= in the input ("elapsed=1.23 cpu=1.22").
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# The median absolute deviation of the numbers on stdin.
mad() {
	local v m
	v=$(cat)
	m=$(median <<< "$v")
	awk -v m="$m" 'NF { d = $1 - m; print d < 0 ? -d : d }' <<< "$v" | median
}

# paired EXPR FILE...: one figure per run, EXPR (awk) of the runs' values
# taken line by line from the files, as a, b, c, d, e:
#   paired '100 * (a / b - 1)' "$tmp/ps.cpu" "$tmp/bare.cpu"
paired() {
	local expr=$1
	shift
	paste "$@" | awk "NF { a = \$1; b = \$2; c = \$3; d = \$4; e = \$5; printf \"%.9g\\n\", $expr }"
}

# The header of a table of bench_row rows; $1 names its measures.
bench_header() {
	echo "| $1 | figure | spread (MAD) | target | verdict |"
	echo "|---|---|---|---|---|"
}

# bench_row LABEL FORMAT OP TARGET VALUE...
#   One row: the median of the per-run VALUEs, their MAD (empty for a
#   single value), the target and the verdict.  FORMAT prints one number
#   ("%.2f us", "%+.2f%%"); OP TARGET is the target ("<=" 0.5: the figure
#   must be at most 0.5), OP "" for a row without one.  Verdicts: "met";
#   "missed, within the measured spread" when the figure is off the target
#   by no more than the MAD; else "missed", which bench_done turns into a
#   failure.  A row without a figure (a measurement that printed nothing)
#   is a miss too.
bench_row() {
	local label=$1 fmt=$2 op=$3 target=$4 values fig spread="" tcell="" verdict=""
	local plain=${2//+/}
	shift 4
	values=$(printf '%s\n' "$@" | grep -E '^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$' || true)
	if [ -z "$values" ]; then
		fig="(none)"
	else
		fig=$(printf "$fmt" "$(median <<< "$values")")
		[ "$(wc -l <<< "$values")" -gt 1 ] && spread=$(printf "$plain" "$(mad <<< "$values")")
	fi
	if [ -n "$op" ]; then
		tcell="$op $(printf "$plain" "$target")"
		if [ -z "$values" ]; then
			verdict="missed (no figure)"
			bench_missed=$((bench_missed + 1))
		else
			verdict=$(awk -v x="$(median <<< "$values")" -v s="$(mad <<< "$values")" \
				-v t="$target" -v op="$op" 'BEGIN {
				ok = op == "<=" ? x <= t : op == "<" ? x < t : op == ">=" ? x >= t : x > t
				off = op ~ /</ ? x - t : t - x
				if (s == "nan") s = 0
				print ok ? "met" : off <= s ? "missed, within the measured spread" : "missed" }')
			[ "$verdict" = missed ] && bench_missed=$((bench_missed + 1))
		fi
	fi
	echo "| $label | $fig | $spread | $tcell | $verdict |"
}

# The script's exit: 1 when a target was missed by more than its spread.
bench_done() {
	if [ "$bench_missed" -gt 0 ]; then
		echo "$(basename "$0"): $bench_missed target(s) missed by more than the measured spread" >&2
		exit 1
	fi
}
