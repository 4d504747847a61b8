// gen_hyparquet.mjs - writes Parquet files with hyparquet-writer (a second, independent writer)
// covering its encodings (PLAIN, RLE, dictionaries, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT), v2 data pages, nulls, nested lists/structs, several row
// groups and codecs (UNCOMPRESSED, SNAPPY, GZIP; BROTLI for the unsupported-codec error).
//
//   node gen_hyparquet.mjs OUTDIR      prints a JSON list of {file, expect} written
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { parquetWriteFile } from 'hyparquet-writer'

const out = process.argv[2]
fs.mkdirSync(out, { recursive: true })
const written = []

// deterministic pseudo-random numbers
let seed = 12345
function rnd() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed
}

const N = 5000
const i32 = [], i64 = [], f32 = [], f64 = [], strs = [], prefixed = [], bools = [], nullableInts = []
const i32Edge = [2147483647, -2147483648, 0, -1, 1, 2147483647, -2147483648]
const i64Edge = [9223372036854775807n, -9223372036854775808n, 0n, -1n, 1n, 9223372036854775807n]
for (let i = 0; i < N; i++) {
  i32.push(i < i32Edge.length ? i32Edge[i] : (rnd() % 2000000) - 1000000 + (i % 97 === 0 ? 1 << 30 : 0))
  i64.push(i < i64Edge.length ? i64Edge[i] : BigInt(rnd()) * BigInt(rnd()) - BigInt(i) * 1000000007n)
  f32.push(i % 50 === 0 ? NaN : i % 51 === 0 ? Infinity : Math.fround((rnd() % 100000) / 7))
  f64.push(i % 53 === 0 ? -Infinity : i % 57 === 0 ? -0 : (rnd() % 1000000) / 13)
  strs.push(i % 9 === 0 ? null : i % 10 === 0 ? '' : `s${rnd() % 1000}-ü-${i}`)
  prefixed.push(`https://example.com/table/part=${Math.floor(i / 100)}/file-${String(i).padStart(6, '0')}.parquet`)
  bools.push(i % 13 === 0 ? null : rnd() % 3 === 0)
  nullableInts.push(i % 4 === 0 ? null : i)
}

function write(name, opts, expect = 'match') {
  const file = path.join(out, name)
  parquetWriteFile({ filename: file, ...opts })
  written.push({ file, expect })
}

const compressors = {
  GZIP: (b) => new Uint8Array(zlib.gzipSync(b)),
  BROTLI: (b) => new Uint8Array(zlib.brotliCompressSync(b)),
}

