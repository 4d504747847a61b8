#!/usr/bin/env bash
# run.sh [ROWS] - builds a checkpoint-shaped Parquet file with DuckDB (default 1,000,000 rows),
# then times decoding its `add` columns with our reader (columnar whole, page by page, and as
# records) against DuckDB on one thread reading the same columns, and prints the ratios.
# Speed is reported, never asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
rows=${1:-1000000}
work=${OS_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"

echo "bench: compiling the reader (-O2) into $work"
cc -std=c11 -O2 -DNDEBUG -D_GNU_SOURCE -I"$top/src" -I"$top/include" \
  "$top"/src/base/{arena,buf,err,base64,timeutil}.c "$top"/src/formats/parquet/*.c "$here/pq_bench.c" \
  -pthread -lz -lsnappy -lzstd -llz4 -lm -o "$work/pq_bench"

file="$work/checkpoint-$rows.parquet"
if [ ! -f "$file" ]; then
  echo "bench: writing $rows checkpoint rows with DuckDB"
  node "$here/duckdb_bench.mjs" make "$file" "$rows"
fi
ls -l "$file" | awk '{print "bench: file size " $5 " bytes"}'

cols=add.path,add.partitionValues,add.size,add.modificationTime,add.dataChange,add.stats,add.tags,add.deletionVector,add.baseRowId,add.defaultRowCommitVersion,add.clusteringProvider
ours_cols=$("$work/pq_bench" columns "$file" "$cols" 5)
ours_pages=$("$work/pq_bench" pages "$file" "$cols" 5)
ours_rows=$("$work/pq_bench" rows "$file" "$cols" 3)
duck=$(node "$here/duckdb_bench.mjs" time "$file" 5)
echo "ours (columnar decode):   $ours_cols"
echo "ours (page by page):      $ours_pages"
echo "ours (records assembled): $ours_rows"
echo "duckdb (threads=1):       $duck"
python3 - "$ours_cols" "$ours_rows" "$duck" "$ours_pages" <<'PY'
import json, sys
c, r, d, p = (json.loads(x) for x in sys.argv[1:5])
print(f"ratio duckdb/ours columnar: {d['seconds'] / c['seconds']:.2f}x  (>1 means ours is faster)")
print(f"ratio duckdb/ours paged:    {d['seconds'] / p['seconds']:.2f}x")
print(f"ratio duckdb/ours records:  {d['seconds'] / r['seconds']:.2f}x")
PY
