#!/usr/bin/env bats
# Where outputs go: a regular file is replaced whole and keeps its mode (and
# owner); a device or a FIFO is written as it is, never replaced; a socket
# is refused; "-" is standard output for every command that writes one
# file, and refused by those that write a directory.
load common

setup() {
	dir="$BATS_TEST_TMPDIR"
	printf 'app;main;a 60\napp;main;b 30\napp;main;b;c 10\n' > "$dir/k.folded"
	printf 'app;main;a 30\napp;main;b 30\n' > "$dir/old.folded"
	printf '{"name": "x", "cpu_percent": 95}\n' > "$dir/metrics.json"
}

# every command that writes one file, with its arguments: NAME ARGS...
one_file_commands() {
	echo "flamegraph $dir/k.folded"
	echo "diff $dir/old.folded $dir/k.folded"
	echo "recommend --metrics $dir/metrics.json"
}

@test "a character device named as the output is written, not replaced" {
	[ "$(id -u)" -eq 0 ] || skip "making a device node needs root"
	mknod "$dir/null" c 1 3
	while read -r cmd args; do
		# shellcheck disable=SC2086
		run "$PERFSCOPE" $cmd $args -o "$dir/null"
		[ "$status" -eq 0 ] || { echo "$cmd: $output"; return 1; }
		[ -c "$dir/null" ] || { echo "$cmd replaced the device"; ls -l "$dir/null"; return 1; }
	done < <(one_file_commands)
	require_perf
	run "$PERFSCOPE" cpu-profile -q -o "$dir/null" -- "$WL/cpusplit" --seconds 0.1
	[ "$status" -eq 0 ]
	[ -c "$dir/null" ]
	# nothing of ours beside it
	[ "$(ls "$dir" | grep -c tmp)" -eq 0 ]
}

@test "a link to a device or FIFO is written through; /dev/stdout stays a link" {
	ln -s /dev/null "$dir/to-null"
	run "$PERFSCOPE" flamegraph -o "$dir/to-null" "$dir/k.folded"
	[ "$status" -eq 0 ]
	[ -L "$dir/to-null" ]
	[ "$(readlink "$dir/to-null")" = /dev/null ]
	"$PERFSCOPE" flamegraph -o /dev/stdout "$dir/k.folded" > "$dir/via-stdout.svg"
	"$PERFSCOPE" flamegraph -o "$dir/file.svg" "$dir/k.folded"
	cmp "$dir/via-stdout.svg" "$dir/file.svg"
	[ -L /dev/stdout ]
}

@test "a FIFO named as the output is written through to its reader" {
	mkfifo "$dir/fifo"
	cat "$dir/fifo" > "$dir/got" &
	reader=$!
	run "$PERFSCOPE" flamegraph -o "$dir/fifo" "$dir/k.folded"
	wait "$reader"
	[ "$status" -eq 0 ]
	[ -p "$dir/fifo" ]
	"$PERFSCOPE" flamegraph -o "$dir/file.svg" "$dir/k.folded"
	cmp "$dir/got" "$dir/file.svg"
}

@test "a socket named as the output is refused, saying why" {
	python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$dir/sock"
	[ -S "$dir/sock" ]
	run "$PERFSCOPE" flamegraph -o "$dir/sock" "$dir/k.folded"
	[ "$status" -eq 5 ]
	[[ "$output" == *"cannot write '$dir/sock': it is a socket"* ]]
	[ -S "$dir/sock" ]
}

@test "an existing file keeps its mode when it is replaced" {
	: > "$dir/out.svg"
	chmod 600 "$dir/out.svg"
	run "$PERFSCOPE" flamegraph -o "$dir/out.svg" "$dir/k.folded"
	[ "$status" -eq 0 ]
	[ -s "$dir/out.svg" ]
	[ "$(stat -c %a "$dir/out.svg")" = 600 ]
	chmod 640 "$dir/out.svg"
	run "$PERFSCOPE" diff -o "$dir/out.svg" "$dir/old.folded" "$dir/k.folded"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$dir/out.svg")" = 640 ]
	# a new file has the umask's mode
	(umask 027 && "$PERFSCOPE" flamegraph -o "$dir/new.svg" "$dir/k.folded")
	[ "$(stat -c %a "$dir/new.svg")" = 640 ]
}

@test "an existing file keeps its owner when root replaces it" {
	[ "$(id -u)" -eq 0 ] || skip "giving a file to another user needs root"
	: > "$dir/theirs.svg"
	chown nobody:nogroup "$dir/theirs.svg"
	run "$PERFSCOPE" flamegraph -o "$dir/theirs.svg" "$dir/k.folded"
	[ "$status" -eq 0 ]
	[ -s "$dir/theirs.svg" ]
	[ "$(stat -c %U:%G "$dir/theirs.svg")" = nobody:nogroup ]
}

