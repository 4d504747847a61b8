// oracle.mjs - reads Parquet files with an independent reader (hyparquet or DuckDB) and prints
// each row as tagged JSON, so the tests can compare them with `opensharing inspect parquet`.
//
//   node oracle.mjs hyparquet|duckdb LIST.json OUTDIR
//
// LIST.json is an array of file paths; row i of file k goes to OUTDIR/k.jsonl (or the error to
// OUTDIR/k.err).  Values are tagged so the comparison knows what the reader saw:
//   64-bit integer {"$i":"123"}, non-finite float {"$f":"NaN"}, exact decimal {"$dec":"1.50"},
//   timestamp {"$ts":"<count>","u":"s|ms|us|ns"}, date {"$date":<days>},
//   time {"$time":"<count>","u":"us|ns"}, binary {"$b64":"..."}, map {"$map":[[k,v],...]},
//   interval {"$interval":[months, days, "<micros>"]}.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'

function b64(bytes) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

function num(x) {
  if (Number.isNaN(x)) return { $f: 'NaN' }
  if (x === Infinity) return { $f: 'Infinity' }
  if (x === -Infinity) return { $f: '-Infinity' }
  return x
}

// hyparquet ------------------------------------------------------------------------------
const hyParsers = {
  timestampFromMilliseconds: (v) => ({ $ts: String(v), u: 'ms' }),
  timestampFromMicroseconds: (v) => ({ $ts: String(v), u: 'us' }),
  timestampFromNanoseconds: (v) => ({ $ts: String(v), u: 'ns' }),
  dateFromDays: (d) => ({ $date: d }),
  jsonFromBytes: (b) => b && new TextDecoder().decode(b),
}

function hyValue(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return { $i: String(v) }
  if (typeof v === 'number') return num(v)
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (v instanceof Uint8Array) return { $b64: b64(v) }
  if (v instanceof Date) return { $ts: String(v.getTime()), u: 'ms' }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v, hyValue)
  if (typeof v === 'object') {
    if ('$ts' in v || '$date' in v) return v
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = hyValue(x)
    return o
  }
  return String(v)
}

// hyparquet reads SNAPPY itself; GZIP comes from Node's zlib.
const hyCompressors = { GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)) }

// hyparquet leaves TIME as a bare integer: tag top-level TIME columns from its own metadata.
function timeUnits(metadata) {
  const units = {}
  const schema = metadata.schema
  let i = 1
  for (let c = 0; c < (schema[0].num_children || 0); c++) {
    const el = schema[i]
    const lt = el.logical_type
    if (lt && lt.type === 'TIME') units[el.name] = lt.unit === 'MILLIS' ? 'ms' : lt.unit === 'MICROS' ? 'us' : 'ns'
    else if (el.converted_type === 'TIME_MILLIS') units[el.name] = 'ms'
    else if (el.converted_type === 'TIME_MICROS') units[el.name] = 'us'
    // skip the element and its subtree
    let pending = 1
    while (pending > 0) { pending += (schema[i].num_children || 0) - 1; i++ }
  }
  return units
}

async function readHyparquet(file, out) {
  const { parquetReadObjects, parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet')
  const buf = await asyncBufferFromFile(file)
  const metadata = await parquetMetadataAsync(buf)
  const units = timeUnits(metadata)
  const rows = await parquetReadObjects({ file: buf, metadata, parsers: hyParsers, utf8: false, compressors: hyCompressors })
  for (const r of rows) {
    const o = hyValue(r)
    for (const [k, u] of Object.entries(units)) {
      if (o[k] !== null && o[k] !== undefined) o[k] = { $time: String(o[k].$i ?? o[k]), u }
    }
    out.write(JSON.stringify(o) + '\n')
  }
}

// DuckDB ---------------------------------------------------------------------------------
let duck = null
async function duckConn() {
  if (!duck) {
    const { DuckDBInstance } = await import('@duckdb/node-api')
    const inst = await DuckDBInstance.create(':memory:', { threads: '1' })
    duck = { api: await import('@duckdb/node-api'), conn: await inst.connect() }
  }
  return duck
}

function duckValue(v, api) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return { $i: String(v) }
  if (typeof v === 'number') return num(v)
  if (typeof v === 'boolean' || typeof v === 'string') return v
  if (v instanceof api.DuckDBDecimalValue) return { $dec: v.toString() }
  if (v instanceof api.DuckDBTimestampValue || v instanceof api.DuckDBTimestampTZValue) return { $ts: String(v.micros), u: 'us' }
  if (v instanceof api.DuckDBTimestampMillisecondsValue) return { $ts: String(v.millis), u: 'ms' }
  if (v instanceof api.DuckDBTimestampNanosecondsValue) return { $ts: String(v.nanos), u: 'ns' }
  if (v instanceof api.DuckDBTimestampSecondsValue) return { $ts: String(v.seconds), u: 's' }
  if (v instanceof api.DuckDBDateValue) return { $date: v.days }
  if (v instanceof api.DuckDBTimeValue) return { $time: String(v.micros), u: 'us' }
  if (v instanceof api.DuckDBTimeNSValue) return { $time: String(v.nanos), u: 'ns' }
  if (v instanceof api.DuckDBBlobValue) return { $b64: b64(v.bytes) }
  if (v instanceof api.DuckDBUUIDValue) return v.toString()
  if (v instanceof api.DuckDBIntervalValue) return { $interval: [v.months, v.days, String(v.micros)] }
  if (v instanceof api.DuckDBListValue || v instanceof api.DuckDBArrayValue) return v.items.map((x) => duckValue(x, api))
  if (v instanceof api.DuckDBStructValue) {
    const o = {}
    for (const [k, x] of Object.entries(v.entries)) o[k] = duckValue(x, api)
    return o
  }
  if (v instanceof api.DuckDBMapValue) return { $map: v.entries.map((e) => [duckValue(e.key, api), duckValue(e.value, api)]) }
  return { $str: v.toString() }
}

async function readDuckdb(file, out) {
  const { api, conn } = await duckConn()
  const q = `SELECT * FROM read_parquet('${file.replaceAll("'", "''")}', binary_as_string=false, hive_partitioning=false)`
  const result = await conn.stream(q)
  const names = result.columnNames()
  for (;;) {
    const chunk = await result.fetchChunk()
    if (!chunk || chunk.rowCount === 0) break
    const cols = chunk.getColumns()
    const lines = []
    for (let r = 0; r < chunk.rowCount; r++) {
      const o = {}
      for (let c = 0; c < names.length; c++) o[names[c]] = duckValue(cols[c][r], api)
      lines.push(JSON.stringify(o))
    }
    out.write(lines.join('\n') + '\n')
  }
}

// main -----------------------------------------------------------------------------------
const [engine, listFile, outDir] = process.argv.slice(2)
const files = JSON.parse(fs.readFileSync(listFile, 'utf8'))
fs.mkdirSync(outDir, { recursive: true })
for (let k = 0; k < files.length; k++) {
  const target = path.join(outDir, `${k}.jsonl`)
  const out = fs.createWriteStream(target)
  try {
    if (engine === 'hyparquet') await readHyparquet(files[k], out)
    else await readDuckdb(files[k], out)
    await new Promise((res) => out.end(res))
  } catch (e) {
    await new Promise((res) => out.end(res))
    fs.writeFileSync(path.join(outDir, `${k}.err`), String(e && e.stack || e))
  }
}
