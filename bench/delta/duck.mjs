// duck.mjs - the DuckDB side of the Delta benchmark: builds the table, or times DuckDB
// reading the same checkpoint and commits to count the active files.
//
//   node duck.mjs build TABLE_DIR FILES COMMITS PER_COMMIT
//   node duck.mjs snapshot TABLE_DIR CHECKPOINT_VERSION
//   node duck.mjs ndjson TABLE_DIR CHECKPOINT_VERSION OUT_FILE
//
// `ndjson` writes what a query answer holds for each active file (url, id,
// partitionValues, size, stats; one JSON line per file), the url a SHA-256
// keyed by path and expiry as a stand-in for signing, the id an MD5 of the path.
//
// DuckDB is loaded from tests/conformance/node_modules (pinned there).
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '..', '..', 'tests', 'conformance', 'package.json'))
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'))

const [mode, table, a, b, c] = process.argv.slice(2)
const inst = await DuckDBInstance.create(':memory:')
const conn = await inst.connect()
const log = path.join(table, '_delta_log')
const pad = (v) => String(v).padStart(20, '0')
const q = (s) => "'" + s.replaceAll("'", "''") + "'"

const ADD = "STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, cardinality BIGINT), baseRowId BIGINT, defaultRowCommitVersion BIGINT)"
const REMOVE = "STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)"
const META = "STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)"
const PROTO = "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])"

function fileName(i) {
  return `p=${i % 100}/part-${String(i).padStart(8, '0')}-c0ffee00-0000-4000-8000-${String(i).padStart(12, '0')}.c000.snappy.parquet`
}

function addJson(i, v) {
  const stats = `{"numRecords":${1000 + (i % 97)},"minValues":{"id":${i * 1000},"name":"a${i}"},"maxValues":{"id":${i * 1000 + 999},"name":"z${i}"},"nullCount":{"id":0,"name":0}}`
  return JSON.stringify({ add: { path: fileName(i), partitionValues: { p: String(i % 100) }, size: 100000 + i, modificationTime: 1700000000000 + v, dataChange: true, stats } })
}

