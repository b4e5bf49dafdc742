#!/usr/bin/env bats
# perfscope flamegraph: folded stacks whose shares are known, drawn as SVG
# and read back as a browser would parse it (tests/svg_frames.py).

load common

setup() {
	dir="$BATS_TEST_TMPDIR"
	printf 'app;main;a 60\napp;main;b 30\napp;main;b;c 10\n' > "$dir/k.folded"
}

# draw INPUT [options]: the SVG's frames as JSON in $dir/frames.json,
# after checking that it draws them: every box as wide as its value's share
# of the total, to the 0.01 px the file writes
draw() {
	local input=$1
	shift
	"$PERFSCOPE" flamegraph -o "$dir/out.svg" "$@" "$input" || return 1
	frames "$dir/out.svg"
}

# frames SVG: its frames in $dir/frames.json, each box checked as draw does
frames() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$1" > "$dir/frames.json" || return 1
	jq -e '.inner as $inner | .total as $total | .total > 0 and (.frames | length) > 0 and
	       all(.frames[]; (.width - .value / $total * $inner | fabs) < 0.01)' "$dir/frames.json" >/dev/null ||
		{ echo "$1: a box is not as wide as its value"; jq -c '[.total, .inner, (.frames[] | [.name, .value, .width])]' "$dir/frames.json" | head -c 3000; return 1; }
}

# The samples in the boxes named $1 of $dir/frames.json, added up (none of
# them inside another: no recursion)
box_samples() {
	jq --arg f "$1" '[.frames[] | select(.name == $f) | .value] | add // 0' "$dir/frames.json"
}

check() {
	jq -e "$1" "$dir/frames.json" >/dev/null || { echo "failed: $1"; jq -c "${2:-.frames}" "$dir/frames.json"; return 1; }
}

@test "each frame's width is its share of the whole, callees on top of callers" {
	draw "$dir/k.folded"
	# 1,180 px inside the 10 px pads: a 60%, b 40% (30 + c's 10), c 10%, within 0.01 px
	check '.inner == 1180 and .total == 100 and (.frames | length) == 6'
	check '[.frames[] | {key: .name, value: .width}] | from_entries |
	       (.a - 708 | fabs) < 0.01 and (.b - 472 | fabs) < 0.01 and (.c - 118 | fabs) < 0.01 and
	       .main == 1180 and .app == 1180 and .all == 1180'
	# c sits on b, one row (16 px) higher; b starts where a ends
	check '[.frames[] | {key: .name, value: .}] | from_entries |
	       (.b.y - .c.y) == 16 and (.main.y - .b.y) == 16 and (.b.x - (.a.x + .a.width) | fabs) < 0.01 and
	       .c.depth == 4 and .all.depth == 0'
	check '.frames[] | select(.name == "a") | .title == "a (60 samples, 60.00%)" and .label == "a"'
	# --icicle: the same boxes, callees below
	draw "$dir/k.folded" --icicle
	check '[.frames[] | {key: .name, value: .}] | from_entries | (.c.y - .b.y) == 16 and .all.y < .app.y'
}

@test "a frame is one box however its callees sort (foo before foo.cold before foo;bar)" {
	printf 'x;foo 5\nx;foo.cold 3\nx;foo;bar 2\nx;foo(int) 1\n' > "$dir/s.folded"
	draw "$dir/s.folded"
	check '[.frames[] | select(.name == "foo")] | length == 1 and .[0].value == 7' \
		'[.frames[] | {name, value, depth}]'
	check '[.frames[] | select(.depth == 2) | .name] | sort == ["foo", "foo(int)", "foo.cold"]'
}