for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP']) {
  write(`hy-encodings-${codec.toLowerCase()}.parquet`, {
    codec,
    compressors,
    rowGroupSize: 1500,
    columnData: [
      { name: 'i32_plain', data: i32, type: 'INT32', encoding: 'PLAIN', nullable: false },
      { name: 'i32_delta', data: i32, type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
      { name: 'i64_delta', data: i64, type: 'INT64', encoding: 'DELTA_BINARY_PACKED' },
      { name: 'i32_bss', data: i32, type: 'INT32', encoding: 'BYTE_STREAM_SPLIT' },
      { name: 'i64_bss', data: i64, type: 'INT64', encoding: 'BYTE_STREAM_SPLIT' },
      { name: 'f32_bss', data: f32, type: 'FLOAT', encoding: 'BYTE_STREAM_SPLIT' },
      { name: 'f64_bss', data: f64, type: 'DOUBLE', encoding: 'BYTE_STREAM_SPLIT' },
      { name: 'f64_plain', data: f64, type: 'DOUBLE', encoding: 'PLAIN' },
      { name: 's_plain', data: strs, type: 'STRING', encoding: 'PLAIN' },
      { name: 's_dict', data: strs, type: 'STRING' },
      { name: 's_delta_len', data: strs, type: 'STRING', encoding: 'DELTA_LENGTH_BYTE_ARRAY' },
      { name: 's_delta', data: prefixed, type: 'STRING', encoding: 'DELTA_BYTE_ARRAY' },
      { name: 'b_rle', data: bools, type: 'BOOLEAN', encoding: 'RLE' },
      { name: 'b_plain', data: bools, type: 'BOOLEAN', encoding: 'PLAIN' },
      { name: 'n_int', data: nullableInts, type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
    ],
  })
}

// DELTA_BINARY_PACKED edge cases: constant runs, single value, huge deltas, one value per page
write('hy-delta-edges.parquet', {
  rowGroupSize: 1000,
  columnData: [
    { name: 'const', data: Array(3000).fill(42), type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
    { name: 'zigzag', data: Array.from({ length: 3000 }, (_, i) => (i % 2 ? 2147483647 : -2147483648)), type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
    { name: 'big', data: Array.from({ length: 3000 }, (_, i) => (i % 2 ? 9223372036854775807n : -9223372036854775808n)), type: 'INT64', encoding: 'DELTA_BINARY_PACKED' },
    { name: 'asc', data: Array.from({ length: 3000 }, (_, i) => BigInt(i) * 1000n), type: 'INT64', encoding: 'DELTA_BINARY_PACKED' },
  ],
})
write('hy-single.parquet', {
  columnData: [
    { name: 'one', data: [7], type: 'INT32', encoding: 'DELTA_BINARY_PACKED' },
    { name: 's', data: ['only'], type: 'STRING', encoding: 'DELTA_BYTE_ARRAY' },
  ],
})

// logical types
write('hy-types.parquet', {
  columnData: [
    { name: 'uuid', data: Array.from({ length: 100 }, (_, i) => i % 5 === 0 ? null : `${String(i).padStart(8, '0')}-1234-4abc-8def-0123456789ab`), type: 'UUID' },
    { name: 'f16', data: Array.from({ length: 100 }, (_, i) => i % 7 === 0 ? null : (i - 50) / 4), type: 'FLOAT16' },
    { name: 'json', data: Array.from({ length: 100 }, (_, i) => ({ a: i, b: [i, 'x'] })), type: 'JSON' },
    { name: 'ts', data: Array.from({ length: 100 }, (_, i) => new Date(1600000000000 + i * 86400123)), type: 'TIMESTAMP' },
    { name: 'bin', data: Array.from({ length: 100 }, (_, i) => new Uint8Array([i, 255 - i, 0, 10])), type: 'BYTE_ARRAY' },
  ],
})

// nested: list of ints and a struct, with nulls at each level
const lists = Array.from({ length: 2000 }, (_, i) => (i % 7 === 0 ? null : i % 7 === 1 ? [] : [BigInt(i), i % 3 === 0 ? null : BigInt(-i), 3n]))
const structs = Array.from({ length: 2000 }, (_, i) => (i % 5 === 0 ? null : { a: i % 3 === 0 ? null : i, b: `b${i}` }))
write('hy-nested.parquet', {
  rowGroupSize: 700,
  columnData: [
    { name: 'id', data: Array.from({ length: 2000 }, (_, i) => i) },
    { name: 'l', data: lists },
    { name: 's', data: structs },
  ],
  schema: [
    { name: 'root', num_children: 3 },
    { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
    { name: 'l', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'INT64', repetition_type: 'OPTIONAL' },
    { name: 's', repetition_type: 'OPTIONAL', num_children: 2 },
    { name: 'a', type: 'INT32', repetition_type: 'OPTIONAL' },
    { name: 'b', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  ],
})

// legacy TIME_MILLIS and UINT_64 / UINT_32
write('hy-legacy-types.parquet', {
  columnData: [
    { name: 'tm', data: Array.from({ length: 200 }, (_, i) => (i % 9 === 0 ? null : (i * 431999) % 86400000)) },
    { name: 'u64', data: Array.from({ length: 200 }, (_, i) => (i === 0 ? 18446744073709551615n : BigInt(i) * 92233720368547758n)) },
    { name: 'u32', data: Array.from({ length: 200 }, (_, i) => (i * 21474836) % 4294967296) },
  ],
  schema: [
    { name: 'root', num_children: 3 },
    { name: 'tm', type: 'INT32', repetition_type: 'OPTIONAL', converted_type: 'TIME_MILLIS' },
    { name: 'u64', type: 'INT64', repetition_type: 'REQUIRED', converted_type: 'UINT_64' },
    { name: 'u32', type: 'INT32', repetition_type: 'REQUIRED', converted_type: 'UINT_32' },
  ],
})

// DECIMAL on BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY
const decs = Array.from({ length: 300 }, (_, i) => (i % 11 === 0 ? null : (i * 7919 % 2000000 - 1000000) / 100))
write('hy-decimals.parquet', {
  columnData: [
    { name: 'dec_ba', data: decs },
    { name: 'dec_flba', data: decs },
  ],
  schema: [
    { name: 'root', num_children: 2 },
    { name: 'dec_ba', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 2, precision: 12 },
    { name: 'dec_flba', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 5, repetition_type: 'OPTIONAL', converted_type: 'DECIMAL', scale: 2, precision: 11 },
  ],
})

// a codec we do not support must be a clear error
write('hy-brotli.parquet', {
  codec: 'BROTLI',
  compressors,
  columnData: [{ name: 'x', data: [1, 2, 3], type: 'INT32' }],
}, 'error:BROTLI')

console.log(JSON.stringify(written))
