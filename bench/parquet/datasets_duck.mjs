// datasets_duck.mjs - the DuckDB side of the Parquet dataset benchmark: writes the template files,
// or times DuckDB reading every footer of the dataset (parquet_metadata) and counting its rows
// with Hive partitioning (read_parquet), in one process, printing JSON.
//
//   node datasets_duck.mjs templates DIR COUNT
//   node datasets_duck.mjs metadata|read GLOB
//
// DuckDB is loaded from tests/conformance/node_modules (pinned there).
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const require = createRequire(path.join(here, '..', '..', 'tests', 'conformance', 'package.json'))
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'))

const [mode, a, b] = process.argv.slice(2)
const inst = await DuckDBInstance.create(':memory:', { threads: '2' })
const conn = await inst.connect()
if (mode === 'templates') {
  for (let k = 0; k < Number(b); k++) {
    await conn.run(`COPY (SELECT ${k} * 1000 + i AS id, 'name-' || (${k} * 1000 + i) AS name,
      (i * 1.25)::DOUBLE AS score, DATE '2024-01-01' + (i % 28)::INTEGER AS day,
      ((${k} * 1000 + i) * 100)::DECIMAL(12,2) AS amount
      FROM range(20) t(i)) TO '${path.join(a, `t${k}.parquet`)}' (FORMAT parquet)`)
  }
} else if (mode === 'metadata') {
  const t0 = performance.now()
  const m = await conn.runAndReadAll(`SELECT count(DISTINCT file_name)::INTEGER AS files FROM parquet_metadata('${a}')`)
  console.log(JSON.stringify({ s: (performance.now() - t0) / 1000, files: m.getRowObjectsJson()[0].files }))
} else {
  const t0 = performance.now()
  const r = await conn.runAndReadAll(`SELECT count(*)::BIGINT AS n, count(DISTINCT p1)::INTEGER AS p FROM read_parquet('${a}', hive_partitioning = true)`)
  console.log(JSON.stringify({ s: (performance.now() - t0) / 1000, rows: r.getRowObjectsJson()[0].n }))
}
