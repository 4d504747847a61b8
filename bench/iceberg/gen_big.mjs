// gen_big.mjs - writes a generated Iceberg v2 table for the benchmarks: FILES data files (default
// 1,000,000) in MANIFESTS manifests (default 100), written with avsc the way Spark writes them.
//
//   node gen_big.mjs OUT_DIR [FILES] [MANIFESTS]
//
// The table: 8 columns of mixed types (long, int, timestamptz, string, decimal(12,2), double,
// boolean, date), partitioned by identity(region) and day(event_ts).  Snapshot k (k = 1..MANIFESTS)
// is an append of one manifest of FILES/MANIFESTS entries, so the current snapshot's manifest list
// names every manifest, newest first.  Each entry carries a realistic file path, record count, size,
// column sizes, value/null/NaN counts and lower/upper bounds for the 8 columns; manifests and lists
// use the deflate codec and 64 KB blocks; entries leave their sequence numbers null (inherited).
// The table's recorded location is s3://bench-warehouse/db/events, so readers relocate its paths to
// OUT_DIR.  No data files are written.  Values come from a fixed seed: the same arguments give the
// same bytes.  OUT_DIR/.complete records the arguments; when it matches, nothing is written again.
// Prints the totals as JSON: {"files", "records", "bytes", "manifests", "snapshotId"}.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const here = path.dirname(new URL(import.meta.url).pathname)
const avro = require(path.join(here, '../../tests/conformance/node_modules/avsc'))

const [outDir, filesArg, manifestsArg] = process.argv.slice(2)
if (!outDir) {
  process.stderr.write('usage: node gen_big.mjs OUT_DIR [FILES] [MANIFESTS]\n')
  process.exit(2)
}
const FILES = Number(filesArg || 1000000)
const MANIFESTS = Number(manifestsArg || 100)
if (!(FILES > 0) || !(MANIFESTS > 0) || FILES % MANIFESTS) {
  process.stderr.write('gen_big: FILES must be a positive multiple of MANIFESTS\n')
  process.exit(2)
}
const PER = FILES / MANIFESTS
const LOCATION = 's3://bench-warehouse/db/events'
const stamp = JSON.stringify({ files: FILES, manifests: MANIFESTS, gen: 1 })
const marker = path.join(outDir, '.complete')
if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').startsWith(stamp)) {
  process.stdout.write(fs.readFileSync(marker, 'utf8').slice(stamp.length + 1))
  process.exit(0)
}

// ---- deterministic randomness -------------------------------------------------------------

let seed = 0x9e3779b9
function rnd() {   // mulberry32: uniform in [0, 1)
  seed = (seed + 0x6d2b79f5) | 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const rint = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1))
