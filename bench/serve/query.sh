#!/usr/bin/env bash
# query.sh [FILES] - full-snapshot `query` of a table with FILES (default 1,000,000) active files over
# HTTP on local storage: time to last byte and peak server RSS, beside DuckDB reading the same
# log in the same run.  Needs a release build (scripts/build.sh release) and the npm oracles.
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
token=bench-token-0123456789abcdef
cat >"$work/config.yaml" <<YAML
storage: [{name: bench, uri: 'file://$work'}]
shares: [{name: s, schemas: [{name: b, tables: [{name: t, location: 'file://$table'}]}]}]
recipients: [{name: r, token: {env: BENCH_TOKEN}}]
grants: [{share: s, recipients: [r]}]
YAML
rm -rf "$work/state"
BENCH_TOKEN=$token "$bin" serve --config "$work/config.yaml" --data-dir "$work/state" \
  --listen 127.0.0.1:0 --log-format text >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; [ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/opensharing: serving //p' "$work/serve.out")
url="${endpoint}shares/s/schemas/b/tables/t/query"
idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")

best=""
for _ in 1 2 3; do
  t=$(curl -s -o "$work/answer" -w '%{time_total}' -H "Authorization: Bearer $token" -X POST -d '{}' "$url")
  if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
done
lines=$(wc -l <"$work/answer")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
bytes=$(stat -c %s "$work/answer")

dk_best=""
for _ in 1 2 3; do
  /usr/bin/time -f "%e" -o "$work/dk.time" node "$top/bench/delta/duck.mjs" snapshot "$table" 1000 >"$work/dk.out"
  t=$(cat "$work/dk.time")
  if [ -z "$dk_best" ] || awk "BEGIN{exit !($t < $dk_best)}"; then dk_best=$t; fi
done
echo "table:        $files files in a Parquet checkpoint + 50 JSON commits"
echo "opensharing:  $((lines - 2)) files signed and streamed, $((bytes / 1048576)) MiB of NDJSON,"
echo "              time to last byte ${best}s (best of 3); server RSS idle $((idle_kb / 1024)) MB, peak $((rss_kb / 1024)) MB"
echo "duckdb:       the same snapshot (files, total size; no URLs, no JSON) ${dk_best}s process time, $(cat "$work/dk.out")"
awk -v a="$best" -v b="$dk_best" 'BEGIN { printf "ratio (duckdb time / opensharing time to last byte): %.2fx (>1 means we are faster)\n", b / a }'
