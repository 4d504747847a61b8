// gen.mjs - writes Iceberg tables from a JSON description, with the answers a correct reader
// must give known by construction (answer.json beside each table).
//
//   node gen.mjs SPEC.json      SPEC: {"tables": [TABLE, ...]}
//
// TABLE: {
//   dir: "/abs/dir",                    where the files go
//   location: "s3://gen-bucket/wh/t",   the location recorded in the metadata (not dir: readers
//                                       must relocate every path)
//   formatVersion: 2 | 1,
//   schema: {type: "struct", fields: [...]}     an Iceberg schema (JSON form of the spec)
//   specs: [{"spec-id": 0, fields: [{"source-id", "field-id", name, transform}]}]   (default: one
//          unpartitioned spec); a spec joins the metadata at the first snapshot that uses it
//   baseTime: epoch ms of the first snapshot (default 1700000000000), snapshots one hour apart
//   snapshots: [{
//     op: "append" | "replace" | "overwrite" | "delete",
//     ts: epoch ms (optional),
//     spec: spec id of the new files (default: the last spec used),
//     branch: "main" (default) or another branch name, forked from main's head when new,
//     files: [{id?, rows: [{col: value}], recordedPath?}],  data files to add; values in Iceberg's
//                                       JSON single-value form (decimals and 64-bit longs as
//                                       strings, dates "yyyy-mm-dd", times "HH:MM:SS.ffffff",
//                                       timestamps "yyyy-mm-ddTHH:MM:SS.ffffff[+00:00|Z]", uuids,
//                                       fixed and binary as hex, maps as {keys, values})
//     remove: [file id, ...],           data files removed (replace, overwrite)
//     posDeletes: [{target: file id, positions: [int]}],   a position-delete file (delete)
//     inheritSnapshotId: bool           added entries leave snapshot_id null (inherited)
//   }],
//   manifestCodec: "null" | "deflate",
//   unrelatedManifestList: bool,        the last snapshot's manifest list is an unrelated record
// }
// A file's id defaults to "s<K>-<I>" (K: snapshot index from 1, I: file index); it is written at
// data/<partition path>/<id>.parquet.  Metadata: v1.metadata.json (no snapshot) then one file per
// snapshot, version-hint.text naming the last.
//
// answer.json (what the docs/protocol.md mapping must serve):
//   {location, formatVersion, partitionColumns, statTypes: {"a.b": iceberg type}, lastVersion,
//    metadataFiles: [{file, version}], branches: [{name, snapshotId, sequenceNumber}],
//    versions: [{version, snapshotId, sequenceNumber, timestampMs, operation,
//                files: [{path, size, records, partitionValues, stats}], added: [path],
//                deleteFiles: [path]}]}
// where stats is the Delta statistics text: numRecords; minValues/maxValues for int, long, float,
// double, decimal (numbers), date ("yyyy-mm-dd"), timestamp and timestamptz (ISO-8601 with
// microseconds, "Z" for timestamptz), string; nullCount for every primitive reached through
// structs; partitionValues are Delta's partition strings of the identity partition columns.
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import avro from 'avsc'
import { parquetWriteBuffer } from 'hyparquet-writer'

const HOUR = 3600000

// ---------------------------------------------------------------- Avro with 64-bit longs

const longType = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => String(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})

// The schema avsc encodes with: logical types and attributes stripped (the binary form does not
// depend on them; the header keeps the full schema).
function stripSchema(s) {
  if (typeof s === 'string') return s
  if (Array.isArray(s)) return s.map(stripSchema)
  if (s.type === 'int' || s.type === 'long' || s.type === 'string' || s.type === 'bytes') return s.type
  if (s.type === 'record') return { type: 'record', name: s.name, fields: s.fields.map((f) => ({ name: f.name, type: stripSchema(f.type) })) }
  if (s.type === 'array') return { type: 'array', items: stripSchema(s.items) }
  if (s.type === 'map') return { type: 'map', values: stripSchema(s.values) }
  if (s.type === 'fixed') return { type: 'fixed', name: s.name, size: s.size }
  return s
}

function branchName(s) {
  if (typeof s === 'string') return s
  if (s.type === 'record' || s.type === 'fixed' || s.type === 'enum') return s.name
  return s.type
}

// Wraps union values the way avsc's wrapUnions wants them ({branch: value}).
function wrapValue(s, v) {
  if (Array.isArray(s)) {
    if (v === null || v === undefined) return null
    const t = s.find((b) => b !== 'null')
    return { [branchName(t)]: wrapValue(t, v) }
  }
  if (typeof s === 'string') return v
  if (s.type === 'record') {
    const o = {}
    for (const f of s.fields) o[f.name] = wrapValue(f.type, v[f.name])
    return o
  }
  if (s.type === 'array') return v.map((x) => wrapValue(s.items, x))
  return v
}

async function avroFile(schema, records, meta, codec) {
  const stripped = stripSchema(schema)
  const type = avro.Type.forSchema(stripped, { registry: { long: longType }, wrapUnions: true })
  const metadata = {}
  for (const [k, v] of Object.entries(meta)) metadata[k] = Buffer.from(String(v))
  const enc = new avro.streams.BlockEncoder(type, { codec: codec || 'null', metadata, writeHeader: true,
    syncMarker: crypto.createHash('md5').update(JSON.stringify(meta)).digest() })
  enc._schema = schema   // the header shows field ids, logical types and docs
  const chunks = []
  enc.on('data', (c) => chunks.push(c))
  const done = new Promise((resolve, reject) => { enc.on('end', resolve); enc.on('error', reject) })
  for (const r of records) enc.write(wrapValue(schema, r))
  enc.end()
  await done
  return Buffer.concat(chunks)
}

// ---------------------------------------------------------------- types and values

function parseType(t) {
  if (typeof t !== 'string') return t
  let m = t.match(/^decimal\((\d+),\s*(\d+)\)$/)
  if (m) return { kind: 'decimal', precision: +m[1], scale: +m[2], text: t }
  m = t.match(/^fixed\[(\d+)\]$/)
  if (m) return { kind: 'fixed', length: +m[1], text: t }
  return { kind: t, text: t }
}