function hex(n) {
  let s = ''
  while (s.length < n) s += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0')
  return s.slice(0, n)
}
const uuid = () => { const h = hex(32); return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}` }
const snapshotId = () => (BigInt(Math.floor(rnd() * 2 ** 31)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32))

// ---- Avro: a long type that writes BigInt snapshot ids exactly --------------------------------

function writeBigLong(tap, v) {   // zigzag varint of a BigInt
  let u = v < 0n ? ((-v) << 1n) - 1n : v << 1n
  const b = []
  while (u >= 0x80n) { b.push(Number(u & 0x7fn) | 0x80); u >>= 7n }
  b.push(Number(u))
  tap.writeFixed(Buffer.from(b), b.length)
}
const BIG_LONG = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => String(n),
  isValid: (n) => typeof n === 'bigint' || Number.isSafeInteger(n),
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})
// Numbers, the common case, skip the 8-byte detour of the generic long type (a copy: types are frozen).
const LONG = Object.assign(Object.create(Object.getPrototypeOf(BIG_LONG)), BIG_LONG, {
  _write(tap, v) { if (typeof v === 'number') tap.writeLong(v); else writeBigLong(tap, v) },
})
const typeOf = (schema) => avro.Type.forSchema(schema, { registry: { long: LONG }, wrapUnions: false })
const META_TYPE = avro.Type.forSchema({ type: 'map', values: 'bytes' })
const MAGIC = Buffer.from('Obj\x01', 'latin1')

// Writes an Avro container file: header, then 64 KB blocks of records, deflated.
function writeAvro(file, schema, meta, records) {
  const type = typeOf(schema)
  const sync = Buffer.from(hex(32), 'hex')
  const m = { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'avro.codec': Buffer.from('deflate') }
  for (const [k, v] of Object.entries(meta)) m[k] = Buffer.from(v)
  const parts = [MAGIC, META_TYPE.toBuffer(m), sync]
  let block = [], size = 0
  const flush = () => {
    if (!block.length) return
    const z = zlib.deflateRawSync(Buffer.concat(block, size))
    parts.push(LONG_BUF(block.length), LONG_BUF(z.length), z, sync)
    block = []
    size = 0
  }
  for (const r of records) {
    const b = type.toBuffer(r)
    if (size + b.length > 65536) flush()
    block.push(b)
    size += b.length
  }
  flush()
  const data = Buffer.concat(parts)
  fs.writeFileSync(file, data)
  return data.length
}
const PLAIN_LONG = avro.Type.forSchema('long')
const LONG_BUF = (n) => PLAIN_LONG.toBuffer(n)

// ---- the table --------------------------------------------------------------------------------

const tableSchema = {
  type: 'struct', 'schema-id': 0, fields: [
    { id: 1, name: 'event_id', required: true, type: 'long' },
    { id: 2, name: 'region', required: false, type: 'int' },
    { id: 3, name: 'event_ts', required: false, type: 'timestamptz' },
    { id: 4, name: 'user_name', required: false, type: 'string' },
    { id: 5, name: 'amount', required: false, type: 'decimal(12, 2)' },
    { id: 6, name: 'score', required: false, type: 'double' },
    { id: 7, name: 'is_valid', required: false, type: 'boolean' },
    { id: 8, name: 'event_date', required: false, type: 'date' },
  ],
}
const spec = [
  { name: 'region', transform: 'identity', 'source-id': 2, 'field-id': 1000 },
  { name: 'event_ts_day', transform: 'day', 'source-id': 3, 'field-id': 1001 },
]

const statsMap = (k, v, kt, vt) => ['null', {
  type: 'array', logicalType: 'map',
  items: { type: 'record', name: `k${k}_v${v}`, fields: [{ name: 'key', type: kt, 'field-id': k }, { name: 'value', type: vt, 'field-id': v }] },
}]
const entrySchema = {
  type: 'record', name: 'manifest_entry', fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    { name: 'snapshot_id', type: ['null', 'long'], default: null, 'field-id': 1 },
    { name: 'sequence_number', type: ['null', 'long'], default: null, 'field-id': 3 },
    { name: 'file_sequence_number', type: ['null', 'long'], default: null, 'field-id': 4 },
    {
      name: 'data_file', 'field-id': 2, type: {
        type: 'record', name: 'r2', fields: [
          { name: 'content', type: 'int', doc: 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes', 'field-id': 134 },
          { name: 'file_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 100 },
          { name: 'file_format', type: 'string', doc: 'File format name: avro, orc, or parquet', 'field-id': 101 },
          {
            name: 'partition', 'field-id': 102, doc: 'Partition data tuple, schema based on the partition spec', type: {
              type: 'record', name: 'r102', fields: [
                { name: 'region', type: ['null', 'int'], default: null, 'field-id': 1000 },
                { name: 'event_ts_day', type: ['null', { type: 'int', logicalType: 'date' }], default: null, 'field-id': 1001 },
              ],
            },
          },
          { name: 'record_count', type: 'long', doc: 'Number of records in the file', 'field-id': 103 },
          { name: 'file_size_in_bytes', type: 'long', doc: 'Total file size in bytes', 'field-id': 104 },
          { name: 'column_sizes', type: statsMap(117, 118, 'int', 'long'), doc: 'Map of column id to total size on disk', default: null, 'field-id': 108 },
          { name: 'value_counts', type: statsMap(119, 120, 'int', 'long'), doc: 'Map of column id to total count, including null and NaN', default: null, 'field-id': 109 },
          { name: 'null_value_counts', type: statsMap(121, 122, 'int', 'long'), doc: 'Map of column id to null value count', default: null, 'field-id': 110 },
          { name: 'nan_value_counts', type: statsMap(138, 139, 'int', 'long'), doc: 'Map of column id to number of NaN values in the column', default: null, 'field-id': 137 },
          { name: 'lower_bounds', type: statsMap(126, 127, 'int', 'bytes'), doc: 'Map of column id to lower bound', default: null, 'field-id': 125 },
          { name: 'upper_bounds', type: statsMap(129, 130, 'int', 'bytes'), doc: 'Map of column id to upper bound', default: null, 'field-id': 128 },
          { name: 'key_metadata', type: ['null', 'bytes'], doc: 'Encryption key metadata blob', default: null, 'field-id': 131 },
          { name: 'split_offsets', type: ['null', { type: 'array', items: 'long', 'element-id': 133 }], doc: 'Splittable offsets', default: null, 'field-id': 132 },
          { name: 'equality_ids', type: ['null', { type: 'array', items: 'int', 'element-id': 136 }], doc: 'Equality comparison field IDs', default: null, 'field-id': 135 },
          { name: 'sort_order_id', type: ['null', 'int'], doc: 'Sort order ID', default: null, 'field-id': 140 },
        ],
      },
    },
  ],
}
const listSchema = {
  type: 'record', name: 'manifest_file', fields: [
    { name: 'manifest_path', type: 'string', doc: 'Location URI with FS scheme', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', doc: 'Total file size in bytes', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', doc: 'Spec ID used to write', 'field-id': 502 },
    { name: 'content', type: 'int', doc: 'Contents of the manifest: 0=data, 1=deletes', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', doc: 'Sequence number when the manifest was added', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', doc: 'Lowest sequence number in the manifest', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', doc: 'Snapshot ID that added the manifest', 'field-id': 503 },
    { name: 'added_data_files_count', type: 'int', doc: 'Added entry count', 'field-id': 504 },
    { name: 'existing_data_files_count', type: 'int', doc: 'Existing entry count', 'field-id': 505 },
    { name: 'deleted_data_files_count', type: 'int', doc: 'Deleted entry count', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', doc: 'Added rows count', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', doc: 'Existing rows count', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', doc: 'Deleted rows count', 'field-id': 514 },
    {
      name: 'partitions', doc: 'Summary for each partition', default: null, 'field-id': 507, type: ['null', {
        type: 'array', 'element-id': 508, items: {
          type: 'record', name: 'r508', fields: [
            { name: 'contains_null', type: 'boolean', doc: 'True if any file has a null partition value', 'field-id': 509 },
            { name: 'contains_nan', type: ['null', 'boolean'], doc: 'True if any file has a nan partition value', default: null, 'field-id': 518 },
            { name: 'lower_bound', type: ['null', 'bytes'], doc: 'Partition lower bound for all files', default: null, 'field-id': 510 },
            { name: 'upper_bound', type: ['null', 'bytes'], doc: 'Partition upper bound for all files', default: null, 'field-id': 511 },
          ],
        },
      }],
    },
  ],
}

// Iceberg's single-value binary forms.
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b }
const i64 = (v) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(v)); return b }
const f64 = (v) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b }
function decimal(unscaled) {   // minimal big-endian two's complement
  let v = BigInt(unscaled), n = 1
  while (v >= 1n << BigInt(8 * n - 1) || v < -(1n << BigInt(8 * n - 1))) n++
  const b = Buffer.alloc(n)
  for (let i = n - 1; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n }
  return b
}
const isoDay = (d) => new Date(d * 86400000).toISOString().slice(0, 10)
const kv = (pairs) => pairs.map(([key, value]) => ({ key, value }))

const DAY0 = 19723   // 2024-01-01
const REGIONS = 20
let nextEventId = 1

function entry(snap, day, taskId, fileNo) {
  const region = rint(0, REGIONS - 1)
  const records = rint(50000, 1000000)
  const bytes = Math.round(records * (38 + rnd() * 6))
  const sizes = [0.12, 0.02, 0.1, 0.3, 0.1, 0.2, 0.01, 0.02].map((f) => Math.round(bytes * f))
  const nulls = [0, 0, rint(0, 10), rint(0, 5000), rint(0, 100), rint(0, 1000), rint(0, 50), rint(0, 10)]
  const id0 = nextEventId
  nextEventId += records
  const ts0 = BigInt(day) * 86400000000n, tsLo = ts0 + BigInt(rint(0, 3600)) * 1000000n
  const tsHi = ts0 + 86399000000n - BigInt(rint(0, 3600)) * 1000000n
  const u0 = rint(0, 400000), u1 = u0 + rint(1000, 500000)
  const a0 = rint(-5000, 1000), a1 = rint(100000, 9999999)
  const s0 = rnd() * -10, s1 = 100 + rnd() * 900
  const lower = [i64(id0), i32(region), i64(tsLo), Buffer.from(`user_${String(u0).padStart(7, '0')}`),
    decimal(a0), f64(s0), Buffer.from([0]), i32(day)]
  const upper = [i64(id0 + records - 1), i32(region), i64(tsHi), Buffer.from(`user_${String(u1).padStart(7, '0')}`),
    decimal(a1), f64(s1), Buffer.from([1]), i32(day)]
  const ids = [1, 2, 3, 4, 5, 6, 7, 8]
  return {
    records, bytes, rec: {
      status: 1, snapshot_id: snap, sequence_number: null, file_sequence_number: null,
      data_file: {
        content: 0,
        file_path: `${LOCATION}/data/region=${region}/event_ts_day=${isoDay(day)}/` +
          `00${String(taskId % 1000).padStart(3, '0')}-${taskId}-${uuid()}-${String(fileNo).padStart(5, '0')}.parquet`,
        file_format: 'PARQUET',
        partition: { region, event_ts_day: day },
        record_count: records,
        file_size_in_bytes: bytes,
        column_sizes: kv(ids.map((id, i) => [id, sizes[i]])),
        value_counts: kv(ids.map((id) => [id, records])),
        null_value_counts: kv(ids.map((id, i) => [id, nulls[i]])),
        nan_value_counts: kv([[6, 0]]),
        lower_bounds: kv(ids.map((id, i) => [id, lower[i]])),
        upper_bounds: kv(ids.map((id, i) => [id, upper[i]])),
        key_metadata: null,
        split_offsets: [4],
        equality_ids: null,
        sort_order_id: 0,
      },
    },
  }
}

fs.rmSync(outDir, { recursive: true, force: true })
fs.mkdirSync(path.join(outDir, 'metadata'), { recursive: true })
const tableUuid = uuid()
const t0 = Date.UTC(2024, 0, 1, 2, 0, 0)
const snaps = []          // {id, parent, seq, ts, manifest: {...}, list}
let totalRecords = 0, totalBytes = 0
for (let k = 0; k < MANIFESTS; k++) {
  const id = snapshotId()
  const day = DAY0 + k
  const commit = uuid()
  const records = []
  let rows = 0, size = 0
  for (let i = 0; i < PER; i++) {
    const e = entry(id, day, 1000 + k * 7 + (i % 7), i)
    records.push(e.rec)
    rows += e.records
    size += e.bytes
  }
  const mname = `metadata/${commit}-m0.avro`
  const mlen = writeAvro(path.join(outDir, mname), entrySchema, {
    schema: JSON.stringify(tableSchema),
    'format-version': '2',
    'partition-spec-id': '0',
    'partition-spec': JSON.stringify(spec),
    content: 'data',
  }, records)
  totalRecords += rows
  totalBytes += size
  snaps.push({
    id, parent: k ? snaps[k - 1].id : null, seq: k + 1, ts: t0 + k * 86400000, commit,
    manifest: {
      manifest_path: `${LOCATION}/${mname}`, manifest_length: mlen, partition_spec_id: 0, content: 0,
      sequence_number: k + 1, min_sequence_number: k + 1, added_snapshot_id: id,
      added_data_files_count: PER, existing_data_files_count: 0, deleted_data_files_count: 0,
      added_rows_count: rows, existing_rows_count: 0, deleted_rows_count: 0,
      partitions: [
        { contains_null: false, contains_nan: false, lower_bound: i32(0), upper_bound: i32(REGIONS - 1) },
        { contains_null: false, contains_nan: false, lower_bound: i32(day), upper_bound: i32(day) },
      ],
    },
    rows, size, files: PER,
  })
  // Snapshot k's manifest list: its own manifest first, then the earlier ones.
  const list = snaps.slice().reverse().map((s) => s.manifest)
  const lname = `metadata/snap-${id}-1-${commit}.avro`
  writeAvro(path.join(outDir, lname), listSchema, {
    'snapshot-id': String(id),
    'parent-snapshot-id': k ? String(snaps[k - 1].id) : 'null',
    'sequence-number': String(k + 1),
    'format-version': '2',
  }, list)
  snaps[k].list = `${LOCATION}/${lname}`
  snaps[k].totalFiles = (k + 1) * PER
  snaps[k].totalRecords = totalRecords
  snaps[k].totalBytes = totalBytes
}

const last = snaps[snaps.length - 1]
const metadata = {
  'format-version': 2,
  'table-uuid': tableUuid,
  location: LOCATION,
  'last-sequence-number': MANIFESTS,
  'last-updated-ms': last.ts,
  'last-column-id': 8,
  'current-schema-id': 0,
  schemas: [tableSchema],
  'default-spec-id': 0,
  'partition-specs': [{ 'spec-id': 0, fields: spec }],
  'last-partition-id': 1001,
  'default-sort-order-id': 0,
  'sort-orders': [{ 'order-id': 0, fields: [] }],
  properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
  'current-snapshot-id': '@CURRENT@',
  refs: { main: { 'snapshot-id': '@CURRENT@', type: 'branch' } },
  snapshots: snaps.map((s) => ({
    'sequence-number': s.seq,
    'snapshot-id': `@${s.id}@`,
    ...(s.parent !== null ? { 'parent-snapshot-id': `@${s.parent}@` } : {}),
    'timestamp-ms': s.ts,
    summary: {
      operation: 'append', 'spark.app.id': 'local-1704067200000', 'added-data-files': String(s.files),
      'added-records': String(s.rows), 'added-files-size': String(s.size), 'changed-partition-count': String(REGIONS),
      'total-records': String(s.totalRecords), 'total-files-size': String(s.totalBytes),
      'total-data-files': String(s.totalFiles), 'total-delete-files': '0', 'total-position-deletes': '0',
      'total-equality-deletes': '0',
    },
    'manifest-list': s.list,
    'schema-id': 0,
  })),
  statistics: [],
  'snapshot-log': snaps.map((s) => ({ 'timestamp-ms': s.ts, 'snapshot-id': `@${s.id}@` })),
  'metadata-log': [],
}
// 64-bit ids are written as JSON numbers, exactly.
const text = JSON.stringify(metadata, null, 2)
  .replace(/"@CURRENT@"/g, String(last.id))
  .replace(/"@(\d+)@"/g, '$1')
fs.writeFileSync(path.join(outDir, `metadata/v${MANIFESTS}.metadata.json`), text)
fs.writeFileSync(path.join(outDir, 'metadata/version-hint.text'), String(MANIFESTS))
const summary = JSON.stringify({ files: FILES, records: totalRecords, bytes: totalBytes, manifests: MANIFESTS, snapshotId: String(last.id) }) + '\n'
fs.writeFileSync(marker, stamp + '\n' + summary)
process.stdout.write(summary)
