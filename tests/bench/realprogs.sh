#!/usr/bin/env bash
# Part of make bench: memory-profile on programs nobody here wrote, side by
# side with their unprofiled run and with heaptrack (record only, once: it
# is the slow one), interleaved over $RUNS rounds:
#   - cc1plus compiling a 20-line C++ file that includes <regex>, <map>,
#     <unordered_map>, <set>, <sstream>, <functional> and <iostream> at -O1
#     (hundreds of thousands of allocations, ~35 frames deep);
#   - sqlite3 building and querying a 200,000-row table in memory;
#   - python3 building and sorting a dict of 300,000 lists.
# For each: wall time (the slowdown against the bare run), perfscope's own
# peak RSS (its summary's figure, not the target's), the output's size, and
# how soon the reports were written after the target ended.  heaptrack's
# peak RSS is /usr/bin/time's, the largest of any process of its run.
# Targets (issue 21): wall at most 2x bare, perfscope under 256 MB, the
# largest output file under 20 MB, reports within 1 s of the end.
. "$(dirname "$0")/common.sh"
RUNS=${RUNS:-3}
have_heaptrack=1
command -v heaptrack >/dev/null || have_heaptrack=0

cat > "$tmp/heavy.cc" <<'EOF'
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_map>

int main(int argc, char **argv)
{
	std::map<std::string, int> counts;
	std::unordered_map<int, std::set<std::string>> by_length;
	std::regex word("[a-z]+");
	std::function<void(const std::string &)> add = [&](const std::string &w) { counts[w]++; };
	for (int i = 1; i < argc; i++) {
		std::string s(argv[i]);
		for (std::sregex_iterator it(s.begin(), s.end(), word), end; it != end; ++it)
			add(it->str());
	}
	for (auto &[w, n] : counts)
		by_length[(int)w.size()].insert(w);
	std::ostringstream out;
	out << counts.size() << " words, " << by_length.size() << " lengths";
	std::cout << out.str() << "\n";
}
EOF
cat > "$tmp/query.sql" <<'EOF'
CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER, v REAL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO t SELECT i, printf('name-%d', i), i % 97, i * 0.5 FROM n;
CREATE INDEX t_grp ON t(grp, name);
SELECT grp, count(*), sum(v), max(name) FROM t GROUP BY grp ORDER BY 2 DESC LIMIT 3;
EOF
cat > "$tmp/work.py" <<'EOF'
d = {str(i): [i] * 5 for i in range(300000)}
s = sorted(d, key=lambda k: d[k][0] % 1000)
print(len(s), s[0])
EOF

# The programs: a name and the command; cc1plus as the g++ driver would run it.
cc1plus_cmd=$(cd "$tmp" && g++ -O1 -c heavy.cc -o heavy.o -### 2>&1 | grep -E '^ "?/.*cc1plus' | head -1)
python=/usr/bin/python3
declare -A cmds
names=()
if [ -n "$cc1plus_cmd" ]; then
	cmds[cc1plus]="$cc1plus_cmd"
	names+=(cc1plus)
fi
if command -v sqlite3 >/dev/null; then
	cmds[sqlite3]="sqlite3 :memory: < '$tmp/query.sql'"
	names+=(sqlite3)
fi
if [ -x "$python" ]; then
	cmds[python3]="$python '$tmp/work.py'"
	names+=(python3)
fi

# seconds of wall time of the command in $1 (run from $tmp, output dropped)
wall() {
	local start end
	start=$(date +%s.%N)
	(cd "$tmp" && eval "$1") > /dev/null 2>>"$tmp/err" || true
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}

echo "benchmark (real programs): ${names[*]}, $RUNS runs" >&2
for i in $(seq "$RUNS"); do
	echo "  round $i/$RUNS" >&2
	for n in "${names[@]}"; do
		wall "${cmds[$n]}" >> "$tmp/$n.bare"
		rm -rf "$tmp/ps-$n"
		start=$(date +%s.%N)
		# shellcheck disable=SC2016
		(cd "$tmp" && eval "\"$PERFSCOPE\" memory-profile -o '$tmp/ps-$n' -- ${cmds[$n]}") \
			> /dev/null 2> "$tmp/summary"
		end=$(date +%s.%N)
		awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }' >> "$tmp/$n.ps"
		sed -n 's/.*peak RSS \([0-9.]*\) MB.*/\1/p' "$tmp/summary" >> "$tmp/$n.psrss"
		sed -n 's/.*, \([0-9.]*\) s after the target ended.*/\1/p' "$tmp/summary" >> "$tmp/$n.after"
		du -sb "$tmp/ps-$n" | awk '{ printf "%.1f\n", $1 / 1e6 }' >> "$tmp/$n.out"
		find "$tmp/ps-$n" -type f -printf '%s\n' | sort -n | tail -1 | awk '{ printf "%.1f\n", $1 / 1e6 }' >> "$tmp/$n.largest"
	done
done
if [ "$have_heaptrack" = 1 ]; then
	for n in "${names[@]}"; do
		rm -rf "$tmp/ht" && mkdir -p "$tmp/ht"
		start=$(date +%s.%N)
		(cd "$tmp" && eval "/usr/bin/time -f 'maxrss=%M' heaptrack -o '$tmp/ht/run' ${cmds[$n]}") \
			> /dev/null 2> "$tmp/htout" || true
		end=$(date +%s.%N)
		awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }' >> "$tmp/$n.ht"
		field maxrss < "$tmp/htout" | awk '{ printf "%.1f\n", $1 / 1024 }' >> "$tmp/$n.htrss"
		du -sb "$tmp/ht" | awk '{ printf "%.3f\n", $1 / 1e6 }' >> "$tmp/$n.htout"
	done
fi

ratio() { paste "$tmp/$1" "$tmp/$2" | awk '$2 > 0 { printf "%.3f\n", $1 / $2 }'; }

bench_header "real programs, memory-profile (median of $RUNS; heaptrack once)"
for n in "${names[@]}"; do
	bench_row "$n: unprofiled wall time" "%.2f s" "" "" $(cat "$tmp/$n.bare")
	bench_row "$n: perfscope wall / bare" "%.2fx" "<=" 2 $(ratio "$n.ps" "$n.bare")
	bench_row "$n: perfscope's peak RSS" "%.0f MB" "<" 256 $(cat "$tmp/$n.psrss")
	bench_row "$n: perfscope's largest output file" "%.1f MB" "<" 20 $(cat "$tmp/$n.largest")
	bench_row "$n: perfscope's whole output" "%.1f MB" "" "" $(cat "$tmp/$n.out")
	bench_row "$n: reports written after the target ended" "%.2f s" "<=" 1 $(cat "$tmp/$n.after")
	if [ "$have_heaptrack" = 1 ]; then
		bench_row "$n: heaptrack record wall / bare" "%.2fx" "" "" \
			"$(awk -v h="$(cat "$tmp/$n.ht")" -v b="$(median < "$tmp/$n.bare")" 'BEGIN { printf "%.3f", h / b }')"
		bench_row "$n: heaptrack's largest process RSS" "%.0f MB" "" "" $(cat "$tmp/$n.htrss")
		bench_row "$n: heaptrack's output" "%.2f MB" "" "" $(cat "$tmp/$n.htout")
	fi
done
bench_done
