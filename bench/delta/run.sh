#!/usr/bin/env bash
# run.sh [FILES] - the Delta snapshot benchmark: a table with FILES (default 1,000,000) active
# files (a DuckDB-written Parquet checkpoint plus 50 JSON commits), a full snapshot with
# `opensharing inspect delta` beside DuckDB reading the same checkpoint and commits, in the
# same run.  Prints times, peak RSS and the ratio.  Needs a release build (scripts/build.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${1:-1000000}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
work=${OS_BENCH_DIR:-$(mktemp -d)}
table=$work/table
if [ ! -d "$table/_delta_log" ]; then
  echo "bench: building a table with $files files in $table"
  node "$top/bench/delta/duck.mjs" build "$table" "$files" 50 100 >/dev/null
fi

measure() {  # measure LABEL CMD... -> prints "LABEL seconds peak_kb" and keeps stdout in $work/out
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out"
  read -r secs kb <"$work/time"
  echo "$label $secs $kb"
}

best() {  # best of 3 runs: prints "secs kb"
  local label=$1; shift
  local bs="" bk=""
  for _ in 1 2 3; do
    read -r _ s k < <(measure "$label" "$@")
    if [ -z "$bs" ] || awk "BEGIN{exit !($s < $bs)}"; then bs=$s; bk=$k; fi
  done
  echo "$bs $bk"
}

read -r os_count_s os_count_kb < <(best count "$bin" inspect delta "$table" --count)
ours=$(cat "$work/out")
read -r os_full_s os_full_kb < <(best ndjson sh -c "\"$bin\" inspect delta \"$table\" | wc -l")
lines=$(cat "$work/out")
read -r dk_s dk_kb < <(best duckdb node "$top/bench/delta/duck.mjs" snapshot "$table" 1000)
duck=$(cat "$work/out")

echo "table:            $table ($files files in the checkpoint, 50 commits x 100 removes + 100 adds)"
echo "opensharing:      $ours  (count only)  ${os_count_s}s  peak RSS $((os_count_kb / 1024)) MB"
echo "opensharing:      $((lines - 2)) NDJSON file lines     ${os_full_s}s  peak RSS $((os_full_kb / 1024)) MB"
echo "duckdb (node):    $duck  ${dk_s}s  peak RSS $((dk_kb / 1024)) MB"
awk -v a="$os_count_s" -v b="$dk_s" -v c="$os_full_s" 'BEGIN {
  printf "ratio (duckdb time / opensharing time): count %.2fx, full NDJSON %.2fx  (>1 means we are faster)\n", b / a, b / c }'
[ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"
