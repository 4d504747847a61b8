// avsc_oracle.mjs - writes and reads Avro container files with avsc (an independent Avro
// implementation), so the tests can compare its decoding with `opensharing inspect avro`.
//
//   node avsc_oracle.mjs generate SEED COUNT OUTDIR
//       writes OUTDIR/gen-<i>.avro: random schemas (every type, nesting, named types with
//       namespaces and references, recursion, Iceberg id attributes, logical types) and
//       random values, with the codecs null, deflate and snappy and varied block sizes.
//       Deterministic for a seed.
//   node avsc_oracle.mjs decode LIST.json OUTDIR
//       LIST.json is an array of paths; file k is decoded by avsc into OUTDIR/k.jsonl, one
//       JSON text per record in the mapping of docs/inspect-avro.md, or OUTDIR/k.err.
//
// The mapping is done here from avsc's own decoded values and types (never with our code):
// records as objects, unions unwrapped to the branch value, bytes and fixed as strings of
// code points 0-255, enums as symbols, maps as objects, longs exact (BigInt), NaN and
// infinities as "NaN", "Infinity", "-Infinity".  A float is tagged {"$float": x}, x the
// shortest decimal that reads back as the same single-precision value: two such decimals
// may differ in their last digit (ties round differently in C and JavaScript), so the
// comparison rounds both to single precision.
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import avro from 'avsc'
import SnappyJS from 'snappyjs'

// A 64-bit long as a BigInt (avsc's default long type refuses values past 2^53).
const BigLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8)
    buf.writeBigInt64LE(BigInt(n))
    return buf
  },
  fromJSON: (x) => BigInt(x),
  toJSON: (n) => n.toString(),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})

// Every long, also in the object form {"type": "long", ...}, is a BigLong.
function parseType(schema) {
  const typeHook = (s) => (s === 'long' || (s && typeof s === 'object' && s.type === 'long') ? BigLong : undefined)
  return avro.Type.forSchema(schema, { wrapUnions: true, registry: { long: BigLong }, typeHook })
}

// Avro's snappy codec: raw snappy, then the CRC32 of the uncompressed data, big-endian.
const codecs = {
  null: (buf, cb) => cb(null, buf),
  deflate: zlib.deflateRaw,
  snappy: (buf, cb) => {
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(zlib.crc32(buf) >>> 0)
    cb(null, Buffer.concat([Buffer.from(SnappyJS.compress(buf)), crc]))
  },
}
const decodeCodecs = {
  null: (buf, cb) => cb(null, buf),
  deflate: zlib.inflateRaw,
  snappy: (buf, cb) => {
    try {
      const out = Buffer.from(SnappyJS.uncompress(buf.subarray(0, buf.length - 4)))
      if ((zlib.crc32(out) >>> 0) !== buf.readUInt32BE(buf.length - 4)) throw new Error('snappy checksum mismatch')
      cb(null, out)
    } catch (e) {
      cb(e)
    }
  },
}

// ---------------------------------------------------------------------------------------
// JSON mapping
function jsonFloat(x) {
  if (Number.isNaN(x)) return '"NaN"'
  if (x === Infinity) return '"Infinity"'
  if (x === -Infinity) return '"-Infinity"'
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p)
    if (Math.fround(Number(s)) === x) return String(Number(s))
  }
  return String(x)
}

function jsonDouble(x) {
  if (Number.isNaN(x)) return '"NaN"'
  if (x === Infinity) return '"Infinity"'
  if (x === -Infinity) return '"-Infinity"'
  return String(x) // the shortest text that reads back exactly
}

function toJ(t, v) {
  switch (t.typeName) {
    case 'null': return 'null'
    case 'boolean': return v ? 'true' : 'false'
    case 'int': return String(v)
    case 'long':
    case 'abstract:long': return v.toString()
    case 'float': return '{"$float":' + jsonFloat(v) + '}'
    case 'double': return jsonDouble(v)
    case 'string': return JSON.stringify(v)
    case 'enum': return JSON.stringify(v)
    case 'bytes':
    case 'fixed': return JSON.stringify(v.toString('latin1'))
    case 'record':
    case 'error':
      return '{' + t.fields.map((f) => JSON.stringify(f.name) + ':' + toJ(f.type, v[f.name])).join(',') + '}'
    case 'array': return '[' + v.map((x) => toJ(t.itemsType, x)).join(',') + ']'
    case 'map':
      return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + toJ(t.valuesType, v[k])).join(',') + '}'
    case 'union:wrapped': {
      if (v === null) return 'null'
      const key = Object.keys(v)[0]
      const b = t.types.find((x) => x.branchName === key)
      return toJ(b, v[key])
    }
    default:
      if (t.underlyingType) return toJ(t.underlyingType, v)
      throw new Error('unexpected type ' + t.typeName)
  }
}

