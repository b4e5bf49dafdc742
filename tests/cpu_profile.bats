#!/usr/bin/env bats
# perfscope cpu-profile against workloads whose CPU behaviour is known.
# Shares are checked against what the workload measured of itself (its
# wl-truth line), within 4 binomial standard deviations of the sample count
# (assert_share in common.bash).
load common

setup() {
	require_perf
	out="$BATS_TEST_TMPDIR/out.folded"
}

@test "60/30/10 split between three leaves, each through its own chain (PIE)" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ]
	assert_folded_valid "$out"
	[ "$(folded_total "$out")" -ge 1000 ]
	assert_cpusplit_shares "$out"
	# nearly every sample of each leaf comes with its full chain from main
	assert_full_chains "$out" "main;path_a;leaf_sixty" "main;path_b;mid_b;leaf_thirty" "main;path_c;leaf_ten"
	# every line starts with the process name
	[ -z "$(grep -v '^cpusplit;' "$out")" ]
}

@test "60/30/10 split in a non-PIE executable" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit-nopie" --seconds 2
	[ "$status" -eq 0 ]
	assert_cpusplit_shares "$out"
}

@test "a 40-deep recursion is reconstructed frame by frame" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/recursion" --seconds 1
	[ "$status" -eq 0 ]
	chain="main"
	for i in $(seq 40); do chain="$chain;recurse"; done
	chain="$chain;recursion_leaf"
	total=$(folded_total "$out")
	[ "$(chain_samples "$out" "$chain")" -ge $((total * 90 / 100)) ]
	# and not deeper than 40: no 41st level
	[ "$(chain_samples "$out" "recurse;$(printf 'recurse;%.0s' $(seq 40))recursion_leaf")" -eq 0 ]
}

@test "threads are attributed by name (--per-thread)" {
	run "$PERFSCOPE" cpu-profile -F 999 --per-thread -o "$out" -- "$WL/threads" --seconds 2
	[ "$status" -eq 0 ]
	heavy=$(chain_samples "$out" worker-heavy)
	light=$(chain_samples "$out" worker-light)
	# heavy burns a whole CPU, light about a quarter of one: light's part of
	# the two is what the threads measured of their CPU time
	[ "$heavy" -gt 1000 ]
	[ "$light" -gt 100 ]
	assert_part_ratio worker-light "$light" worker-heavy "$heavy"
	# and each thread's samples are in its own work function
	[ "$(awk '/^threads;worker-heavy;.*;heavy_work / { t += $NF } END { print t + 0 }' "$out")" -ge $((heavy * 95 / 100)) ]
	[ "$(awk '/^threads;worker-light;.*;light_work / { t += $NF } END { print t + 0 }' "$out")" -ge $((light * 80 / 100)) ]
	# no thread's work is attributed to the other
	[ "$(grep -c 'worker-heavy;.*light_work' "$out")" -eq 0 ]
	[ "$(grep -c 'worker-light;.*heavy_work' "$out")" -eq 0 ]
}

@test "hot code in a shared library and in a dlopen'ed plugin is named" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/dlmain" --seconds 2
	[ "$status" -eq 0 ]
	assert_self_share "$out" hot_in_library
	assert_self_share "$out" hot_in_plugin
	# no frame of the program or its libraries is left unnamed ([module+0xoffset])
	unnamed=$(grep -c '\[[^];]*+0x[0-9a-f]*\]' "$out") || true
	[ "$unnamed" -eq 0 ] || { grep '\[[^];]*+0x' "$out" | head >&2; return 1; }
}

@test "the JSON report names the modules of library and plugin functions" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -F 499 -o "$json" -- "$WL/dlmain" --seconds 1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.functions[] | select(.name == "hot_in_library") | .module' "$json")" = "$(readlink -f "$WL/libhot.so")" ]
	[ "$(jq -r '.functions[] | select(.name == "hot_in_plugin") | .module' "$json")" = "$(readlink -f "$WL/plugin.so")" ]
	[[ "$(jq -r '.functions[] | select(.name == "hot_in_plugin") | .file' "$json")" == *plugin.c ]]
}

