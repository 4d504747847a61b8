// gen_table.mjs - writes a small Iceberg format-2 table with independent writers (Parquet by
// hyparquet-writer, manifests and manifest lists by avsc, metadata JSON by hand from the spec),
// recorded at LOCATION (an s3:// or abfss:// URI) so that it is read in place, not relocated.
//
//   node gen_table.mjs OUTDIR LOCATION   -> writes the files under OUTDIR (keys relative to the
//   table root) and prints {metadata, manifestLists, manifests, dataFiles: [{key, rows}], rows,
//   snapshotId}
// No version-hint.text: readers find the metadata file by listing metadata/.
// Two appends: snapshot 1 adds one data file, snapshot 2 another; the current manifest list
// names both manifests.
import fs from 'node:fs'
import path from 'node:path'
import avro from 'avsc'
import { parquetWriteBuffer } from 'hyparquet-writer'

const [out, location] = process.argv.slice(2)
const T0 = 1700000000000
const UUID = '5a0c2f6e-8d1b-4c3a-9e7f-0b1c2d3e4f50'
const SNAPS = [3051729675574597, 4051729675574598]   // within JavaScript's exact integers

const tableSchema = {
  type: 'struct', 'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
  ],
}

function put(key, bytes) {
  const p = path.join(out, key)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, bytes)
  return bytes.length
}

// Avro object container file in memory.
function avroFile(schema, meta, records) {
  return new Promise((resolve, reject) => {
    const metadata = {}
    for (const [k, v] of Object.entries(meta)) metadata[k] = Buffer.from(v)
    const enc = new avro.streams.BlockEncoder(schema, { metadata, codec: 'null' })
    const chunks = []
    enc.on('data', (c) => chunks.push(c))
    enc.on('end', () => resolve(Buffer.concat(chunks)))
    enc.on('error', reject)
    for (const r of records) enc.write(r)
    enc.end()
  })
}

const opt = (type, id, name) => ({ name, type: ['null', type], default: null, 'field-id': id })
const kv = (rec, k, v, valueType) => ({
  type: 'array', logicalType: 'map',
  items: { type: 'record', name: rec, fields: [{ name: 'key', type: 'int', 'field-id': k },
                                               { name: 'value', type: valueType, 'field-id': v }] },
})

const manifestEntry = {
  type: 'record', name: 'manifest_entry',
  fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    opt('long', 1, 'snapshot_id'),
    opt('long', 3, 'sequence_number'),
    opt('long', 4, 'file_sequence_number'),
    { name: 'data_file', 'field-id': 2, type: {
      type: 'record', name: 'r2',
      fields: [
        { name: 'content', type: 'int', 'field-id': 134 },
        { name: 'file_path', type: 'string', 'field-id': 100 },
        { name: 'file_format', type: 'string', 'field-id': 101 },
        { name: 'partition', type: { type: 'record', name: 'r102', fields: [] }, 'field-id': 102 },
        { name: 'record_count', type: 'long', 'field-id': 103 },
        { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
        opt(kv('k117_v118', 117, 118, 'long'), 108, 'column_sizes'),
        opt(kv('k119_v120', 119, 120, 'long'), 109, 'value_counts'),
        opt(kv('k121_v122', 121, 122, 'long'), 110, 'null_value_counts'),
        opt(kv('k126_v127', 126, 127, 'bytes'), 125, 'lower_bounds'),
        opt(kv('k129_v130', 129, 130, 'bytes'), 128, 'upper_bounds'),
        opt('bytes', 131, 'key_metadata'),
        opt({ type: 'array', items: 'long', 'element-id': 133 }, 132, 'split_offsets'),
        opt('int', 140, 'sort_order_id'),
      ],
    } },
  ],
}

const manifestFile = {
  type: 'record', name: 'manifest_file',
  fields: [
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
    opt({ type: 'array', 'element-id': 508, items: { type: 'record', name: 'r508', fields: [
      { name: 'contains_null', type: 'boolean', 'field-id': 509 },
      opt('boolean', 518, 'contains_nan'),
      opt('bytes', 510, 'lower_bound'),
      opt('bytes', 511, 'upper_bound'),
    ] } }, 507, 'partitions'),
    opt('bytes', 519, 'key_metadata'),
  ],
}

function long8(n) {
  const b = Buffer.alloc(8)
  b.writeBigInt64LE(BigInt(n))
  return b
}