function decodeFile(file, out) {
  return new Promise((resolve) => {
    const lines = []
    let type = null
    let done = false
    const finish = (err) => {
      if (done) return
      done = true
      if (err) fs.writeFileSync(out + '.err', String(err && err.stack || err))
      else fs.writeFileSync(out + '.jsonl', lines.join(''))
      resolve()
    }
    fs.createReadStream(file)
      .on('error', finish)
      .pipe(new avro.streams.BlockDecoder({ parseHook: parseType, codecs: decodeCodecs }))
      .on('metadata', (t) => { type = t })
      .on('data', (rec) => {
        try {
          lines.push(toJ(type, rec) + '\n')
        } catch (e) {
          finish(e)
        }
      })
      .on('error', finish)
      .on('end', () => finish(null))
  })
}

// ---------------------------------------------------------------------------------------
// Random schemas and values
function mulberry32(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

class Gen {
  constructor(seed) {
    this.r = mulberry32(seed)
    this.n = 0
    this.named = [] // {full, ns}
  }
  int(n) { return Math.floor(this.r() * n) }
  pick(a) { return a[this.int(a.length)] }
  chance(p) { return this.r() < p }

  idAttr() { const id = 1 + this.int(5000); return this.chance(0.5) ? id : String(id) }

  primitive() {
    const p = this.pick(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string',
      'int', 'long', 'string', 'double'])
    if (!this.chance(0.15)) return p
    const logical = {
      int: [{ logicalType: 'date' }, { logicalType: 'time-millis' }],
      long: [{ logicalType: 'timestamp-micros' }, { logicalType: 'time-micros' }, { logicalType: 'timestamp-millis' }],
      string: [{ logicalType: 'uuid' }],
      bytes: [{ logicalType: 'decimal', precision: 10, scale: 2 }],
    }[p]
    return logical ? { type: p, ...this.pick(logical) } : { type: p }
  }

  // A name and namespace for a new named type, in one of the spec's three forms.
  naming(prefix, ns) {
    const short = prefix + this.n++
    const k = this.int(4)
    if (k === 0) return { decl: { name: 'dotted.space.' + short }, full: 'dotted.space.' + short, ns: 'dotted.space' }
    if (k === 1) {
      const space = this.pick(['ns.a', 'ns.b', 'org.example.x'])
      return { decl: { name: short, namespace: space }, full: space + '.' + short, ns: space }
    }
    if (k === 2) return { decl: { name: short, namespace: '' }, full: short, ns: '' }
    return { decl: { name: short }, full: ns ? ns + '.' + short : short, ns }
  }

  // A named type a reference from namespace ns can reach (one in the null namespace
  // cannot be named from inside another namespace).
  reachable(ns) {
    const ok = this.named.filter((t) => t.ns || !ns)
    return ok.length ? this.pick(ok) : null
  }

  reference(ns) {
    const t = this.reachable(ns)
    if (!t) return this.primitive()
    // The short name resolves only inside the same namespace.
    if (t.ns === ns && this.chance(0.5)) return t.full.slice(t.full.lastIndexOf('.') + 1)
    return t.full
  }

  type(depth, ns) {
    if (depth >= 5) return this.primitive()
    const k = this.int(100)
    if (k < 35) return this.primitive()
    if (k < 50) return this.record(depth, ns)
    if (k < 56) return this.enumType(ns)
    if (k < 62) return this.fixed(ns)
    if (k < 71) {
      const a = { type: 'array', items: this.type(depth + 1, ns) }
      if (this.chance(0.5)) a['element-id'] = this.idAttr()
      return a
    }
    if (k < 80) {
      const m = { type: 'map', values: this.type(depth + 1, ns) }
      if (this.chance(0.5)) { m['key-id'] = this.idAttr(); m['value-id'] = this.idAttr() }
      return m
    }
    if (k < 85 && this.named.length) return this.reference(ns)
    return this.union(depth, ns)
  }

  union(depth, ns) {
    // Unnamed kinds appear once in a union; named types are told apart by full name.
    const branches = []
    const used = new Set()
    if (this.chance(0.6)) { branches.push('null'); used.add('null') }
    const want = 2 + this.int(3)
    for (let tries = 0; branches.length < want && tries < 20; tries++) {
      const kind = this.pick(['boolean', 'int', 'long', 'float', 'double', 'bytes', 'string',
        'array', 'map', 'record', 'enum', 'fixed', 'ref'])
      if (used.has(kind)) continue
      if (kind === 'ref') {
        const t = this.reachable(ns)
        if (!t || used.has(t.full)) continue
        used.add(t.full)
        branches.push(t.ns === ns && this.chance(0.5) ? t.full.slice(t.full.lastIndexOf('.') + 1) : t.full)
        continue
      }
      let t
      if (kind === 'record') t = this.record(depth + 1, ns)
      else if (kind === 'enum') t = this.enumType(ns)
      else if (kind === 'fixed') t = this.fixed(ns)
      else if (kind === 'array') t = { type: 'array', items: this.type(depth + 1, ns) }
      else if (kind === 'map') t = { type: 'map', values: this.type(depth + 1, ns) }
      else t = this.chance(0.2) ? { type: kind } : kind
      used.add(t.name ? this.named[this.named.length - 1].full : kind)
      branches.push(t)
    }
    return branches.length ? branches : ['null', 'int']
  }

  record(depth, ns) {
    const nm = this.naming('R', ns)
    const fields = []
    const nf = this.int(5)
    const rec = { type: 'record', ...nm.decl, fields }
    for (let i = 0; i < nf; i++) {
      const f = { name: 'f' + i, type: this.type(depth + 1, nm.ns) }
      if (this.chance(0.6)) f['field-id'] = this.idAttr()
      if (this.chance(0.2)) f.doc = 'field ' + i
      fields.push(f)
    }
    this.named.push({ full: nm.full, ns: nm.ns })
    return rec
  }

  enumType(ns) {
    const nm = this.naming('E', ns)
    const symbols = []
    for (let i = 0, n = 1 + this.int(5); i < n; i++) symbols.push('S' + i)
    this.named.push({ full: nm.full, ns: nm.ns })
    return { type: 'enum', ...nm.decl, symbols }
  }

  fixed(ns) {
    const nm = this.naming('F', ns)
    this.named.push({ full: nm.full, ns: nm.ns })
    return { type: 'fixed', ...nm.decl, size: 1 + this.int(8) }
  }

  // --- values, by walking avsc's types
  str() {
    const alphabet = ['a', 'b', 'z', ' ', 'é', '✓', '𝄞', '"', '\\', '\n', '\t', '\u0001', '\u007f', '\u0080', 'ÿ', '/', '中']
    let s = ''
    for (let i = 0, n = this.int(12); i < n; i++) s += this.pick(alphabet)
    return s
  }
  bytes(n) {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i++) b[i] = this.int(256)
    return b
  }
  double() {
    if (this.chance(0.3)) {
      return this.pick([NaN, Infinity, -Infinity, -0, 0, 5e-324, 1.7976931348623157e308, 0.1, 1e21, 1e-7,
        -2.5, 123456789.125, 2 ** 53 + 2])
    }
    const b = this.bytes(8)
    const d = b.readDoubleLE(0)
    return Number.isNaN(d) ? 1.5 : d
  }
  float() {
    if (this.chance(0.3)) {
      return this.pick([NaN, Infinity, -Infinity, -0, 0, 1.401298464324817e-45, 3.4028234663852886e38,
        Math.fround(0.1), Math.fround(1 / 3), 16777216])
    }
    const f = this.bytes(4).readFloatLE(0)
    return Number.isNaN(f) ? 0.25 : f
  }
  value(t, depth) {
    switch (t.typeName) {
      case 'null': return null
      case 'boolean': return this.chance(0.5)
      case 'int':
        return this.chance(0.3) ? this.pick([0, -1, 1, 63, -64, 64, 2147483647, -2147483648])
          : this.int(2 ** 32) - 2 ** 31
      case 'long':
      case 'abstract:long':
        return this.chance(0.3)
          ? this.pick([0n, -1n, 1n, 63n, -64n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, -(2n ** 31n) - 1n])
          : this.bytes(8).readBigInt64LE(0) >> BigInt(this.int(64))
      case 'float': return this.float()
      case 'double': return this.double()
      case 'string': return this.str()
      case 'bytes': return this.bytes(this.int(20))
      case 'fixed': return this.bytes(t.size)
      case 'enum': return this.pick(t.symbols)
      case 'record':
      case 'error': {
        const o = {}
        for (const f of t.fields) o[f.name] = this.value(f.type, depth + 1)
        return o
      }
      case 'array': {
        const a = []
        for (let i = 0, n = depth > 8 ? 0 : this.int(5); i < n; i++) a.push(this.value(t.itemsType, depth + 1))
        return a
      }
      case 'map': {
        const m = {}
        for (let i = 0, n = depth > 8 ? 0 : this.int(5); i < n; i++) m[this.str() + i] = this.value(t.valuesType, depth + 1)
        return m
      }
      case 'union:wrapped': {
        // Deep values stop at a null branch when there is one (recursive schemas).
        const nul = t.types.find((b) => b.typeName === 'null')
        const b = depth > 12 && nul ? nul : this.pick(t.types)
        return b.typeName === 'null' ? null : { [b.branchName]: this.value(b, depth + 1) }
      }
      default:
        throw new Error('cannot generate ' + t.typeName)
    }
  }
}

