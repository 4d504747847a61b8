#!/usr/bin/env bash
# build.sh [release|asan|fuzz] - configures and builds one flavour into build/<flavour>.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
flavour=${1:-release}
case "$flavour" in
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    args=(-DCMAKE_BUILD_TYPE=Debug -DOS_SANITIZE=ON) ;;
  fuzz)    args=(-DCMAKE_BUILD_TYPE=Debug -DOS_FUZZ=ON -DCMAKE_C_COMPILER=clang) ;;
  *) echo "build.sh: unknown flavour '$flavour' (release, asan, fuzz)" >&2; exit 2 ;;
esac
# The project's own builds treat every warning as an error (a plain cmake build does not).
cmake -S "$top" -B "$top/build/$flavour" -DOS_WERROR=ON "${args[@]}" >/dev/null
cmake --build "$top/build/$flavour" -j"$(nproc)"