@test "a forked worker's samples are present" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/forker" --seconds 2
	[ "$status" -eq 0 ]
	child=$(chain_samples "$out" "child_burn")
	parent=$(chain_samples "$out" "parent_burn")
	# the child burns for 2 s of CPU, the parent for 1 s: each at its share
	# of the two processes' CPU time
	[ "$child" -gt 1000 ]
	[ "$parent" -gt 500 ]
	assert_self_share "$out" child_burn
	assert_self_share "$out" parent_burn
}

@test "the first milliseconds of a short-lived program are profiled" {
	run "$PERFSCOPE" cpu-profile -F 4999 -o "$out" -- "$WL/shortlived"
	[ "$status" -eq 0 ]
	# early_work burns 30 ms of CPU from the start of main: ~150 samples at
	# 4999 Hz, as many as its measured CPU time makes
	assert_sample_count early_work "$(chain_samples "$out" "early_work")" \
		"$(truth_seconds early_work)" 4999
}

@test "inlined functions get frames of their own, marked _[i]" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$HELPERS/inlined" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	[ "$(chain_samples "$out" "main;outer_caller;inline_hot_[i]")" -ge $((total * 90 / 100)) ]
	# inlined into an inlined function: both frames, outermost first, and
	# the function they are in keeps its own file
	json="$BATS_TEST_TMPDIR/nested.json"
	run "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$HELPERS/inlined" --seconds 1 --nested
	[ "$status" -eq 0 ]
	jq -e '([.stacks[] | select(.frames | join(";") | test("(^|;)main;nested_caller;inline_middle_\\[i\\];inline_hot_\\[i\\]$")) | .count] | add)
		>= 0.9 * .metadata.samples' "$json"
	jq -e '[.functions[] | select(.name == "nested_caller" or .name == "main") | .file | endswith("inlined.c")] == [true, true]' "$json"
}

@test "kernel frames are recorded and marked _[k]; --no-kernel drops them" {
	if [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ] && [ "$(id -u)" -ne 0 ]; then
		skip "kernel frames need perf_event_paranoid <= 1 or root"
	fi
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/syscalls" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	kern=$(awk '/_\[k\] [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	[ "$kern" -ge $((total / 2)) ]
	# kernel frames sit below the user frames that made the system call:
	# no user frame ever follows a kernel frame
	[ -z "$(grep -E '_\[k\];[^;]*[^]];' "$out" | grep -vE '_\[k\](;[^;]+_\[k\])* [0-9]+$')" ]
	[ "$(chain_samples "$out" "main")" -ge $((total * 9 / 10)) ]
	run "$PERFSCOPE" cpu-profile -F 999 --no-kernel -o "$out" -- "$WL/syscalls" --seconds 1
	[ "$status" -eq 0 ]
	[ "$(grep -c '_\[k\]' "$out")" -eq 0 ]
}

@test "an address without a symbol is shown as [module+0xoffset]" {
	cp "$WL/cpusplit" "$BATS_TEST_TMPDIR/stripped"
	strip --strip-all "$BATS_TEST_TMPDIR/stripped"
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$BATS_TEST_TMPDIR/stripped" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	unnamed=$(awk '/;\[stripped\+0x[0-9a-f]+\] [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	[ "$unnamed" -ge $((total * 9 / 10)) ]
}

