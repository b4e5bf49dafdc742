# Sourced by the benchmark scripts: paths, knobs, a scratch directory and
# the helpers that read the fixed-work program's and perfscope's output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${PERFSCOPE:=$root/build/perfscope}"
WORK="$root/build/helpers/fixedwork"
RUNS=${RUNS:-5}
UNITS=${UNITS:-9000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The number after NAME= in the input ("elapsed=1.23 cpu=1.22").
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -1; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