if (mode === 'build') {
  const files = Number(a), commits = Number(b), per = Number(c)
  const cpv = 1000
  fs.mkdirSync(log, { recursive: true })
  const schema = JSON.stringify({ type: 'struct', fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'p', type: 'integer', nullable: true, metadata: {} }] })
  const sql = `COPY (
    SELECT {'path': 'p=' || (i % 100) || '/part-' || lpad(i::VARCHAR, 8, '0') || '-c0ffee00-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0') || '.c000.snappy.parquet',
            'partitionValues': MAP {'p': (i % 100)::VARCHAR}, 'size': 100000 + i, 'modificationTime': 1700000000000,
            'dataChange': false,
            'stats': '{"numRecords":' || (1000 + i % 97) || ',"minValues":{"id":' || (i * 1000) || ',"name":"a' || i || '"},"maxValues":{"id":' || (i * 1000 + 999) || ',"name":"z' || i || '"},"nullCount":{"id":0,"name":0}}',
            'tags': NULL, 'deletionVector': NULL, 'baseRowId': NULL, 'defaultRowCommitVersion': NULL}::${ADD} AS add,
           NULL::${REMOVE} AS remove, NULL::${META} AS metaData, NULL::${PROTO} AS protocol
    FROM range(${files}) t(i)
    UNION ALL SELECT NULL, NULL, {'id': 'bench', 'name': NULL, 'description': NULL, 'format': {'provider': 'parquet', 'options': MAP {}},
           'schemaString': ${q(schema)}, 'partitionColumns': ['p'], 'configuration': MAP {}, 'createdTime': 1700000000000}::${META}, NULL
    UNION ALL SELECT NULL, NULL, NULL, {'minReaderVersion': 1, 'minWriterVersion': 2, 'readerFeatures': NULL, 'writerFeatures': NULL}::${PROTO}
  ) TO ${q(path.join(log, pad(cpv) + '.checkpoint.parquet'))} (FORMAT parquet, COMPRESSION snappy)`
  await conn.run(sql)
  fs.writeFileSync(path.join(log, '_last_checkpoint'), JSON.stringify({ version: cpv, size: files + 2 }))
  // Each commit removes `per` checkpoint files and adds `per` new ones: still `files` active.
  let next = files
  for (let k = 1; k <= commits; k++) {
    const v = cpv + k
    const lines = [JSON.stringify({ commitInfo: { timestamp: 1700000000000 + v, operation: 'WRITE' } })]
    for (let j = 0; j < per; j++) {
      const victim = (k - 1) * per + j
      lines.push(JSON.stringify({ remove: { path: fileName(victim), deletionTimestamp: 1700000000000 + v, dataChange: true, extendedFileMetadata: true, partitionValues: { p: String(victim % 100) }, size: 100000 + victim } }))
      lines.push(addJson(next++, v))
    }
    fs.writeFileSync(path.join(log, pad(v) + '.json'), lines.join('\n') + '\n')
  }
  process.stdout.write(JSON.stringify({ files, commits, per, checkpoint: cpv }) + '\n')
} else if (mode === 'ndjson') {
  const cpv = Number(a)
  const t0 = performance.now()
  const cp = q(path.join(log, pad(cpv) + '.checkpoint.parquet'))
  const commits = q(path.join(log, '0*.json'))
  const cols = `columns={add: '${ADD}', remove: '${REMOVE}'}`
  const sql = `COPY (WITH j AS (SELECT * FROM read_json(${commits}, ${cols}, format='newline_delimited')),
    later_removed AS (SELECT remove.path AS path FROM j WHERE remove IS NOT NULL),
    later_added AS (SELECT add.path AS path, add.size AS size, add.partitionValues AS pv, add.stats AS stats FROM j WHERE add IS NOT NULL),
    ckpt AS (SELECT add.path AS path, add.size AS size, add.partitionValues AS pv, add.stats AS stats FROM read_parquet(${cp}) WHERE add IS NOT NULL),
    active AS (SELECT * FROM ckpt WHERE path NOT IN (SELECT path FROM later_removed)
               UNION ALL SELECT * FROM later_added WHERE path NOT IN (SELECT path FROM later_removed))
    SELECT {'url': 'http://127.0.0.1:8080/opensharing/files/' || path || '?e=1700003600&s=' || sha256(path || '1700003600'),
            'id': md5(path), 'partitionValues': pv, 'size': size, 'stats': stats,
            'expirationTimestamp': 1700003600000} AS file
    FROM active) TO ${q(b)} (FORMAT json)`
  await conn.run(sql)
  const ms = performance.now() - t0
  process.stdout.write(JSON.stringify({ bytes: fs.statSync(b).size, query_ms: Math.round(ms) }) + '\n')
} else if (mode === 'snapshot') {
  const cpv = Number(a)
  const t0 = performance.now()
  const cp = q(path.join(log, pad(cpv) + '.checkpoint.parquet'))
  const commits = q(path.join(log, '0*.json'))
  const cols = `columns={add: '${ADD}', remove: '${REMOVE}'}`
  // Active files: checkpoint adds plus later adds, minus paths any later commit removed,
  // keeping each file's path, size, partition values and stats as a snapshot must.
  const sql = `WITH j AS (SELECT *, filename FROM read_json(${commits}, ${cols}, format='newline_delimited', filename=true)),
    later_removed AS (SELECT remove.path AS path FROM j WHERE remove IS NOT NULL),
    later_added AS (SELECT add.path AS path, add.size AS size, add.partitionValues AS pv, add.stats AS stats FROM j WHERE add IS NOT NULL),
    ckpt AS (SELECT add.path AS path, add.size AS size, add.partitionValues AS pv, add.stats AS stats FROM read_parquet(${cp}) WHERE add IS NOT NULL),
    active AS (SELECT * FROM ckpt WHERE path NOT IN (SELECT path FROM later_removed)
               UNION ALL SELECT * FROM later_added WHERE path NOT IN (SELECT path FROM later_removed))
    SELECT count(*), sum(size), sum(length(stats)) FROM active`
  const r = await conn.runAndReadAll(sql)
  const ms = performance.now() - t0
  const row = r.getRows()[0].map((x) => String(x))
  process.stdout.write(JSON.stringify({ files: Number(row[0]), sum_size: row[1], query_ms: Math.round(ms) }) + '\n')
}
