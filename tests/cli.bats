#!/usr/bin/env bats
# The command line itself: help, version, usage errors, man pages.
load common

@test "--help lists the commands and exits 0" {
	run "$PERFSCOPE" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"Usage: perfscope"* ]]
	[[ "$output" == *"cpu-profile"* ]]
}

@test "--version prints the version" {
	run "$PERFSCOPE" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^perfscope\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}

@test "help cpu-profile and cpu-profile --help print the same text" {
	run "$PERFSCOPE" help cpu-profile
	[ "$status" -eq 0 ]
	a=$output
	run "$PERFSCOPE" cpu-profile --help
	[ "$status" -eq 0 ]
	[ "$a" = "$output" ]
	[[ "$output" == *"--frequency"* ]]
}

@test "no arguments: usage on stderr, exit 2" {
	run "$PERFSCOPE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"Usage: perfscope"* ]]
}

@test "unknown command: exit 2 with a message" {
	run "$PERFSCOPE" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"'frobnicate' is not a perfscope command"* ]]
}

@test "unknown option: exit 2 with usage hint" {
	run "$PERFSCOPE" cpu-profile --bogus -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown option '--bogus'"* ]]
	[[ "$output" == *"perfscope cpu-profile --help"* ]]
}

@test "bad option values: exit 2" {
	run "$PERFSCOPE" cpu-profile -F 0 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--frequency takes a whole number of Hz from 1 to 100000, not '0'"* ]]
	run "$PERFSCOPE" cpu-profile -F abc -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--frequency takes a whole number of Hz from 1 to 100000, not 'abc'"* ]]
	run "$PERFSCOPE" cpu-profile --duration -1 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--duration takes a positive number of seconds, not '-1'"* ]]
	run "$PERFSCOPE" cpu-profile --format svgz -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown --format 'svgz'"* ]]
	run "$PERFSCOPE" cpu-profile --call-graph lbr -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown --call-graph 'lbr' (use dwarf, fp or auto)"* ]]
	run "$PERFSCOPE" cpu-profile --sampler ebpf -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown --sampler 'ebpf' (use perf, ptrace or auto)"* ]]
	run "$PERFSCOPE" cpu-profile --stack-size 100 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"--stack-size takes a multiple of 8 from 64 to 65528, not '100'"* ]]
}

@test "a command and --pid together: exit 2" {
	run "$PERFSCOPE" cpu-profile --pid 1 -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"not both"* ]]
}

@test "neither a command nor --pid: exit 2" {
	run "$PERFSCOPE" cpu-profile
	[ "$status" -eq 2 ]
	[[ "$output" == *"perfscope cpu-profile: give a command to run, or --pid PID"* ]]
}

@test "man pages render without warnings" {
	command -v man >/dev/null || skip "man is not installed"
	for page in "$BATS_TEST_DIRNAME"/../man/*.1; do
		run bash -c "MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null"
		[ "$status" -eq 0 ]
		[ -z "$output" ] || { echo "$page: $output"; return 1; }
	done
}

# The long options named in the text on standard input, whole: a name ends
# in a letter or digit, so "--no-" in prose is not an option
long_options() {
	grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u
}

# The options a man page describes: the tags of the items (.TP, then .TQ
# for a second name) of its OPTIONS section, not options its prose mentions
man_option_entries() {
	sed -n '/^\.SH OPTIONS/,/^\.SH [^O]/p' "$1" | awk '/^\.(TP|TQ)$/ { getline; print }' | sed 's/\\-/-/g' | long_options
}

@test "every option in each command's --help is in its man page, and back" {
	for cmd in profile cpu-profile memory-profile recommend diff flamegraph report; do
		help=$("$PERFSCOPE" $cmd --help | long_options)
		man=$(man_option_entries "$BATS_TEST_DIRNAME/../man/perfscope-$cmd.1")
		# the options were read: each command has --help and --output or --output-dir
		[ "$(grep -cx -- "--help\|--output\(-dir\)\{0,1\}" <<<"$help")" -eq 2 ] || { echo "$cmd --help: $help"; return 1; }
		missing_in_man=$(comm -23 <(echo "$help") <(echo "$man"))
		missing_in_help=$(comm -13 <(echo "$help") <(echo "$man"))
		[ -z "$missing_in_man" ] || { echo "$cmd: no item in the man page's OPTIONS: $missing_in_man"; return 1; }
		[ -z "$missing_in_help" ] || { echo "$cmd: not in --help: $missing_in_help"; return 1; }
	done
}

@test "every command in the dispatch table has a man page, and every man page a command" {
	commands=$("$PERFSCOPE" --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1}' | sort)
	pages=$(cd "$BATS_TEST_DIRNAME/../man" && ls perfscope-*.1 | sed 's/^perfscope-//; s/\.1$//' | sort)
	[ "$(wc -l <<<"$commands")" -ge 7 ] || { echo "commands: $commands"; return 1; }
	[ "$commands" = "$pages" ] || { diff <(echo "$commands") <(echo "$pages"); return 1; }
}

@test "bash completion offers every option of each command's --help" {
	source "$BATS_TEST_DIRNAME/../share/completions/perfscope.bash"
	for cmd in profile cpu-profile memory-profile recommend diff flamegraph report; do
		COMP_WORDS=(perfscope $cmd --)
		COMP_CWORD=2
		COMP_LINE="perfscope $cmd --"
		COMP_POINT=${#COMP_LINE}
		_perfscope
		offered=$(printf '%s\n' "${COMPREPLY[@]}" | grep -- '^--[a-z]' | sort -u)
		help=$("$PERFSCOPE" $cmd --help | long_options)
		# the options were read: each command has --help and --output or --output-dir
		[ "$(grep -cx -- "--help\|--output\(-dir\)\{0,1\}" <<<"$help")" -eq 2 ] || { echo "$cmd --help: $help"; return 1; }
		missing=$(comm -23 <(echo "$help") <(echo "$offered"))
		[ -z "$missing" ] || { echo "$cmd: not completed: $missing"; return 1; }
	done
	# each command's own formats
	COMP_WORDS=(perfscope flamegraph -f "")
	COMP_CWORD=3
	_perfscope
	[ "${COMPREPLY[*]}" = "svg speedscope" ]
	COMP_WORDS=(perfscope diff --format "")
	_perfscope
	[ "${COMPREPLY[*]}" = "text folded json svg" ]
}