@test "JSON output: metadata, functions and stacks agree with the samples" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ]
	jq -e '.kind == "cpu-profile" and .metadata.frequency == 999' "$json"
	jq -e '.metadata.event == "cycles" or .metadata.event == "cpu-clock"' "$json"
	jq -e '.metadata.command == ["'"$WL/cpusplit"'", "--seconds", "1"]' "$json"
	jq -e '.metadata.exit_code == 0 and .metadata.lost_samples == 0' "$json"
	jq -e '.metadata.stack_completeness >= 0.95' "$json"
	samples=$(jq '.metadata.samples' "$json")
	[ "$(jq '[.stacks[].count] | add' "$json")" -eq "$samples" ]
	[ "$(jq '[.threads[].samples] | add' "$json")" -eq "$samples" ]
	[ "$(jq '[.processes[].samples] | add' "$json")" -eq "$samples" ]
	sixty=$(jq '.functions[] | select(.name == "leaf_sixty") | .self' "$json")
	assert_share leaf_sixty "$sixty" "$samples" "$(truth_share leaf_sixty)"
	# and self_pct says the same
	jq -e --argjson n "$sixty" --argjson s "$samples" \
		'.functions[] | select(.name == "leaf_sixty") | (.self_pct - 100 * $n / $s) | fabs < 0.01' "$json"
	jq -e '.functions[] | select(.name == "main") | .total_pct > 95' "$json"
	jq -e '.functions[] | select(.name == "leaf_sixty") | .file | endswith("cpusplit.c")' "$json"
	jq -e '.functions[] | select(.name == "leaf_sixty") | .line > 0' "$json"
}

@test "--format json overrides the extension; .json infers json" {
	run "$PERFSCOPE" cpu-profile -q --format json -o "$BATS_TEST_TMPDIR/x.txt" -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	jq -e .metadata "$BATS_TEST_TMPDIR/x.txt"
}

@test "default output file is named after the command and pid, in the current directory" {
	cd "$BATS_TEST_TMPDIR"
	run "$PERFSCOPE" cpu-profile -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	f=$(ls perfscope-cpusplit-*.folded)
	[ -s "$f" ]
	[[ "$output" == *"wrote $f"* ]]
	[[ "$output" == *"top functions by self time"* ]]
}

@test "the summary on stderr names the top functions; -q silences it" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit" --seconds 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"leaf_sixty"* ]]
	[[ "$output" == *"samples"* ]]
	[[ "$output" == *"stack completeness"* ]]
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	# only the program's own output is left
	[ "$(grep -v '^wl-truth: ' <<<"$output")" = "cpusplit: rounds=$(grep -o 'rounds=[0-9]*' <<<"$output" | cut -d= -f2)" ]
}

@test "every metadata field of a JSON report is documented in the man page, and back" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -q -o "$json" -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	man=$(sed -n '/^\.B metadata$/,/^\.RE$/p' "$BATS_TEST_DIRNAME/../man/perfscope-cpu-profile.1" |
		grep -A1 '^\.TP' | sed -n 's/^\.B \(\\%\)\{0,1\}//p' | sed 's/\\-/-/g' | sort -u)
	# optional notes appear only when something was missing
	keys=$( (jq -r '.metadata | keys[]' "$json"; echo kernel_note; echo kernel_symbols_note; echo unwind_note; echo jit_note; echo sampler_note) | sort -u)
	[ "$(comm -23 <(echo "$keys") <(echo "$man"))" = "" ] || { echo "undocumented: $(comm -23 <(echo "$keys") <(echo "$man"))"; return 1; }
	[ "$(comm -13 <(echo "$keys") <(echo "$man"))" = "" ] || { echo "documented but absent: $(comm -13 <(echo "$keys") <(echo "$man"))"; return 1; }
}

@test "functions are named from a separate debug file (.gnu_debuglink)" {
	command -v objcopy >/dev/null || skip "objcopy (binutils) not installed"
	d="$BATS_TEST_TMPDIR"
	cp "$WL/cpusplit" "$d/split"
	objcopy --only-keep-debug "$d/split" "$d/split.debug"
	objcopy --strip-all --add-gnu-debuglink="$d/split.debug" "$d/split"
	! nm "$d/split" 2>/dev/null | grep -q leaf_sixty || false	# really stripped
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$d/split" --seconds 1
	[ "$status" -eq 0 ]
	assert_cpusplit_shares "$out"
	assert_full_chains "$out" "main;path_a;leaf_sixty" "main;path_b;mid_b;leaf_thirty" "main;path_c;leaf_ten"
}