const result = { manifestLists: [], manifests: [], dataFiles: [], rows: 0 }
const manifests = []
const snapshots = []
let first = 0
for (let s = 0; s < SNAPS.length; s++) {
  const seq = s + 1
  const rows = s === 0 ? 700 : 1300
  const ids = Array.from({ length: rows }, (_, i) => BigInt(first + i))
  const names = ids.map((i) => (i % 7n === 0n ? null : `name-${i}`))
  const dataKey = `data/0000${s}-0-${UUID}.parquet`
  const parquet = Buffer.from(parquetWriteBuffer({
    columnData: [{ name: 'id', data: ids }, { name: 'name', data: names }],
    schema: [
      { name: 'table', num_children: 2 },
      { name: 'id', type: 'INT64', repetition_type: 'REQUIRED', field_id: 1 },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL', field_id: 2 },
    ],
  }))
  put(dataKey, parquet)
  result.dataFiles.push({ key: dataKey, rows })
  result.rows += rows
  const entry = {
    status: 1, snapshot_id: SNAPS[s], sequence_number: null, file_sequence_number: null,
    data_file: {
      content: 0, file_path: `${location}/${dataKey}`, file_format: 'PARQUET', partition: {},
      record_count: rows, file_size_in_bytes: parquet.length,
      column_sizes: null,
      value_counts: [{ key: 1, value: rows }, { key: 2, value: rows }],
      null_value_counts: [{ key: 1, value: 0 }, { key: 2, value: names.filter((n) => n === null).length }],
      lower_bounds: [{ key: 1, value: long8(first) }],
      upper_bounds: [{ key: 1, value: long8(first + rows - 1) }],
      key_metadata: null, split_offsets: [4], sort_order_id: 0,
    },
  }
  const manKey = `metadata/${UUID.slice(0, 8)}-m${s}.avro`
  const man = await avroFile(manifestEntry, {
    schema: JSON.stringify(tableSchema), 'schema-id': '0', 'partition-spec': '[]',
    'partition-spec-id': '0', 'format-version': '2', content: 'data',
  }, [entry])
  put(manKey, man)
  result.manifests.push(manKey)
  manifests.push({
    manifest_path: `${location}/${manKey}`, manifest_length: man.length, partition_spec_id: 0,
    content: 0, sequence_number: seq, min_sequence_number: seq, added_snapshot_id: SNAPS[s],
    added_files_count: 1, existing_files_count: 0, deleted_files_count: 0,
    added_rows_count: rows, existing_rows_count: 0, deleted_rows_count: 0,
    partitions: [], key_metadata: null,
  })
  const listKey = `metadata/snap-${SNAPS[s]}-1-${UUID}.avro`
  // Newest manifest first, as Iceberg writers list them.
  const list = await avroFile(manifestFile, {
    'snapshot-id': String(SNAPS[s]), 'parent-snapshot-id': s ? String(SNAPS[s - 1]) : 'null',
    'sequence-number': String(seq), 'format-version': '2',
  }, [...manifests].reverse())
  put(listKey, list)
  result.manifestLists.push(listKey)
  snapshots.push({
    'sequence-number': seq, 'snapshot-id': SNAPS[s], ...(s ? { 'parent-snapshot-id': SNAPS[s - 1] } : {}),
    'timestamp-ms': T0 + s * 60000, 'manifest-list': `${location}/${listKey}`, 'schema-id': 0,
    summary: { operation: 'append', 'added-data-files': '1', 'added-records': String(rows),
               'total-records': String(result.rows), 'total-data-files': String(s + 1) },
  })
  first += rows
}

const metadata = {
  'format-version': 2, 'table-uuid': UUID, location, 'last-sequence-number': SNAPS.length,
  'last-updated-ms': T0 + 60000, 'last-column-id': 2, 'current-schema-id': 0, schemas: [tableSchema],
  'default-spec-id': 0, 'partition-specs': [{ 'spec-id': 0, fields: [] }], 'last-partition-id': 999,
  'default-sort-order-id': 0, 'sort-orders': [{ 'order-id': 0, fields: [] }],
  properties: { 'write.format.default': 'parquet' },
  'current-snapshot-id': SNAPS[SNAPS.length - 1],
  refs: { main: { 'snapshot-id': SNAPS[SNAPS.length - 1], type: 'branch' } },
  snapshots,
  'snapshot-log': snapshots.map((s) => ({ 'timestamp-ms': s['timestamp-ms'], 'snapshot-id': s['snapshot-id'] })),
  'metadata-log': [],
}
result.metadata = `metadata/00002-${UUID}.metadata.json`
put(result.metadata, Buffer.from(JSON.stringify(metadata, null, 2)))
result.snapshotId = String(SNAPS[SNAPS.length - 1])
process.stdout.write(JSON.stringify(result) + '\n')
