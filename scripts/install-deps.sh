#!/usr/bin/env bash
# install-deps.sh - installs, on Debian, every package the build and the tests need (idempotent).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang
  libmicrohttpd-dev libjansson-dev libyaml-dev libsqlite3-dev libssl-dev
  libcurl4-openssl-dev zlib1g-dev libsnappy-dev libzstd-dev liblz4-dev
  libcmocka-dev
  python3 python3-pytest python3-requests python3-cryptography python3-botocore
  curl openssl wrk
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian (as on the CI image); only install
# Debian's when no node/npm is on the PATH at all.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node packages for the conformance oracles, pinned by the lockfile.
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$top/tests/conformance/package-lock.json" ] && [ "${OS_SKIP_NPM:-0}" != 1 ]; then
  if [ ! -d "$top/tests/conformance/node_modules" ] || \
     [ "$top/tests/conformance/package-lock.json" -nt "$top/tests/conformance/node_modules/.package-lock.json" ]; then
    (cd "$top/tests/conformance" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
