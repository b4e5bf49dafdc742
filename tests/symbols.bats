#!/usr/bin/env bats
# Names: C++ demangling (templates, lambdas, inline frames), --no-demangle,
# stripped code named after its functions' start addresses.
load common

setup() {
	require_perf
	out="$BATS_TEST_TMPDIR/out.folded"
}

@test "C++: templates, std::sort with a lambda and an always-inline helper are named, short by default" {
	run "$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$WL/cxxwork" --seconds 1.5
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	# qualified names with template arguments, no parameters or return types
	sorts=$(chain_samples "$out" "main;work::run_sorts")
	tmpl=$(chain_samples "$out" "main;work::run_templates;work::Accumulator<double>::add_all")
	# the inlined helper has the name of its out-of-line copy, marked _[i]
	inline=$(chain_samples "$out" "work::Accumulator<double>::add_all;work::square_inline_[i]")
	lambda=$(awk '/lambda\(int, int\)/ { t += $NF } END { print t + 0 }' "$out")
	introsort=$(awk '/;std::__introsort_loop</ { t += $NF } END { print t + 0 }' "$out")
	# inline-only std functions (no linkage name in the DWARF) qualified by their namespace
	inlined_sort=$(awk '/;std::__sort<[^;]*>_\[i\]/ { t += $NF } END { print t + 0 }' "$out")
	echo "total=$total sorts=$sorts templates=$tmpl inline=$inline lambda=$lambda introsort=$introsort inlined_sort=$inlined_sort"
	[ $((sorts + tmpl)) -ge $((total * 95 / 100)) ]
	[ "$tmpl" -gt $((total / 10)) ]
	[ "$inline" -gt $((tmpl / 2)) ]
	[ "$lambda" -gt $((total / 20)) ]
	[ "$introsort" -gt $((total / 20)) ]
	[ "$inlined_sort" -gt $((total / 20)) ]
	! grep -q '_ZN\|_ZZ\|_ZSt' "$out" || false
	! grep -qE '(^|;)(work::run_sorts|work::run_templates)\(' "$out" || false
}

@test "--demangle full: whole signatures, the same samples" {
	run "$PERFSCOPE" cpu-profile -F 999 --demangle full -o "$out" -- "$WL/cxxwork" --seconds 1
	[ "$status" -eq 0 ]
	total=$(folded_total "$out")
	sorts=$(chain_samples "$out" "main;work::run_sorts(std::vector<int, std::allocator<int> >&, unsigned int)")
	tmpl=$(chain_samples "$out" "main;work::run_templates(work::Accumulator<double>&, std::vector<double, std::allocator<double> > const&);work::Accumulator<double>::add_all(std::vector<double, std::allocator<double> > const&)")
	inline=$(awk '/;work::Accumulator<double>::add_all\([^;]*\);work::square_inline\(double\)_\[i\] [0-9]+$/ { t += $NF } END { print t + 0 }' "$out")
	echo "total=$total sorts=$sorts templates=$tmpl inline=$inline"
	[ $((sorts + tmpl)) -ge $((total * 95 / 100)) ]
	[ "$tmpl" -gt $((total / 10)) ]
	[ "$inline" -gt $((tmpl / 2)) ]
	run "$PERFSCOPE" cpu-profile --demangle long -o "$out" -- "$WL/cxxwork" --seconds 0.1
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown --demangle 'long' (use short, full or none)"* ]]
}

