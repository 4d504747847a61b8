#!/usr/bin/env bash
# rest.sh [SNAPSHOTS] [SECONDS] - loadTable of the Iceberg REST catalog for a table whose metadata
# file has SNAPSHOTS (default 10,000) snapshots (about 5 MB), under wrk with 16 keep-alive
# connections, beside nginx (1 worker) serving the same metadata file as a static file in the same
# run; also config and listNamespaces.  Prints requests/s, latency and the server's peak RSS, and
# the ratios.  Needs a release build, and installs Debian's wrk and nginx-light when missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
snaps=${1:-10000}
secs=${2:-10}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
for p in wrk nginx-light; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null; }
done
work=$(mktemp -d)
trap 'kill ${pid:-} ${ngx:-} 2>/dev/null || true; rm -rf "$work"' EXIT
table=$work/lake/t
mkdir -p "$table/metadata"
python3 - "$table" "$snaps" <<'PY'
import json, sys
table, n = sys.argv[1], int(sys.argv[2])
loc = "s3://bench-bucket/wh/t"
fields = [{"id": i + 1, "name": "c%d" % i, "required": False, "type": "long"} for i in range(20)]
snaps, log = [], []
for i in range(n):
    sid = 1000000 + i
    s = {"snapshot-id": sid, "sequence-number": i + 1, "timestamp-ms": 1700000000000 + i * 1000,
         "manifest-list": "%s/metadata/snap-%d-1-0f5c9a1e-8d7b-4c3a-9e2f-%012d.avro" % (loc, sid, i),
         "summary": {"operation": "append", "added-data-files": "1", "added-records": "1000",
                     "total-records": str(1000 * (i + 1)), "total-data-files": str(i + 1)},
         "schema-id": 0}
    if i:
        s["parent-snapshot-id"] = sid - 1
    snaps.append(s)
    log.append({"timestamp-ms": s["timestamp-ms"], "snapshot-id": sid})
meta = {"format-version": 2, "table-uuid": "5b7c3a2e-1f0d-4c6b-9a8e-7d6c5b4a3f2e", "location": loc,
        "last-sequence-number": n, "last-updated-ms": 1700000000000 + n * 1000, "last-column-id": 20,
        "current-schema-id": 0, "schemas": [{"type": "struct", "schema-id": 0, "fields": fields}],
        "default-spec-id": 0, "partition-specs": [{"spec-id": 0, "fields": []}], "last-partition-id": 999,
        "default-sort-order-id": 0, "sort-orders": [{"order-id": 0, "fields": []}], "properties": {},
        "current-snapshot-id": 1000000 + n - 1,
        "refs": {"main": {"snapshot-id": 1000000 + n - 1, "type": "branch"}},
        "snapshots": snaps, "snapshot-log": log, "metadata-log": []}
with open(table + "/metadata/v1.metadata.json", "w") as f:
    json.dump(meta, f)
PY
size=$(stat -c %s "$table/metadata/v1.metadata.json")
token=bench-token-0123456789abcdef
cat >"$work/config.yaml" <<YAML
storage: [{name: bench, uri: 'file://$work/lake'}]
shares: [{name: s, schemas: [{name: b, tables: [{name: t, location: 'file://$table', format: iceberg}]}]}]
recipients: [{name: r, token: {env: BENCH_TOKEN}}]
grants: [{share: s, recipients: [r]}]
YAML
BENCH_TOKEN=$token "$bin" serve --config "$work/config.yaml" --data-dir "$work/state" \
  --listen 127.0.0.1:0 --log-format text >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/opensharing: serving //p' "$work/serve.out")
ice="${endpoint}iceberg/v1"
load="$ice/shares/s/namespaces/b/tables/t"
curl -sf -o "$work/load.json" -H "Authorization: Bearer $token" "$load"
loaded=$(stat -c %s "$work/load.json")

# nginx: one worker serving the same metadata file.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx/logs"
cat >"$work/nginx/nginx.conf" <<NGX
user root;
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server { listen 127.0.0.1:$port; root $table; }
}
NGX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
ngx=$!
sleep 0.5

run() {   # run NAME URL [HEADER]: prints requests/s and the mean latency
  local name=$1 url=$2
  shift 2
  wrk -t2 -c16 -d"${secs}s" --latency "$@" "$url" >"$work/wrk.$name" 2>&1
  local rps lat non2xx
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.$name")
  lat=$(awk '/Latency/ && !/Distribution/ {print $2; exit}' "$work/wrk.$name")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.$name")
  printf '%-28s %10s req/s  mean latency %-8s %s\n' "$name" "$rps" "$lat" "${non2xx:+non-2xx: $non2xx}"
  echo "$rps" >"$work/rps.$name"
}
echo "metadata file: $snaps snapshots, $((size / 1024)) KiB; loadTable answer $((loaded / 1024)) KiB"
run nginx-metadata "http://127.0.0.1:$port/metadata/v1.metadata.json"
run loadTable "$load" -H "Authorization: Bearer $token"
run loadTable-refs "$load?snapshots=refs" -H "Authorization: Bearer $token"
run config "$ice/config?warehouse=s" -H "Authorization: Bearer $token"
run listNamespaces "$ice/shares/s/namespaces" -H "Authorization: Bearer $token"
# The small catalog answers beside nginx serving the same bodies as static files.
curl -sf -o "$table/config.json" -H "Authorization: Bearer $token" "$ice/config?warehouse=s"
curl -sf -o "$table/namespaces.json" -H "Authorization: Bearer $token" "$ice/shares/s/namespaces"
run nginx-config "http://127.0.0.1:$port/config.json"
run nginx-namespaces "http://127.0.0.1:$port/namespaces.json"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "server peak RSS: $((rss_kb / 1024)) MB"
ratio() { awk -v a="$(cat "$work/rps.$2")" -v b="$(cat "$work/rps.$3")" \
  'BEGIN { printf "ratio %s: %.3fx\n", "'"$1"'", a / b }'; }
ratio "loadTable / nginx static file" loadTable nginx-metadata
ratio "config / nginx static file" config nginx-config
ratio "listNamespaces / nginx static file" listNamespaces nginx-namespaces
