#!/bin/sh
# Installs the Debian packages perfscope needs to build (and, with --test,
# to run its tests and benchmarks).  As root it runs apt-get; otherwise it
# prints the exact command and fails, so nothing is half-installed.
set -eu

build_pkgs="gcc g++ libc6-dev make pkg-config autoconf libelf-dev libdw-dev libcjson-dev libiberty-dev"
test_pkgs="bats jq util-linux procps linux-perf time python3-jsonschema"

want="$build_pkgs"
if [ "${1:-}" = "--test" ]; then
	want="$want $test_pkgs"
fi

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "perfscope: missing Debian packages:$missing" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "perfscope: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q $missing >/dev/null