function decimalBytes(precision) {
  // The fewest bytes whose two's complement holds 10^precision - 1.
  for (let n = 1; n <= 16; n++) if (2n ** BigInt(8 * n - 1) > 10n ** BigInt(precision)) return n
  return 16
}

function parseDecimal(text, scale) {
  const m = String(text).match(/^(-?)(\d+)(?:\.(\d*))?$/)
  if (!m) throw new Error('bad decimal ' + text)
  const frac = (m[3] || '').padEnd(scale, '0')
  if (frac.length > scale) throw new Error('decimal ' + text + ' has more than ' + scale + ' digits after the point')
  const v = BigInt(m[2] + frac)
  return m[1] ? -v : v
}

function decimalText(unscaled, scale) {
  const neg = unscaled < 0n
  let s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  if (scale > 0) s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale)
  return (neg ? '-' : '') + s
}

// Date.UTC maps years 0-99 to 1900-1999: set the year apart.
function utcMs(y, mo, d, h = 0, mi = 0, s = 0) {
  if (y >= 100) return Date.UTC(y, mo - 1, d, h, mi, s)
  const t = new Date(Date.UTC(2000, mo - 1, d, h, mi, s))
  t.setUTCFullYear(y)
  return t.getTime()
}

function daysOf(text) {
  const m = text.match(/^(\d{4})-(\d\d)-(\d\d)$/)
  if (!m) throw new Error('bad date ' + text)
  return utcMs(+m[1], +m[2], +m[3]) / 86400000
}

function dateText(days) {
  return new Date(days * 86400000).toISOString().slice(0, 10)
}

function microsOf(text) {
  const m = text.match(/^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|\+00:00)?$/)
  if (!m) throw new Error('bad timestamp ' + text)
  const ms = utcMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6])
  return BigInt(ms) * 1000n + BigInt((m[7] || '').padEnd(6, '0') || '0')
}

function timestampText(micros, tz) {
  const ms = micros / 1000n, us = micros % 1000n
  const fl = us < 0n ? ms - 1n : ms
  const rest = ((micros % 1000000n) + 1000000n) % 1000000n
  const iso = new Date(Number(fl)).toISOString().slice(0, 19)
  return iso + '.' + rest.toString().padStart(6, '0') + (tz ? 'Z' : '')
}

function timeMicros(text) {
  const m = text.match(/^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/)
  if (!m) throw new Error('bad time ' + text)
  return BigInt(((+m[1] * 60 + +m[2]) * 60 + +m[3])) * 1000000n + BigInt((m[4] || '').padEnd(6, '0') || '0')
}

function hexBytes(text) {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) throw new Error('bad hex ' + text)
  return Buffer.from(text, 'hex')
}

function uuidBytes(text) {
  const h = text.replace(/-/g, '')
  if (h.length !== 32) throw new Error('bad uuid ' + text)
  return Buffer.from(h, 'hex')
}

// A JSON value of a primitive column as the generator works with it: numbers and strings as
// given, longs/times/timestamps/decimals as BigInt, dates as day numbers, bytes as Buffers.
function primitive(t, v) {
  if (v === null || v === undefined) return null
  switch (t.kind) {
    case 'boolean': return !!v
    case 'int': return Number(v)
    case 'long': return BigInt(v)
    case 'float': return Math.fround(Number(v))
    case 'double': return Number(v)
    case 'decimal': return parseDecimal(v, t.scale)
    case 'date': return daysOf(v)
    case 'time': return timeMicros(v)
    case 'timestamp': case 'timestamptz': return microsOf(v)
    case 'string': return String(v)
    case 'uuid': return uuidBytes(v)
    case 'fixed': { const b = hexBytes(v); if (b.length !== t.length) throw new Error('fixed of wrong length'); return b }
    case 'binary': return hexBytes(v)
    default: throw new Error('unsupported type ' + t.text)
  }
}

function compare(t, a, b) {
  switch (t.kind) {
    case 'string': return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
    case 'uuid': case 'fixed': case 'binary': return Buffer.compare(a, b)
    case 'boolean': return (a ? 1 : 0) - (b ? 1 : 0)
    default: return a < b ? -1 : a > b ? 1 : 0
  }
}

function leBytes(v, n) {
  const b = Buffer.alloc(n)
  if (n === 4) b.writeInt32LE(Number(v))
  else b.writeBigInt64LE(BigInt(v))
  return b
}

function decimalBE(unscaled, n) {
  // Minimal (n undefined) or n-byte big-endian two's complement.
  const bytes = []
  let v = unscaled
  for (;;) {
    bytes.unshift(Number(v & 0xffn))
    v >>= 8n
    if (n ? bytes.length >= n : ((v === 0n && !(bytes[0] & 0x80)) || (v === -1n && (bytes[0] & 0x80)))) break
  }
  return Buffer.from(bytes)
}

// Iceberg's single-value binary serialisation (Appendix D of the spec).
function singleValue(t, v) {
  switch (t.kind) {
    case 'boolean': return Buffer.from([v ? 1 : 0])
    case 'int': case 'date': return leBytes(v, 4)
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return leBytes(v, 8)
    case 'float': { const b = Buffer.alloc(4); b.writeFloatLE(v); return b }
    case 'double': { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b }
    case 'decimal': return decimalBE(v)
    case 'string': return Buffer.from(v, 'utf8')
    default: return Buffer.from(v)   // uuid (16 bytes big-endian), fixed, binary
  }
}

// Metrics mode truncate(16), Iceberg's default: string and binary bounds are cut to 16
// characters/bytes, the upper one then incremented so it stays an upper bound.
const TRUNC = 16

function truncLower(t, v) {
  if (t.kind === 'string') return [...v].slice(0, TRUNC).join('')
  if (t.kind === 'binary') return v.subarray(0, TRUNC)
  return v
}

