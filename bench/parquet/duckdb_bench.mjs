// duckdb_bench.mjs - builds the checkpoint-shaped file, or times DuckDB (one thread) reading the
// add columns of it.  Uses the DuckDB pinned in tests/conformance.
//
//   node duckdb_bench.mjs make FILE ROWS
//   node duckdb_bench.mjs time FILE REPEAT
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const api = await import(pathToFileURL(path.join(here, '../../tests/conformance/node_modules/@duckdb/node-api/lib/index.js')).href)
const [cmd, file, arg] = process.argv.slice(2)
const q = (s) => `'${s.replaceAll("'", "''")}'`

if (cmd === 'make') {
  const inst = await api.DuckDBInstance.create(':memory:', { threads: '2' })
  const c = await inst.connect()
  const n = Number(arg)
  await c.run(`COPY (
    SELECT
      CAST(NULL AS STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)) AS txn,
      {
        'path': 'date=2024-01-' || lpad(((i % 28) + 1)::VARCHAR, 2, '0') || '/part-' || lpad((i % 1000)::VARCHAR, 5, '0')
                || '-' || md5(i::VARCHAR)[1:8] || '-' || md5(i::VARCHAR)[9:12] || '-c000.snappy.parquet',
        'partitionValues': MAP {'date': '2024-01-' || lpad(((i % 28) + 1)::VARCHAR, 2, '0'), 'region': 'r' || (i % 7)},
        'size': (1000000 + hash(i) % 100000000)::BIGINT,
        'modificationTime': (1700000000000 + i * 1000)::BIGINT,
        'dataChange': i % 10 <> 0,
        'stats': '{"numRecords":' || (hash(i) % 100000) || ',"minValues":{"id":' || i * 100 || ',"name":"a' || (i % 977)
                 || '","ts":"2024-01-01T00:00:00.000Z"},"maxValues":{"id":' || (i * 100 + 99) || ',"name":"z' || (i % 991)
                 || '","ts":"2024-01-31T23:59:59.999Z"},"nullCount":{"id":0,"name":' || (i % 5) || ',"ts":0}}',
        'tags': CASE WHEN i % 3 = 0 THEN NULL ELSE MAP {'INSERTION_TIME': (1700000000000000 + i)::VARCHAR, 'OPTIMIZE_TARGET_SIZE': '268435456'} END,
        'deletionVector': CASE WHEN i % 20 = 0 THEN {'storageType': 'u', 'pathOrInlineDv': md5(i::VARCHAR)[1:20],
                               'offset': 1::INTEGER, 'sizeInBytes': 36::INTEGER, 'cardinality': (i % 50)::BIGINT} ELSE NULL END,
        'baseRowId': i::BIGINT * 1000,
        'defaultRowCommitVersion': (i // 1000)::BIGINT,
        'clusteringProvider': CAST(NULL AS VARCHAR)
      } AS add,
      CAST(NULL AS STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN)) AS remove,
      CAST(NULL AS STRUCT(id VARCHAR, schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)) AS metaData,
      CAST(NULL AS STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER)) AS protocol
    FROM range(${n}) t(i)
  ) TO ${q(file)} (FORMAT parquet, COMPRESSION snappy)`)
} else {
  const inst = await api.DuckDBInstance.create(':memory:', { threads: '1' })
  const c = await inst.connect()
  await c.run('SET threads = 1')
  // Every add leaf is referenced, so DuckDB decodes all of them.
  const sql = `SELECT count(add.path), sum(length(add.path)), sum(cardinality(add.partitionValues)),
      sum(length(map_values(add.partitionValues)[1])), sum(length(map_keys(add.partitionValues)[1])),
      sum(add.size), max(add.modificationTime), count_if(add.dataChange), sum(length(add.stats)),
      sum(cardinality(add.tags)), sum(length(map_values(add.tags)[1])), sum(length(map_keys(add.tags)[1])),
      count(add.deletionVector.storageType), count(add.deletionVector.pathOrInlineDv),
      sum(add.deletionVector."offset"), sum(add.deletionVector.sizeInBytes), sum(add.deletionVector.cardinality),
      sum(add.baseRowId), sum(add.defaultRowCommitVersion), count(add.clusteringProvider)
    FROM read_parquet(${q(file)})`
  // The same columns scanned into DuckDB vectors (fetched chunk by chunk, not converted to JS).
  const scan = `SELECT add.path, add.partitionValues, add.size, add.modificationTime, add.dataChange, add.stats,
      add.tags, add.deletionVector, add.baseRowId, add.defaultRowCommitVersion, add.clusteringProvider
    FROM read_parquet(${q(file)})`
  let best = Infinity
  let bestScan = Infinity
  let rows
  let scanned = 0
  for (let r = 0; r < Number(arg || 3); r++) {
    let t0 = performance.now()
    const res = await c.runAndReadAll(sql)
    rows = res.getRowsJson()
    best = Math.min(best, (performance.now() - t0) / 1000)
    t0 = performance.now()
    const st = await c.stream(scan)
    scanned = 0
    for (;;) {
      const chunk = await st.fetchChunk()
      if (!chunk || chunk.rowCount === 0) break
      scanned += chunk.rowCount
    }
    bestScan = Math.min(bestScan, (performance.now() - t0) / 1000)
  }
  // The faster of the two is the baseline.
  console.log(JSON.stringify({ seconds: Number(Math.min(best, bestScan).toFixed(4)), aggregate_seconds: Number(best.toFixed(4)),
    scan_seconds: Number(bestScan.toFixed(4)), count: rows[0][0], scanned }))
}
