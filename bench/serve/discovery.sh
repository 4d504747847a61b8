#!/usr/bin/env bash
# discovery.sh [SECONDS] [CONNECTIONS] - discovery under wrk (2 threads, 64 keep-alive connections by
# default) against `all-tables`, a table's `metadata` and its `version`, beside nginx (Debian's
# nginx-light, 1 worker) serving the very same bodies as static files in the same run.  Prints
# requests/s and latency of each, the ratios, non-2xx counts and whether the audit log holds one
# row per request made.  Needs a release build; installs wrk and nginx-light when missing.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
conns=${2:-64}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
for p in wrk nginx-light; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null; }
done
work=$(mktemp -d)
trap 'kill ${pid:-} ${ngx:-} 2>/dev/null || true; rm -rf "$work"' EXIT

# A share of 20 small Delta tables (one commit each, written by hand: the body sizes, not the
# table sizes, matter here).
mkdir -p "$work/lake"
python3 - "$work/lake" <<'PY'
import json, os, sys
root = sys.argv[1]
schema = json.dumps({"type": "struct", "fields": [
    {"name": n, "type": t, "nullable": True, "metadata": {}}
    for n, t in [("id", "long"), ("name", "string"), ("amount", "double"), ("day", "date")]]})
for i in range(20):
    log = os.path.join(root, "t%02d" % i, "_delta_log")
    os.makedirs(log)
    with open(os.path.join(log, "%020d.json" % 0), "w") as f:
        f.write(json.dumps({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}) + "\n")
        f.write(json.dumps({"metaData": {"id": "00000000-0000-4000-8000-%012d" % i,
            "format": {"provider": "parquet", "options": {}}, "schemaString": schema,
            "partitionColumns": ["day"], "configuration": {}, "createdTime": 1700000000000}}) + "\n")
        f.write(json.dumps({"commitInfo": {"timestamp": 1700000000000, "operation": "WRITE"}}) + "\n")
PY
{
  echo "storage: [{name: lake, uri: 'file://$work/lake'}]"
  echo "shares:"
  echo "  - name: s"
  echo "    schemas:"
  echo "      - name: b"
  echo "        tables:"
  for i in $(seq -w 0 19); do echo "          - {name: t$i, location: 'file://$work/lake/t$i'}"; done
  echo "recipients: [{name: r, token: {env: BENCH_TOKEN}}]"
  echo "grants: [{share: s, recipients: [r]}]"
} >"$work/config.yaml"
token=bench-token-0123456789abcdef
BENCH_TOKEN=$token "$bin" serve --config "$work/config.yaml" --data-dir "$work/state" \
  --listen 127.0.0.1:0 --log-format text >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q "serving" "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/opensharing: serving //p' "$work/serve.out")
[ -n "$endpoint" ] || { cat "$work/serve.err" >&2; exit 1; }

# The same bodies as static files for nginx.
mkdir -p "$work/www/nginx/logs"
declare -A path=([all-tables]="shares/s/all-tables" [metadata]="shares/s/schemas/b/tables/t07/metadata"
                 [version]="shares/s/schemas/b/tables/t07/version")
for k in all-tables metadata version; do
  curl -sf -o "$work/www/$k" -H "Authorization: Bearer $token" "${endpoint}${path[$k]}"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/www/nginx/nginx.conf" <<NGX
user root;
worker_processes 1;
daemon off;
pid $work/www/nginx/nginx.pid;
error_log $work/www/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  default_type application/json;
  server { listen 127.0.0.1:$port; root $work/www; }
}
NGX
nginx -c "$work/www/nginx/nginx.conf" -p "$work/www/nginx" &
ngx=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/version" && break; sleep 0.1; done

made=0
run() {  # run NAME URL [auth] -> "rps p50 p99 non2xx requests"
  local lua=$work/report.lua
  cat >"$lua" <<'LUA'
done = function(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, bad, summary.requests))
end
LUA
  if [ "${3:-}" = auth ]; then
    wrk -t2 -c"$conns" -d"${secs}s" -s "$lua" -H "Authorization: Bearer $token" "$2" | sed -n 's/^RESULT //p'
  else
    wrk -t2 -c"$conns" -d"${secs}s" -s "$lua" "$2" | sed -n 's/^RESULT //p'
  fi
}
printf "%-11s %12s %10s %10s %8s   %12s %10s   %s\n" endpoint "req/s" "p50 ms" "p99 ms" "errors" "nginx req/s" "p50 ms" ratio
for k in all-tables metadata version; do
  read -r rps p50 p99 bad n < <(run "$k" "${endpoint}${path[$k]}" auth)
  made=$((made + n))
  read -r nrps np50 np99 nbad nn < <(run "$k" "http://127.0.0.1:$port/$k")
  printf "%-11s %12s %10s %10s %8s   %12s %10s   %.3fx\n" "$k" "$rps" "$p50" "$p99" "$bad" "$nrps" "$np50" \
    "$(awk -v a="$rps" -v b="$nrps" 'BEGIN{print a/b}')"
done
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo "server peak RSS $((rss_kb / 1024)) MB; threads $(ls /proc/$pid/task | wc -l)"
# Audit: every request made (plus the three body fetches) must be in the log once the queue drains.
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=
rows=$(python3 - "$work/state" <<'PY'
import glob, sqlite3, sys
db = glob.glob(sys.argv[1] + "/**/catalog.db", recursive=True)[0]
print(sqlite3.connect(db).execute("select count(*) from audit_events").fetchone()[0])
PY
)
# wrk counts only answers it received before stopping; requests still in flight then were served
# and audited too, so the log may hold up to one more row per connection per run.
made=$((made + 3)); slack=$((3 * conns))
if [ "$rows" -ge "$made" ] && [ "$rows" -le $((made + slack)) ]; then verdict="complete"; else verdict="MISMATCH"; fi
echo "audit rows $rows for $made requests counted by wrk (+ up to $slack in flight at its stops): $verdict"