function truncUpper(t, v) {
  if (t.kind === 'string') {
    const cps = [...v]
    if (cps.length <= TRUNC) return v
    const cut = cps.slice(0, TRUNC)
    for (let i = cut.length - 1; i >= 0; i--) {
      const cp = cut[i].codePointAt(0) + 1
      if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)) {
        return cut.slice(0, i).join('') + String.fromCodePoint(cp)
      }
    }
    return undefined
  }
  if (t.kind === 'binary') {
    if (v.length <= TRUNC) return v
    const cut = Buffer.from(v.subarray(0, TRUNC))
    for (let i = cut.length - 1; i >= 0; i--) {
      if (cut[i] < 0xff) { cut[i]++; return cut.subarray(0, i + 1) }
    }
    return undefined
  }
  return v
}

// ---------------------------------------------------------------- partition transforms

function murmur3(buf) {
  const c1 = 0xcc9e2d51, c2 = 0x1b873593
  let h = 0
  const n = buf.length, blocks = n >> 2
  for (let i = 0; i < blocks; i++) {
    let k = buf.readUInt32LE(i * 4)
    k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2)
    h ^= k; h = (h << 13) | (h >>> 19); h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  let k = 0
  const tail = blocks * 4
  switch (n & 3) {
    case 3: k ^= buf[tail + 2] << 16 // fallthrough
    case 2: k ^= buf[tail + 1] << 8 // fallthrough
    case 1: k ^= buf[tail]
      k = Math.imul(k, c1); k = (k << 15) | (k >>> 17); k = Math.imul(k, c2); h ^= k
  }
  h ^= n
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16
  return h | 0
}

function bucketHashBytes(t, v) {
  switch (t.kind) {
    case 'int': case 'long': case 'date': case 'time': case 'timestamp': case 'timestamptz': return leBytes(v, 8)
    case 'decimal': return decimalBE(v)
    case 'string': return Buffer.from(v, 'utf8')
    default: return Buffer.from(v)
  }
}

function parseTransform(text) {
  let m = text.match(/^(bucket|truncate)\[(\d+)\]$/)
  if (m) return { name: m[1], param: +m[2] }
  return { name: text }
}

// The transform's result type and value for source value v (already a primitive()).
function transformType(tr, src) {
  switch (tr.name) {
    case 'identity': case 'truncate': case 'void': return src
    case 'day': return { kind: 'date', text: 'date' }
    default: return { kind: 'int', text: 'int' }   // bucket, year, month, hour
  }
}

function floorDiv(a, b) {
  return a >= 0n ? a / b : -((-a + b - 1n) / b)
}

function applyTransform(tr, t, v) {
  if (v === null) return null
  switch (tr.name) {
    case 'identity': return v
    case 'void': return null
    case 'bucket': return (murmur3(bucketHashBytes(t, v)) & 0x7fffffff) % tr.param
    case 'truncate': {
      const w = tr.param
      if (t.kind === 'int') return v - (((v % w) + w) % w)
      if (t.kind === 'long' || t.kind === 'decimal') { const W = BigInt(w); return v - (((v % W) + W) % W) }
      if (t.kind === 'string') return [...v].slice(0, w).join('')
      if (t.kind === 'binary') return v.subarray(0, w)
      throw new Error('truncate of ' + t.text)
    }
    case 'year': case 'month': case 'day': case 'hour': {
      const micros = t.kind === 'date' ? BigInt(v) * 86400000000n : v
      if (tr.name === 'hour') return Number(floorDiv(micros, 3600000000n))
      const days = Number(floorDiv(micros, 86400000000n))
      if (tr.name === 'day') return days
      const d = new Date(days * 86400000)
      if (tr.name === 'year') return d.getUTCFullYear() - 1970
      return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()
    }
    default: throw new Error('unknown transform ' + tr.name)
  }
}

// Text of a partition value in a Hive-style directory name.
function partPathText(t, v) {
  if (v === null) return 'null'
  switch (t.kind) {
    case 'date': return dateText(v)
    case 'decimal': return decimalText(v, t.scale)
    case 'timestamp': case 'timestamptz': return timestampText(v, false).replace(/[:.]/g, '-')
    case 'uuid': case 'fixed': case 'binary': return Buffer.from(v).toString('hex')
    default: return encodeURIComponent(String(v))
  }
}

// Delta's partition value string for an identity partition column.
function deltaPartitionText(t, v) {
  if (v === null) return null
  switch (t.kind) {
    case 'boolean': return v ? 'true' : 'false'
    case 'int': case 'long': case 'time': return String(v)
    case 'float': case 'double': return String(v)
    case 'decimal': return decimalText(v, t.scale)
    case 'date': return dateText(v)
    case 'timestamp': return timestampText(v, false)
    case 'timestamptz': return timestampText(v, true)
    case 'string': return v
    default: return String.fromCharCode(...v)   // binary: one character per byte
  }
}

// Avro schema of a value of type t (partition records).
function avroPrimitive(t, name) {
  switch (t.kind) {
    case 'boolean': case 'int': case 'long': case 'float': case 'double': case 'string': return t.kind
    case 'binary': return 'bytes'
    case 'date': return { type: 'int', logicalType: 'date' }
    case 'time': return { type: 'long', logicalType: 'time-micros' }
    case 'timestamp': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false }
    case 'timestamptz': return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true }
    case 'uuid': return { type: 'fixed', name, size: 16, logicalType: 'uuid' }
    case 'fixed': return { type: 'fixed', name, size: t.length }
    case 'decimal': return { type: 'fixed', name, size: decimalBytes(t.precision), logicalType: 'decimal', precision: t.precision, scale: t.scale }
    default: throw new Error('no Avro form for ' + t.text)
  }
}

function avroValue(t, v) {
  if (v === null) return null
  switch (t.kind) {
    case 'long': case 'time': case 'timestamp': case 'timestamptz': return BigInt(v)
    case 'decimal': return decimalBE(v, decimalBytes(t.precision))
    case 'uuid': case 'fixed': case 'binary': return Buffer.from(v)
    default: return v
  }
}

// ---------------------------------------------------------------- Parquet

