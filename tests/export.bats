#!/usr/bin/env bats
# cpu-profile --format pprof and --format perf-script, read back and held
# against the workloads' ground truth (shares within TOLERANCE_POINTS).
# pprof files are decoded by tests/helpers/pprofdump (protobuf-c), perf
# script text by fold_perf_script below; speedscope files are opened in
# speedscope itself (tests/browser/speedscope-check.mjs).
load common

setup() {
	PPROFDUMP="$HELPERS/pprofdump"
	[ -x "$PPROFDUMP" ] || { echo "build the helpers first (make helpers)"; return 1; }
}

# perf script text -> folded stacks "comm;outermost;...;leaf WEIGHT", one
# per block; WEIGHT is 1, or the block's period with "period" as $2.
fold_perf_script() {
	awk -v by="${2:-count}" '
		function flush() {
			if (comm == "") return
			line = comm
			for (i = n; i >= 1; i--) line = line ";" fr[i]
			print line, (by == "period" ? period : 1)
			comm = ""; n = 0
		}
		/^$/ { flush(); next }
		/^\t/ {
			# the symbol, without its offset, as the importers read it
			s = $0; sub(/^\t *[0-9a-f]+ /, "", s); sub(/ \([^ ]*\)$/, "", s)
			sub(/\+0x[0-9a-f]+$/, "", s)
			fr[++n] = s; next
		}
		{
			flush()
			comm = $0; sub(/ +[0-9]+\/[0-9]+ .*$/, "", comm)
			period = $(NF - 1)	# "... time: PERIOD event: "
		}
		END { flush() }' "$1"
}

# The number in the summary's "N samples".
summary_samples() {
	sed -n 's/.*): [0-9.]* s, \([0-9]*\) samples.*/\1/p' <<<"$1" | head -1
}

@test "--format pprof: gzip, a valid profile, the 60/30/10 split and every sample of the run" {
	require_perf
	out="$BATS_TEST_TMPDIR/cpu.pb.gz"
	# the format follows the extension
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"wrote $out (pprof)"* ]]
	samples=$(summary_samples "$output")
	[ "$samples" -ge 1000 ]
	[ "$(head -c 2 "$out" | od -An -tx1 | tr -d ' ')" = "1f8b" ]
	# pprofdump fails unless string_table[0] is "" and every id and string
	# index referenced exists
	"$PPROFDUMP" "$out" > "$BATS_TEST_TMPDIR/dump"
	grep -v '^#' "$BATS_TEST_TMPDIR/dump" > "$BATS_TEST_TMPDIR/folded"
	assert_folded_valid "$BATS_TEST_TMPDIR/folded"
	assert_cpusplit_shares "$BATS_TEST_TMPDIR/folded"
	total=$(folded_total "$BATS_TEST_TMPDIR/folded")
	assert_full_chains "$BATS_TEST_TMPDIR/folded" "main;path_a;leaf_sixty" "main;path_b;mid_b;leaf_thirty" \
		"main;path_c;leaf_ten"
	# every sample of the run, and CPU time = samples x period (1/999 s)
	[ "$total" -eq "$samples" ]
	grep -qx '# sample_types samples/count cpu/nanoseconds' "$BATS_TEST_TMPDIR/dump"
	grep -qx '# period_type cpu/nanoseconds' "$BATS_TEST_TMPDIR/dump"
	grep -qx '# period 1001001' "$BATS_TEST_TMPDIR/dump"
	grep -qx '# default_sample_type cpu' "$BATS_TEST_TMPDIR/dump"
	grep -qx "# total samples $samples" "$BATS_TEST_TMPDIR/dump"
	grep -qx "# total cpu $((samples * 1001001))" "$BATS_TEST_TMPDIR/dump"
	# a function has its source file; the program's mapping its build id
	grep -qE '^# function leaf_sixty .*cpusplit\.c$' "$BATS_TEST_TMPDIR/dump"
	build_id=$(readelf -n "$WL/cpusplit" | sed -n 's/.*Build ID: //p')
	[ -n "$build_id" ]
	grep -qx "# mapping $(readlink -f "$WL/cpusplit") $build_id" "$BATS_TEST_TMPDIR/dump"
	# started within the last minute, lasted about 2 s
	start=$(sed -n 's/^# time_nanos //p' "$BATS_TEST_TMPDIR/dump")
	now=$(date +%s%N)
	[ $((now - start)) -ge 0 ]
	[ $((now - start)) -lt 60000000000 ]
	dur=$(sed -n 's/^# duration_nanos //p' "$BATS_TEST_TMPDIR/dump")
	[ "$dur" -ge 1500000000 ]
	[ "$dur" -lt 10000000000 ]
}