@test "colours by kind: user, kernel, inline, JIT, off-CPU" {
	printf 'p;main;work;sys_read_[k] 10\np;main;hot_[i] 10\np;main;jitted_[j] 10\np;main;wait;[sleep] 10\np;main;[unknown] 10\n' \
		> "$dir/kinds.folded"
	draw "$dir/kinds.folded"
	check '[.frames[] | {key: .name, value: .kind}] | from_entries |
	       .main == "user" and ."sys_read_[k]" == "kernel" and ."hot_[i]" == "inline" and
	       ."jitted_[j]" == "jit" and ."[sleep]" == "offcpu" and ."[unknown]" == "user" and .all == "all"'
}

@test "names that are not XML-safe are escaped, labels are cut to fit" {
	printf 'p;std::vector<int>::push_back(int const&) 99\np;"quoted" 1\n' > "$dir/x.folded"
	draw "$dir/x.folded" --width 300
	check '[.frames[] | .name] | index("std::vector<int>::push_back(int const&)") != null and
	       index("\"quoted\"") != null'
	# 280 px hold about 38 characters of the 42: cut, ending in ".."
	check '.frames[] | select(.name | startswith("std::")) | (.label | endswith("..")) and (.label | length) < 42'
}

@test "frames narrower than --min-width are left to their callers, so the size is bounded" {
	# 20,000 unique one-sample stacks under 'rare' beside a 1,000,000-sample one
	awk 'BEGIN { print "p;main;big 1000000"; for (i = 0; i < 20000; i++) printf "p;main;rare;f%d 1\n", i }' > "$dir/wide.folded"
	draw "$dir/wide.folded"
	# each f is 0.001 px wide: none drawn; rare (20,000 samples, 23 px) is
	check '[.frames[] | select(.name | startswith("f"))] | length == 0'
	check '.frames[] | select(.name == "rare") | .value == 20000'
	grep -q "20000 frames narrower than 0.10 px are left to their callers" "$dir/out.svg"
	[ "$(stat -c %s "$dir/out.svg")" -lt 20000 ]
	# a larger minimum hides rare too
	draw "$dir/wide.folded" --min-width 30
	check '[.frames[] | select(.name == "rare")] | length == 0'
}

@test "at most 10,000 boxes, the widest: a graph of many mid-sized stacks still opens at once" {
	# 10,000 unique stacks 30 deep, each ~0.12 px wide: above --min-width,
	# and 300,000 boxes if all were drawn
	awk 'BEGIN { srand(7); for (i = 0; i < 10000; i++) { s = "p;main"; for (d = 0; d < 30; d++) s = s ";f" int(rand() * 40 * (d + 1)); print s, 40 + i % 20 } }' > "$dir/many.folded"
	total=$(folded_total "$dir/many.folded")
	draw "$dir/many.folded"
	check '(.frames | length) <= 10001 and (.frames | length) > 8000'
	# what is kept is a whole tree: every box's callers are there, the root is everything
	check "(.frames[] | select(.depth == 0) | .value == $total) and
	       ([.frames[] | select(.depth == 1) | .value] | add == $total)"
	check '[.frames[] | .depth] | max >= 5'
	grep -q "frames narrower than [0-9.]* px are left to their callers" "$dir/out.svg"
	[ "$(stat -c %s "$dir/out.svg")" -lt 4000000 ]
}

@test "a report draws the same boxes as its folded file; memory reports in bytes" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	run "$PERFSCOPE" profile -q -F 999 -o "$dir/p" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	draw "$dir/p/cpu.folded"
	mv "$dir/frames.json" "$dir/from-folded.json"
	draw "$dir/p/report.json"
	jq -e --slurpfile f "$dir/from-folded.json" '.frames == $f[0].frames' "$dir/frames.json" >/dev/null
	check ".total == $(folded_total "$dir/p/cpu.folded")" '.total'
	# leaf_sixty's boxes (a truncated stack draws one of its own) hold the
	# share of the samples that cpusplit measured of its CPU time in it
	# (~1,000 samples: within 6.7 points; 13 with the 250 of 0.5 s at 499 Hz)
	assert_share leaf_sixty "$(box_samples leaf_sixty)" "$(jq .total "$dir/frames.json")" "$(truth_share leaf_sixty)"
	"$PERFSCOPE" memory-profile -q -o "$dir/m" -- "$WL/memwork" leak 3000
	draw "$dir/m/memory.json" --weight leaked
	check '.total == 3000 and (.frames[] | select(.name == "leak_n") | .title == "leak_n (3000 bytes, 100.00%)" and .width == 1180)'
}

