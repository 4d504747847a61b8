// duck.mjs - runs SQL statements with DuckDB (an engine independent of ours) for the Delta tests.
//
//   node duck.mjs JOBS.json        -> prints one JSON line per statement: {"rows": [[...], ...]}
//                                     or {"error": "..."}
// Values: BigInt and DuckDB values become strings (toString), numbers/strings/null stay.
import fs from 'node:fs'

const { DuckDBInstance } = await import('@duckdb/node-api')
const inst = await DuckDBInstance.create(':memory:', { threads: '2' })
const conn = await inst.connect()
const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))

function plain(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return v.toString()
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v
  return v.toString()
}

for (const sql of jobs) {
  try {
    const r = await conn.runAndReadAll(sql)
    const rows = r.getRows().map((row) => row.map(plain))
    process.stdout.write(JSON.stringify({ rows }) + '\n')
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e.message || e) }) + '\n')
  }
}
