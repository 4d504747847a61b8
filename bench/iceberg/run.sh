#!/usr/bin/env bash
# run.sh [FILES] [MANIFESTS] - the Iceberg benchmark: a generated v2 table with FILES (default
# 1,000,000) data files in MANIFESTS (default 100) manifests (bench/iceberg/gen_big.mjs, written once
# into bench/out/ and reused).  In the same run, best of 3 each:
#   - `opensharing inspect iceberg --count` and `--files --json > /dev/null`: wall time, peak RSS;
#   - avsc in Node reading the same manifest list and manifests (bench/iceberg/avsc_read.mjs),
#     walking every entry, then also writing the same NDJSON to /dev/null; the ratios;
#   - `query` of the table over HTTP on local storage (no data files exist: listing and signing
#     never touch them): time to last byte and the server's peak RSS (and the time of `metadata`,
#     which checks the snapshot for delete files), beside the same figures for a
#     Delta table of FILES files (bench/delta/duck.mjs, also kept in bench/out/; OS_BENCH_DELTA=0
#     skips it).
# Needs a release build (scripts/build.sh release) and the npm oracles (tests/conformance).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${1:-1000000}
manifests=${2:-100}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
out=$top/bench/out
table=$out/iceberg_${files}_${manifests}
mkdir -p "$out"
if [ ! -f "$table/.complete" ]; then
  echo "bench: generating an Iceberg table with $files data files in $manifests manifests in $table"
