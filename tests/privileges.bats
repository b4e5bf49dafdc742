#!/usr/bin/env bats
# perfscope next to other users: set-ID programs, links planted in shared
# directories, files read on the target's behalf.
load common

teardown() {
	[ -n "${nobody_dir:-}" ] && rm -rf "$nobody_dir"
	true
}

@test "a set-user-ID program is refused by an unprivileged perfscope (exit 4), said before it runs" {
	require_nobody "$PERFSCOPE" "$WL/misbehave"
	cp "$WL/misbehave" "$nobody_dir/suid"
	chown root:root "$nobody_dir/suid"
	chmod 4755 "$nobody_dir/suid"
	run as_nobody "$PERFSCOPE" cpu-profile -q -o "$nobody_dir/out.folded" -- "$nobody_dir/suid" burn 0.1
	[ "$status" -eq 4 ] || { echo "$output"; return 1; }
	[[ "$output" == *"'$nobody_dir/suid' is set-user-ID"*"run perfscope as root"*"--pid"* ]]
	[ ! -e "$nobody_dir/out.folded" ]
	# found through PATH too
	run as_nobody env PATH="$nobody_dir:/usr/bin:/bin" "$PERFSCOPE" profile -q -o "$nobody_dir/p" -- suid burn 0.1
	[ "$status" -eq 4 ]
	# root keeps the privileges under the tracer: profiled
	require_perf
	run "$PERFSCOPE" cpu-profile -q -o "$nobody_dir/root.folded" -- "$nobody_dir/suid" burn 0.3
	[ "$status" -eq 0 ]
	[ "$(chain_samples "$nobody_dir/root.folded" burn_main)" -gt 0 ]
}

@test "an output directory that is another user's link in a sticky shared directory is refused (exit 5)" {
	require_nobody "$PERFSCOPE"
	mkdir -p "$nobody_dir/shared" "$nobody_dir/victim"
	chmod 1777 "$nobody_dir/shared"
	chmod 755 "$nobody_dir/victim"
	as_nobody ln -s "$nobody_dir/victim" "$nobody_dir/shared/out"
	run "$PERFSCOPE" profile -q -o "$nobody_dir/shared/out" -- true
	[ "$status" -eq 5 ] || { echo "$output"; return 1; }
	[[ "$output" == *"refusing to write into '$nobody_dir/shared/out'"* ]]
	[ -z "$(ls -A "$nobody_dir/victim")" ]
	# the same link made by root itself is followed
	ln -s "$nobody_dir/victim" "$nobody_dir/shared/mine"
	run "$PERFSCOPE" memory-profile -q -o "$nobody_dir/shared/mine" -- true
	[ "$status" -eq 0 ]
	[ -s "$nobody_dir/victim/memory.json" ]
}

@test "a single output file replaces a link in its place, never writes through it" {
	require_nobody "$PERFSCOPE" "$WL/misbehave"
	mkdir -p "$nobody_dir/shared"
	chmod 1777 "$nobody_dir/shared"
	echo precious > "$nobody_dir/precious"
	as_nobody ln -s "$nobody_dir/precious" "$nobody_dir/shared/out.folded"
	run "$PERFSCOPE" cpu-profile -q -o "$nobody_dir/shared/out.folded" -- "$WL/misbehave" burn 0.2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(cat "$nobody_dir/precious")" = precious ]
	[ ! -L "$nobody_dir/shared/out.folded" ] && [ -s "$nobody_dir/shared/out.folded" ]
}
