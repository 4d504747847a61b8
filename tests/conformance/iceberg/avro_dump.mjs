// avro_dump.mjs - decodes Avro container files with avsc (an Avro implementation independent of
// ours), for the Iceberg tests' oracle.
//
//   node avro_dump.mjs FILE...   -> one JSON line per file: {"file", "meta": {key: text},
//                                   "records": [...]} or {"file", "error"}
// Longs are decoded exactly (as decimal strings), bytes and fixed as lower-case hex; unions are
// plain values (avsc's wrapUnions off).
import fs from 'node:fs'
import avro from 'avsc'

// Iceberg ids and timestamps need all 64 bits: decode longs as BigInt.
const longType = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => String(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})

function plain(v) {
  if (v === null || v === undefined) return null
  if (typeof v === 'bigint') return v.toString()
  if (Buffer.isBuffer(v)) return v.toString('hex')
  if (Array.isArray(v)) return v.map(plain)
  if (typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = plain(x)
    return o
  }
  return v
}

function decode(file) {
  return new Promise((resolve) => {
    const records = []
    let meta = {}
    const dec = avro.createFileDecoder(file, {
      parseHook: (schema) => avro.Type.forSchema(schema, { registry: { long: longType }, wrapUnions: false }),
    })
    dec.on('metadata', (type, codec, header) => {
      for (const [k, v] of Object.entries(header.meta)) meta[k] = v.toString('utf8')
    })
    dec.on('data', (r) => records.push(plain(r)))
    dec.on('error', (e) => resolve({ file, error: String(e.message || e) }))
    dec.on('end', () => resolve({ file, meta, records }))
  })
}

for (const f of process.argv.slice(2)) {
  const out = fs.existsSync(f) ? await decode(f) : { file: f, error: 'missing' }
  delete out.meta?.['avro.schema']
  process.stdout.write(JSON.stringify(out) + '\n')
}
