#!/usr/bin/env bash
# volume.sh [FILES] - lists and signs every file of a local volume of FILES (default 100,000) files
# through GET .../volumes/{v}/files, page after page (1000 per page): total time, files per
# second and peak server RSS, beside `find` walking the same tree in the same run.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
files=${1:-100000}
bin=${OS_BIN:-$top/build/release/opensharing}
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh release) or set OS_BIN" >&2; exit 2; }
work=${OS_BENCH_DIR:-$(mktemp -d)}
vol=$work/volume
if [ ! -d "$vol" ]; then
  echo "bench: creating $files files under $vol"
  python3 - "$vol" "$files" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "file-%07d.bin" % i), "wb") as f:
        f.write(b"x" * (i % 97))
PY
fi
token=bench-token-0123456789abcdef
cat >"$work/vconfig.yaml" <<YAML
storage: [{name: bench, uri: 'file://$work'}]
shares: [{name: s, schemas: [{name: b, volumes: [{name: v, location: 'file://$vol'}]}]}]
recipients: [{name: r, token: {env: BENCH_TOKEN}}]
grants: [{share: s, recipients: [r]}]
YAML
rm -rf "$work/vstate"
BENCH_TOKEN=$token "$bin" serve --config "$work/vconfig.yaml" --data-dir "$work/vstate" \
  --listen 127.0.0.1:0 --log-format text >"$work/vserve.out" 2>"$work/vserve.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; [ -n "${OS_BENCH_DIR:-}" ] || rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q "serving" "$work/vserve.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/opensharing: serving //p' "$work/vserve.out")
start=$(date +%s.%N)
count=$(python3 - "$endpoint" "$token" <<'PY'
import json, sys, urllib.request
endpoint, token = sys.argv[1], sys.argv[2]
n, tok = 0, None
while True:
    url = endpoint + "shares/s/schemas/b/volumes/v/files?maxResults=1000"
    if tok:
        url += "&pageToken=" + tok
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    body = json.load(urllib.request.urlopen(req))
    n += len(body.get("items", []))
    tok = body.get("nextPageToken")
    if not tok:
        break
print(n)
PY
)
end=$(date +%s.%N)
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
fstart=$(date +%s.%N)
fcount=$(find "$vol" -type f | wc -l)
fend=$(date +%s.%N)
awk -v c="$count" -v s="$start" -v e="$end" -v r="$rss_kb" -v fc="$fcount" -v fs="$fstart" -v fe="$fend" 'BEGIN {
  t = e - s; ft = fe - fs
  printf "opensharing: %d files listed and signed in %.2fs (%.0f files/s), peak server RSS %d MB\n", c, t, c / t, r / 1024
  printf "find:        %d files walked in %.2fs\n", fc, ft
  printf "ratio (find time / opensharing time): %.2fx\n", ft / t }'
