#!/usr/bin/env bash
# Part of make bench: large inputs.  A folded file of SIZE_MB megabytes
# (3,000 names, 8 to 40 frames a line, seeded: most lines unique) drawn by
# `perfscope flamegraph`, and compared with a fifth of itself by `perfscope
# diff`: time and peak RSS, against the input's size.  Targets: RSS at
# most twice the input (what was read: one or two files), and time that
# grows with the input (the full size's seconds per MB within 1.5x of a
# fifth's).
#
#   SIZE_MB=200 RUNS=3 bash tests/bench/inputs.sh
. "$(dirname "$0")/common.sh"
SIZE_MB=${SIZE_MB:-200}
RUNS=${RUNS:-3}

python3 - "$tmp/big.folded" "$((SIZE_MB * 1000000))" <<'EOF'
import random, sys
random.seed(1)
names = ['fn%d' % i for i in range(3000)]
size, want = 0, int(sys.argv[2])
with open(sys.argv[1], 'w') as f:
    while size < want:
        line = ';'.join(random.choice(names) for _ in range(random.randint(8, 40)))
        line += ' %d\n' % random.randint(1, 100)
        f.write(line)
        size += len(line)
EOF
# a fifth, cut at a line
head -c "$((SIZE_MB * 200000))" "$tmp/big.folded" | sed '$d' > "$tmp/small.folded"
big_mb=$(du -m "$tmp/big.folded" | cut -f1)
small_mb=$(du -m "$tmp/small.folded" | cut -f1)

# "seconds KB" of one command
timed() { /usr/bin/time -f '%e %M' -o "$tmp/t" "$@" > /dev/null 2>&1; cat "$tmp/t"; }

echo "benchmark (inputs): a ${big_mb} MB folded file, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	timed "$PERFSCOPE" flamegraph -o "$tmp/big.svg" "$tmp/big.folded" >> "$tmp/fg_big"
	timed "$PERFSCOPE" flamegraph -o "$tmp/small.svg" "$tmp/small.folded" >> "$tmp/fg_small"
	timed "$PERFSCOPE" diff -o "$tmp/d.txt" "$tmp/small.folded" "$tmp/big.folded" >> "$tmp/diff"
done

col() { awk -v c="$1" '{ print $c }' "$2"; }
per_mb() { awk -v mb="$2" '{ print $1 / mb }' "$1"; }
ratio_of_medians() { awk -v a="$(col 1 "$1" | median)" -v b="$(col 1 "$2" | median)" -v ma="$3" -v mb="$4" \
	'BEGIN { print (a / ma) / (b / mb) }'; }

bench_header "large inputs (median of $RUNS)"
bench_row "flamegraph of ${big_mb} MB: wall time" "%.2f s" "" "" $(col 1 "$tmp/fg_big")
bench_row "flamegraph of ${big_mb} MB: peak RSS / input size" "%.2fx" "<=" 2 \
	$(awk -v mb="$big_mb" '{ print $2 / 1024 / mb }' "$tmp/fg_big")
bench_row "flamegraph: seconds per MB at ${big_mb} MB / at ${small_mb} MB (linear: 1)" "%.2fx" "<=" 1.5 \
	"$(ratio_of_medians "$tmp/fg_big" "$tmp/fg_small" "$big_mb" "$small_mb")"
bench_row "diff of ${small_mb} MB against ${big_mb} MB: wall time" "%.2f s" "" "" $(col 1 "$tmp/diff")
bench_row "diff: peak RSS / the two inputs' size" "%.2fx" "<=" 2 \
	$(awk -v mb="$((big_mb + small_mb))" '{ print $2 / 1024 / mb }' "$tmp/diff")
bench_done
