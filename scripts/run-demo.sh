#!/usr/bin/env bash
# run-demo.sh - starts the server on its embedded default (SQLite catalog, local storage, sample share).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec "$top/build/release/opensharing" serve --data-dir "${OPENSHARING_DATA_DIR:-$top/opensharing-data}" \
  --log-format "${OPENSHARING_LOG_FORMAT:-text}" "$@"