@test "-o - is standard output for every command that writes one file" {
	while read -r cmd args; do
		# shellcheck disable=SC2086
		"$PERFSCOPE" $cmd $args -o "$dir/$cmd.file" >/dev/null
		# shellcheck disable=SC2086
		"$PERFSCOPE" $cmd $args -o - > "$dir/$cmd.stdout"
		cmp "$dir/$cmd.file" "$dir/$cmd.stdout" || { echo "$cmd: -o - differs from its file"; return 1; }
		[ ! -e ./- ] || { echo "$cmd wrote a file named -"; return 1; }
	done < <(one_file_commands)
	# and the page of a report
	"$PERFSCOPE" memory-profile -q -o "$dir/m" -- "$WL/memwork" leak 10
	"$PERFSCOPE" report "$dir/m/memory.json" -o "$dir/page.html"
	"$PERFSCOPE" report "$dir/m/memory.json" -o - > "$dir/page.stdout"
	cmp "$dir/page.html" "$dir/page.stdout"
	require_perf
	cd "$dir"
	run "$PERFSCOPE" cpu-profile -q -F 999 -o - -- "$WL/cpusplit" --seconds 0.2
	[ "$status" -eq 0 ]
	[ ! -e "$dir/-" ]
	# the program's own lines, then the folded stacks
	[ "$(grep -c '^cpusplit;.* [0-9][0-9]*$' <<<"$output")" -ge 3 ]
	[ "$(grep -v '^cpusplit;' <<<"$output" | grep -vc '^cpusplit: \|^wl-truth: ')" -eq 0 ]
}

@test "-o - is refused by the commands that write a directory" {
	run "$PERFSCOPE" profile -o - -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"writes a directory of files, not one file to standard output"* ]]
	run "$PERFSCOPE" memory-profile -o - -- true
	[ "$status" -eq 2 ]
	[[ "$output" == *"writes a directory of files"* ]]
}

# strict: a UTF-8 decoder that refuses invalid bytes, on a whole file
utf8_strict() {
	python3 -c 'import sys; open(sys.argv[1], encoding="utf-8", errors="strict").read()' "$1" ||
		{ echo "$1 is not UTF-8"; return 1; }
}

@test "names that are not UTF-8 come out as U+FFFD: valid JSON, well-formed SVG, UTF-8 text" {
	require_perf
	cd "$dir"
	# a program whose thread is named, and whose file is named, with bytes that are not UTF-8
	run "$PERFSCOPE" cpu-profile -q -F 999 -o c.json -- "$WL/htmlnames" f --not-utf8
	[ "$status" -eq 0 ]
	utf8_strict c.json
	[ "$(jq -r '.threads[0].comm' c.json)" = $'\uFFFD\uFFFDb\uFFFD d\uFFFD' ]
	if [ "$(id -u)" -eq 0 ]; then
		run "$PERFSCOPE" profile -q -o p -- "$WL/htmlnames" g --not-utf8
		[ "$status" -eq 0 ]
		for f in p/*.json p/*.folded p/*.html; do utf8_strict "$f"; done
		for f in p/*.svg; do python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$f"; done
		jq -e --arg f "$dir/g"$'\uFFFD\uFFFD' '[.files[].name] | index($f) != null' p/report.json
	fi
	# files whose names are not UTF-8: every format written from them is
	printf 'app;ma\xffin;a\xc3 60\napp;main;b\xed\xa0\x80 30\n' > bad.folded
	"$PERFSCOPE" flamegraph -o b.svg bad.folded
	python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' b.svg
	"$PERFSCOPE" flamegraph --format speedscope -o b.speedscope.json bad.folded
	utf8_strict b.speedscope.json
	"$PERFSCOPE" diff -o d.txt bad.folded bad.folded
	utf8_strict d.txt
	grep -q $'  a\uFFFD ' d.txt
	grep -q $'  ma\uFFFDin ' d.txt
	printf '{"cpu_percent": 95, "we\xffird": 3}\n' > m.json
	for format in text markdown json; do
		"$PERFSCOPE" recommend --metrics m.json --format "$format" -o "r.$format"
		utf8_strict "r.$format"
	done
}

@test "inputs have a bound: /dev/zero and binary files are refused at once, a stream past the limit is cut" {
	start=$SECONDS
	run "$PERFSCOPE" recommend --metrics /dev/zero
	[ "$status" -eq 6 ]
	[[ "$output" == *"'/dev/zero' is not text (it has NUL bytes)"* ]]
	run "$PERFSCOPE" flamegraph -o "$dir/z.svg" /dev/zero
	[ "$status" -eq 6 ]
	[ $((SECONDS - start)) -lt 10 ]
	# a regular file larger than the limit: refused before it is read
	head -c 3000000 /dev/zero | tr '\0' 'x' > "$dir/big.folded"
	PERFSCOPE_MAX_INPUT_MB=1 run "$PERFSCOPE" flamegraph -o "$dir/b.svg" "$dir/big.folded"
	[ "$status" -eq 6 ]
	[[ "$output" == *"'$dir/big.folded' is larger than the 1.05 MB perfscope reads of one input"* ]]
	[[ "$output" == *"raise PERFSCOPE_MAX_INPUT_MB"* ]]
	# an endless stream: cut at the limit
	run bash -c "yes 'a;b 1' | PERFSCOPE_MAX_INPUT_MB=1 '$PERFSCOPE' flamegraph -o '$dir/s.svg' -"
	[ "$status" -eq 6 ]
	[[ "$output" == *"standard input is larger than the 1.05 MB"* ]]
	[ ! -e "$dir/s.svg" ]
}
