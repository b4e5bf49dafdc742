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
	[ "$status" -eq 4 ] || { echo "$output"; return 1; }
	[[ "$output" == *"'$nobody_dir/suid' is set-user-ID"* ]]
	# nothing written: the output directory, made first, is removed again
	[ ! -e "$nobody_dir/p" ]
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
	[ ! -L "$nobody_dir/shared/out.folded" ]
	[ -s "$nobody_dir/shared/out.folded" ]
	assert_folded_valid "$nobody_dir/shared/out.folded"
}

# Owner "uid:gid" of each path given.
owners() {
	stat -c '%u:%g' "$@"
}

@test "under sudo, every file and directory perfscope creates belongs to SUDO_UID:SUDO_GID" {
	require_nobody "$PERFSCOPE" "$WL/misbehave"
	require_perf
	local user
	user="$(id -u nobody):$(getent group nogroup | cut -d: -f3)"
	sudo_env=(env SUDO_UID="${user%:*}" SUDO_GID="${user#*:}")
	# a single file in an existing directory: the file is the user's, the directory stays root's
	mkdir "$nobody_dir/existing"
	run "${sudo_env[@]}" "$PERFSCOPE" cpu-profile -q -F 499 -o "$nobody_dir/existing/x.folded" -- "$WL/misbehave" burn 0.2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(owners "$nobody_dir/existing/x.folded")" = "$user" ]
	[ "$(owners "$nobody_dir/existing")" = 0:0 ]
	run "${sudo_env[@]}" "$PERFSCOPE" cpu-profile -q -F 499 --format svg -o "$nobody_dir/existing/x.svg" -- "$WL/misbehave" burn 0.2
	[ "$status" -eq 0 ]
	[ "$(owners "$nobody_dir/existing/x.svg")" = "$user" ]
	# a new output directory and everything in it
	run "${sudo_env[@]}" "$PERFSCOPE" profile -q -o "$nobody_dir/prof" -- "$WL/misbehave" burn 0.2
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run "${sudo_env[@]}" "$PERFSCOPE" memory-profile -q -o "$nobody_dir/mem" -- "$WL/misbehave" burn 0.1
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	for d in prof mem; do
		[ "$(owners "$nobody_dir/$d")" = "$user" ] || { echo "$d: $(owners "$nobody_dir/$d")"; return 1; }
		[ "$(ls "$nobody_dir/$d" | wc -l)" -ge 5 ]
		for f in "$nobody_dir/$d"/*; do
			[ "$(owners "$f")" = "$user" ] || { echo "$f: $(owners "$f")"; return 1; }
		done
	done
	[ -s "$nobody_dir/prof/report.html" ]
	[ -s "$nobody_dir/mem/memory.html" ]
	# so the user can move and delete them
	as_nobody mv "$nobody_dir/prof/cpu.folded" "$nobody_dir/prof/moved.folded"
	as_nobody rm -r "$nobody_dir/prof" "$nobody_dir/mem"
	[ ! -e "$nobody_dir/prof" ]
	[ ! -e "$nobody_dir/mem" ]
}

@test "under sudo, an existing output directory keeps its owner, and one behind a link is not followed" {
	require_nobody "$PERFSCOPE"
	require_perf
	local user
	user="$(id -u nobody):$(getent group nogroup | cut -d: -f3)"
	mkdir "$nobody_dir/mine" "$nobody_dir/target"
	chown 1:1 "$nobody_dir/target"
	ln -s "$nobody_dir/target" "$nobody_dir/link"
	run env SUDO_UID="${user%:*}" SUDO_GID="${user#*:}" "$PERFSCOPE" profile -q -o "$nobody_dir/mine" -- true
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(owners "$nobody_dir/mine")" = 0:0 ]
	[ "$(owners "$nobody_dir/mine/report.json")" = "$user" ]
	run env SUDO_UID="${user%:*}" SUDO_GID="${user#*:}" "$PERFSCOPE" memory-profile -q -o "$nobody_dir/link" -- true
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(owners "$nobody_dir/target")" = 1:1 ]
	[ "$(stat -c %u:%g "$nobody_dir/link")" = 0:0 ]
	[ -L "$nobody_dir/link" ]
	[ "$(owners "$nobody_dir/target/memory.json")" = "$user" ]
}

@test "a malformed SUDO_UID (not a number, 0) or no root is ignored: the files stay their writer's" {
	require_nobody "$PERFSCOPE" "$WL/misbehave"
	local gid
	gid=$(getent group nogroup | cut -d: -f3)
	for uid in abc 0 "" 12x -1; do
		rm -rf "$nobody_dir/out"
		run env SUDO_UID="$uid" SUDO_GID="$gid" "$PERFSCOPE" memory-profile -q -o "$nobody_dir/out" -- true
		[ "$status" -eq 0 ] || { echo "SUDO_UID=$uid: $output"; return 1; }
		[ "$(owners "$nobody_dir/out" "$nobody_dir/out/memory.json" | sort -u)" = 0:0 ] ||
			{ echo "SUDO_UID=$uid: $(owners "$nobody_dir/out" "$nobody_dir/out/memory.json")"; return 1; }
	done
	# not root: SUDO_UID means nothing (and nobody could not chown anyway)
	run as_nobody env SUDO_UID=0 SUDO_GID=0 "$PERFSCOPE" flamegraph -o "$nobody_dir/f.svg" /dev/null
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(owners "$nobody_dir/f.svg")" = "$(id -u nobody):$gid" ] || { echo "$output"; return 1; }
	grep -q '^<svg' "$nobody_dir/f.svg"
}