@test "--format pprof: threads are labelled, inlined functions are lines of one location" {
	require_perf
	out="$BATS_TEST_TMPDIR/t.pb.gz"
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$out" -- "$WL/threads" --seconds 1
	[ "$status" -eq 0 ]
	"$PPROFDUMP" -t "$out" | grep -v '^#' > "$BATS_TEST_TMPDIR/t.folded"
	heavy=$(awk '/^threads;worker-heavy;.*;heavy_work / { t += $NF } END { print t + 0 }' "$BATS_TEST_TMPDIR/t.folded")
	light=$(awk '/^threads;worker-light;.*;light_work / { t += $NF } END { print t + 0 }' "$BATS_TEST_TMPDIR/t.folded")
	[ "$heavy" -gt 200 ]
	[ "$light" -gt 20 ]
	[ "$(grep -c 'worker-heavy;.*light_work' "$BATS_TEST_TMPDIR/t.folded")" -eq 0 ]
	# inline_hot is inlined into outer_caller: one location, innermost line first
	run "$PERFSCOPE" cpu-profile -q -F 999 --format pprof -o "$BATS_TEST_TMPDIR/i.out" -- "$HELPERS/inlined" --seconds 1
	[ "$status" -eq 0 ]
	"$PPROFDUMP" "$BATS_TEST_TMPDIR/i.out" > "$BATS_TEST_TMPDIR/i.dump"
	grep -qx '# inline_location inline_hot outer_caller' "$BATS_TEST_TMPDIR/i.dump"
	grep -v '^#' "$BATS_TEST_TMPDIR/i.dump" > "$BATS_TEST_TMPDIR/i.folded"
	total=$(folded_total "$BATS_TEST_TMPDIR/i.folded")
	[ "$(chain_samples "$BATS_TEST_TMPDIR/i.folded" "main;outer_caller;inline_hot_[i]")" -ge $((total * 90 / 100)) ]
}

@test "--format pprof: the wire format's field numbers, read without our .proto" {
	require_perf
	command -v protoc-c >/dev/null || skip "protoc-c (protobuf-c-compiler) not installed"
	out="$BATS_TEST_TMPDIR/raw.pb.gz"
	run "$PERFSCOPE" cpu-profile -q -F 299 -o "$out" -- "$WL/cpusplit" --seconds 0.5
	[ "$status" -eq 0 ]
	# decode_raw knows only numbers: 6 is string_table (its first entry
	# empty), 1 sample_type {type, unit}, 11 period_type, 12 period, 14
	# default_sample_type, as in pprof's profile.proto
	raw=$(gzip -dc "$out" | protoc-c --decode_raw)
	[ "$(grep -m1 '^6: ' <<<"$raw")" = '6: ""' ]
	grep -q '^6: "samples"$' <<<"$raw"
	grep -q '^6: "nanoseconds"$' <<<"$raw"
	grep -qx '12: 3344481' <<<"$raw"
	grep -q '^14: [0-9]' <<<"$raw"
	grep -q '^11 {$' <<<"$raw"
}

@test "--format pprof: written through a temporary file; an unwritable place is exit 5, no file" {
	require_perf
	d="$BATS_TEST_TMPDIR/out"
	mkdir "$d"
	run "$PERFSCOPE" cpu-profile -q -F 99 -o "$d/x.pb.gz" -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	# only the file: no temporary left beside it
	[ "$(ls -A "$d")" = "x.pb.gz" ]
	run "$PERFSCOPE" cpu-profile -q -F 99 -o "$d/missing/x.pb.gz" -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 5 ]
	[[ "$output" == *"cannot write '$d/missing/x.pb.gz'"* ]]
	[ ! -e "$d/missing" ]
	# a directory the user cannot write (as nobody: root writes anywhere)
	if [ "$(id -u)" -eq 0 ]; then
		require_nobody "$PERFSCOPE" "$WL/cpusplit"
		chmod 755 "$d"
		run as_nobody "$PERFSCOPE" cpu-profile -q -F 99 -o "$d/y.pb.gz" -- "$WL/cpusplit" --seconds 0.2
		rm -rf "$nobody_dir"
		[ "$status" -eq 5 ]
		[ "$(ls -A "$d")" = "x.pb.gz" ]
	fi
}