fi
gen=$(node "$top/bench/iceberg/gen_big.mjs" "$table" "$files" "$manifests")
work=${OS_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  [ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

measure() {  # measure OUTFILE CMD... -> prints "wall_s peak_kb cpu_s"; the command's stdout goes to OUTFILE
  local o=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >"$o"
  awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$work/time"
}

best() {  # best OUTFILE CMD... -> of 3 runs: "wall_s peak_kb cpu_s", the least wall time (with that
          # run's peak RSS) and the least CPU time (user + sys): the machine may be shared
  local bs="" bk="" bc="" s k c
  for _ in 1 2 3; do
    read -r s k c < <(measure "$@")
    if [ -z "$bs" ] || awk "BEGIN{exit !($s < $bs)}"; then bs=$s; bk=$k; fi
    if [ -z "$bc" ] || awk "BEGIN{exit !($c < $bc)}"; then bc=$c; fi
  done
  echo "$bs $bk $bc"
}

mb() { echo $(( $1 / 1024 )); }

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
read -r os_count_s os_count_kb os_count_c < <(best "$work/count" "$bin" inspect iceberg "$table" --count)
read -r os_json_s os_json_kb os_json_c < <(best /dev/null "$bin" inspect iceberg "$table" --files --json)
read -r av_walk_s av_walk_kb av_walk_c < <(best "$work/avsc" node "$top/bench/iceberg/avsc_read.mjs" "$table")
read -r av_json_s av_json_kb av_json_c < <(best /dev/null node "$top/bench/iceberg/avsc_read.mjs" "$table" --ndjson)

# ---- query over HTTP ---------------------------------------------------------------------------

token=bench-token-0123456789abcdef
serve_query() {  # serve_query NAME TABLE_YAML -> "best_secs lines bytes idle_kb peak_kb metadata_secs"
  local name=$1 yaml=$2
  cat >"$work/$name.yaml" <<YAML
storage: [{name: bench, uri: 'file://$out'}]
shares: [{name: s, schemas: [{name: b, tables: [$yaml]}]}]
recipients: [{name: r, token: {env: BENCH_TOKEN}}]
grants: [{share: s, recipients: [r]}]
YAML
  rm -rf "$work/state-$name"
  BENCH_TOKEN=$token "$bin" serve --config "$work/$name.yaml" --data-dir "$work/state-$name" \
    --listen 127.0.0.1:0 --log-format text >"$work/serve-$name.out" 2>"$work/serve-$name.err" &
  pid=$!
  for _ in $(seq 100); do grep -q "serving" "$work/serve-$name.out" 2>/dev/null && break; sleep 0.1; done
  local endpoint url idle rss t b=""
  endpoint=$(sed -n 's/opensharing: serving //p' "$work/serve-$name.out")
  url="${endpoint}shares/s/schemas/b/tables/t/query"
  idle=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  local m mb=""
  for _ in 1 2 3; do
    t=$(curl -s -o "$work/answer-$name" -w '%{time_total}' -H "Authorization: Bearer $token" -X POST -d '{}' "$url")
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
    m=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "${url%/query}/metadata")
    if [ -z "$mb" ] || awk "BEGIN{exit !($m < $mb)}"; then mb=$m; fi
  done
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "$b $(wc -l <"$work/answer-$name") $(stat -c %s "$work/answer-$name") $idle $rss $mb"
}

# No data file exists: check it, so the query figure shows that signing never looks at them.
data_files=$(find "$table" -name '*.parquet' | head -1 | wc -l)
read -r ice_q_s ice_lines ice_bytes ice_idle ice_peak ice_meta_s < \
  <(serve_query ice "{name: t, location: 'file://$table', format: iceberg}")
if [ "$ice_lines" -ne $((files + 2)) ]; then
  echo "bench: the Iceberg query answered $ice_lines lines, not $((files + 2)):" >&2
  head -c 600 "$work/answer-ice" >&2
  exit 1
fi
delta_line=""
if [ "${OS_BENCH_DELTA:-1}" != 0 ]; then
  dtable=$out/delta_$files/table
  if [ ! -d "$dtable/_delta_log" ]; then
    echo "bench: building a Delta table with $files files in $dtable"
    mkdir -p "$out/delta_$files"
    node "$top/bench/delta/duck.mjs" build "$dtable" "$files" 50 100 >/dev/null
  fi
  read -r d_q_s d_lines d_bytes d_idle d_peak d_meta_s < <(serve_query delta "{name: t, location: 'file://$dtable'}")
  delta_line="delta query:        $((d_lines - 2)) files signed and streamed, $((d_bytes / 1048576)) MiB of NDJSON, time to last byte ${d_q_s}s; server RSS idle $(mb "$d_idle") MB, peak $(mb "$d_peak") MB; metadata ${d_meta_s}s"
fi
echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

echo "table:              $table: $gen"
echo "                    wall (best of 3)  CPU user+sys (best of 3)  peak RSS"
echo "opensharing count:  ${os_count_s}s  ${os_count_c}s  $(mb "$os_count_kb") MB   $(cat "$work/count")"
echo "opensharing files:  ${os_json_s}s  ${os_json_c}s  $(mb "$os_json_kb") MB   --files --json > /dev/null"
echo "avsc walk:          ${av_walk_s}s  ${av_walk_c}s  $(mb "$av_walk_kb") MB   $(cat "$work/avsc")"
echo "avsc NDJSON:        ${av_json_s}s  ${av_json_c}s  $(mb "$av_json_kb") MB   the same file lines to /dev/null"
awk -v a="$os_count_s" -v b="$av_walk_s" -v c="$os_json_s" -v d="$av_json_s" \
    -v ac="$os_count_c" -v bc="$av_walk_c" -v cc="$os_json_c" -v dc="$av_json_c" 'BEGIN {
  printf "ratio (avsc / opensharing), wall: walk vs --count %.2fx, NDJSON vs --files --json %.2fx  (target >= 3x)\n", b / a, d / c
  printf "ratio (avsc / opensharing), CPU:  walk vs --count %.2fx, NDJSON vs --files --json %.2fx\n", bc / ac, dc / cc }'
echo "iceberg query:      $((ice_lines - 2)) files signed and streamed ($([ "$data_files" = 0 ] && echo "no data file exists" || echo "data files exist")), $((ice_bytes / 1048576)) MiB of NDJSON, time to last byte ${ice_q_s}s; server RSS idle $(mb "$ice_idle") MB, peak $(mb "$ice_peak") MB; metadata ${ice_meta_s}s"
[ -z "$delta_line" ] || echo "$delta_line"
[ -z "$delta_line" ] || awk -v a="$ice_q_s" -v b="$d_q_s" 'BEGIN { printf "ratio (iceberg / delta time to last byte): %.2fx\n", a / b }'
