#!/usr/bin/env bash
# datasets.sh [FILES] - the Parquet dataset benchmark: a Hive-partitioned dataset of FILES (default
# 100,000) small files on local disk, shared with format: parquet.  Times a `query` to the last
# byte when the catalog is empty (cold: list, read every footer, record version 0), again after a
# restart (warm: the recorded inventory, no listing), and for a second table over the same files
# (footer cache: a listing and an inventory, no footer read); the server's peak RSS in each phase;
# and, in the same run, DuckDB reading every footer of the same glob (parquet_metadata) and
# counting its rows (read_parquet, hive_partitioning).  Needs a release build.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${1:-100000}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
work=${OS_BENCH_DIR:-$(mktemp -d)}
ds=$work/ds
trap 'kill ${pid:-} 2>/dev/null || true; [ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"' EXIT
if [ ! -f "$ds/.built-$files" ]; then
  t0=$(date +%s.%N)
  rm -rf "$ds" && mkdir -p "$work/tpl" "$ds"
  node "$top/bench/parquet/datasets_duck.mjs" templates "$work/tpl" 100
  python3 - "$work/tpl" "$ds" "$files" <<'PY'
import os, shutil, sys
tpl, ds, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(n):
    d = os.path.join(ds, "p1=%d" % (i % 100), "p2=2024-%02d-%02d" % (1 + (i // 100) % 12, 1 + (i // 1200) % 28))
    os.makedirs(d, exist_ok=True)
    shutil.copyfile(os.path.join(tpl, "t%d.parquet" % (i % 100)), os.path.join(d, "part-%07d.parquet" % i))
PY
  touch "$ds/.built-$files"
  echo "bench: built $files files in $(echo "$(date +%s.%N) - $t0" | bc) s"
fi
cat >"$work/config.yaml" <<YAML
server: {dataset_refresh_interval: 3600}
storage: [{name: local, uri: 'file://$ds'}]
shares:
  - name: s
    schemas:
      - name: d
        tables:
          - {name: t, location: 'file://$ds', format: parquet}
          - {name: t2, location: 'file://$ds', format: parquet}
recipients: [{name: r, token: {env: TOK}}]
grants: [{share: s, recipients: [r]}]
YAML
export TOK=bench-token-0123456789abcdef
start() {
  "$bin" serve --config "$work/config.yaml" --data-dir "$work/state" --listen 127.0.0.1:0 --threads 4 \
    >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  for _ in $(seq 100); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  base=$(sed -n 's/^opensharing: serving \(\S*\).*/\1/p' "$work/serve.out" | head -1)
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
query() {  # query TABLE -> "seconds lines"
  local t0 t1 n
  t0=$(date +%s.%N)
  n=$(curl -sf -H "Authorization: Bearer $TOK" -X POST -d '{}' "${base}shares/s/schemas/d/tables/$1/query" | wc -l)
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc) $n"
}
hwm() { awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status"; }

# Both cold runs (ours and DuckDB's) start from an empty page cache when the kernel lets us
# drop it (root); otherwise both read from a warm one.
drop() { sync; if echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then echo "dropped"; else echo "kept"; fi; }
rm -rf "$work/state"
cache=$(drop)
start
read -r cold_s cold_n < <(query t)
cold_mb=$(hwm)
stop
start
read -r warm_s warm_n < <(query t)
warm_mb=$(hwm)
read -r fc_s fc_n < <(query t2)
fc_mb=$(hwm)
stop
duck() {  # duck MODE -> "seconds files_or_rows peak_mb" (each from an empty page cache)
  drop >/dev/null
  /usr/bin/time -f "%M" -o "$work/duck.time" node "$top/bench/parquet/datasets_duck.mjs" "$1" "$ds/**/*.parquet" >"$work/duck.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["s"], d.get("files", d.get("rows")), int(open(sys.argv[2]).read()) // 1024)' \
    "$work/duck.json" "$work/duck.time"
}
read -r dmeta dfiles dmeta_mb < <(duck metadata)
read -r dread drows dread_mb < <(duck read)

echo "dataset:                $files files ($dfiles read by DuckDB), Hive-partitioned p1=/p2=, local disk, page cache $cache before each cold run"
echo "cold query:             ${cold_s}s  $((cold_n - 2)) file lines  peak RSS ${cold_mb} MB  (list, read every footer, record version 0)"
echo "warm query:             ${warm_s}s  $((warm_n - 2)) file lines  peak RSS ${warm_mb} MB  (recorded inventory, no listing)"
echo "footer-cache query:     ${fc_s}s  $((fc_n - 2)) file lines  peak RSS ${fc_mb} MB  (second table: listing, no footer read)"
echo "duckdb parquet_metadata ${dmeta}s  peak RSS ${dmeta_mb} MB; read_parquet count(*) ${dread}s ($drows rows)  peak RSS ${dread_mb} MB"
awk -v c="$cold_s" -v w="$warm_s" -v f="$fc_s" -v m="$dmeta" -v r="$dread" 'BEGIN {
  printf "ratios: cold vs duckdb parquet_metadata %.2fx, vs read_parquet %.2fx (>1: we are faster); warm is %.1fx faster than cold; footer cache %.1fx\n", m / c, r / c, c / w, c / f }'
