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

col() { awk -v c="$2" '{ print $c }' "$tmp/$1" | median; }
secs() { echo "$(col "$1" 1) s"; }
rss() { awk -v k="$(col "$1" 2)" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
size() { awk -v b="$(cat "$tmp/$1")" 'BEGIN { printf "%.0f KB", b / 1024 }'; }
# row LABEL FUNCTION FILE-PREFIX TARGET: one cell per size
row() {
	local line="| $1 |"
	for n in $SIZES; do line="$line $($2 "$3$n") |"; done
	echo "$line ${4:-} |"
}
header="| flame graphs (median of $RUNS) |"
sep="|---|"
for n in $SIZES; do header="$header $n stacks |"; sep="$sep---|"; done
echo "$header target |"
echo "$sep---|"
row "SVG: perfscope flamegraph, wall time" secs svg "< 1 s at 50,000"
row "SVG: peak RSS" rss svg "< 100 MB at 50,000"
row "SVG: file size" size svg_bytes
row "HTML: perfscope report, wall time" secs html "< 1 s at 50,000"
row "HTML: peak RSS" rss html "< 100 MB at 50,000"
row "HTML: file size" size html_bytes
if [ "$have_browser" = 1 ]; then
	row "Chromium: the SVG opened (load event and a frame)" secs open_svg "< 2 s at 100,000"
	row "Chromium: the HTML page opened" secs open_html "< 2 s at 100,000"
fi
