#!/usr/bin/env bats
# perfscope diff: two folded files whose counts are known, compared.

load common

setup() {
	dir="$BATS_TEST_TMPDIR"
	printf 'app;main;a 60\napp;main;b 30\napp;main;b;c 10\napp;main;gone 0\n' > "$dir/old.folded"
	# d is new, a lost half, c grew; a repeated line is merged
	printf 'app;main;a 30\napp;main;b 30\napp;main;b;c 20\napp;main;b;c 20\napp;main;d 100\n\n' > "$dir/new.folded"
}

@test "functions by change of self share, with self and total shares" {
	run "$PERFSCOPE" diff "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"(100 samples) -> "*"(200 samples)" ]]
	# d +50 points, a -45, b -15 (total 40% -> 35%), c +10
	[[ "${lines[2]}" =~ ^\ +\+50\.00\ +d\ +self\ +0\.0%\ -\>\ +50\.0% ]]
	[[ "${lines[3]}" =~ ^\ +-45\.00\ +a\  ]]
	[[ "${lines[4]}" =~ -15\.00\ +b\ +self\ +30\.0%\ -\>\ +15\.0%\ +total\ +40\.0%\ -\>\ +35\.0% ]]
	[[ "${lines[5]}" =~ \+10\.00\ +c\  ]]
	run "$PERFSCOPE" diff --top 1 "$dir/old.folded" "$dir/new.folded"
	[ "${#lines[@]}" -eq 3 ]
}

@test "differential folded output: both counts per stack, one-sided stacks kept, --normalize" {
	run "$PERFSCOPE" diff -f folded "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'app;main;a 60 30\napp;main;b 30 30\napp;main;b;c 10 40\napp;main;d 0 100\napp;main;gone 0 0')" ]
	run "$PERFSCOPE" diff -f folded --normalize "$dir/old.folded" "$dir/new.folded"
	[[ "$output" == *"app;main;a 120 30"* && "$output" == *"app;main;b;c 20 40"* ]]
}

@test "JSON: samples and per-function counts" {
	"$PERFSCOPE" diff -f json -o "$dir/d.json" "$dir/old.folded" "$dir/new.folded"
	jq -e '.old_samples == 100 and .new_samples == 200 and .stacks == 5 and
	       (.functions[] | select(.name == "b") | [.old_self, .new_self, .old_total, .new_total] == [30, 30, 40, 70])' "$dir/d.json"
}

@test "two profiles of one program: no function moves by 10 points" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	"$PERFSCOPE" cpu-profile -F 499 -o "$dir/1.folded" -- "$WL/cpusplit" --seconds 1 2>/dev/null
	"$PERFSCOPE" cpu-profile -F 499 -o "$dir/2.folded" -- "$WL/cpusplit" --seconds 1 2>/dev/null
	"$PERFSCOPE" diff -f json -o "$dir/same.json" "$dir/1.folded" "$dir/2.folded"
	# no function's self share moved by 10 points between two identical
	# runs: with ~500 samples each, a 60% share differs between two runs by
	# 3.1 points (one standard deviation), so 10 is over 3 of them
	jq -e '.old_samples > 300 and .new_samples > 300 and ([.functions[] | .self_delta_pts | fabs] | max < 10)' "$dir/same.json"
}

@test "errors: a malformed line is named, a missing file, usage" {
	printf 'a;b 1\nnot a folded line\n' > "$dir/bad.folded"
	run "$PERFSCOPE" diff "$dir/old.folded" "$dir/bad.folded"
	[ "$status" -eq 6 ]
	[[ "$output" == *"$dir/bad.folded: line 2: expected"* ]]
	run "$PERFSCOPE" diff "$dir/old.folded" "$dir/none.folded"
	[ "$status" -eq 6 ]
	[[ "$output" == *"cannot read '$dir/none.folded'"* ]]
	run "$PERFSCOPE" diff "$dir/old.folded"
	[ "$status" -eq 2 ]
	run "$PERFSCOPE" diff -f png "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 2 ]
}