@test "--no-demangle keeps mangled names" {
	run "$PERFSCOPE" cpu-profile -F 999 --no-demangle -o "$out" -- "$WL/cxxwork" --seconds 0.5
	[ "$status" -eq 0 ]
	grep -q ';_ZN4work13run_templatesERNS_11AccumulatorIdEERKSt6vectorIdSaIdEE;' "$out"
	! grep -q 'work::run_templates' "$out" || false
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

@test "a stripped program is named from its separate debug file; debuginfod is loaded only when asked" {
	command -v objcopy >/dev/null || skip "objcopy (binutils) not installed"
	command -v strace >/dev/null || skip "strace not installed"
	prog="$BATS_TEST_TMPDIR/cpusplit"
	# LeakSanitizer cannot run under ptrace (strace): the leak check is the
	# other suites' job
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	# the debug package's layout: symbols and DWARF in prog.debug, found
	# through the program's .gnu_debuglink (CRC-checked)
	objcopy --only-keep-debug "$WL/cpusplit" "$prog.debug"
	objcopy --strip-all --add-gnu-debuglink="$prog.debug" "$WL/cpusplit" "$prog"
	! nm "$prog" 2>/dev/null | grep -q leaf_sixty || false
	run strace -qq -e trace=openat -o "$BATS_TEST_TMPDIR/opens" \
		"$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$prog" --seconds 1
	[ "$status" -eq 0 ]
	assert_cpusplit_shares "$out"
	grep -q 'cpusplit\.debug' "$BATS_TEST_TMPDIR/opens"
	! grep -q 'libdebuginfod' "$BATS_TEST_TMPDIR/opens" || false
	# a program whose debug file is missing: its frames are addresses,
	# and libdwfl would now ask debuginfod, which only an opt-in loads
	rm "$prog.debug"
	run strace -qq -e trace=openat -o "$BATS_TEST_TMPDIR/opens" \
		"$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$prog" --seconds 0.3
	[ "$status" -eq 0 ]
	grep -q ";\[cpusplit+0x[0-9a-f]*\] [0-9]*$" "$out"
	! grep -q 'libdebuginfod' "$BATS_TEST_TMPDIR/opens" || false
	[ -e /usr/lib/x86_64-linux-gnu/libdebuginfod.so.1 ] || skip "libdebuginfod not installed: the opt-in cannot be seen"
	PERFSCOPE_DEBUGINFOD=1 DEBUGINFOD_URLS= run strace -qq -e trace=openat -o "$BATS_TEST_TMPDIR/opens" \
		"$PERFSCOPE" cpu-profile -F 999 -o "$out" -- "$prog" --seconds 0.3
	[ "$status" -eq 0 ]
	grep -q 'libdebuginfod' "$BATS_TEST_TMPDIR/opens"
}

@test "a stripped program: each function's samples come together under its start address, in the named build's shares" {
	bin="$BATS_TEST_TMPDIR/cpusplit"
	cp "$WL/cpusplit" "$bin"
	strip -s "$bin"
	run nm "$bin"
	[[ "$output" == *"no symbols"* ]] || { echo "$output"; return 1; }
	run "$PERFSCOPE" cpu-profile -o "$out" -- "$bin" --seconds 1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	total=$(folded_total "$out")
	# each leaf's samples under its function's start, as the unstripped file's symbols have it
	for leaf in leaf_sixty leaf_thirty leaf_ten; do
		addr=$(nm "$WL/cpusplit" | awk -v f="$leaf" '$3 == f { sub(/^0+/, "", $1); print $1 }')
		[ -n "$addr" ]
		assert_share "$leaf" "$(self_samples "$out" "[cpusplit+0x$addr]")" "$total" "$(truth_share "$leaf")"
	done
	# and every nameless frame of the program is some function's start, never a pc inside one
	starts=$(nm "$WL/cpusplit" | awk '$2 ~ /^[tT]$/ { sub(/^0+/, "", $1); print "[cpusplit+0x" $1 "]" }' | sort -u)
	frames=$(tr ';' '\n' < "$out" | sed 's/ [0-9]*$//' | grep -F '[cpusplit+0x' | sort -u)
	[ -n "$frames" ]
	inside=$(comm -23 <(echo "$frames") <(echo "$starts"))
	[ -z "$inside" ] || { echo "not function starts: $inside"; return 1; }
	# the summary says how much had no name, where, and what gives names
	[[ "$output" == *"% of the samples are in functions without a name"*"$bin ("*"-dbgsym package"* ]] || { echo "$output"; return 1; }
}

@test "Python: without -X perf the summary says its functions are not visible and how to see them" {
	cat > "$BATS_TEST_TMPDIR/loop.py" <<'PY'
import time
def work(n):
    s = 0
    for i in range(n):
        s += i * i
    return s
t = time.time()
while time.time() - t < 0.6:
    work(10000)
PY
	py=/usr/bin/python3
	"$py" -c 'import sys; assert sys.version_info < (3, 12)'
	run "$PERFSCOPE" cpu-profile -o "$out" -- "$py" "$BATS_TEST_TMPDIR/loop.py"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# a pure Python loop: nearly every sample is in the interpreter's loop
	share=$(sed -n 's/.*note: \([0-9.]*\)% of the samples are Python code running in the interpreter.*/\1/p' <<<"$output")
	[ -n "$share" ] || { echo "$output"; return 1; }
	awk -v s="$share" 'BEGIN { exit !(s >= 90) }' || { echo "share $share"; return 1; }
	[[ "$output" == *"'python3 -X perf'"*"py-spy"* ]]
	! grep -q 'py::' "$out" || false
	# a Python 3.12 under -X perf names the Python functions: no note
	for p312 in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3.1[2-9]; do
		[ -x "$p312" ] || continue
		echo "with $p312"
		run "$PERFSCOPE" cpu-profile -o "$out" -- "$p312" -X perf "$BATS_TEST_TMPDIR/loop.py"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		[[ "$output" != *"Python code running in the interpreter"* ]] || { echo "$output"; return 1; }
		grep -q ';py::work:' "$out"
		break
	done
}