@test "--format perf-script: perf script's layout, a block per sample, the 60/30/10 split" {
	require_perf
	out="$BATS_TEST_TMPDIR/cpu.perf-script"
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"wrote $out (perf-script)"* ]]
	samples=$(summary_samples "$output")
	# headers: "comm pid/tid secs.usecs: period event: ", as perf script
	# prints them; frames: tab, address right-aligned in 16, symbol, (module)
	header='^[^ \t].* +[0-9]+/[0-9]+ +[0-9]+\.[0-9]{6}: +[0-9]+ [a-z-]+: $'
	frame=$'^\t {0,15}[0-9a-f]{1,16} .+ \\([^ ]*\\)$'
	bad=$(grep -vE "$header" "$out" | grep -vE "$frame" | grep -v '^$' | head -3)
	[ -z "$bad" ] || { echo "unexpected lines: $bad"; return 1; }
	[ "$(grep -cE "$header" "$out")" -eq "$samples" ]
	# each block ends with a blank line
	[ "$(grep -c '^$' "$out")" -eq "$samples" ]
	grep -qE '^cpusplit +[0-9]+/[0-9]+ +[0-9]+\.[0-9]{6}:    1001001 (cycles|cpu-clock): $' "$out"
	grep -qE $'^\t +[0-9a-f]+ leaf_sixty\\+0x[0-9a-f]+ \\('"$(readlink -f "$WL/cpusplit")"'\)$' "$out"
	# a function's frame has its offset, as perf prints it: the leaf's is
	# its address less the function's start (nm)
	start=$(nm "$WL/cpusplit" | awk '$3 == "leaf_sixty" { print $1 }')
	line=$(grep -m1 -E $'^\t +[0-9a-f]+ leaf_sixty\\+0x' "$out")
	addr=$(awk '{ print $1 }' <<<"$line")
	off=$(sed 's/.*+0x\([0-9a-f]*\) .*/\1/' <<<"$line")
	[ $((16#$addr - 16#$start)) -eq $((16#$off)) ]
	fold_perf_script "$out" > "$BATS_TEST_TMPDIR/folded"
	assert_folded_valid "$BATS_TEST_TMPDIR/folded"
	assert_cpusplit_shares "$BATS_TEST_TMPDIR/folded"
	total=$(folded_total "$BATS_TEST_TMPDIR/folded")
	[ "$total" -eq "$samples" ]
	assert_full_chains "$BATS_TEST_TMPDIR/folded" "main;path_a;leaf_sixty"
	# each thread's times run forward, one period apart
	awk '/^[^\t]/ && NF { t = $0; sub(/^.* ([0-9]+\.[0-9]+): .*$/, "\\1", t);
	      if (prev != "" && t + 0 < prev + 0) exit 1; prev = t }' "$out"
}

@test "the header shape is the one perf script prints on this machine" {
	command -v perf >/dev/null || skip "perf (linux-perf) not installed"
	cd "$BATS_TEST_TMPDIR"
	perf record -q -g -F 99 -o perf.data -- "$WL/cpusplit" --seconds 0.3 >/dev/null 2>&1 ||
		skip "perf record is refused here"
	perf script -i perf.data -F comm,pid,tid,time,period,event,ip,sym,dso 2>/dev/null > real.txt
	[ -s real.txt ] || skip "perf recorded no samples"
	header='^[^ \t].* +[0-9]+/[0-9]+ +[0-9]+\.[0-9]{6}: +[0-9]+ [a-z:-]+: $'
	frame=$'^\t {0,15}[0-9a-f]{1,16} .+ \\([^ ]*\\)$'
	[ "$(grep -cE "$header" real.txt)" -gt 0 ]
	bad=$(grep -vE "$header" real.txt | grep -vE "$frame" | grep -v '^$' | head -3)
	[ -z "$bad" ] || { echo "perf prints lines we do not expect: $bad"; return 1; }
}

@test "--format perf-script: past the bound, stacks are merged and the periods still add up" {
	require_perf
	out="$BATS_TEST_TMPDIR/cpu.perf.txt"
	# .perf.txt is inferred too
	PERFSCOPE_PERF_SCRIPT_MAX_SAMPLES=100 run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ]
	[[ "$output" == *"(perf-script)"* ]]
	samples=$(summary_samples "$output")
	[ "$samples" -ge 1000 ]
	blocks=$(grep -c '^$' "$out")
	# unique stacks: distinct frame lists, addresses included
	stacks=$(awk '/^\t/ { body = body $0 "|"; next } /^$/ { print body; body = "" }' "$out" | sort -u | wc -l)
	# merged by m = ceil(samples / 100): at most 100 blocks, plus one per
	# unique stack for the rounding up
	[ "$blocks" -lt "$samples" ]
	[ "$blocks" -le $((100 + stacks)) ]
	fold_perf_script "$out" period > "$BATS_TEST_TMPDIR/by_period"
	[ "$(folded_total "$BATS_TEST_TMPDIR/by_period")" -eq $((samples * 1001001)) ]
	# weighed by period, the split is the run's own
	awk '{ $NF = int($NF / 1001001 + 0.5); print }' "$BATS_TEST_TMPDIR/by_period" > "$BATS_TEST_TMPDIR/weighed"
	assert_cpusplit_shares "$BATS_TEST_TMPDIR/weighed"
}

