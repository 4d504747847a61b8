#!/usr/bin/env bash
# presign.sh - S3 presign cost per URL: ours (C, one thread) beside the AWS JS SDK v3 presigner in the same run; prints ratios.
# Usage: bench/storage/presign.sh [C iterations] [JS iterations]   (needs cc, libssl-dev and tests/conformance/node_modules)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
nc=${1:-200000}
nj=${2:-20000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The signers and the base pieces they use, compiled here at -O2 (no server, no catalog).
srcs="storage/s3_sign.c storage/azure_sas.c storage/local_url.c storage/sign_util.c storage/gcs_sign.c
      base/buf.c base/crypto.c base/base64.c base/err.c base/timeutil.c base/strutil.c base/arena.c"
files=""
for f in $srcs; do files="$files $top/src/$f"; done
cc -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -I "$top/src" "$top/bench/storage/presign_bench.c" $files \
   -o "$tmp/presign_bench" $(pkg-config --libs libcrypto jansson) -lm
# A throwaway RSA-2048 service-account key, the same for both GCS signers.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/k.pem" 2>/dev/null
OS_BENCH_GCS_KEY=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"client_email": "bench@p.iam.gserviceaccount.com", "private_key": open(sys.argv[1]).read()}))' "$tmp/k.pem")
export OS_BENCH_GCS_KEY
ours=$("$tmp/presign_bench" "$nc")
theirs=$(node "$top/bench/storage/presign_sdk.mjs" "$nj")
echo "ours:   $ours"
echo "AWS JS: $theirs"
/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print("S3 presign per URL: ours %.2f us, AWS SDK getSignedUrl %.2f us (ratio %.1fx), bare S3RequestPresigner %.2f us (ratio %.1fx)"
      % (o["s3_us"], t["getSignedUrl_us"], t["getSignedUrl_us"] / o["s3_us"], t["presigner_us"], t["presigner_us"] / o["s3_us"]))
print("also: Azure SAS URL %.2f us, local signed URL %.2f us" % (o["azure_us"], o["local_us"]))
if o.get("gcs_us") and t.get("gcs_us"):
    print("GCS V4 (RSA-2048) per URL: ours %.0f us, @google-cloud/storage %.0f us (ratio %.1fx)"
          % (o["gcs_us"], t["gcs_us"], t["gcs_us"] / o["gcs_us"]))
PY
