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
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[2]}" =~ ^\ +\+50\.00\ +d\  ]]
}

@test "differential folded output: both counts per stack, one-sided stacks kept, --normalize" {
	run "$PERFSCOPE" diff -f folded "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'app;main;a 60 30\napp;main;b 30 30\napp;main;b;c 10 40\napp;main;d 0 100\napp;main;gone 0 0')" ]
	run "$PERFSCOPE" diff -f folded --normalize "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 0 ]
	# OLD's counts scaled to NEW's 200 samples
	[ "$output" = "$(printf 'app;main;a 120 30\napp;main;b 60 30\napp;main;b;c 20 40\napp;main;d 0 100\napp;main;gone 0 0')" ]
}

@test "JSON: samples and per-function counts" {
	"$PERFSCOPE" diff -f json -o "$dir/d.json" "$dir/old.folded" "$dir/new.folded"
	jq -e '.old_samples == 100 and .new_samples == 200 and .stacks == 5' "$dir/d.json" >/dev/null
	jq -e '[.functions[] | select(.name == "b") | [.old_self, .new_self, .old_total, .new_total]] == [[30, 30, 40, 70]]' "$dir/d.json"
}

@test "two profiles of one program: no function moves further than sampling explains" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$dir/1.folded" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	truth1=$output
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$dir/2.folded" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	"$PERFSCOPE" diff -f json -o "$dir/same.json" "$dir/1.folded" "$dir/2.folded"
	# each function's self share moved by what the two runs measured of
	# it (the leaves; nothing for the others), within 4 standard deviations
	# of the difference of two binomial shares of ~500 samples each (about
	# 12 points for a 60% share) plus twice SHARE_SLACK_POINTS
	expected=$(for leaf in leaf_sixty leaf_thirty leaf_ten; do
		printf '%s %s %s\n' "$leaf" "$(truth_share "$leaf" "$truth1")" "$(truth_share "$leaf")"
	done | jq -R -s -c '[split("\n")[] | select(. != "") | split(" ") | {key: .[0], value: (((.[2] | tonumber) - (.[1] | tonumber)) * 100)}] | from_entries')
	jq -e --argjson want "$expected" --argjson slack "$SHARE_SLACK_POINTS" '.old_samples as $n1 | .new_samples as $n2 |
	       $n1 > 300 and $n2 > 300 and ([.functions[] | .name] | contains(["leaf_sixty", "leaf_thirty", "leaf_ten"])) and
	       all(.functions[]; ((.old_self + .new_self) / ($n1 + $n2)) as $p |
	           (.self_delta_pts - ($want[.name] // 0) | fabs) <= 400 * ($p * (1 - $p) * (1 / $n1 + 1 / $n2) | sqrt) + 2 * $slack)' \
		"$dir/same.json" >/dev/null ||
		{ echo "expected moves: $expected"; jq -c '[.old_samples, .new_samples, (.functions[] | [.name, .old_self, .new_self, .self_delta_pts])]' "$dir/same.json"; return 1; }
}

@test "an -O0 and an -O2 build: a function inlined in one is the same function in both" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	cat > "$dir/bubble.c" <<'EOF'
#include <stdlib.h>
#include <time.h>
static int compare(const int *a, const int *b)
{
	return (unsigned)*a * 2654435761u >> 7 < (unsigned)*b * 2654435761u >> 7;
}
__attribute__((noinline)) static unsigned pass(int *v, int n)
{
	unsigned swaps = 0;
	for (int i = 0; i + 1 < n; i++)
		if (compare(&v[i + 1], &v[i])) {
			int t = v[i]; v[i] = v[i + 1]; v[i + 1] = t; swaps++;
		}
	return swaps;
}
int main(void)
{
	static int v[4096];
	clock_t end = clock() + CLOCKS_PER_SEC * 6 / 10;
	unsigned s = 0;
	for (int i = 0; i < 4096; i++)
		v[i] = rand();
	while (clock() < end)
		for (int k = 0; k < 200; k++)
			s += pass(v, 4096);
	return s == 12345;
}
EOF
	gcc -O0 -g -o "$dir/bubble-O0" "$dir/bubble.c"
	gcc -O2 -g -o "$dir/bubble-O2" "$dir/bubble.c"
	"$PERFSCOPE" cpu-profile -q -F 499 -o "$dir/O0.folded" -- "$dir/bubble-O0"
	"$PERFSCOPE" cpu-profile -q -F 499 -o "$dir/O2.folded" -- "$dir/bubble-O2"
	# the premise: compare() is its own function at -O0 and inlined at -O2
	grep -q ';pass;compare [0-9]*$' "$dir/O0.folded"
	grep -q ';pass;compare_\[i\] [0-9]*$' "$dir/O2.folded"
	"$PERFSCOPE" diff -f json -o "$dir/opt.json" "$dir/O0.folded" "$dir/O2.folded"
	# one function "compare", with samples on both sides; no "compare_[i]"
	jq -e '[.functions[] | select(.name | startswith("compare"))] | length == 1 and .[0].name == "compare" and
	       .[0].old_self > 0 and .[0].new_self > 0 and .[0].old_inlined_self == 0 and
	       .[0].new_inlined_self == .[0].new_self' "$dir/opt.json" >/dev/null ||
		{ jq -c '[.functions[] | [.name, .old_self, .new_self, .self_delta_pts]]' "$dir/opt.json"; return 1; }
	# the text says how much of it was inlined on each side
	run "$PERFSCOPE" diff "$dir/O0.folded" "$dir/O2.folded"
	[ "$status" -eq 0 ]
	grep -E '^ +[-+][0-9.]+  compare +self .*  inlined +0\.0% -> +[0-9.]+%$' <<<"$output" || { echo "$output"; return 1; }
	# so its change is less than its whole -O0 share (taken as two functions it fell by all of it)
	jq -e '.old_samples as $n | .functions[] | select(.name == "compare") |
	       (.self_delta_pts | fabs) < 100 * .old_self / $n' "$dir/opt.json" >/dev/null ||
		{ jq -c '[.old_samples, (.functions[] | [.name, .old_self, .new_self, .self_delta_pts])]' "$dir/opt.json"; return 1; }
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
	[[ "$output" == *"perfscope diff: give two folded files or reports, OLD and NEW"* ]]
	run "$PERFSCOPE" diff -f png "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--format is text, folded, json or svg, not 'png'"* ]]
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
		[ "$(grep -c . <<<"$output")" -eq "$(grep -c . "$dir/m1/${w#*:}.folded")" ] || { echo "$w: $output"; return 1; }
		awk 'NF && $(NF - 1) != $NF { print "differs: " $0; bad = 1 } END { exit bad }' <<<"$output"
	done
	# the leak that tripled, in bytes, at its site
	run "$PERFSCOPE" diff -f folded -w leaked "$dir/m1/memory.json" "$dir/m2/memory.json"
	[ "$status" -eq 0 ]
	[ "$output" = "memwork;_start;__libc_start_main;__libc_start_call_main;main;leak_n 1000 3000" ] ||
		{ echo "$output"; return 1; }
	run "$PERFSCOPE" diff "$dir/m1/memory.json" "$dir/m2/memory.json" -w leaked
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"(1000 bytes) -> "*"(3000 bytes)" ]]
	[[ "$output" == *"leak_n"*"(self 1000 -> 3000)"* ]]
}

