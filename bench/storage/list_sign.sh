#!/usr/bin/env bash
# list_sign.sh - lists a volume recursively and signs a URL per file (the storage half of a volume
# `files` listing): N files on local storage and M objects in s3rver; prints time and peak RSS.
# Usage: bench/storage/list_sign.sh [N local files, default 100000] [M s3rver objects, default 20000]
# (Deleting the 100,000 temporary files at the end can take minutes on slow file systems.)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bd=${OS_BUILD_DIR:-$top/build/release}
n=${1:-100000}
m=${2:-20000}
[ -f "$bd/liboscore.a" ] || "$top/scripts/build.sh" release
tmp=$(mktemp -d)
s3pid=""
cleanup() { [ -n "$s3pid" ] && kill "$s3pid" 2>/dev/null; wait 2>/dev/null; echo "(cleaning up: $(date +%T))"; rm -rf "$tmp"; echo "(done: $(date +%T))"; }
trap cleanup EXIT
libs=$(pkg-config --libs libmicrohttpd jansson yaml-0.1 sqlite3 libcrypto libcurl zlib libzstd liblz4 snappy)
san=""
grep -q "OS_SANITIZE:BOOL=ON" "$bd/CMakeCache.txt" 2>/dev/null && san="-fsanitize=address,undefined"
cc -std=c11 -D_GNU_SOURCE -O2 $san -I "$top/src" "$top/bench/storage/list_sign.c" -o "$tmp/list_sign" \
   "$bd/liboscore.a" $libs -lpthread -lm

echo "== local: $n files (creating them: $(date +%T))"
/usr/bin/python3 - "$tmp/vol" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for d in range(100):
    os.makedirs(os.path.join(root, "d%02d" % d), exist_ok=True)
for i in range(n):
    with open(os.path.join(root, "d%02d" % (i % 100), "file-%06d.bin" % i), "wb") as f:
        f.write(b"x")
PY
echo "(created: $(date +%T))"
"$tmp/list_sign" "file://$tmp/vol" ""

echo "== s3rver: $m objects"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$tmp/s3"
# s3rver pages listings with DES tokens, which OpenSSL 3 keeps in its legacy provider.
NODE_OPTIONS=--openssl-legacy-provider "$top/tests/conformance/node_modules/.bin/s3rver" -d "$tmp/s3" -a 127.0.0.1 -p "$port" --silent \
    --no-vhost-buckets --configure-bucket bench >/dev/null 2>&1 &
s3pid=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
start=$(date +%s.%N)
node "$top/bench/storage/s3_fill.mjs" "http://127.0.0.1:$port" bench "$m"
echo "(upload took $(echo "$(date +%s.%N) - $start" | bc) s)"
export OS_BENCH_S3='{"access_key_id":"S3RVER","secret_access_key":"S3RVER"}'
"$tmp/list_sign" "s3://bench/vol" "env:OS_BENCH_S3" "{\"endpoint\":\"http://127.0.0.1:$port\",\"path_style\":\"true\"}"
