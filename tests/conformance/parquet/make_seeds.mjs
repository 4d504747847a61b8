// make_seeds.mjs - writes the small Parquet files committed as fuzzing seeds and unit-test inputs
// (tests/fuzz/corpus/parquet_pages/) and their raw footers (tests/fuzz/corpus/parquet_footer/).
//
//   node make_seeds.mjs REPO_ROOT
import fs from 'node:fs'
import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { parquetWriteFile } from 'hyparquet-writer'

const top = process.argv[2]
const pages = path.join(top, 'tests/fuzz/corpus/parquet_pages')
const footers = path.join(top, 'tests/fuzz/corpus/parquet_footer')
fs.mkdirSync(pages, { recursive: true })
fs.mkdirSync(footers, { recursive: true })

const inst = await DuckDBInstance.create(':memory:', { threads: '1' })
const c = await inst.connect()
const flat = `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b, (i * 1000003)::BIGINT AS i64,
  (i / 3.0)::FLOAT AS f, i / 7.0 AS d, ((i - 50) / 8)::DECIMAL(9,3) AS dec, 'v' || (i % 13) AS s,
  DATE '2020-01-01' + i::INTEGER AS dt, TIMESTAMP '2021-01-01' + to_microseconds(i * 1000001) AS ts,
  from_hex(printf('%04x', i)) AS bin FROM range(60) t(i)`
const nested = `SELECT i AS id,
  CASE WHEN i % 5 = 0 THEN NULL ELSE {'a': CASE WHEN i % 3 = 0 THEN NULL ELSE i END, 'b': {'c': 'x' || i}} END AS s,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE [i, NULL, i + 1] END AS l,
  CASE i % 3 WHEN 0 THEN NULL ELSE [{'x': i, 'y': 'y' || i}, NULL] END AS ls,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN MAP {} ELSE MAP {'k' || i: i, 'q': NULL} END AS m,
  [[i], [], NULL] AS ll
  FROM range(40) t(i)`
// DuckDB's fixed-size arrays: a null one takes one level entry per element
const arrays = `SELECT i AS id,
  (CASE WHEN i % 5 = 0 THEN NULL ELSE [i, CASE WHEN i % 3 = 0 THEN NULL ELSE i + 1 END, -i] END)::INTEGER[3] AS a3,
  (CASE WHEN i % 4 = 1 THEN NULL ELSE ['s' || i, NULL] END)::VARCHAR[2] AS v2,
  (CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [NULL, [i, i]] ELSE [[i, NULL], [-i, i]] END)::INTEGER[2][2] AS a22,
  (CASE i % 3 WHEN 0 THEN NULL WHEN 1 THEN {'a': NULL} ELSE {'a': [i, NULL]} END)::STRUCT(a INTEGER[2]) AS sa,
  (CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE [[i, i], NULL] END)::INTEGER[2][] AS la
  FROM range(30) t(i)`
const seeds = [
  ['duck-flat-v1-snappy.parquet', flat, 'snappy', 'v1'],
  ['duck-flat-v2-zstd.parquet', flat, 'zstd', 'v2'],
  ['duck-flat-v2-uncompressed.parquet', flat, 'uncompressed', 'v2'],
  ['duck-nested-v1-gzip.parquet', nested, 'gzip', 'v1'],
  ['duck-nested-v2-lz4.parquet', nested, 'lz4', 'v2'],
  ['duck-arrays-v1-snappy.parquet', arrays, 'snappy', 'v1'],
]
for (const [name, sql, codec, ver] of seeds)
  await c.run(`COPY (${sql}) TO '${path.join(pages, name)}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${ver}, ROW_GROUP_SIZE 2048)`)

const n = 50
parquetWriteFile({
  filename: path.join(pages, 'hy-encodings.parquet'),
  codec: 'UNCOMPRESSED',
  rowGroupSize: 20,
  columnData: [
    { name: 'i32', data: Array.from({ length: n }, (_, i) => (i * 7919) % 1000 - 500), type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
    { name: 'i64', data: Array.from({ length: n }, (_, i) => BigInt(i) * 123456789012n), type: 'INT64', encoding: 'BYTE_STREAM_SPLIT' },
    { name: 'd', data: Array.from({ length: n }, (_, i) => i / 3), type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT' },
    { name: 's', data: Array.from({ length: n }, (_, i) => (i % 6 === 0 ? null : `prefix/${i}`)), type: 'STRING', encoding: 'DELTA_BYTE_ARRAY' },
    { name: 't', data: Array.from({ length: n }, (_, i) => `t${i % 4}`), type: 'STRING', encoding: 'DELTA_LENGTH_BYTE_ARRAY' },
    { name: 'b', data: Array.from({ length: n }, (_, i) => i % 3 === 0), type: 'BOOLEAN', encoding: 'RLE' },
  ],
})

// The footer seeds are the raw FileMetaData bytes of each file.
for (const name of fs.readdirSync(pages)) {
  const buf = fs.readFileSync(path.join(pages, name))
  const len = buf.readUInt32LE(buf.length - 8)
  fs.writeFileSync(path.join(footers, name.replace('.parquet', '.footer')), buf.subarray(buf.length - 8 - len, buf.length - 8))
}