@test "a live status line is shown when stderr is a terminal" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	run script -qec "'$PERFSCOPE' cpu-profile -o '$out' -- '$WL/spin' --seconds 2.5" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\r'"perfscope: 1 s, "*" samples, 0 lost"* ]]
	[[ "$output" == *$'\r'"perfscope: 2 s, "* ]]
}

@test "--call-graph fp uses frame pointers only; dwarf goes through glibc" {
	json="$BATS_TEST_TMPDIR/fp.json"
	run "$PERFSCOPE" cpu-profile -q -F 999 --call-graph fp -o "$json" -- "$WL/cpusplit" --seconds 0.5
	[ "$status" -eq 0 ]
	jq -e '.metadata.unwinder == "fp"' "$json"
	jq -e '.metadata.stack_size == 0' "$json"
	# with frame pointers the chains are whole...
	jq -e '.metadata.stack_completeness >= 0.95' "$json"
	# ...and where the code has none, the walk loses the leaves' callers,
	# which DWARF unwinding of the same build finds
	run "$PERFSCOPE" cpu-profile -q -F 999 --call-graph fp -o "$out" -- "$WL/cpusplit-nofp" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	[ "$total" -gt 500 ]
	[ "$(chain_samples "$out" "main;path_a;leaf_sixty")" -lt $((total / 10)) ]
	run "$PERFSCOPE" cpu-profile -q -F 999 --call-graph dwarf -o "$out" -- "$WL/cpusplit-nofp" --seconds 1
	[ "$status" -eq 0 ]
	assert_full_chains "$out" "main;path_a;leaf_sixty"
	run "$PERFSCOPE" cpu-profile -q -F 999 --call-graph dwarf -o "$out" -- "$WL/syscalls" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	# write() and getppid() in glibc have no frame pointer; DWARF still finds their caller
	[ "$(chain_samples "$out" "main;do_syscalls")" -ge $((total * 95 / 100)) ]
}

@test "a program started through a shell (exec, and fork then exec) is profiled under its own name" {
	run "$PERFSCOPE" cpu-profile -q -F 499 -o "$out" -- sh -c "exec '$WL/cpusplit-nofp' --seconds 1"
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	[ "$(grep -c '^cpusplit-nofp;' "$out")" -ge 3 ]
	assert_cpusplit_shares "$out"
	assert_full_chains "$out" "main;path_a;leaf_sixty"
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- sh -c "true; '$WL/cpusplit-nofp' --seconds 2; true"
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	# the shell's own samples are outside the program's measured CPU time
	grep '^cpusplit-nofp;' "$out" > "$BATS_TEST_TMPDIR/program.folded"
	assert_cpusplit_shares "$BATS_TEST_TMPDIR/program.folded"
	[ "$(awk '/^cpusplit-nofp;.*;main;/ { t += $NF } END { print t + 0 }' "$out")" -ge $((total * 95 / 100)) ]
}