// A recursive schema (a tree through a union and an array, a namespace-qualified reference).
const RECURSIVE = {
  type: 'record', name: 'Node', namespace: 'tree',
  fields: [
    { name: 'label', type: 'string', 'field-id': 1 },
    { name: 'next', type: ['null', 'Node'], 'field-id': '2' },
    { name: 'kids', type: { type: 'array', items: 'tree.Node', 'element-id': 3 } },
  ],
}

function writeFile(file, schema, type, records, codec, blockSize, syncMarker) {
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(type, {
      codec, codecs, blockSize, syncMarker, writeHeader: true,
      metadata: { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'writer': Buffer.from('avsc') },
    })
    const ws = fs.createWriteStream(file)
    enc.pipe(ws)
    ws.on('finish', resolve)
    ws.on('error', reject)
    enc.on('error', reject)
    for (const r of records) enc.write(r)
    enc.end()
  })
}

async function generate(seed, count, outdir) {
  fs.mkdirSync(outdir, { recursive: true })
  const codecNames = ['null', 'deflate', 'snappy']
  for (let i = 0; i < count; i++) {
    const g = new Gen(seed * 100003 + i)
    let schema
    if (i % 10 === 9) {
      schema = RECURSIVE
    } else if (i % 10 === 8) {
      schema = g.type(0, '') // any top-level type, but a stream cannot carry a null value
      if (schema === 'null' || schema.type === 'null' || Array.isArray(schema)) schema = { type: 'map', values: schema }
    } else {
      schema = g.record(0, '')
    }
    const type = parseType(schema)
    const n = i % 13 === 5 ? 0 : g.int(60)
    const records = []
    for (let k = 0; k < n; k++) records.push(g.value(type, 0))
    const codec = codecNames[i % codecNames.length]
    const blockSize = g.pick([16, 100, 1000, 65536])
    await writeFile(path.join(outdir, `gen-${i}.avro`), schema, type, records, codec, blockSize, g.bytes(16))
  }
}

async function main() {
  const [mode, a, b, c] = process.argv.slice(2)
  if (mode === 'generate') {
    await generate(Number(a), Number(b), c)
  } else if (mode === 'decode') {
    const files = JSON.parse(fs.readFileSync(a, 'utf8'))
    fs.mkdirSync(b, { recursive: true })
    for (let k = 0; k < files.length; k++) await decodeFile(files[k], path.join(b, String(k)))
  } else {
    console.error('usage: avsc_oracle.mjs generate SEED COUNT OUTDIR | decode LIST.json OUTDIR')
    process.exit(2)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
