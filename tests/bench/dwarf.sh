#!/usr/bin/env bash
# Part of make bench: DWARF unwinding and the ptrace sampler.
#   - perfscope's CPU per sample (unwind + aggregate) at 999 Hz, as the
#     slope between a long and a short run (fixed start-up cost excluded);
#   - end to end against perf record --call-graph dwarf,32768 (the same
#     32 KiB stack copies as perfscope's) + perf script + a collapse to
#     folded stacks: CPU time, bytes per sample, completeness;
#   - peak RSS with 10 busy threads at 999 Hz;
#   - the ptrace sampler's overhead at 49 and 99 Hz.
# Prints markdown; medians of $RUNS (common.sh); exits 1 when a target is
# missed by more than its spread.
. "$(dirname "$0")/common.sh"
SECONDS_10T=${SECONDS_10T:-10}

cputime() { awk '{ print $1 + $2 }' "$1"; }   # "user sys" from /usr/bin/time -f "%U %S"
# Share of samples whose outermost frame is a thread's entry point.
complete_pct() {
	awk '{ t += $NF; split($0, f, ";"); r = f[2]; sub(/ [0-9]+$/, "", r)
	       if (r ~ /^(_start|__libc_start_main|clone|__clone|clone3|__clone3|start_thread)$/) c += $NF }
	     END { printf "%.1f\n", 100 * c / t }' "$1"
}
# ~15 frames: _start, __libc_start_main, __libc_start_call_main, main,
# thread_main's caller chain, DEPTH+1 descend frames and work_unit.
DEPTH=${DEPTH:-11}

# A folded collapse of `perf script` output, for the comparison (awk: no perl here).
collapse_perf_script() {
	awk '
	/^[^ \t]/ { if (n) emit(); comm = $1; n = 0; next }
	/^[ \t]+[0-9a-f]+ / { sym = $2; sub(/\+0x[0-9a-f]+$/, "", sym); f[n++] = sym; next }
	/^$/ { if (n) emit(); n = 0 }
	function emit(   s, i) { s = comm; for (i = n - 1; i >= 0; i--) s = s ";" f[i]; c[s]++ }
	END { if (n) emit(); for (s in c) print s, c[s] }'
}

