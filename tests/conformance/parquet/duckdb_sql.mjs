// duckdb_sql.mjs - runs SQL statements with DuckDB (used to write test Parquet files and to
// list their encodings with parquet_metadata).
//
//   node duckdb_sql.mjs STATEMENTS.json [QUERY]
//
// STATEMENTS.json is an array of SQL strings run in order; QUERY's rows are printed as JSON.
import fs from 'node:fs'
import { DuckDBInstance } from '@duckdb/node-api'

const [stmtFile, query] = process.argv.slice(2)
const inst = await DuckDBInstance.create(':memory:', { threads: '2' })
const conn = await inst.connect()
for (const sql of JSON.parse(fs.readFileSync(stmtFile, 'utf8'))) await conn.run(sql)
if (query) {
  const r = await conn.runAndReadAll(query)
  console.log(JSON.stringify(r.getRowObjectsJson()))
}
