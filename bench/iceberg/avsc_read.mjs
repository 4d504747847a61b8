// avsc_read.mjs - the baseline of bench/iceberg/run.sh: avsc (an independent Avro implementation)
// in Node reads an Iceberg table's current manifest list and every manifest it names, and walks
// every entry.
//
//   node avsc_read.mjs TABLE_DIR            -> touches each live entry's path, record count and
//                                              bounds; prints "N data files, R records, B bytes"
//   node avsc_read.mjs TABLE_DIR --ndjson   -> instead writes one JSON line per file, the shape of
//                                              `opensharing inspect iceberg --files --json` (bounds
//                                              decoded by type), to stdout
//
// Made for the tables bench/iceberg/gen_big.mjs writes (version-hint.text, relocated paths, one
// partition spec).  Manifests are read one after the other with avsc's file decoder, as the
// server does.  Longs are exact: Iceberg's snapshot ids need 64 bits, which avsc's default long
// refuses ("potential precision loss"); the long type below is the fastest exact one we could
// write: a Number while the varint fits in 49 bits, a BigInt beyond.
import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const here = path.dirname(new URL(import.meta.url).pathname)
const avro = require(path.join(here, '../../tests/conformance/node_modules/avsc'))

const dir = process.argv[2]
const ndjson = process.argv.includes('--ndjson')
if (!dir) {
  process.stderr.write('usage: node avsc_read.mjs TABLE_DIR [--ndjson]\n')
  process.exit(2)
}

// ---- an exact long ---------------------------------------------------------------------------

const BIG_LONG = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => String(n),
  isValid: (n) => typeof n === 'bigint' || Number.isSafeInteger(n),
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})
function readLong(tap) {
  const buf = tap.buf
  let pos = tap.pos
  let b = buf[pos++]
  let n = b & 0x7f, mul = 128
  while (b & 0x80 && mul < 2 ** 49) {
    b = buf[pos++]
    n += (b & 0x7f) * mul
    mul *= 128
  }
  if (!(b & 0x80)) {
    tap.pos = pos
    return n % 2 ? -(n + 1) / 2 : n / 2
  }
  let u = BigInt(n), sh = 49n
  do {
    b = buf[pos++]
    u |= BigInt(b & 0x7f) << sh
    sh += 7n
  } while (b & 0x80)
  tap.pos = pos
  return (u >> 1n) ^ -(u & 1n)
}
// A copy of the frozen type with the fast read.
const LONG = Object.assign(Object.create(Object.getPrototypeOf(BIG_LONG)), BIG_LONG, { _read: readLong })

function decodeFile(file, onRecord) {
  return new Promise((resolve, reject) => {
    let meta = null
    const dec = avro.createFileDecoder(file, {
      parseHook: (schema) => avro.Type.forSchema(schema, { registry: { long: LONG }, wrapUnions: false }),
    })
    dec.on('metadata', (type, codec, header) => { meta = header.meta })
    dec.on('data', (r) => onRecord(r, meta))
    dec.on('error', reject)
    dec.on('end', () => resolve(meta))
  })
}

// ---- the table -------------------------------------------------------------------------------

const mdir = path.join(dir, 'metadata')
const hint = fs.readFileSync(path.join(mdir, 'version-hint.text'), 'utf8').trim()
// 64-bit ids: quoted before JSON.parse so they stay exact.
const mtext = fs.readFileSync(path.join(mdir, `v${hint}.metadata.json`), 'utf8')
  .replace(/("(?:current-snapshot-id|snapshot-id|parent-snapshot-id)"\s*:\s*)(-?\d+)/g, '$1"$2"')
const md = JSON.parse(mtext)
const loc = md.location.replace(/\/$/, '') + '/'
const keyOf = (p) => {
  if (!p.startsWith(loc)) throw new Error(`${p} is outside the table's location ${loc}`)
  return p.slice(loc.length)
}
const snap = md.snapshots.find((s) => s['snapshot-id'] === md['current-snapshot-id'])
const schema = md.schemas.find((s) => s['schema-id'] === (snap['schema-id'] ?? md['current-schema-id']))
const typeById = new Map(schema.fields.map((f) => [f.id, f.type]))

