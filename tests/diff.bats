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
	run "$PERFSCOPE" diff -f svg "$dir/old.folded" "$dir/new.folded"
	[ "$status" -eq 2 ]
}
