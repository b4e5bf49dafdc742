#!/usr/bin/env bats
# report.html and memory.html: profiles of workloads whose behaviour is
# known, the page read back as a browser's parser reads it
# (tests/html_page.py) and opened in headless Chromium
# (tests/browser/report-check.mjs), then compared with the JSON report.

load common

setup() {
	dir="$BATS_TEST_TMPDIR"
}

# page FILE.html: what the page holds, as JSON in $dir/page.json
page() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/html_page.py" "$1" > "$dir/page.json"
}

# check JQ [SHOW]: JQ on the page ($r: the JSON report) is true
check() {
	jq -e --slurpfile r "$json" '($r[0]) as $r | '"$1" "$dir/page.json" >/dev/null ||
		{ echo "failed: $1"; jq -c --slurpfile r "$json" "${2:-.}" "$dir/page.json" | head -c 3000; return 1; }
}

# The sum of wl-truth values $1, $2, ... of the workload's run
truth_sum() {
	local k t sum=0
	for k in "$@"; do
		t=$(truth_seconds "$k") || return 1
		sum=$(awk -v a="$sum" -v b="$t" 'BEGIN { print a + b }')
	done
	echo "$sum"
}

offwork_profile() {
	[ "$(id -u)" -eq 0 ] || skip "off-CPU stacks need kernel events"
	out="$dir/p"
	json="$out/report.json"
	run "$PERFSCOPE" profile -q -o "$out" -- "$WL/offwork" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -s "$out/report.html" ]
}

@test "offwork: the page holds report.json's score, findings, functions, system calls and timeline" {
	offwork_profile
	page "$out/report.html"
	check '.title == "perfscope profile: offwork"' '.title'
	# the score and each area's, exactly
	check '.scores.Overall == $r.diagnosis.score and .scores.CPU == $r.diagnosis.areas.cpu and
	       .scores.Memory == $r.diagnosis.areas.memory and .scores["I/O"] == $r.diagnosis.areas.io and
	       .scores.Concurrency == $r.diagnosis.areas.concurrency' '.scores'
	# every finding, in the report's order (most severe first)
	check '.findings == [$r.diagnosis.findings[].rule]' '.findings'
	# the top functions table is report.json's first 50 functions, in order
	rows='[.tables["top-functions"][] | {name: .[0].text, self_pct: .[1].v, total_pct: .[2].v,
	       self: .[3].v, total: .[4].v, src: .[5].text, charged_pct: .[7].v}]'
	expected='[$r.cpu.functions[:50][] | {name, self_pct, total_pct, self, total,
	           src: (if .file then "\(.file):\(.line)" else "" end), charged_pct}]'
	check "$rows == $expected" "(\$r[0]) as \$r | [$rows, $expected] | transpose | map(select(.[0] != .[1]))"
	check '.tables["top-functions"][0][0].text == "burn"'
	# the system calls: name, count, errors, total time and p99, for every call
	check '[.tables["syscall-table"][] | [.[0].text, .[1].v, .[2].v, .[3].v, .[6].v]] ==
	       [$r.syscalls.calls[] | [.name, .count, .errors, .total_s, .p99_us]]' '.tables["syscall-table"]'
	# off CPU by reason: report.json's; sleep nap's and the helper thread's
	# (~2 s), pipe wait_pipe's (~1 s), as long as the workload timed them
	reasons='[.tables["offcpu-reasons"][] | {key: .[0].text, value: .[1].v}] | from_entries'
	check "$reasons"' == ($r.offcpu.blocked_by_reason_s | with_entries(select(.value > 0)))' '.tables["offcpu-reasons"]'
	assert_wait "sleep" "$(jq "$reasons | .sleep" "$dir/page.json")" "$(truth_sum nap helper_sleep)"
	assert_wait "pipe" "$(jq "$reasons | .pipe" "$dir/page.json")" "$(truth_sum wait_pipe)"
	# each chart has one point per timeline row in each of its lines
	check '($r.metrics.timeline | length) as $n | $n >= 3 and
	       (.charts | keys) == ["chart-cpu", "chart-io", "chart-machine", "chart-rss", "chart-threads"] and
	       ([.charts[] | (.times | length), (.lines[] | .points, (.values | length))] | all(. == $n))' '.charts'
	# the lines carry the report's own values: RSS, and user CPU
	# (six significant digits)
	check 'def same(a; b): [a, b] | transpose | all(((.[0] - .[1]) | fabs) <= 1e-5 * (.[1] | fabs) + 1e-9);
	       same(.charts["chart-rss"].lines[0].values; [$r.metrics.timeline[][3]]) and
	       same(.charts["chart-cpu"].lines[0].values; [$r.metrics.timeline[][1]]) and
	       same(.charts["chart-io"].lines[1].values; [$r.metrics.timeline[][7]])' '.charts'
}