@test "standard input, the title, the script, and errors" {
	"$PERFSCOPE" flamegraph --title 'Before & after' - < "$dir/k.folded" > "$dir/stdin.svg"
	grep -q '<text id="title"[^>]*>Before &amp; after</text>' "$dir/stdin.svg"
	# --unit names the counts in every description
	draw "$dir/k.folded" --unit ns
	check '.frames[] | select(.name == "a") | .title == "a (60 ns, 60.00%)"'
	# the script is inside, and nothing is loaded from elsewhere
	grep -q 'function fgZoom' "$dir/stdin.svg"
	! grep -Eq '(src|href)="http' "$dir/stdin.svg" || false
	run "$PERFSCOPE" flamegraph
	[ "$status" -eq 2 ]
	[[ "$output" == *"perfscope flamegraph: give one input: a folded file or a report"* ]]
	run "$PERFSCOPE" flamegraph --width 5 "$dir/k.folded"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--width takes pixels from 100 to 100000, not '5'"* ]]
	printf 'a;b 1\nnot folded\n' > "$dir/bad.folded"
	run "$PERFSCOPE" flamegraph "$dir/bad.folded"
	[ "$status" -eq 6 ]
	[[ "$output" == *"$dir/bad.folded: line 2"* ]]
	run "$PERFSCOPE" flamegraph -o /proc/nope/x.svg "$dir/k.folded"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cannot write '/proc/nope/x.svg'"* ]]
}

@test "cpu-profile --format svg: the 60/30/10 split as the widths of the leaves" {
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$dir/cpu.svg" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	frames "$dir/cpu.svg"
	# about 2,000 samples: each leaf's boxes, added up (a truncated stack
	# draws one of its own), hold the share of the samples that cpusplit
	# measured of its CPU time in it, within the tolerance of that count
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		assert_share "$leaf" "$(box_samples "$leaf")" "$(jq .total "$dir/frames.json")" "$(truth_share "$leaf")"
	done
	grep -q '<text id="title"[^>]*>CPU flame graph: cpusplit</text>' "$dir/cpu.svg"
}

# speedscope FILE [--profile-frame]: FILE's samples as sorted folded lines
# in $dir/ss.folded, after validating FILE against speedscope's schema
speedscope() {
	/usr/bin/python3 -c 'import jsonschema' ||
		{ echo "python3-jsonschema is needed (build-aux/install-deps.sh --test)"; return 1; }
	/usr/bin/python3 "$BATS_TEST_DIRNAME/validate_schema.py" "$BATS_TEST_DIRNAME/speedscope-file-format-schema.json" "$1" ||
		return 1
	# not piped: sort would hide the script's failure
	/usr/bin/python3 "$BATS_TEST_DIRNAME/speedscope_folded.py" "$@" > "$dir/ss.unsorted" || return 1
	LC_ALL=C sort "$dir/ss.unsorted" > "$dir/ss.folded"
}

# merged FILE: folded lines, the same stack's counts added up, sorted
merged() {
	awk 'NF { c = $NF; sub(/ [^ ]*$/, ""); t[$0] += c } END { for (s in t) print s " " t[s] }' "$1" | LC_ALL=C sort
}