function pqPrimitive(name, t, rep, id) {
  const e = { name, repetition_type: rep, field_id: id }
  switch (t.kind) {
    case 'boolean': return { ...e, type: 'BOOLEAN' }
    case 'int': return { ...e, type: 'INT32' }
    case 'long': return { ...e, type: 'INT64' }
    case 'float': return { ...e, type: 'FLOAT' }
    case 'double': return { ...e, type: 'DOUBLE' }
    case 'decimal': {
      const d = { converted_type: 'DECIMAL', precision: t.precision, scale: t.scale,
        logical_type: { type: 'DECIMAL', precision: t.precision, scale: t.scale } }
      if (t.precision <= 9) return { ...e, type: 'INT32', ...d }
      if (t.precision <= 18) return { ...e, type: 'INT64', ...d }
      return { ...e, type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(t.precision), ...d }
    }
    case 'date': return { ...e, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }
    case 'time': return { ...e, type: 'INT64', converted_type: 'TIME_MICROS', logical_type: { type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' } }
    case 'timestamp': return { ...e, type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' } }
    case 'timestamptz': return { ...e, type: 'INT64', converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } }
    case 'string': return { ...e, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }
    case 'uuid': return { ...e, type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } }
    case 'fixed': return { ...e, type: 'FIXED_LEN_BYTE_ARRAY', type_length: t.length }
    case 'binary': return { ...e, type: 'BYTE_ARRAY' }
    default: throw new Error('no Parquet form for ' + t.text)
  }
}

function pqField(out, name, type, required, id) {
  const rep = required ? 'REQUIRED' : 'OPTIONAL'
  if (typeof type === 'object' && type.type === 'struct') {
    out.push({ name, repetition_type: rep, num_children: type.fields.length, field_id: id })
    for (const f of type.fields) pqField(out, f.name, f.type, f.required, f.id)
  } else if (typeof type === 'object' && type.type === 'list') {
    out.push({ name, repetition_type: rep, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' }, field_id: id })
    out.push({ name: 'list', repetition_type: 'REPEATED', num_children: 1 })
    pqField(out, 'element', type.element, type['element-required'], type['element-id'])
  } else if (typeof type === 'object' && type.type === 'map') {
    out.push({ name, repetition_type: rep, num_children: 1, converted_type: 'MAP', logical_type: { type: 'MAP' }, field_id: id })
    out.push({ name: 'key_value', repetition_type: 'REPEATED', num_children: 2 })
    pqField(out, 'key', type.key, true, type['key-id'])
    pqField(out, 'value', type.value, type['value-required'], type['value-id'])
  } else {
    out.push(pqPrimitive(name, parseType(type), rep, id))
  }
}

// A row value of an Iceberg type as hyparquet-writer takes it.
function pqValue(type, v) {
  if (v === null || v === undefined) return null
  if (typeof type === 'object' && type.type === 'struct') {
    const o = {}
    for (const f of type.fields) o[f.name] = pqValue(f.type, v[f.name])
    return o
  }
  if (typeof type === 'object' && type.type === 'list') return v.map((x) => pqValue(type.element, x))
  if (typeof type === 'object' && type.type === 'map') {
    return v.keys.map((k, i) => ({ key: pqValue(type.key, k), value: pqValue(type.value, v.values[i]) }))
  }
  const t = parseType(type)
  const p = primitive(t, v)
  if (t.kind === 'date') return p
  if (t.kind === 'uuid' || t.kind === 'fixed' || t.kind === 'binary') return new Uint8Array(p)
  return p
}

function parquetOf(fields, rows) {
  const schema = [{ name: 'schema', num_children: fields.length }]
  for (const f of fields) pqField(schema, f.name, f.type, f.required, f.id)
  const columnData = fields.map((f) => ({ name: f.name, data: rows.map((r) => pqValue(f.type, r[f.name])) }))
  return Buffer.from(parquetWriteBuffer({ columnData, schema, statistics: false }))
}

// ---------------------------------------------------------------- metrics

// Every primitive leaf: {id, type, path (dotted, or null inside lists/maps), get(row) -> values}.
function leaves(fields) {
  const out = []
  function walk(type, id, pathName, getter, inStructsOnly) {
    if (typeof type === 'object' && type.type === 'struct') {
      for (const f of type.fields) {
        walk(f.type, f.id, inStructsOnly ? (pathName ? pathName + '.' + f.name : f.name) : null,
          (row) => getter(row).map((s) => (s === null || s === undefined ? null : s[f.name])), inStructsOnly)
      }
    } else if (typeof type === 'object' && type.type === 'list') {
      walk(type.element, type['element-id'], null,
        (row) => getter(row).flatMap((l) => (l === null || l === undefined ? [] : l)), false)
    } else if (typeof type === 'object' && type.type === 'map') {
      walk(type.key, type['key-id'], null, (row) => getter(row).flatMap((m) => (m ? m.keys : [])), false)
      walk(type.value, type['value-id'], null, (row) => getter(row).flatMap((m) => (m ? m.values : [])), false)
    } else {
      out.push({ id, type: parseType(type), path: pathName, get: getter })
    }
  }
  walk({ type: 'struct', fields }, 0, '', (row) => [row], true)
  return out
}

function metricsOf(fields, rows) {
  const cols = []
  for (const leaf of leaves(fields)) {
    const vals = rows.flatMap((r) => leaf.get(r)).map((v) => primitive(leaf.type, v))
    const nonNull = vals.filter((v) => v !== null)
    const isFloat = leaf.type.kind === 'float' || leaf.type.kind === 'double'
    const nans = isFloat ? nonNull.filter((v) => Number.isNaN(v)).length : 0
    const ordered = nonNull.filter((v) => !(isFloat && Number.isNaN(v)))
    let lo = null, hi = null
    for (const v of ordered) {
      if (lo === null || compare(leaf.type, v, lo) < 0) lo = v
      if (hi === null || compare(leaf.type, v, hi) > 0) hi = v
    }
    const c = { id: leaf.id, type: leaf.type, path: leaf.path, values: vals.length,
      nulls: vals.length - nonNull.length, nans, lo, hi, lower: null, upper: null }
    if (lo !== null) {
      const l = truncLower(leaf.type, lo), u = truncUpper(leaf.type, hi)
      c.lower = singleValue(leaf.type, l)
      c.upper = u === undefined ? null : singleValue(leaf.type, u)
      c.statLo = l
      c.statHi = u
    }
    cols.push(c)
  }
  return cols
}

// ---------------------------------------------------------------- Delta statistics text

const STAT_KINDS = new Set(['int', 'long', 'float', 'double', 'decimal', 'date', 'timestamp', 'timestamptz', 'string'])

function statText(t, v) {
  switch (t.kind) {
    case 'int': case 'long': return String(v)
    case 'float': case 'double': return JSON.stringify(v)
    case 'decimal': return decimalText(v, t.scale)
    case 'date': return JSON.stringify(dateText(v))
    case 'timestamp': return JSON.stringify(timestampText(v, false))
    case 'timestamptz': return JSON.stringify(timestampText(v, true))
    case 'string': return JSON.stringify(v)
  }
  throw new Error('no statistic for ' + t.text)
}

function nestedText(entries) {
  // entries: [[dotted path, value text]] -> nested JSON object text (fields in schema order)
  const root = new Map()
  for (const [p, text] of entries) {
    const parts = p.split('.')
    let m = root
    for (const seg of parts.slice(0, -1)) {
      if (!m.has(seg)) m.set(seg, new Map())
      m = m.get(seg)
    }
    m.set(parts[parts.length - 1], text)
  }
  const emit = (m) => '{' + [...m].map(([k, v]) => JSON.stringify(k) + ':' + (v instanceof Map ? emit(v) : v)).join(',') + '}'
  return root.size ? emit(root) : null
}

function deltaStats(records, metrics) {
  const mins = [], maxs = [], nulls = []
  for (const c of metrics) {
    if (c.path === null) continue
    nulls.push([c.path, String(c.nulls)])
    if (!STAT_KINDS.has(c.type.kind) || c.lower === null) continue
    if (c.type.kind === 'float' || c.type.kind === 'double') {
      if (!Number.isFinite(c.statLo) || !Number.isFinite(c.statHi)) continue
    }
    mins.push([c.path, statText(c.type, c.statLo)])
    if (c.statHi !== undefined) maxs.push([c.path, statText(c.type, c.statHi)])
  }
  let s = '{"numRecords":' + records
  const mn = nestedText(mins), mx = nestedText(maxs), nc = nestedText(nulls)
  if (mn) s += ',"minValues":' + mn
  if (mx) s += ',"maxValues":' + mx
  if (nc) s += ',"nullCount":' + nc
  return s + '}'
}

// ---------------------------------------------------------------- Iceberg Avro schemas

function kvArray(name, kid, vid, vtype) {
  return { type: 'array', logicalType: 'map', items: { type: 'record', name,
    fields: [{ name: 'key', type: 'int', 'field-id': kid }, { name: 'value', type: vtype, 'field-id': vid }] } }
}

function partitionSchema(spec, schemaFields) {
  const fields = spec.fields.map((pf) => {
    const src = findField(schemaFields, pf['source-id'])
    const rt = transformType(parseTransform(pf.transform), parseType(src.type))
    return { name: pf.name, type: ['null', avroPrimitive(rt, 'r102_f' + pf['field-id'])], default: null, 'field-id': pf['field-id'] }
  })
  return { type: 'record', name: 'r102', fields }
}

function entrySchema(v, partRecord) {
  const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id })
  const df = [
    ...(v >= 2 ? [{ name: 'content', type: 'int', 'field-id': 134 }] : []),
    { name: 'file_path', type: 'string', 'field-id': 100 },
    { name: 'file_format', type: 'string', 'field-id': 101 },
    { name: 'partition', type: partRecord, 'field-id': 102 },
    { name: 'record_count', type: 'long', 'field-id': 103 },
    { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
    ...(v === 1 ? [{ name: 'block_size_in_bytes', type: 'long', 'field-id': 105 }] : []),
    opt('column_sizes', kvArray('k117_v118', 117, 118, 'long'), 108),
    opt('value_counts', kvArray('k119_v120', 119, 120, 'long'), 109),
    opt('null_value_counts', kvArray('k121_v122', 121, 122, 'long'), 110),
    opt('nan_value_counts', kvArray('k138_v139', 138, 139, 'long'), 137),
    opt('lower_bounds', kvArray('k126_v127', 126, 127, 'bytes'), 125),
    opt('upper_bounds', kvArray('k129_v130', 129, 130, 'bytes'), 128),
    opt('key_metadata', 'bytes', 131),
    opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
    ...(v >= 2 ? [opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135)] : []),
    opt('sort_order_id', 'int', 140),
  ]
  return { type: 'record', name: 'manifest_entry', fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    v >= 2 ? opt('snapshot_id', 'long', 1) : { name: 'snapshot_id', type: 'long', 'field-id': 1 },
    ...(v >= 2 ? [opt('sequence_number', 'long', 3), opt('file_sequence_number', 'long', 4)] : []),
    { name: 'data_file', type: { type: 'record', name: 'r2', fields: df }, 'field-id': 2 },
  ] }
}