const manifests = []
await decodeFile(path.join(dir, keyOf(snap['manifest-list'])), (m) => { if (m.content === 0) manifests.push(m) })

// ---- bounds as text, by type (the forms `inspect iceberg --json` prints) ----------------------

const pad = (n, w) => String(n).padStart(w, '0')
function isoMicros(us) {
  const ms = us / 1000n, frac = ((us % 1000000n) + 1000000n) % 1000000n
  return new Date(Number(ms)).toISOString().slice(0, 19) + '.' + pad(frac, 6) + 'Z'
}
const isoDay = (d) => new Date(d * 86400000).toISOString().slice(0, 10)
function decimalText(b, scale) {
  let v = 0n
  for (const x of b) v = (v << 8n) | BigInt(x)
  if (b.length && b[0] & 0x80) v -= 1n << BigInt(8 * b.length)
  const neg = v < 0n, s = (neg ? -v : v).toString().padStart(scale + 1, '0')
  return (neg ? '-' : '') + s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale)
}
function boundText(type, b) {
  switch (type) {
    case 'long': return b.readBigInt64LE(0).toString()
    case 'int': return String(b.readInt32LE(0))
    case 'date': return isoDay(b.readInt32LE(0))
    case 'timestamptz': return isoMicros(b.readBigInt64LE(0))
    case 'string': return b.toString('utf8')
    case 'double': return String(b.readDoubleLE(0))
    case 'boolean': return b[0] ? 'true' : 'false'
    default: {
      const m = /^decimal\(\s*\d+\s*,\s*(\d+)\s*\)$/.exec(type)
      return m ? decimalText(b, Number(m[1])) : b.toString('hex')
    }
  }
}

// ---- walking every entry ---------------------------------------------------------------------

let files = 0, records = 0, bytes = 0, boundBytes = 0
let out = []
let outLen = 0
// (process.stdout writes synchronously to files and, on Linux, to pipes.)
const flush = () => { if (out.length) { process.stdout.write(out.join('')); out = []; outLen = 0 } }

for (const m of manifests) {
  const specId = m.partition_spec_id
  await decodeFile(path.join(dir, keyOf(m.manifest_path)), (e) => {
    if (e.status === 2) return
    const f = e.data_file
    if (f.content !== 0) return
    files++
    records += f.record_count
    bytes += f.file_size_in_bytes
    const key = keyOf(f.file_path)
    for (const kv of f.lower_bounds || []) boundBytes += kv.key + kv.value.length
    for (const kv of f.upper_bounds || []) boundBytes += kv.key + kv.value.length
    if (!ndjson) return
    const cols = {}
    const col = (id) => (cols[id] ||= {})
    for (const kv of f.value_counts || []) col(kv.key).valueCount = kv.value
    for (const kv of f.null_value_counts || []) col(kv.key).nullCount = kv.value
    for (const kv of f.nan_value_counts || []) col(kv.key).nanCount = kv.value
    for (const kv of f.lower_bounds || []) col(kv.key).lower = boundText(typeById.get(kv.key), kv.value)
    for (const kv of f.upper_bounds || []) col(kv.key).upper = boundText(typeById.get(kv.key), kv.value)
    const part = {}
    for (const [name, v] of Object.entries(f.partition)) part[name] = v === null ? null : name === 'event_ts_day' ? isoDay(v) : String(v)
    const line = JSON.stringify({
      file: {
        content: 'data', path: f.file_path, key, format: f.file_format, recordCount: f.record_count,
        fileSizeInBytes: f.file_size_in_bytes, status: e.status,
        snapshotId: String(e.snapshot_id ?? m.added_snapshot_id),
        sequenceNumber: e.sequence_number ?? m.sequence_number, specId, partition: part, columns: cols,
      },
    }) + '\n'
    out.push(line)
    outLen += line.length
    if (outLen > 1 << 16) flush()
  })
}
flush()
if (!ndjson) process.stdout.write(`${files} data files, ${records} records, ${bytes} bytes (${boundBytes} bound bytes)\n`)
