#!/bin/sh
# stage.sh NAME CMD...: runs CMD, then prints how long stage NAME took
# (make check-all's stages, for CI's time budget); exits with CMD's status.
name=$1
shift
start=$(date +%s)
rc=0
"$@" || rc=$?
echo "=== stage $name: $(($(date +%s) - start)) s (exit $rc)"
exit $rc
