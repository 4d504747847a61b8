#!/usr/bin/env bash
# footprint.sh - the server's idle memory and its start-to-ready time on the embedded default (SQLite
# catalog, local storage, sample shares), beside the floor set by its shared libraries alone: the
# RSS of `opensharing --version`, which loads every linked library and does nothing else.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
work=$(mktemp -d)
trap 'kill ${pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
floor=$(/usr/bin/time -f "%M" "$bin" --version 2>&1 >/dev/null | tail -1)
ready() {  # ready DIR -> milliseconds from exec to an answering /healthz
  local dir=$1 t0 t1
  t0=$(date +%s%N)
  "$bin" serve --data-dir "$dir" --listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
  echo $! >"$work/pid"
  local url=""
  for _ in $(seq 2000); do
    url=$(sed -n 's#^opensharing: serving \(http://[^/]*\)/.*#\1#p' "$work/out" 2>/dev/null || true)
    [ -n "$url" ] && curl -sf -o /dev/null "$url/healthz" && break
    sleep 0.005
  done
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
first=$(ready "$work/state")           # first start: creates the catalog and the sample shares
pid=$(cat "$work/pid"); kill "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
again=$(ready "$work/state")           # restart on the existing data directory
pid=$(cat "$work/pid")
sleep 2                                # idle: nothing in flight
status=/proc/$pid/status
rss=$(awk '/^VmRSS/ {print $2}' $status); anon=$(awk '/^RssAnon/ {print $2}' $status)
file=$(awk '/^RssFile/ {print $2}' $status); threads=$(awk '/^Threads/ {print $2}' $status)
echo "start to ready: first start ${first} ms (creates catalog and samples), restart ${again} ms"
echo "idle RSS: $((rss / 1024)).$(((rss % 1024) * 10 / 1024)) MB (anonymous ${anon} kB, shared libraries and binary ${file} kB), $threads threads"
echo "floor: \`opensharing --version\` (libraries loaded, nothing done) peaks at $((floor / 1024)).$(((floor % 1024) * 10 / 1024)) MB"
echo "idle RSS above the floor: $(((rss - floor) / 1024)).$((((rss - floor) % 1024) * 10 / 1024)) MB"
