#!/usr/bin/env bats
# Names: C++ demangling (templates, lambdas, inline frames), --no-demangle.
load common

setup() {
	require_perf
	out="$BATS_TEST_TMPDIR/out.folded"
}

@test "C++: templates, std::sort with a lambda and an always-inline helper are named" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cxxwork" --seconds 1.5
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	sorts=$(chain_samples "$out" "main;work::run_sorts(std::vector<int, std::allocator<int> >&, unsigned int)")
	tmpl=$(chain_samples "$out" "main;work::run_templates(work::Accumulator<double>&, std::vector<double, std::allocator<double> > const&);work::Accumulator<double>::add_all(std::vector<double, std::allocator<double> > const&)")
	inline=$(awk '/;work::Accumulator<double>::add_all\([^;]*\);work::square_inline\(double\)_\[i\] [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	lambda=$(awk '/lambda\(int, int\)/ { t += $NF } END { print t + 0 }' "$out")
	introsort=$(awk '/std::__introsort_loop</ { t += $NF } END { print t + 0 }' "$out")
	echo "total=$total sorts=$sorts templates=$tmpl inline=$inline lambda=$lambda introsort=$introsort"
	[ $((sorts + tmpl)) -ge $((total * 95 / 100)) ]
	[ "$tmpl" -gt $((total / 10)) ]
	[ "$inline" -gt $((tmpl / 2)) ]
	[ "$lambda" -gt $((total / 20)) ]
	[ "$introsort" -gt $((total / 20)) ]
	! grep -q '_ZN\|_ZZ\|_ZSt' "$out"
}

@test "--no-demangle keeps mangled names" {
	run "$PERFSCOPE" cpu-profile -F 999 --no-demangle -o "$out" -- "$WL/cxxwork" --seconds 0.5
	[ "$status" -eq 0 ]
	grep -q ';_ZN4work13run_templatesERNS_11AccumulatorIdEERKSt6vectorIdSaIdEE;' "$out"
	! grep -q 'work::run_templates' "$out"
}

@test "JIT code is named from /tmp/perf-PID.map, marked _[j], with its callers" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/jit" --seconds 1
	rm -f /tmp/perf-*.map
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	[ "$(chain_samples "$out" "main;call_jit;jit_hot_loop_[j]")" -ge $((total * 90 / 100)) ]
}

@test "JIT code without a perf map is kept as [anon:PID+0xADDR]" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- sh -c "'$WL/jit' --seconds 1; rm -f /tmp/perf-*.map"
	# the map file is gone before perfscope reads it
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	unnamed=$(awk '/;\[anon:[0-9]+\+0x[0-9a-f]+\] [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	[ "$unnamed" -ge $((total * 80 / 100)) ]
}