@test "offwork: the embedded flame graphs are the SVG files' graphs, with the known seconds" {
	offwork_profile
	page "$out/report.html"
	# each embedded graph has the boxes of its SVG file
	for g in cpu offcpu wall; do
		/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$out/$g.svg" > "$dir/$g.json"
		jq -e --slurpfile f "$dir/$g.json" --arg g "graph-$g" '.graphs[$g] as $p |
		       $p.total == $f[0].total and $p.inner == $f[0].inner and
		       ([$p.frames[] | {name, title, value, depth, start, width}] ==
		        [$f[0].frames[] | {name, title, value, depth, start, width}])' "$dir/page.json" >/dev/null ||
			{ echo "graph $g differs from $g.svg"; return 1; }
	done
	# wall clock: burn as wide as its on-CPU samples at 99 Hz, nap's
	# sleep and the pipe wait as wide as the workload timed them (a box's
	# seconds read from its width: 0.005 px of 1,180 is 17 us of ~4 s)
	secs() {
		jq --arg f "$1" '.graphs["graph-wall"] as $g | [$g.frames[] | select(.name == $f) | .width] | add / $g.inner * $g.total / 1e9' "$dir/page.json"
	}
	burn=$(jq '[.cpu.functions[] | select(.name == "burn") | .total] | add / 99' "$json")
	assert_within "burn's width in ms" "$(secs burn | awk '{ printf "%.0f", $1 * 1000 }')" \
		"$(awk -v b="$burn" 'BEGIN { printf "%.0f", b * 1000 }')" 1
	assert_wait "nap's box" "$(secs nap)" "$(truth_sum nap)"
	assert_wait "the [pipe] box" "$(secs "[pipe]")" "$(truth_sum wait_pipe)"
	# one script per graph and the page's own, none from elsewhere; no URL
	# but the SVG namespace; no id twice
	check '.scripts == [{"type": "text/ecmascript"}, {"type": "text/ecmascript"}, {"type": "text/ecmascript"}, {}] and
	       .urls == [] and .ids == []' '{scripts, urls, ids}'
	! grep -qi '<script[^>]*src=' "$out/report.html" || false
	! grep -Eqi '<(link|img|iframe|object|embed)\b' "$out/report.html" || false
	grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$out/report.html"
}