@test "reports: a cpu-profile JSON report; other JSON and samples against bytes refused" {
	[ "$(id -u)" -eq 0 ] || skip "needs perf_event_open"
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$dir/c.json" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	"$PERFSCOPE" diff -f json -o "$dir/d.json" "$dir/old.folded" "$dir/c.json"
	# its samples are all there, and leaf_sixty has the share of them
	# that cpusplit measured of its CPU time (~1,000 samples: within 6.7
	# points)
	jq -e --slurpfile c "$dir/c.json" '.unit == "samples" and .new_samples == ([$c[0].stacks[].count] | add) and
	       .new_samples == $c[0].metadata.samples' "$dir/d.json" >/dev/null
	assert_share leaf_sixty "$(jq '[.functions[] | select(.name == "leaf_sixty") | .new_self] | add' "$dir/d.json")" \
		"$(jq .new_samples "$dir/d.json")" "$(truth_share leaf_sixty)"
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
	[[ "$output" == *"--weight is allocated, leaked, peak or temporary, not 'huge'"* ]]
}

@test "--format svg: a differential flame graph, red where a share grew, blue where it shrank" {
	"$PERFSCOPE" diff -f svg -o "$dir/d.svg" "$dir/old.folded" "$dir/new.folded"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/svg_frames.py" "$dir/d.svg" > "$dir/frames.json"
	# NEW's widths (200 samples over 1,180 px); a 60% -> 15%, b 40% -> 35%,
	# c 10% -> 20%, d new at 50%; main and app all of both
	jq -e '.total == 200 and ([.frames[] | {key: .name, value: .}] | from_entries |
	       .a.kind == "shrank" and .b.kind == "shrank" and .c.kind == "grew" and .d.kind == "grew" and
	       .main.kind == "same" and (.gone | not) and
	       ([.a, .b, .c, .d, .main] | map([.value, .width])) == [[30, 177], [70, 413], [40, 236], [100, 590], [200, 1180]] and
	       (.a.title == "a (30 samples, 15.00%; before 60, 60.00%; -45.00 points)"))' "$dir/frames.json" >/dev/null ||
		{ jq -c '.frames[] | [.name, .kind, .width, .title]' "$dir/frames.json"; return 1; }
	grep -q '<text id="title"[^>]*>Differential flame graph</text>' "$dir/d.svg"
	# the larger the change, the deeper the colour: d (+50 points, the
	# largest) the reddest, a (-45) nearly as blue, b (-5) pale
	grep -q 'd (100 samples[^<]*</title><rect[^>]*fill="rgb(255,55,55)"' "$dir/d.svg"
	grep -Eq 'a \(30 samples[^<]*</title><rect[^>]*fill="rgb\((7[0-9]),\1,255\)"' "$dir/d.svg"
	grep -Eq 'b \(70 samples[^<]*</title><rect[^>]*fill="rgb\((23[0-9]),\1,255\)"' "$dir/d.svg"
}
