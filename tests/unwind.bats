#!/usr/bin/env bats
# DWARF unwinding of code built like distributions build it: -O2 -g without
# frame pointers, through glibc, shared libraries, dlopen'ed plugins and
# libraries swapped at the same address.  Shares are checked against what
# the workload measured of itself (assert_share in common.bash).
load common

setup() {
	require_perf
	out="$BATS_TEST_TMPDIR/out.folded"
}

# Share (percent) of samples whose stack contains chain $2.
chain_pct() {
	local total
	total=$(folded_total "$1")
	echo $((100 * $(chain_samples "$1" "$2") / total))
}

@test "no frame pointers: 60/30/10 split, at least 99% with the full chain from main" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cpusplit-nofp" --seconds 2
	[ "$status" -eq 0 ]
	assert_cpusplit_shares "$out"
	assert_full_chains "$out" "_start;__libc_start_main;__libc_start_call_main;main;path_a;leaf_sixty" \
		"main;path_b;mid_b;leaf_thirty" "main;path_c;leaf_ten"
	total=$(folded_total "$out")
	[ $((100 * $(chain_samples "$out" "main"))) -ge $((99 * total)) ]
}

@test "hot loops inside glibc (qsort with a callback, memcpy): 60/30/10 by path, 99% reach main" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/libcsplit" --seconds 2
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	# each path's samples, callees included, at the CPU time it measured
	assert_chain_share "$out" "main;path_sort;sort_numbers"
	assert_chain_share "$out" "main;path_copy;copy_buffers"
	assert_chain_share "$out" "main;path_own;own_work"
	[ $((100 * $(chain_samples "$out" "main"))) -ge $((99 * total)) ]
	# the comparison callback is found below qsort, inside glibc: all of its
	# samples, and they are a real part of the sort (a twentieth at least)
	compare=$(self_samples "$out" compare_numbers)
	below=$(awk '/;sort_numbers;(sort_once_\[i\];)?qsort(_r)?;.*;compare_numbers [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	[ "$compare" -gt $(($(chain_samples "$out" "sort_numbers") / 20)) ]
	[ $((100 * below)) -ge $((99 * compare)) ] || { echo "compare_numbers: $below of $compare below qsort"; return 1; }
	# memcpy's own frame, called from copy_buffers, at memcpy's measured time
	# (the copy path's, less its clock reads)
	memcpy=$(awk '/;copy_buffers;(copy_once_\[i\];)?__mem[a-z_0-9]+ [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	assert_share memcpy "$memcpy" "$total" "$(truth_share memcpy)"
}

@test "a 100-deep recursion of 200-byte frames is complete with the default stack copy" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/deeprec" --seconds 1
	[ "$status" -eq 0 ]
	chain="main"
	for i in $(seq 100); do chain="$chain;deep"; done
	assert_within complete "$(chain_pct "$out" "$chain;deeprec_leaf")" 100 2
}

@test "too small a stack copy is reported as truncated, with advice" {
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -F 999 --stack-size 2048 -o "$json" -- "$WL/deeprec" --seconds 0.5
	[ "$status" -eq 0 ]
	[[ "$output" == *"of stacks were truncated: try --stack-size 65528"* ]]
	jq -e '.metadata.truncated_stacks > (.metadata.samples * 0.9)' "$json"
	jq -e '.metadata.unwind_failures.truncated > 0 and .metadata.stack_size == 2048' "$json"
	jq -e '.metadata.stack_completeness < 0.1' "$json"
}

@test "no frame pointers: a shared library and a dlopen'ed plugin, each with its chain" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/dlmain-nofp" --seconds 2
	[ "$status" -eq 0 ]
	assert_chain_share "$out" "main;hot_in_library"
	assert_chain_share "$out" "main;hot_in_plugin"
	# and both with their chain from main: the library's and the plugin's
	# self samples all reached main
	assert_full_chains "$out" "main;hot_in_library" "main;hot_in_plugin"
}

@test "a library swapped for another at the same address keeps the right names" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/dlswap" --seconds 2 --slice 0.1
	[ "$status" -eq 0 ]
	assert_chain_share "$out" "main;run_from;swap_a_hot"
	assert_chain_share "$out" "main;run_from;swap_b_hot"
	assert_full_chains "$out" "main;run_from;swap_a_hot" "main;run_from;swap_b_hot"
	# nothing is named after the padding function of swap_b.so
	[ "$(grep -c swap_b_padding "$out")" -eq 0 ]
}

@test "a stripped binary without frame pointers: [module+0xoffset] frames, stacks still complete" {
	cp "$WL/cpusplit-nofp" "$BATS_TEST_TMPDIR/stripped"
	strip --strip-all "$BATS_TEST_TMPDIR/stripped"
	json="$BATS_TEST_TMPDIR/out.json"
	run "$PERFSCOPE" cpu-profile -F 999 -o "$json" -- "$BATS_TEST_TMPDIR/stripped" --seconds 1
	[ "$status" -eq 0 ]
	jq -e '.metadata.unwinder == "dwarf"' "$json"
	# .eh_frame survives strip: stacks still reach glibc's entry point
	jq -e '.metadata.stack_completeness >= 0.95' "$json"
	jq -e '([.stacks[].count] | add) as $total |
		[.stacks[] | select(.frames[-1] | test("^\\[stripped\\+0x[0-9a-f]+\\]$")) | .count] | add > 0.9 * $total' "$json"
}

@test "a signal handler's stack is unwound through the signal frame into the interrupted code" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/sighandler" --seconds 1.5
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	handler=$(awk '/;handler_work [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	through=$(awk '/;main;wait_in_loop;(__restore_rt;)?on_alarm;handler_work [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	echo "total=$total handler=$handler through=$through"
	[ "$handler" -gt $((total / 4)) ]
	[ $((100 * through)) -ge $((95 * handler)) ]
}

# The cached-rule walker must find exactly the frames libdwfl finds; the
# diagnostic PERFSCOPE_VERIFY_UNWIND unwinds every such stack both ways.
@test "the cached-rule walker agrees with libdwfl frame for frame, and hands signal frames to it" {
	for w in libcsplit cxxwork dlmain-nofp sighandler; do
		json="$BATS_TEST_TMPDIR/$w.json"
		PERFSCOPE_VERIFY_UNWIND=1 run "$PERFSCOPE" cpu-profile -q -F 999 -o "$json" -- "$WL/$w" --seconds 1
		[ "$status" -eq 0 ] || { echo "$w: $output"; return 1; }
		# no mismatch, and the comparison ran on every stack the walker made
		jq -e '.metadata.unwind_paths | .verify_mismatches == 0 and .cached_rules > 0 and
			.verified == .cached_rules' "$json" ||
			{ echo "$w: $(jq -c .metadata.unwind_paths "$json")"; return 1; }
		jq -e '.metadata.unwind_paths.verified >= 50' "$json" ||
			{ echo "$w: $(jq -c '[.metadata.samples, .metadata.unwind_paths]' "$json")"; return 1; }
	done
	# ordinary compiled code never needs libdwfl...
	jq -e '.metadata.unwind_paths | .cached_rules >= 0.99 * .dwarf' "$BATS_TEST_TMPDIR/libcsplit.json"
	# ...but a stack through a signal frame does
	jq -e '.metadata.unwind_paths.libdwfl > 0' "$BATS_TEST_TMPDIR/sighandler.json"
}
