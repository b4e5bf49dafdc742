#!/usr/bin/env bash
# Part of make bench: drawing flame graphs of many unique stacks.  For
# 10,000, 50,000 and 100,000 unique stacks (a made-up program: 3,000
# function names, stacks 8 to 40 deep sharing their roots, seeded so
# every run draws the same input):
#   - perfscope flamegraph (folded file -> SVG): wall time, peak RSS and
#     the file's size, medians of $RUNS;
#   - perfscope report (a profile's report.json -> the single-file HTML
#     page, which draws the same stacks): the same;
#   - headless Chromium opening the SVG and the page: time to the load
#     event, when the browser tests are installed.
# Each size has its rows; the targets are at 50,000 stacks (drawing) and
# 100,000 (opening).  Exits 1 when a target is missed by more than the
# spread of its runs (common.sh).
. "$(dirname "$0")/common.sh"
SIZES=${SIZES:-"10000 50000 100000"}

# A profile's report.json to put the made-up stacks in.
"$PERFSCOPE" profile -q -o "$tmp/base" -- "$root/tests/workloads/bin/offwork" --seconds 0.2 >/dev/null

make_inputs() {
	python3 - "$1" "$tmp/s$1.folded" "$tmp/base/report.json" "$tmp/r$1/report.json" <<'EOF'
import json, os, random, sys
n, folded, base, report = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
rnd = random.Random(n)
names = ["fn_%04d" % i for i in range(3000)]
stacks = set()
while len(stacks) < n:
    depth = rnd.randint(8, 40)
    # roots shared (a few entry points), leaves spread
    stack = ["main", names[rnd.randrange(20)]]
    for d in range(depth - 2):
        stack.append(names[rnd.randrange(min(3000, 50 * (d + 1)))])
    stacks.add(tuple(stack))
stacks = sorted(stacks)
counts = [rnd.randint(1, 100) for _ in stacks]
with open(folded, "w") as f:
    for s, c in zip(stacks, counts):
        f.write("app;" + ";".join(s) + " %d\n" % c)
r = json.load(open(base))
r["cpu"]["stacks"] = [{"pid": 1, "tid": 1, "process": "app", "thread": "app", "frames": list(s),
                       "count": c, "complete": True} for s, c in zip(stacks, counts)]
os.makedirs(os.path.dirname(report), exist_ok=True)
json.dump(r, open(report, "w"))
EOF
}

# "S KB" of wall seconds and peak RSS for a command's run
measure() {
	/usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	cat "$tmp/time"
}

have_browser=0
[ -d "$root/tests/browser/node_modules/playwright-core" ] && command -v node >/dev/null &&
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] && have_browser=1

echo "benchmark (flame graphs): $SIZES unique stacks, $RUNS runs" >&2
for n in $SIZES; do
	make_inputs "$n"
	for i in $(seq "$RUNS"); do
		measure "$PERFSCOPE" flamegraph "$tmp/s$n.folded" -o "$tmp/s$n.svg" >> "$tmp/svg$n"
		measure "$PERFSCOPE" report "$tmp/r$n/report.json" -o "$tmp/r$n.html" >> "$tmp/html$n"
		if [ "$have_browser" = 1 ]; then
			node "$root/tests/browser/open-time.mjs" "$tmp/s$n.svg" >> "$tmp/open_svg$n"
			node "$root/tests/browser/open-time.mjs" "$tmp/r$n.html" >> "$tmp/open_html$n"
		fi
	done
	stat -c %s "$tmp/s$n.svg" > "$tmp/svg_bytes$n"
	stat -c %s "$tmp/r$n.html" > "$tmp/html_bytes$n"
done

# per-run figures of one size: column C of $tmp/NAME (seconds, or RSS in
# kB as MB), or the file's size in KB
vals() { awk -v c="$2" -v mb="${3:-}" '{ print mb ? $c / 1024 : $c }' "$tmp/$1"; }
# row LABEL NAME COLUMN FORMAT OP TARGET AT [MB]: one row per size, the
# target on the size AT only
rows() {
	local n
	for n in $SIZES; do
		if [ "$n" = "$7" ]; then
			bench_row "$1, $n stacks" "$4" "$5" "$6" $(vals "$2$n" "$3" "${8:-}")
		else
			bench_row "$1, $n stacks" "$4" "" "" $(vals "$2$n" "$3" "${8:-}")
		fi
	done
}
bench_header "flame graphs (median of $RUNS)"
rows "SVG: perfscope flamegraph, wall time" svg 1 "%.2f s" "<" 1 50000
rows "SVG: peak RSS" svg 2 "%.1f MB" "<" 100 50000 mb
for n in $SIZES; do bench_row "SVG: file size, $n stacks" "%.0f KB" "" "" "$(awk '{ print $1 / 1024 }' "$tmp/svg_bytes$n")"; done
rows "HTML: perfscope report, wall time" html 1 "%.2f s" "<" 1 50000
rows "HTML: peak RSS" html 2 "%.1f MB" "<" 100 50000 mb
for n in $SIZES; do bench_row "HTML: file size, $n stacks" "%.0f KB" "" "" "$(awk '{ print $1 / 1024 }' "$tmp/html_bytes$n")"; done
if [ "$have_browser" = 1 ]; then
	rows "Chromium: the SVG opened (load event and a frame)" open_svg 1 "%.3f s" "<" 2 100000
	rows "Chromium: the HTML page opened" open_html 1 "%.3f s" "<" 2 100000
fi
bench_done