function manifestFileSchema(v) {
  const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id })
  const summary = { type: 'array', 'element-id': 508, items: { type: 'record', name: 'r508', fields: [
    { name: 'contains_null', type: 'boolean', 'field-id': 509 },
    opt('contains_nan', 'boolean', 518),
    opt('lower_bound', 'bytes', 510),
    opt('upper_bound', 'bytes', 511)] } }
  if (v === 1) {
    return { type: 'record', name: 'manifest_file', fields: [
      { name: 'manifest_path', type: 'string', 'field-id': 500 },
      { name: 'manifest_length', type: 'long', 'field-id': 501 },
      { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
      opt('added_snapshot_id', 'long', 503),
      opt('added_data_files_count', 'int', 504),
      opt('existing_data_files_count', 'int', 505),
      opt('deleted_data_files_count', 'int', 506),
      opt('partitions', summary, 507),
      opt('added_rows_count', 'long', 512),
      opt('existing_rows_count', 'long', 513),
      opt('deleted_rows_count', 'long', 514)] }
  }
  return { type: 'record', name: 'manifest_file', fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    opt('partitions', summary, 507),
    opt('key_metadata', 'bytes', 519)] }
}

function findField(fields, id) {
  for (const f of fields) {
    if (f.id === id) return f
  }
  throw new Error('no top-level field with id ' + id)
}