echo "benchmark (DWARF): fixedwork --units $UNITS, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	# perfscope end to end (launch to folded file written)
	/usr/bin/time -f "%U %S" -o "$tmp/t.ps" "$PERFSCOPE" cpu-profile -F 999 -o "$tmp/ps.folded" \
		-- "$WORK" --depth "$DEPTH" --units "$UNITS" > "$tmp/out" 2> "$tmp/err"
	target_cpu=$(field cpu < "$tmp/out")
	samples=$(sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/err")
	sampling=$(sed -n 's/.*perfscope: \([0-9.]*\) s CPU while sampling.*/\1/p' "$tmp/err")
	# per-sample cost = slope between this run and one a quarter as long,
	# so perfscope's fixed start-up cost does not count
	"$PERFSCOPE" cpu-profile -F 999 -o "$tmp/short.folded" -- "$WORK" --depth "$DEPTH" \
		--units $((UNITS / 4)) > /dev/null 2> "$tmp/err.short"
	short_samples=$(sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/err.short")
	short_sampling=$(sed -n 's/.*perfscope: \([0-9.]*\) s CPU while sampling.*/\1/p' "$tmp/err.short")
	awk -v s="$sampling" -v n="$samples" -v s0="$short_sampling" -v n0="$short_samples" \
		'BEGIN { printf "%.2f\n", 1e6 * (s - s0) / (n - n0) }' >> "$tmp/us_per_sample"
	awk -v t="$(cputime "$tmp/t.ps")" -v c="$target_cpu" 'BEGIN { printf "%.3f\n", t - c }' >> "$tmp/ps_cpu"
	awk -v b="$(stat -c %s "$tmp/ps.folded")" -v n="$samples" 'BEGIN { printf "%.1f\n", b / n }' >> "$tmp/ps_bytes"
	complete_pct "$tmp/ps.folded" >> "$tmp/ps_complete"

	# perf: record with DWARF stacks, then script, then collapse
	/usr/bin/time -f "%U %S" -o "$tmp/t.rec" perf record -q -F 999 --call-graph dwarf,32768 -o "$tmp/perf.data" \
		-- "$WORK" --depth "$DEPTH" --units "$UNITS" > "$tmp/out" 2>/dev/null
	target_cpu=$(field cpu < "$tmp/out")
	/usr/bin/time -f "%U %S" -o "$tmp/t.script" perf script -i "$tmp/perf.data" -F comm,ip,sym > "$tmp/perf.txt" 2>/dev/null
	/usr/bin/time -f "%U %S" -o "$tmp/t.collapse" sh -c "$(declare -f collapse_perf_script); collapse_perf_script < '$tmp/perf.txt' > '$tmp/perf.folded'"
	psamples=$(awk '{ t += $NF } END { print t }' "$tmp/perf.folded")
	awk -v a="$(cputime "$tmp/t.rec")" -v b="$(cputime "$tmp/t.script")" -v c="$(cputime "$tmp/t.collapse")" -v t="$target_cpu" \
		'BEGIN { printf "%.3f\n", a - t + b + c }' >> "$tmp/perf_cpu"
	awk -v b="$(stat -c %s "$tmp/perf.data")" -v n="$psamples" 'BEGIN { printf "%.1f\n", b / n }' >> "$tmp/perf_bytes"
	complete_pct "$tmp/perf.folded" >> "$tmp/perf_complete"

	# the ptrace sampler against the unprofiled run
	"$WORK" --units "$UNITS" > "$tmp/out"; field elapsed < "$tmp/out" >> "$tmp/bare_wall"
	for hz in 49 99; do
		"$PERFSCOPE" cpu-profile -q --sampler ptrace -F $hz -o "$tmp/pt.folded" -- "$WORK" --units "$UNITS" > "$tmp/out" 2>/dev/null
		field elapsed < "$tmp/out" >> "$tmp/pt$hz"
	done
done

# 10 busy threads at 999 Hz: perfscope's peak RSS
units_10t=$(awk -v s="$SECONDS_10T" 'BEGIN { printf "%d", s * 3000 * 2 / 10 }')
"$PERFSCOPE" cpu-profile -F 999 -o "$tmp/10t.folded" -- "$WORK" --threads 10 --units "$units_10t" > /dev/null 2> "$tmp/10t.err"
rss_10t=$(sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/10t.err")
samples_10t=$(sed -n 's/.* \([0-9]*\) samples (.*/\1/p' "$tmp/10t.err")
secs_10t=$(sed -n 's/.*): \([0-9.]*\) s, .*/\1/p' "$tmp/10t.err")

# Frames in the most sampled stack (what a typical sample unwinds).
frames_per_stack() { awk '$NF > top { top = $NF; l = $0; sub(/ [0-9]+$/, "", l); n = split(l, f, ";") - 1 } END { print n }' "$tmp/ps.folded"; }
bench_header "fixedwork at 999 Hz, 32 KiB stack copies (median of $RUNS)"
bench_row "perfscope CPU time, end to end (launch to folded file)" "%.3f s" "" "" $(cat "$tmp/ps_cpu")
bench_row "perf record --call-graph dwarf,32768 + perf script + collapse, CPU time" "%.3f s" "" "" $(cat "$tmp/perf_cpu")
bench_row "perf's CPU time / perfscope's" "%.1fx" ">=" 3 $(paired 'a / b' "$tmp/perf_cpu" "$tmp/ps_cpu")
bench_row "perfscope CPU per sample, marginal ($(frames_per_stack)-frame stacks)" "%.2f us" "<=" 10 $(cat "$tmp/us_per_sample")
bench_row "perfscope bytes written per sample" "%.1f" "<=" 100 $(cat "$tmp/ps_bytes")
bench_row "perf bytes written per sample (perf.data)" "%.1f" "" "" $(cat "$tmp/perf_bytes")
perf_complete=$(median < "$tmp/perf_complete")
bench_row "perf: stacks reaching a thread entry point (_start, clone3)" "%.1f%%" "" "" $(cat "$tmp/perf_complete")
bench_row "perfscope: stacks reaching a thread entry point (target: perf's share or more)" "%.1f%%" ">=" "$perf_complete" \
	$(cat "$tmp/ps_complete")
bench_row "10 busy threads at 999 Hz for ${secs_10t} s, ${samples_10t} samples (one run; target for 60 s): perfscope peak RSS" \
	"%.1f MB" "<" 100 $rss_10t
bench_row "ptrace sampler at 49 Hz: target wall time / unprofiled" "%.3fx" "" "" $(paired 'a / b' "$tmp/pt49" "$tmp/bare_wall")
bench_row "ptrace sampler at 99 Hz: target wall time / unprofiled" "%.3fx" "" "" $(paired 'a / b' "$tmp/pt99" "$tmp/bare_wall")
bench_done
