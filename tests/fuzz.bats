#!/usr/bin/env bats
# The fuzz corpora (tests/fuzz/corpus/NAME: seeds, and every input that
# once crashed a parser) replayed through the parsers of the build under
# test, so make check and make check SANITIZE=1 keep them fixed.  The
# fuzzing itself is make fuzz (libFuzzer, clang).

load common

# leaks inside libraries we cannot fix (tests/fuzz/lsan.supp says which)
export LSAN_OPTIONS="suppressions=$BATS_TEST_DIRNAME/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

replay_dir() {
	echo "${FUZZ_REPLAY_DIR:-$BATS_TEST_DIRNAME/../build/tests/fuzz}"
}

replay() {
	local name=$1 bin
	bin="$(replay_dir)/fuzz_$name"
	[ -x "$bin" ] || { echo "no $bin: run make fuzz-replay"; return 1; }
	run "$bin" "$BATS_TEST_DIRNAME"/fuzz/corpus/"$name"/*
	[ "$status" -eq 0 ] || { echo "$output" | tail -30; return 1; }
	# every input was read and run
	[ "$(grep -c '^replayed ' <<<"$output")" -eq "$(ls "$BATS_TEST_DIRNAME/fuzz/corpus/$name" | wc -l)" ]
}

@test "fuzz corpus: report, metrics and baseline JSON" { replay json; }
@test "fuzz corpus: folded stack files" { replay folded; }
@test "fuzz corpus: JIT perf maps" { replay perfmap; }
@test "fuzz corpus: rules, --set and config files" { replay rules; }
@test "fuzz corpus: ring-buffer records" { replay records; }
@test "fuzz corpus: /proc text" { replay proc; }
@test "fuzz corpus: /proc/kallsyms" { replay kallsyms; }
@test "fuzz corpus: the leak scan of a process, its blocks, registers and stacks from the input" { replay leakscan; }
@test "fuzz corpus: stacks and registers of a sample, unwound with DWARF and with frame pointers" { replay unwind; }
@test "fuzz corpus: tracker files as a program could write them" {
	replay memread
	# the seeds are read as they should be
	run env FUZZ_MEMREAD_PRINT=1 "$(replay_dir)/fuzz_memread" "$BATS_TEST_DIRNAME/fuzz/corpus/memread/valid"
	[[ "$output" == *"delivered 6 rejected 0 corrupt 0"* ]] || { echo "$output"; return 1; }
	run env FUZZ_MEMREAD_PRINT=1 "$(replay_dir)/fuzz_memread" "$BATS_TEST_DIRNAME/fuzz/corpus/memread/early"
	[[ "$output" == *"delivered 0 rejected 2 corrupt 0"* ]] || { echo "$output"; return 1; }
	run env FUZZ_MEMREAD_PRINT=1 "$(replay_dir)/fuzz_memread" "$BATS_TEST_DIRNAME/fuzz/corpus/memread/headjump"
	[[ "$output" == *"corrupt 1"* ]] || { echo "$output"; return 1; }
}
@test "fuzz corpus: ELF and DWARF, truncated, garbled and lying: named as [module+0xoffset], no crash or hang" {
	replay_dir >/dev/null
	run timeout 120 "$(replay_dir)/fuzz_elf" "$BATS_TEST_DIRNAME"/fuzz/corpus/elf/*
	[ "$status" -eq 0 ] || { echo "$output" | tail -30; return 1; }
	[ "$(grep -c '^replayed ' <<<"$output")" -eq "$(ls "$BATS_TEST_DIRNAME/fuzz/corpus/elf" | wc -l)" ]
	# the intact program is named; what cannot be read is an offset in its module
	run env FUZZ_ELF_PRINT=1 "$(replay_dir)/fuzz_elf" "$BATS_TEST_DIRNAME/fuzz/corpus/elf/spin"
	[[ "$output" == *" spin_forever"* && "$output" == *" main"* ]] || { echo "$output" | head; return 1; }
	run env FUZZ_ELF_PRINT=1 "$(replay_dir)/fuzz_elf" "$BATS_TEST_DIRNAME/fuzz/corpus/elf/truncated-headers"
	[ "$status" -eq 0 ]
	[[ "$output" == *"[perfscope-fuzz-elf."*"+0x"* ]] || { echo "$output" | head; return 1; }
}

@test "every fuzz target has a corpus and a test here" {
	for src in "$BATS_TEST_DIRNAME"/fuzz/fuzz_*.c; do
		name=$(basename "$src" .c); name=${name#fuzz_}
		[ -n "$(ls "$BATS_TEST_DIRNAME/fuzz/corpus/$name" 2>/dev/null)" ] || { echo "no corpus for $name"; return 1; }
		grep -q "replay $name;\|fuzz_$name" "$BATS_TEST_FILENAME" || { echo "no replay test for $name"; return 1; }
	done
}