function maxFieldId(type) {
  if (typeof type !== 'object') return 0
  if (type.type === 'struct') return Math.max(0, ...type.fields.map((f) => Math.max(f.id, maxFieldId(f.type))))
  if (type.type === 'list') return Math.max(type['element-id'], maxFieldId(type.element))
  if (type.type === 'map') return Math.max(type['key-id'], type['value-id'], maxFieldId(type.key), maxFieldId(type.value))
  return 0
}

// ---------------------------------------------------------------- a table

const POS_DELETE_FIELDS = [
  { id: 2147483546, name: 'file_path', required: true, type: 'string' },
  { id: 2147483545, name: 'pos', required: true, type: 'long' },
]

function uuidFrom(seed) {
  const h = crypto.createHash('sha256').update(seed).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

function bigJson(value) {
  // JSON text with BigInt as plain numbers.
  return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? '__BIG__' + v.toString() : v), 1)
    .replace(/"__BIG__(-?\d+)"/g, '$1')
}

async function writeTable(spec) {
  const dir = spec.dir
  const loc = spec.location.replace(/\/+$/, '')
  const fv = spec.formatVersion || 2
  const codec = spec.manifestCodec || 'null'
  const fields = spec.schema.fields
  const schemaJson = { type: 'struct', 'schema-id': 0, fields }
  const specs = spec.specs || [{ 'spec-id': 0, fields: [] }]
  const specById = new Map(specs.map((s) => [s['spec-id'], s]))
  const tableUuid = spec.tableUuid || uuidFrom(dir)
  const base = spec.baseTime || 1700000000000
  fs.mkdirSync(path.join(dir, 'metadata'), { recursive: true })
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true })

  const leafTypes = {}
  for (const l of leaves(fields)) if (l.path !== null) leafTypes[l.path] = l.type.text
  // Identity partitions of top-level primitive columns in every spec of the final metadata.
  const usedSpecIds = new Set([specs[0]['spec-id'], ...spec.snapshots.map((s) => s.spec).filter((x) => x !== undefined)])
  const finalSpecs = specs.filter((s) => usedSpecIds.has(s['spec-id']))
  const firstSpec = finalSpecs[0]
  const partCols = []
  for (const pf of (finalSpecs[finalSpecs.length - 1] || firstSpec).fields) {
    if (pf.transform !== 'identity') continue
    const col = fields.find((f) => f.id === pf['source-id'])
    if (!col || typeof col.type === 'object') continue
    if (finalSpecs.every((s) => s.fields.some((x) => x['source-id'] === pf['source-id'] && x.transform === 'identity'))) {
      partCols.push(col)
    }
  }

  const files = new Map()          // id -> data file record
  const branches = new Map()       // name -> {head, seq?, manifests: [...], live: Set(ids)}
  branches.set('main', { head: null, manifests: [], live: new Set() })
  const snapshots = []
  const snapshotLog = []
  const metadataLog = []
  const metadataFiles = []
  const versions = []
  let lastSeq = 0n
  let lastSpecId = specs[0]['spec-id']
  const usedSoFar = new Set([lastSpecId])
  let manifestCount = 0
  let prevVersion = 0

  async function writeManifest(specId, content, entries, snapId, seq) {
    const sp = specById.get(specId)
    const part = partitionSchema(sp, fields)
    const schema = entrySchema(fv, part)
    const records = entries.map((e) => {
      const df = e.file
      const r = {
        status: e.status,
        snapshot_id: e.snapshotId,
        sequence_number: e.seq,
        file_sequence_number: e.fileSeq,
        data_file: {
          content: df.content,
          file_path: df.recordedPath,
          file_format: 'PARQUET',
          partition: df.partitionAvro,
          record_count: BigInt(df.records),
          file_size_in_bytes: BigInt(df.size),
          block_size_in_bytes: 67108864n,
          column_sizes: null,
          value_counts: df.metrics.map((c) => ({ key: c.id, value: BigInt(c.values) })),
          null_value_counts: df.metrics.map((c) => ({ key: c.id, value: BigInt(c.nulls) })),
          nan_value_counts: df.metrics.filter((c) => c.type.kind === 'float' || c.type.kind === 'double')
            .map((c) => ({ key: c.id, value: BigInt(c.nans) })),
          lower_bounds: df.metrics.filter((c) => c.lower).map((c) => ({ key: c.id, value: c.lower })),
          upper_bounds: df.metrics.filter((c) => c.upper).map((c) => ({ key: c.id, value: c.upper })),
          key_metadata: null,
          split_offsets: [4n],
          equality_ids: null,
          sort_order_id: content === 0 ? 0 : null,
        },
      }
      if (fv === 1) r.snapshot_id = BigInt(e.snapshotId ?? snapId)
      return r
    })
    const name = `${uuidFrom(dir + '/m' + manifestCount)}-m${manifestCount++}.avro`
    const meta = {
      schema: JSON.stringify(schemaJson), 'schema-id': '0',
      'partition-spec': JSON.stringify(sp.fields), 'partition-spec-id': String(specId),
      'format-version': String(fv), content: content === 0 ? 'data' : 'deletes',
    }
    const bytes = await avroFile(schema, records, meta, codec)
    fs.writeFileSync(path.join(dir, 'metadata', name), bytes)
    // Partition summaries over live entries.
    const summaries = sp.fields.map((pf, i) => {
      const t = transformType(parseTransform(pf.transform), parseType(findField(fields, pf['source-id']).type))
      const vals = entries.filter((e) => e.status !== 2).map((e) => e.file.partition[i])
      const nn = vals.filter((v) => v !== null)
      let lo = null, hi = null
      for (const v of nn) {
        if (lo === null || compare(t, v, lo) < 0) lo = v
        if (hi === null || compare(t, v, hi) > 0) hi = v
      }
      return { contains_null: nn.length < vals.length, contains_nan: false,
        lower_bound: lo === null ? null : singleValue(t, lo), upper_bound: hi === null ? null : singleValue(t, hi) }
    })
    const count = (st) => entries.filter((e) => e.status === st)
    const rows = (st) => count(st).reduce((a, e) => a + BigInt(e.file.records), 0n)
    const live = entries.filter((e) => e.status !== 2)
    return {
      manifest_path: `${loc}/metadata/${name}`, manifest_length: BigInt(bytes.length),
      partition_spec_id: specId, content, sequence_number: seq,
      min_sequence_number: live.length ? live.reduce((a, e) => (e.seq !== null && e.seq < a ? e.seq : a), seq) : seq,
      added_snapshot_id: snapId,
      added_files_count: count(1).length, existing_files_count: count(0).length, deleted_files_count: count(2).length,
      added_rows_count: rows(1), existing_rows_count: rows(0), deleted_rows_count: rows(2),
      added_data_files_count: count(1).length, existing_data_files_count: count(0).length,
      deleted_data_files_count: count(2).length,
      partitions: summaries, key_metadata: null,
      entries,
    }
  }

  function makeDataFile(k, i, f, specId, content, rowsOverride, deletePartition) {
    const sp = specById.get(specId)
    const id = f.id || `s${k}-${i}`
    const rows = rowsOverride || f.rows
    const partition = sp.fields.map((pf) => {
      const src = findField(fields, pf['source-id'])
      const t = parseType(src.type)
      const tr = parseTransform(pf.transform)
      const vals = rows.map((r) => applyTransform(tr, t, primitive(t, r[src.name] ?? null)))
      const key = (v) => (v === null ? 'null' : Buffer.isBuffer(v) ? v.toString('hex') : String(v))
      if (content === 0 && new Set(vals.map(key)).size > 1) throw new Error(`file ${id}: rows of several partitions`)
      return content === 0 ? (vals.length ? vals[0] : null) : null
    })
    if (deletePartition) partition.splice(0, partition.length, ...deletePartition)
    const dirs = sp.fields.map((pf, j) => {
      const t = transformType(parseTransform(pf.transform), parseType(findField(fields, pf['source-id']).type))
      return `${pf.name}=${partPathText(t, partition[j])}`
    })
    const rel = ['data', ...dirs, `${id}.parquet`].join('/')
    const flds = content === 0 ? fields : POS_DELETE_FIELDS
    const bytes = parquetOf(flds, rows)
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true })
    fs.writeFileSync(path.join(dir, rel), bytes)
    const metrics = metricsOf(flds, rows)
    const partitionAvro = {}
    sp.fields.forEach((pf, j) => {
      const t = transformType(parseTransform(pf.transform), parseType(findField(fields, pf['source-id']).type))
      partitionAvro[pf.name] = avroValue(t, partition[j])
    })
    const pv = {}
    for (const col of partCols) {
      const j = sp.fields.findIndex((pf) => pf['source-id'] === col.id && pf.transform === 'identity')
      pv[col.name] = j < 0 ? null : deltaPartitionText(parseType(col.type), partition[j])
    }
    const rec = { id, rel, recordedPath: f.recordedPath || `${loc}/${rel}`, size: bytes.length,
      records: rows.length, content, partition, partitionAvro, metrics, partitionValues: pv,
      stats: content === 0 ? deltaStats(rows.length, metrics) : null }
    files.set(id, rec)
    return rec
  }

  function tableMetadata(lastUpdated) {
    const specsNow = specs.filter((s) => usedSoFar.has(s['spec-id']))
    const main = branches.get('main')
    const refs = {}
    for (const [name, b] of branches) if (b.head !== null) refs[name] = { 'snapshot-id': b.head, type: 'branch' }
    const m = {
      'format-version': fv,
      'table-uuid': tableUuid,
      location: loc,
      ...(fv >= 2 ? { 'last-sequence-number': lastSeq } : {}),
      'last-updated-ms': lastUpdated,
      'last-column-id': maxFieldId({ type: 'struct', fields }),
      ...(fv === 1 ? { schema: schemaJson } : {}),
      'current-schema-id': 0,
      schemas: [schemaJson],
      ...(fv === 1 ? { 'partition-spec': specById.get(lastSpecId).fields } : {}),
      'default-spec-id': lastSpecId,
      'partition-specs': specsNow,
      'last-partition-id': Math.max(999, ...specsNow.flatMap((s) => s.fields.map((f) => f['field-id']))),
      'default-sort-order-id': 0,
      'sort-orders': [{ 'order-id': 0, fields: [] }],
      properties: { 'write.format.default': 'parquet', ...(spec.properties || {}) },
      'current-snapshot-id': main.head === null ? -1 : main.head,
      refs,
      snapshots: snapshots.slice(),
      'snapshot-log': snapshotLog.slice(),
      'metadata-log': metadataLog.slice(),
    }
    return m
  }

  function writeMetadata(lastUpdated, version) {
    const n = metadataFiles.length + 1
    const name = `v${n}.metadata.json`
    fs.writeFileSync(path.join(dir, 'metadata', name), bigJson(tableMetadata(lastUpdated)))
    metadataFiles.push({ file: `metadata/${name}`, version })
    metadataLog.push({ 'timestamp-ms': lastUpdated, 'metadata-file': `${loc}/metadata/${name}` })
  }

  writeMetadata(base - HOUR, 0)

  for (let k = 1; k <= spec.snapshots.length; k++) {
    const s = spec.snapshots[k - 1]
    const op = s.op || 'append'
    const ts = s.ts || base + (k - 1) * HOUR
    const bname = s.branch || 'main'
    if (!branches.has(bname)) {
      const main = branches.get('main')
      branches.set(bname, { head: main.head, manifests: main.manifests.slice(), live: new Set(main.live) })
    }
    const br = branches.get(bname)
    if (s.spec !== undefined) lastSpecId = s.spec
    usedSoFar.add(lastSpecId)
    const snapId = 4000000000000000000n + BigInt(k) * 1234567891011n
    const seq = fv >= 2 ? lastSeq + 1n : 0n
    lastSeq = seq
    const newManifests = []
    const added = []
    // Removed files: rewrite every manifest holding one.
    const removed = new Set(s.remove || [])
    for (const id of removed) if (!br.live.has(id)) throw new Error(`snapshot ${k}: ${id} is not live`)
    const kept = []
    for (const m of br.manifests) {
      const hit = m.entries.some((e) => e.status !== 2 && removed.has(e.file.id))
      if (!hit) { kept.push(m); continue }
      const entries = m.entries.filter((e) => e.status !== 2).map((e) => ({
        status: removed.has(e.file.id) ? 2 : 0,
        snapshotId: removed.has(e.file.id) ? snapId : e.snapshotId,
        seq: e.seq, fileSeq: e.fileSeq, file: e.file,
      }))
      newManifests.push(await writeManifest(m.partition_spec_id, m.content, entries, snapId, seq))
    }
    for (const id of removed) br.live.delete(id)
    // Added data files.
    const addEntries = (s.files || []).map((f, i) => {
      const rec = makeDataFile(k, i, f, lastSpecId, 0)
      added.push(rec.id)
      br.live.add(rec.id)
      return rec
    })
    if (addEntries.length) {
      // Sequence numbers of added entries are left null: inherited from the manifest list.
      const entries = addEntries.map((rec) => ({
        status: 1, snapshotId: s.inheritSnapshotId ? null : snapId, seq: null, fileSeq: null, file: rec,
      }))
      const m = await writeManifest(lastSpecId, 0, entries, snapId, seq)
      // Later rewrites make inherited values explicit.
      for (const e of m.entries) { e.snapshotId = snapId; e.seq = seq; e.fileSeq = seq }
      newManifests.unshift(m)
    }
    // Position deletes.
    const deleteFiles = []
    if (s.posDeletes && s.posDeletes.length) {
      const rows = s.posDeletes.flatMap((d) => d.positions.map((p) => ({
        file_path: files.get(d.target).recordedPath, pos: String(p) })))
      const target = files.get(s.posDeletes[0].target)
      const rec = makeDataFile(k, 0, { id: `del-s${k}` }, lastSpecId, 1, rows, target.partition)
      const m = await writeManifest(lastSpecId, 1, [{ status: 1, snapshotId: snapId, seq: null, fileSeq: null, file: rec }], snapId, seq)
      for (const e of m.entries) { e.seq = seq; e.fileSeq = seq }
      br.deletes = (br.deletes || []).concat([rec.id])
      newManifests.push(m)
    }
    for (const m of newManifests) if (m.entries.length === 0) throw new Error('empty manifest')
    br.manifests = [...newManifests, ...kept]
    // The manifest list.
    const listName = `snap-${snapId}-1-${uuidFrom(dir + '/l' + k)}.avro`
    const listRecords = br.manifests.map((m) => {
      const r = { ...m }
      delete r.entries
      return r
    })
    let listBytes
    if (spec.unrelatedManifestList && k === spec.snapshots.length) {
      const other = { type: 'record', name: 'weather', fields: [{ name: 'city', type: 'string' }, { name: 'celsius', type: 'double' }] }
      listBytes = await avroFile(other, [{ city: 'Oslo', celsius: -3.5 }, { city: 'Lima', celsius: 19 }], {}, 'null')
    } else {
      listBytes = await avroFile(manifestFileSchema(fv), listRecords, {
        'snapshot-id': String(snapId), 'parent-snapshot-id': String(br.head ?? 'null'),
        'sequence-number': String(seq), 'format-version': String(fv) }, 'null')
    }
    fs.writeFileSync(path.join(dir, 'metadata', listName), listBytes)
    const snap = {
      'snapshot-id': snapId,
      ...(br.head !== null ? { 'parent-snapshot-id': br.head } : {}),
      ...(fv >= 2 ? { 'sequence-number': seq } : {}),
      'timestamp-ms': ts,
      summary: { operation: op, 'added-data-files': String(added.length) },
      'manifest-list': `${loc}/metadata/${listName}`,
      'schema-id': 0,
    }
    snapshots.push(snap)
    br.head = snapId
    let version = null
    if (bname === 'main') {
      snapshotLog.push({ 'timestamp-ms': ts, 'snapshot-id': snapId })
      version = Math.max(Number(seq), prevVersion + 1)
      prevVersion = version
      const liveFiles = [...br.live].map((id) => files.get(id))
      versions.push({
        version, snapshotId: snapId, sequenceNumber: seq, timestampMs: ts, operation: op,
        files: liveFiles.map((f) => ({ path: f.rel, size: f.size, records: f.records,
          partitionValues: f.partitionValues, stats: f.stats })),
        added: added.map((id) => files.get(id).rel),
        deleteFiles: (br.deletes || []).map((id) => files.get(id).rel),
      })
    }
    writeMetadata(ts, prevVersion)
  }
  fs.writeFileSync(path.join(dir, 'metadata', 'version-hint.text'), String(metadataFiles.length))
  const answer = {
    location: loc, formatVersion: fv, tableUuid,
    partitionColumns: partCols.map((c) => c.name),
    statTypes: leafTypes,
    lastVersion: prevVersion,
    metadataFiles,
    branches: [...branches].filter(([n]) => n !== 'main').map(([name, b]) => ({
      name, snapshotId: b.head,
      sequenceNumber: snapshots.find((x) => x['snapshot-id'] === b.head)?.['sequence-number'] ?? null })),
    versions,
  }
  fs.writeFileSync(path.join(dir, 'answer.json'), bigJson(answer))
}

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
for (const t of spec.tables) await writeTable(t)