@test "--format speedscope: any tool's folded file as one profile, every stack and count exactly" {
	# names another tool may write: C++, quotes, a backslash, markup, UTF-8;
	# a stack twice (merged), a stack that is another's caller, a blank line
	printf '%s\n' 'app;main;std::vector<int>::push_back(int const&) 7' 'app;main;say "hi";back\slash 5' \
		'app;main;<b>x</b>;café 3' 'app;main 2' '' 'app;main;say "hi";back\slash 4' 'other;[sleep] 11' > "$dir/in.folded"
	# the format follows the output's name
	"$PERFSCOPE" flamegraph -o "$dir/in.speedscope.json" "$dir/in.folded"
	speedscope "$dir/in.speedscope.json"
	diff <(merged "$dir/in.folded") "$dir/ss.folded"
	jq -e '.name == "in.folded" and (.exporter | startswith("perfscope ")) and .activeProfileIndex == 0 and
	       (.profiles | length) == 1 and .profiles[0].name == "in.folded" and .profiles[0].unit == "none" and
	       .profiles[0].endValue == 32 and ([.shared.frames[].name] | sort) ==
	       (["app", "main", "std::vector<int>::push_back(int const&)", "say \"hi\"", "back\\slash", "<b>x</b>",
	         "café", "other", "[sleep]"] | sort)' "$dir/in.speedscope.json"
	# standard input, --unit in speedscope's names, --title names the file
	"$PERFSCOPE" flamegraph -f speedscope --unit ns - < "$dir/k.folded" > "$dir/k.json"
	speedscope "$dir/k.json"
	diff <(merged "$dir/k.folded") "$dir/ss.folded"
	jq -e '.name == "standard input" and .profiles[0].name == "standard input" and
	       .profiles[0].unit == "nanoseconds"' "$dir/k.json"
	"$PERFSCOPE" flamegraph --format=speedscope --unit bytes --title 'Before & after' "$dir/k.folded" |
		jq -e '.name == "Before & after" and .profiles[0].unit == "bytes"'
	# SVG stays the default, and --format svg wins over the name
	"$PERFSCOPE" flamegraph "$dir/k.folded" | grep -q '^<svg'
	"$PERFSCOPE" flamegraph -f svg -o "$dir/k.speedscope.json" "$dir/k.folded"
	grep -q '^<svg' "$dir/k.speedscope.json"
	run "$PERFSCOPE" flamegraph -f speedscope --unit parsecs "$dir/k.folded"
	[ "$status" -eq 2 ]
	[[ "$output" == *"speedscope's --unit is samples, ns, us, ms, s or bytes"* ]]
	run "$PERFSCOPE" flamegraph -f png "$dir/k.folded"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--format is svg or speedscope, not 'png'"* ]]
}

@test "--format speedscope from reports: a profile per thread (per process for memory.json)" {
	require_perf
	"$PERFSCOPE" cpu-profile -q -F 499 --format json -o "$dir/t.json" -- "$WL/threads" --seconds 1
	"$PERFSCOPE" flamegraph -o "$dir/t.speedscope.json" "$dir/t.json"
	speedscope "$dir/t.speedscope.json" --profile-frame
	# the report's stacks, folded here by thread: every one, exactly
	jq -r '.stacks[] | select(.count >= 1) | (["\(.thread) (pid \(.pid), tid \(.tid))"] + .frames |
	       map(gsub(";"; ":")) | join(";")) + " \(.count)"' "$dir/t.json" > "$dir/t.folded"
	diff <(merged "$dir/t.folded") "$dir/ss.folded"
	jq -e '[.profiles[].name | select(test("^worker-(heavy|light) \\(pid [0-9]+, tid [0-9]+\\)$"))] | length == 2' \
		"$dir/t.speedscope.json"
	# the busiest first, as speedscope opens the first
	jq -e '[.profiles[].endValue] | . == (sort | reverse)' "$dir/t.speedscope.json"
	# a profile's report.json: the same, from its cpu.stacks
	"$PERFSCOPE" profile -q -o "$dir/p" -- "$WL/cpusplit" --seconds 0.3 > /dev/null
	"$PERFSCOPE" flamegraph -f speedscope -o "$dir/p.json" "$dir/p/report.json"
	speedscope "$dir/p.json" --profile-frame
	jq -r '.cpu.stacks[] | select(.count >= 1) | (["\(.thread) (pid \(.pid), tid \(.tid))"] + .frames |
	       map(gsub(";"; ":")) | join(";")) + " \(.count)"' "$dir/p/report.json" > "$dir/p.folded"
	diff <(merged "$dir/p.folded") "$dir/ss.folded"
	# memory.json: by process, in bytes, its --weight
	"$PERFSCOPE" memory-profile -q -o "$dir/m" -- "$WL/memwork" leak 3000
	"$PERFSCOPE" flamegraph -f speedscope -w leaked -o "$dir/m.json" "$dir/m/memory.json"
	speedscope "$dir/m.json"
	jq -e --slurpfile r "$dir/m/memory.json" '(.profiles | length) == 1 and .profiles[0].unit == "bytes" and
	       (.profiles[0].name | test("^memwork \\(pid [0-9]+\\)$")) and
	       .profiles[0].endValue == $r[0].summary.lost.bytes' "$dir/m.json"
	grep -q ';leak_n 3000$' "$dir/ss.folded"
}