# sandwich FILE: the Sandwich view's functions as speedscope computes them,
# worked out here from FILE's first profile: {name: {self, total}}
sandwich() {
	jq '.shared.frames as $f | .profiles[0] as $p |
	    reduce range(0; $p.samples | length) as $i ({};
	        ($p.samples[$i] | map($f[.].name)) as $names | $p.weights[$i] as $w |
	        (if ($names | length) > 0 then .[$names[-1]].self += $w else . end) |
	        reduce ($names | unique[]) as $n (.; .[$n].total += $w))' "$1"
}

@test "in speedscope itself: cpusplit's speedscope file opens with no errors, its split in the Sandwich view" {
	need_browser speedscope
	require_perf
	out="$BATS_TEST_TMPDIR/cpu.speedscope.json"
	"$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2 > "$BATS_TEST_TMPDIR/run.out"
	shot="${SCREENSHOT_DIR:-$BATS_TEST_TMPDIR}/speedscope.png"
	node "$BATS_TEST_DIRNAME/browser/speedscope-check.mjs" "$out" "$shot" > "$BATS_TEST_TMPDIR/app.json"
	sandwich "$out" > "$BATS_TEST_TMPDIR/expected.json"
	app() {
		jq -e --slurpfile f "$out" --slurpfile x "$BATS_TEST_TMPDIR/expected.json" \
			'($f[0]) as $f | ($x[0]) as $x | '"$1" "$BATS_TEST_TMPDIR/app.json" >/dev/null ||
			{ echo "failed: $1"; jq -c . "$BATS_TEST_TMPDIR/app.json" | head -c 3000; return 1; }
	}
	# loaded: nothing on the console, nothing fetched, the file's and the thread's names shown
	app '.errors == []'
	app '.title == "\($f.name) - speedscope" and .profile == $f.profiles[0].name and
	     (.profile | test("^cpusplit \\(pid [0-9]+, tid [0-9]+\\)$"))'
	# every function of the profile, with the self and total samples of our weights
	app '(.rows | length) == ($x | length) and
	     all(.rows[]; ($x[.name].self // 0) == .self and $x[.name].total == .total)'
	# the leaves' self shares of the whole (its endValue): the CPU time the
	# program measured in them
	all=$(jq '.profiles[0].endValue' "$out")
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		assert_share "$leaf" "$(jq --arg l "$leaf" '.rows[] | select(.name == $l) | .self' "$BATS_TEST_TMPDIR/app.json")" \
			"$all" "$(truth_share "$leaf" "$(cat "$BATS_TEST_TMPDIR/run.out")")"
	done
	# shown as a person reads them: the heaviest first, with its file
	app '.rows[0].name == "leaf_sixty" and (.rows[0].file | endswith("cpusplit.c")) and
	     (.rows[0].selfPct - 100 * .rows[0].self / $f.profiles[0].endValue | fabs) < 1'
	[ "$(stat -c %s "$shot")" -gt 20000 ]
	# the schema the other tests validate against is this app's own
	cmp "$BATS_TEST_DIRNAME/speedscope-file-format-schema.json" \
		"$BATS_TEST_DIRNAME/browser/node_modules/speedscope/dist/release/file-format-schema.json"
}

@test "in speedscope itself: flamegraph's speedscope file of any tool's folded stacks, names as written" {
	need_browser speedscope
	# and counts shown as "100,000 (>99%)" and "2 (<0.01%)"
	printf '%s\n' 'app;main;std::vector<int>::push_back(int const&) 7' 'app;main;say "hi";<b>x</b> 5' \
		'app;main;café 3' 'app;main 2' 'big;one 100000' > "$BATS_TEST_TMPDIR/in.folded"
	"$PERFSCOPE" flamegraph -o "$BATS_TEST_TMPDIR/in.speedscope.json" "$BATS_TEST_TMPDIR/in.folded"
	node "$BATS_TEST_DIRNAME/browser/speedscope-check.mjs" "$BATS_TEST_TMPDIR/in.speedscope.json" \
		> "$BATS_TEST_TMPDIR/app.json"
	jq -e '.errors == [] and .title == "in.folded - speedscope" and .profile == "in.folded" and
	       ([.rows[] | [.name, .self, .total]] | sort) == ([["app", 0, 17], ["main", 2, 17],
	        ["std::vector<int>::push_back(int const&)", 7, 7], ["say \"hi\"", 0, 5], ["<b>x</b>", 5, 5],
	        ["café", 3, 3], ["big", 0, 100000], ["one", 100000, 100000]] | sort)' "$BATS_TEST_TMPDIR/app.json" ||
		{ jq -c . "$BATS_TEST_TMPDIR/app.json"; return 1; }
}