@test "reports: a profile's report.json and a memory.json hold the same stacks as their folded files" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	"$PERFSCOPE" profile -q -F 499 -o "$dir/p" -- "$WL/cpusplit" --seconds 0.5 > /dev/null
	run "$PERFSCOPE" diff -f folded "$dir/p/report.json" "$dir/p/cpu.folded"
	[ "$status" -eq 0 ]
	# every stack, with the same count on both sides
	[ "$(wc -l <<<"$output")" -eq "$(wc -l < "$dir/p/cpu.folded")" ]
	awk 'NF && $(NF - 1) != $NF { print "differs: " $0; bad = 1 } END { exit bad }' <<<"$output"
	"$PERFSCOPE" memory-profile -q -o "$dir/m1" -- "$WL/memwork" leak 1000
	"$PERFSCOPE" memory-profile -q -o "$dir/m2" -- "$WL/memwork" leak 3000
	for w in allocated:allocations leaked:leaks peak:peak temporary:temporary; do
		run "$PERFSCOPE" diff -f folded --weight "${w%%:*}" "$dir/m1/memory.json" "$dir/m1/${w#*:}.folded"
		[ "$status" -eq 0 ]
		awk 'NF && $(NF - 1) != $NF { print "differs: " $0; bad = 1 } END { exit bad }' <<<"$output"
	done
	# the leak that tripled, in bytes, at its site
	run "$PERFSCOPE" diff -f folded -w leaked "$dir/m1/memory.json" "$dir/m2/memory.json"
	[ "$output" = "memwork;_start;__libc_start_main;__libc_start_call_main;main;leak_n 1000 3000" ] ||
		{ echo "$output"; return 1; }
	run "$PERFSCOPE" diff "$dir/m1/memory.json" "$dir/m2/memory.json" -w leaked
	[[ "${lines[0]}" == *"(1000 bytes) -> "*"(3000 bytes)" ]]
	[[ "$output" == *"leak_n"*"(self 1000 -> 3000)"* ]]
}

@test "reports: a cpu-profile JSON report; other JSON and samples against bytes refused" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	"$PERFSCOPE" cpu-profile -q -F 499 -o "$dir/c.json" -- "$WL/cpusplit" --seconds 0.5 > /dev/null
	"$PERFSCOPE" diff -f json -o "$dir/d.json" "$dir/old.folded" "$dir/c.json"
	# its samples are all there, and leaf_sixty has about 60% of them
	jq -e --slurpfile c "$dir/c.json" '.unit == "samples" and .new_samples == ([$c[0].stacks[].count] | add) and
	       (.functions[] | select(.name == "leaf_sixty") | .new_self / $c[0].metadata.samples * 100 | . > 50 and . < 70)' "$dir/d.json"
	"$PERFSCOPE" memory-profile -q -o "$dir/m" -- "$WL/memwork" leak 1000
	run "$PERFSCOPE" diff "$dir/c.json" "$dir/m/memory.json"
	[ "$status" -eq 6 ]
	[[ "$output" == *"counts samples and '$dir/m/memory.json' counts bytes"* ]]
	echo '{"cpu_percent": 50}' > "$dir/metrics.json"
	run "$PERFSCOPE" diff "$dir/c.json" "$dir/metrics.json"
	[ "$status" -eq 6 ]
	[[ "$output" == *"metrics.json: not a perfscope report with stacks"* ]]
	echo '{"kind": "profile",' > "$dir/broken.json"
	run "$PERFSCOPE" diff "$dir/broken.json" "$dir/c.json"
	[ "$status" -eq 6 ]
	[[ "$output" == *"broken.json: line 2, column 1"* ]]
	run "$PERFSCOPE" diff -w huge "$dir/c.json" "$dir/c.json"
	[ "$status" -eq 2 ]
}

@test "--format svg: a differential flame graph, red where a share grew, blue where it shrank" {
	"$PERFSCOPE" diff -f svg -o "$dir/d.svg" "$dir/old.folded" "$dir/new.folded"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$dir/d.svg" > "$dir/frames.json"
	# NEW's widths (200 samples over 1,180 px); a 60% -> 15%, b 40% -> 35%,
	# c 10% -> 20%, d new at 50%; main and app all of both
	jq -e '[.frames[] | {key: .name, value: .}] | from_entries |
	       .a.kind == "shrank" and .b.kind == "shrank" and .c.kind == "grew" and .d.kind == "grew" and
	       .main.kind == "same" and .d.width == 590 and (.gone | not) and
	       (.a.title == "a (30 samples, 15.00%; before 60, 60.00%; -45.00 points)")' "$dir/frames.json" ||
		{ jq -c '.frames[] | [.name, .kind, .width, .title]' "$dir/frames.json"; return 1; }
	grep -q '<text id="title"[^>]*>Differential flame graph</text>' "$dir/d.svg"
	# the larger the change, the deeper the colour: d (+50 points, the
	# largest) the reddest, a (-45) nearly as blue, b (-5) pale
	grep -q 'd (100 samples[^<]*</title><rect[^>]*fill="rgb(255,55,55)"' "$dir/d.svg"
	grep -Eq 'a \(30 samples[^<]*</title><rect[^>]*fill="rgb\((7[0-9]),\1,255\)"' "$dir/d.svg"
	grep -Eq 'b \(70 samples[^<]*</title><rect[^>]*fill="rgb\((23[0-9]),\1,255\)"' "$dir/d.svg"
}
