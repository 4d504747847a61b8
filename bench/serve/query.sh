#!/usr/bin/env bash
# query.sh [FILES] - full-snapshot `query` of a table with FILES (default 1,000,000) active files over
# HTTP on local storage: time to last byte of the first query of a version (log replay) and of the
# next one (snapshot cache), peak server RSS, bytes on the wire with gzip and zstd, beside DuckDB
# writing the equivalent NDJSON from the same log in the same run.  Needs a release build
# (scripts/build.sh release) and the npm oracles.
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
pid=""
stop_server() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""; fi; }
trap 'stop_server; [ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"' EXIT
# A fresh server and data dir: an empty snapshot cache.
start_server() {
  rm -rf "$work/state" "$work/serve.out"
  BENCH_TOKEN=$token "$bin" serve --config "$work/config.yaml" --data-dir "$work/state" \
    --listen 127.0.0.1:0 --log-format text >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  for _ in $(seq 100); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  endpoint=$(sed -n 's/opensharing: serving //p' "$work/serve.out")
  url="${endpoint}shares/s/schemas/b/tables/t/query"
}
# query OUT [CURL ARGS...] -> prints time to last byte
query() {
  local out=$1; shift
  curl -s -o "$out" -w '%{time_total}' -H "Authorization: Bearer $token" "$@" -X POST -d '{}' "$url"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

first=""; second=""; rss_kb=0
for _ in 1 2 3; do
  start_server
  idle_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  first=$(min "$first" "$(query "$work/answer")")
  for _ in 1 2; do second=$(min "$second" "$(query "$work/answer2")"); done
  kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status"); [ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
  stop_server
done
lines=$(wc -l <"$work/answer")
bytes=$(stat -c %s "$work/answer")

# Compressed answers (snapshot cached, as a client polling a table sees them).
start_server
query /dev/null >/dev/null
gz=""; zs=""
for _ in 1 2; do
  gz=$(min "$gz" "$(query "$work/answer.gz" -H 'Accept-Encoding: gzip')")
  zs=$(min "$zs" "$(query "$work/answer.zst" -H 'Accept-Encoding: zstd')")
done
kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status"); [ "$kb" -gt "$rss_kb" ] && rss_kb=$kb
stop_server
gz_bytes=$(stat -c %s "$work/answer.gz"); zs_bytes=$(stat -c %s "$work/answer.zst")

dk_best=""
for _ in 1 2 3; do
  /usr/bin/time -f "%e" -o "$work/dk.time" node "$top/bench/delta/duck.mjs" ndjson "$table" 1000 "$work/duck.ndjson" >"$work/dk.out"
  dk_best=$(min "$dk_best" "$(cat "$work/dk.time")")
done
dk_bytes=$(stat -c %s "$work/duck.ndjson")
rm -f "$work/duck.ndjson"
wire() { awk -v b="$1" -v t="$2" 'BEGIN { w = b * 8 / 1e9; printf "%.2fs on a 1 Gbit/s link (%.2fs here)", (w > t ? w : t), t }'; }
echo "table:        $files files in a Parquet checkpoint + 50 JSON commits"
echo "opensharing:  $((lines - 2)) files signed and streamed, $((bytes / 1048576)) MiB of NDJSON; peak server RSS $((rss_kb / 1024)) MB (idle $((idle_kb / 1024)) MB)"
echo "              first query of the version (log replay) ${first}s, next queries (snapshot cache) ${second}s to last byte (best of 3)"
echo "              gzip: $((gz_bytes / 1048576)) MiB, $(wire "$gz_bytes" "$gz"); zstd: $((zs_bytes / 1048576)) MiB, $(wire "$zs_bytes" "$zs"); plain: $(wire "$bytes" "$second")"
echo "duckdb:       the same active files written as NDJSON (url, id, partitionValues, size, stats): $((dk_bytes / 1048576)) MiB in ${dk_best}s process time (best of 3)"
awk -v a="$first" -v s="$second" -v d="$dk_best" 'BEGIN {
  printf "ratio duckdb / opensharing first query: %.2fx, duckdb / next query: %.2fx (>1 means we are faster)\n", d / a, d / s
  printf "ratio first / next query of a version:  %.2fx\n", a / s }'
