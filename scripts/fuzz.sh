#!/usr/bin/env bash
# fuzz.sh [SECONDS] - builds the libFuzzer harnesses (ASan+UBSan) and runs each for a bounded time
# from its seed corpus in tests/fuzz/corpus/<name>/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
ls "$top"/tests/fuzz/fuzz_*.c >/dev/null 2>&1 || { echo "fuzz: no harnesses"; exit 0; }
"$top/scripts/build.sh" fuzz
for src in "$top"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  seeds="$top/tests/fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  echo "fuzz: $name for ${secs}s"
  ASAN_OPTIONS=detect_leaks=1 "$top/build/fuzz/$name" -max_total_time="$secs" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=0 "$work" 2>"$work.log" || { tail -50 "$work.log"; exit 1; }
  rm -rf "$work" "$work.log"
done
