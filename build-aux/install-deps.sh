#!/bin/sh
# Installs the Debian packages perfscope needs to build (and, with --test,
# to run its tests and benchmarks).  As root it runs apt-get; otherwise it
# prints the exact command and fails, so nothing is half-installed.
set -eu
cd "$(dirname "$0")/.."

build_pkgs="gcc g++ libc6-dev make pkg-config autoconf libelf-dev libdw-dev libcjson-dev libiberty-dev
	libprotobuf-c-dev protobuf-c-compiler zlib1g-dev"
# The test suites' tools (strace and objcopy in symbols.bats, man in
# cli.bats, libdebuginfod for its opt-in test), the browser tests',
# make lint's and make fuzz's compilers, and what make bench compares with
# (perf, strace, heaptrack).  .ci/run installs through this list only.
test_pkgs="bats jq util-linux procps linux-perf time python3-jsonschema chromium clang clang-tidy cppcheck
	valgrind strace man-db binutils libdebuginfod1 heaptrack"
# Node.js runs the browser tests; Debian's is enough where the machine has none
command -v node >/dev/null 2>&1 || test_pkgs="$test_pkgs nodejs npm"

want="$build_pkgs"
if [ "${1:-}" = "--test" ]; then
	want="$want $test_pkgs"
fi

# tests/browser's npm packages (playwright-core, which drives Debian's
# chromium; speedscope, whose app opens our speedscope files), pinned by
# its package-lock.json; no root needed.  npm ls fails when one is missing
# or is not the version package.json asks for.
browser_modules() {
	[ "${1:-}" = "--test" ] || return 0
	(cd tests/browser && npm ls >/dev/null 2>&1) && return 0
	echo "perfscope: installing tests/browser's npm packages (npm ci)" >&2
	(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
}

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	browser_modules "${1:-}"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "perfscope: missing Debian packages:$missing" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "perfscope: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q $missing >/dev/null
browser_modules "${1:-}"