@test "in headless Chromium: no errors, hover, click to zoom, search, reset" {
	need_browser
	"$PERFSCOPE" flamegraph -o "$dir/k.svg" "$dir/k.folded"
	shot="${SCREENSHOT_DIR:-$dir}/flamegraph.png"
	node "$BATS_TEST_DIRNAME/browser/flamegraph-check.mjs" "$dir/k.svg" a b '^(a|c)$' "$shot" > "$dir/page.json"
	page() {
		jq -e "$1" "$dir/page.json" >/dev/null || { echo "failed: $1"; jq -c . "$dir/page.json"; return 1; }
	}
	# loaded with nothing on the console and nothing fetched
	page '.errors == [] and .frames == 6'
	page '.hover == "a (60 samples, 60.00%)"'
	# b (40%) clicked: it fills the 1,180 px, c (10 of its 40) a quarter,
	# its callers stay under it, a is hidden, Reset zoom appears
	page '[.zoomed[] | {key: .name, value: .}] | from_entries |
	      .b.width == 1180 and .c.width == 295 and .c.shown and (.a.shown | not) and
	      .main.shown and .main.width == 1180 and .b.label == "b"'
	page '.unzoomVisible == "1"'
	# search: a and c, 60% + 10%, painted purple
	page '.matched == "Matched: 70.00%" and (.highlighted | sort) == ["a", "c"]'
	# reset: the first widths again
	page '[.reset[] | {key: .name, value: .}] | from_entries |
	      .a.shown and .a.width == 708 and .b.width == 472 and .c.width == 118'
	[ "$(stat -c %s "$shot")" -gt 5000 ]
}

@test "in headless Chromium: a real profile's graph, and a search shares nested matches once" {
	need_browser
	require_perf
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$dir/cpu.svg" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	frames "$dir/cpu.svg"
	# leaf_thirty's share is the one cpusplit measured
	assert_share leaf_thirty "$(box_samples leaf_thirty)" "$(jq .total "$dir/frames.json")" "$(truth_share leaf_thirty)"
	node "$BATS_TEST_DIRNAME/browser/flamegraph-check.mjs" "$dir/cpu.svg" leaf_ten path_b 'path_b|mid_b|leaf_thirty' \
		"$dir/cpu.png" > "$dir/page.json"
	# path_b, mid_b and leaf_thirty are one column: the search shares
	# path_b's boxes once, to the 0.01 point it prints
	share=$(box_samples path_b | awk -v t="$(jq .total "$dir/frames.json")" '{ print 100 * $1 / t }')
	jq -e --argjson share "$share" '.errors == [] and
	       (.matched | ltrimstr("Matched: ") | rtrimstr("%") | tonumber | . - $share | fabs <= 0.006) and
	       ([.zoomed[] | select(.name == "leaf_thirty") | .width] | max > 1100)' "$dir/page.json" >/dev/null ||
		{ echo "path_b: $share%"; jq -c . "$dir/page.json"; return 1; }
}