@test "--format speedscope: valid against speedscope's schema, a profile per thread, the split in its weights" {
	require_perf
	/usr/bin/python3 -c 'import jsonschema' ||
		{ echo "python3-jsonschema is needed (build-aux/install-deps.sh --test)"; return 1; }
	out="$BATS_TEST_TMPDIR/cpu.speedscope.json"
	# the format follows the extension
	run "$PERFSCOPE" cpu-profile -q -F 999 -o "$out" -- "$WL/cpusplit" --seconds 2
	[ "$status" -eq 0 ]
	/usr/bin/python3 "$BATS_TEST_DIRNAME/validate_schema.py" "$BATS_TEST_DIRNAME/speedscope-file-format-schema.json" "$out"
	# one thread, its weights adding up to all its samples; leaf_sixty's
	# share (stacks ending in it) the share of CPU time it measured
	jq -e '(.profiles | length) == 1 and .profiles[0].type == "sampled" and
	       (.profiles[0].weights | add) == .profiles[0].endValue' "$out"
	total=$(jq '.profiles[0].endValue' "$out")
	sixty=$(jq '(.shared.frames | map(.name) | index("leaf_sixty")) as $leaf | .profiles[0] |
	            [range(0; .samples | length) as $i | select(.samples[$i][-1] == $leaf) | .weights[$i]] | add' "$out")
	assert_share leaf_sixty "$sixty" "$total" "$(truth_share leaf_sixty)"
	# a frame is a function, with its file; the heaviest stack runs from
	# _start to leaf_sixty
	jq -e '.shared.frames as $f | ([$f[] | select(.name == "leaf_sixty") | .file | test("cpusplit.c$")] == [true]) and
	       (.profiles[0] | [range(0; .samples | length) as $i | {w: .weights[$i], s: .samples[$i]}] | max_by(.w).s |
	        $f[.[0]].name == "_start" and $f[.[-1]].name == "leaf_sixty")' "$out"
	# two threads, two profiles, named by their threads
	"$PERFSCOPE" cpu-profile -q -F 499 --format speedscope -o "$BATS_TEST_TMPDIR/t.json" -- "$WL/threads" --seconds 1
	jq -e '[.profiles[].name | select(test("^worker-(heavy|light) \\(pid [0-9]+, tid [0-9]+\\)$"))] | length == 2' \
		"$BATS_TEST_TMPDIR/t.json"
}

@test "kernel time counts for the user function that entered the kernel: a page-faulting loop's top function is its own" {
	run "$PERFSCOPE" cpu-profile -o "$out" -- "$WL/faulter" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	total=$(folded_total "$out")
	# the samples whose innermost user frame is touch_pages: its own and the kernel's under it
	mine=$(awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, fr, ";"); u = ""
		for (i = k; i >= 1; i--) if (fr[i] !~ /_\[k\]$/) { u = fr[i]; break }
		if (u == "touch_pages") t += n } END { print t + 0 }' "$out")
	inkernel=$(awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, fr, ";"); u = ""
		for (i = k; i >= 1; i--) if (fr[i] !~ /_\[k\]$/) { u = fr[i]; break }
		if (u == "touch_pages" && fr[k] ~ /_\[k\]$/) t += n } END { print t + 0 }' "$out")
	faults=$(awk '/;touch_pages;[^;]*page_fault[^;]*_\[k\]/ { t += $NF } END { print t + 0 }' "$out")
	echo "total=$total touch_pages=$mine in_kernel=$inkernel faults=$faults"
	# the premise: most of its time is the kernel's page faults
	[ "$faults" -gt $((total / 2)) ]
	# the summary's first function, with its count and the kernel's part
	first=$(grep -A1 'top functions by self time (kernel time counted for the function that entered the kernel):' <<<"$output" | tail -1)
	expected=$(awk -v m="$mine" -v k="$inkernel" -v f="$faults" -v t="$total" 'BEGIN {
		printf "%6.1f%%  %8d  touch_pages  (faulter); %.1f%% in the kernel (page faults %.1f%%", 100 * m / t, m, 100 * k / t, 100 * f / t }')
	[[ "$first" == "   $expected"* ]] || { echo "got:  $first"; echo "want:    $expected"; return 1; }
	# and the diagnosis's hot function is touch_pages, not a kernel function of the fault path
	"$PERFSCOPE" cpu-profile -q -F 299 --format json -o "$BATS_TEST_TMPDIR/f.json" -- "$WL/faulter" --seconds 1
	"$PERFSCOPE" recommend -m "$BATS_TEST_TMPDIR/f.json" -f json > "$BATS_TEST_TMPDIR/rec.json"
	jq -e '.findings[] | select(.rule == "cpu.hot_function") | .subject == "touch_pages"' "$BATS_TEST_TMPDIR/rec.json" >/dev/null ||
		{ jq -c '.findings' "$BATS_TEST_TMPDIR/rec.json"; return 1; }
}
