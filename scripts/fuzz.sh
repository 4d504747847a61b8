#!/usr/bin/env bash
# fuzz.sh [SECONDS | --long] - builds the libFuzzer harnesses (ASan+UBSan) and runs each from its
# seed corpus in tests/fuzz/corpus/<name>/: for SECONDS (default 20) each, or with --long until 10
# million executions or 10 minutes, whichever comes first.  Prints executions and crashes per
# harness; exits non-zero when any harness crashed (its input is kept under build/fuzz/crashes/).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = "--long" ]; then
  limits=(-max_total_time=600 -runs=10000000)
  what="10 million runs or 10 minutes"
else
  limits=(-max_total_time="${1:-20}")
  what="${1:-20}s"
fi
ls "$top"/tests/fuzz/fuzz_*.c >/dev/null 2>&1 || { echo "fuzz: no harnesses"; exit 0; }
"$top/scripts/build.sh" fuzz
crashdir="$top/build/fuzz/crashes"
mkdir -p "$crashdir"
failed=0
for src in "$top"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$src" .c)
  seeds="$top/tests/fuzz/corpus/${name#fuzz_}"
  work=$(mktemp -d)
  [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
  rc=0
  ASAN_OPTIONS=detect_leaks=1 "$top/build/fuzz/$name" "${limits[@]}" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashdir/$name-" "$work" \
    2>"$work.log" || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work.log" | tail -1)
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $name ($what): ${execs:-?} executions, CRASHED (exit $rc)"
    tail -40 "$work.log"
    failed=1
  else
    echo "fuzz: $name ($what): ${execs:-?} executions, 0 crashes"
  fi
  rm -rf "$work" "$work.log"
done
exit $failed