@test "cpusplit: the page's on-CPU graph shows the 60/30/10 split" {
	require_perf
	out="$dir/p"
	json="$out/report.json"
	run "$PERFSCOPE" profile -q -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	page "$out/report.html"
	# about 2,000 samples: each leaf's boxes, added up, are as wide as its
	# share of the run's CPU time (as cpusplit measured it), within the
	# tolerance of the graph's sample count
	total=$(jq '.graphs["graph-cpu"].total' "$dir/page.json")
	[ "$total" -eq "$(jq .cpu.metadata.samples "$json")" ]
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		hits=$(jq --arg f "$leaf" '.graphs["graph-cpu"] as $g | [$g.frames[] | select(.name == $f) | .width] |
			add / $g.inner * $g.total' "$dir/page.json")
		assert_share "$leaf's width" "$hits" "$total" "$(truth_share "$leaf")"
	done
	# and the table says the same as report.json
	check '[.tables["top-functions"][] | select(.[0].text | startswith("leaf_")) | .[1].v] ==
	       [$r.cpu.functions[:50][] | select(.name | startswith("leaf_")) | .self_pct]'
	check '[.tables["top-functions"][] | .[0].text][0:3] == ["leaf_sixty", "leaf_thirty", "leaf_ten"]' '.tables["top-functions"]'
}

@test "names that are markup are shown as text: a thread <b>x</b>, a <script> path in the command" {
	require_perf
	out="$dir/p"
	json="$out/report.json"
	mkdir -p "$dir/<script>alert(1)<"
	target="$dir/<script>alert(1)</script>"
	"$PERFSCOPE" profile -q -o "$out" -- "$WL/htmlnames" "$target" > /dev/null
	jq -e '[.cpu.threads[].comm] | index("<b>x</b>") != null' "$json" >/dev/null
	page "$out/report.html"
	# the thread's name is the cell's text, with no element inside it
	check '[.tables["thread-table"][] | select(.[0].text == "<b>x</b>") | .[0].tags] == [[]]' '.tables["thread-table"]'
	# no script but the four: the command line and the file name stayed text
	check '(.scripts | length) == 4' '.scripts'
	! grep -q '<script>alert' "$out/report.html" || false
	! grep -q '<b>x</b>' "$out/report.html" || false
	grep -q '&lt;b&gt;x&lt;/b&gt;' "$out/report.html"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$out/report.html"
	# the command line, in the header, as text
	grep -q "<h1>Profile of <code>$WL/htmlnames $dir/&lt;script&gt;alert(1)&lt;/script&gt;</code></h1>" "$out/report.html"
}

@test "--no-html; perfscope report draws the same page again; its errors" {
	require_perf
	out="$dir/p"
	"$PERFSCOPE" profile -q --no-html -o "$out" -- "$WL/cpusplit" --seconds 0.3 > /dev/null
	[ -s "$out/report.json" ]
	[ ! -e "$out/report.html" ]
	"$PERFSCOPE" profile -q -o "$dir/q" -- "$WL/cpusplit" --seconds 0.3 > /dev/null
	cp "$dir/q/report.html" "$dir/first.html"
	# byte for byte what profile wrote, from report.json and the folded files beside it
	"$PERFSCOPE" report "$dir/q/report.json"
	cmp "$dir/first.html" "$dir/q/report.html"
	"$PERFSCOPE" report -o - "$dir/q/report.json" | cmp - "$dir/first.html"
	# without the folded files: the on-CPU graph from the report, the others said missing
	cp "$dir/q/report.json" "$dir/alone.json"
	"$PERFSCOPE" report -o "$dir/alone.html" "$dir/alone.json"
	page "$dir/alone.html"
	json="$dir/q/report.json"
	check '(.graphs | keys) == ["graph-cpu"] and .graphs["graph-cpu"].total == ($r.cpu.metadata.samples)' '.graphs | keys'
	grep -q 'Not drawn: offcpu.folded is not beside the report.' "$dir/alone.html"
	run "$PERFSCOPE" report
	[ "$status" -eq 2 ]
	[[ "$output" == *"perfscope report: give one report: a report.json or a memory.json"* ]]
	run "$PERFSCOPE" report "$dir/q/cpu.folded"
	[ "$status" -eq 6 ]
	[[ "$output" == *"$dir/q/cpu.folded: line 1, column 1: malformed JSON"* ]]
	echo '{"kind": "cpu-profile"}' > "$dir/cpu.json"
	run "$PERFSCOPE" report "$dir/cpu.json"
	[ "$status" -eq 6 ]
	[[ "$output" == *"not a profile or memory-profile report"* ]]
	run "$PERFSCOPE" report -o /proc/nope/x.html "$dir/q/report.json"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cannot write '/proc/nope/x.html'"* ]]
	[ ! -e /proc/nope ]
}

@test "perfscope report of 20,000 stacks: the page's on-CPU graph is the stacks folded, however the JSON is laid out" {
	require_perf
	"$PERFSCOPE" profile -q -o "$dir/q" -- "$WL/cpusplit" --seconds 0.3 > /dev/null
	# 20,000 made-up stacks (names with ';', markup, quotes, escapes and
	# non-ASCII), indented and on one line: report reads them one by one;
	# and folded here, without perfscope (process;frames COUNT, a ';' in a
	# name made ':'), to be drawn by perfscope flamegraph
	/usr/bin/python3 - "$dir/q/report.json" "$dir/many.json" "$dir/flat.json" "$dir/many.folded" <<'PY'
import json, random, sys
rnd = random.Random(20000)
names = ["f%d" % i for i in range(500)] + ["a;b", "<b>x</b>", 'say "hi"', "tab\there", "caf\u00e9", "x\\y"]
r = json.load(open(sys.argv[1]))
stacks = set()
while len(stacks) < 20000:
    stacks.add(tuple(rnd.choice(names) for _ in range(rnd.randint(2, 30))))
r["cpu"]["stacks"] = [{"pid": 7, "tid": 7 + i % 3, "process": rnd.choice(["app", "a;pp"]), "thread": "t",
                       "frames": list(s), "count": rnd.randint(1, 50), "complete": True}
                      for i, s in enumerate(sorted(stacks))] + [{"process": "app", "frames": ["zero"], "count": 0}]
json.dump(r, open(sys.argv[2], "w"), indent=2)
json.dump(r, open(sys.argv[3], "w"), separators=(",", ":"))
with open(sys.argv[4], "w") as f:
    for st in r["cpu"]["stacks"]:
        if st["count"] >= 1:
            f.write(";".join(n.replace(";", ":").replace("\n", ":") for n in [st["process"]] + st["frames"]) +
                    " %d\n" % st["count"])
PY
	"$PERFSCOPE" report -o "$dir/many.html" "$dir/many.json"
	"$PERFSCOPE" report -o "$dir/flat.html" "$dir/flat.json"
	cmp "$dir/many.html" "$dir/flat.html"
	"$PERFSCOPE" flamegraph -o "$dir/many.svg" "$dir/many.folded"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$dir/many.svg" > "$dir/folded.json"
	page "$dir/many.html"
	json="$dir/many.json"
	jq -e --slurpfile f "$dir/folded.json" '.graphs["graph-cpu"] as $p | $p.total == $f[0].total and
	       ($p.frames | length) > 1000 and
	       [$p.frames[] | {name, title, value, depth, start, width}] ==
	       [$f[0].frames[] | {name, title, value, depth, start, width}]' "$dir/page.json" >/dev/null
	check '.graphs["graph-cpu"].total == ([$r.cpu.stacks[].count] | add)' '.graphs["graph-cpu"].total'
	# the rest of the page is the report's: its top functions
	check '[.tables["top-functions"][] | .[0].text] == [$r.cpu.functions[:50][].name]'
}

@test "memory-profile writes memory.html: the leaks and sites of memory.json, their graphs" {
	out="$dir/m"
	json="$out/memory.json"
	"$PERFSCOPE" memory-profile -q -o "$out" -- "$WL/memwork" > /dev/null
	page "$out/memory.html"
	# every site that lost bytes, most first, with memory.json's figures
	check '[.tables["leak-table"][] | .[2].v] ==
	       ([$r.sites[] | .leaks | .definite.bytes + .indirect.bytes + .unclassified.bytes | select(. > 0)] | sort | reverse)' \
		'.tables["leak-table"]'
	check '([.tables["leak-table"][] | .[2].v] | add) == $r.summary.lost.bytes'
	# the top sites by bytes allocated
	check '[.tables["site-table"][] | .[2].v] == ([$r.sites[].allocated_bytes] | sort | reverse | .[:30])'
	# the leaks graph weighs exactly the lost bytes; the heap chart has the timeline's points
	check '.graphs["graph-leaks"].total == $r.summary.lost.bytes and
	       .graphs["graph-allocations"].total == ([$r.sites[].allocated_bytes] | add)' '.graphs | map_values(.total)'
	check '.charts["chart-heap-0"].lines[0].points == ($r.processes[0].timeline | length)' '.charts'
	check '.urls == [] and .ids == []' '{urls, ids}'
	# perfscope report draws it from memory.json alone
	"$PERFSCOPE" report -o "$dir/again.html" "$json"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/html_page.py" "$dir/again.html" > "$dir/again.json"
	jq -e --slurpfile a "$dir/again.json" '.tables == $a[0].tables and (.graphs | map_values(.total)) ==
	       ($a[0].graphs | map_values(.total))' "$dir/page.json" >/dev/null
	"$PERFSCOPE" memory-profile -q --no-html -o "$dir/m2" -- "$WL/memwork" leak 100 > /dev/null
	jq -e '.summary.lost.bytes == 100' "$dir/m2/memory.json" >/dev/null
	[ ! -e "$dir/m2/memory.html" ]
}

@test "in headless Chromium: no errors, tables sort, one graph zooms alone, charts have every point" {
	need_browser
	offwork_profile
	shot="${SCREENSHOT_DIR:-$dir}/report.png"
	node "$BATS_TEST_DIRNAME/browser/report-check.mjs" "$out/report.html" wall wait_pipe 'burn|nap' "$shot" \
		> "$dir/browser.json"
	b() {
		jq -e --slurpfile r "$json" '($r[0]) as $r | '"$1" "$dir/browser.json" >/dev/null ||
			{ echo "failed: $1"; jq -c "${2:-.}" "$dir/browser.json" | head -c 3000; return 1; }
	}
	# nothing on the console, nothing fetched
	b '.errors == [] and .title == "perfscope profile: offwork"' '.errors'
	b '(.score | tonumber) == $r.diagnosis.score' '.score'
	# Self: largest first on the first click, smallest first on the second;
	# Function: A to Z; the system calls by count
	b '.selfFirstClick == (.selfInitial | sort | reverse) and .selfSortAttr == "descending" and
	   .selfSecondClick == (.selfInitial | sort)' '{selfInitial, selfFirstClick, selfSecondClick}'
	b '.nameSorted == (.nameSorted | sort_by(ascii_downcase))' '.nameSorted'
	b '.syscallCounts == ([$r.syscalls.calls[].count] | sort | reverse)' '.syscallCounts'
	# hover and zoom in the wall-clock graph only: wait_pipe fills the width,
	# burn is hidden there, and the other two graphs did not move
	b '.hover | startswith("wait_pipe (")' '.hover'
	b '.otherDetails[0:2] == [" ", " "] and .otherUnzoom == ["0", "0", "1"] and .unzoomVisible == "1"'
	b '[.zoomed["graph-wall"][] | select(.name == "wait_pipe") | .width] == [1180] and
	   ([.zoomed["graph-wall"][] | select(.name == "burn") | .shown] | length > 0 and all(. == false))' \
		'.zoomed["graph-wall"] | map(select(.shown))'
	b '.zoomed["graph-cpu"] == .before["graph-cpu"] and .zoomed["graph-offcpu"] == .before["graph-offcpu"]'
	# search in that graph: burn and nap, about 1 s of its ~4 s each: their
	# boxes' share of the graph, to the 0.01 point it prints
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$out/wall.svg" > "$dir/wall.json"
	share=$(jq '.total as $t | [.frames[] | select(.name == "burn" or .name == "nap") | .value] | add / $t * 100' "$dir/wall.json")
	b "(.matched | ltrimstr(\"Matched: \") | rtrimstr(\"%\") | tonumber | . - $share | fabs <= 0.006) and
	   .allMatched[0:2] == [\" \", \" \"]" '{matched, allMatched}'
	b '.reset == .before' '.reset'
	# every chart line has a point per timeline row; the pointer reads values out
	b '($r.metrics.timeline | length) as $n | [.charts[][]] | length == 8 and all(. == $n)' '.charts'
	b '.readout | test("^[0-9.]+ s: user [0-9.]+%, system [0-9.]+%$")' '.readout'
	[ "$(stat -c %s "$shot")" -gt 50000 ]
}
