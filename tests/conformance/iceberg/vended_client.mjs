// vended_client.mjs - loads one table with iceberg-js and reads its files as an engine would,
// with nothing but what the catalog answered: the vended storage credentials (S3 through
// @aws-sdk/client-s3, Azure SAS through @azure/storage-blob), the metadata file, the current
// snapshot's manifest list and manifests (decoded by avsc) and the data files they name.
//
//   node vended_client.mjs JOB.json  -> one JSON document on stdout
// JOB: {baseUrl, token, warehouse, namespace, table, vended: bool, outDir,
//       azureEndpoint (the blob endpoint of the emulator standing for the abfss host),
//       or {readWith: {FileIO properties}, uris: [...], outDir}: reads those URIs with those keys,
//       or {exists: [table names], vended}: tableExists of each, as {exists: {name: bool}}}
// Output: {result: {metadata-location, config, storage-credentials}, reads: [{kind, uri, file}]}
//         or {fatal: {error, status}} (the status of the catalog or of the storage)
import fs from 'node:fs'
import path from 'node:path'
import avro from 'avsc'
import { IcebergRestCatalog, IcebergError } from 'iceberg-js'
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3'
import { ContainerClient } from '@azure/storage-blob'

process.removeAllListeners('warning')
const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const out = { reads: [] }

// The storage credential whose prefix is the longest one of uri (the REST spec's rule).
function credentialFor(creds, uri) {
  let best = null
  for (const c of creds || [])
    if (uri.startsWith(c.prefix) && (!best || c.prefix.length > best.prefix.length)) best = c
  return best
}

function bucketOf(cfg) {
  return /^(s3a?:\/\/[^/]+)/.exec(cfg.prefix || job.prefix || '')?.[1]
}

// A reader of URIs from an Iceberg client configuration (FileIO properties).
function fileIO(cfg) {
  const keys = Object.keys(cfg)
  if (cfg['s3.access-key-id']) {
    const s3 = new S3Client({
      region: cfg['client.region'] || cfg['s3.region'],
      endpoint: cfg['s3.endpoint'],
      forcePathStyle: cfg['s3.path-style-access'] === 'true',
      credentials: { accessKeyId: cfg['s3.access-key-id'], secretAccessKey: cfg['s3.secret-access-key'],
                     sessionToken: cfg['s3.session-token'] },
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
    })
    return async (uri) => {
      // A path without a scheme (tables written with relative paths) is a key of the bucket the
      // credential is for: the tests upload such tables under their recorded path.
      if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) uri = `${bucketOf(cfg)}/${uri.replace(/^(\.\/)+/, '')}`
      const m = /^s3a?:\/\/([^/]+)\/(.*)$/.exec(uri)
      if (!m) throw new Error('not an s3 URI: ' + uri)
      const r = await s3.send(new GetObjectCommand({ Bucket: m[1], Key: m[2] }))
      return Buffer.from(await r.Body.transformToByteArray())
    }
  }
  const sasKey = keys.find((k) => k.startsWith('adls.sas-token.'))
  if (sasKey) {
    return async (uri) => {
      // abfss://container@host/path: the SAS is the one keyed by that host.
      const m = /^abfss?:\/\/([^@/]+)@([^/]+)\/(.*)$/.exec(uri)
      if (!m) throw new Error('not an abfss URI: ' + uri)
      const sas = cfg['adls.sas-token.' + m[2]]
      if (!sas) throw new Error('no adls.sas-token.' + m[2] + ' among ' + keys.join(','))
      const cc = new ContainerClient(`${job.azureEndpoint}/${m[1]}?${sas}`)
      return await cc.getBlobClient(m[3]).downloadToBuffer()
    }
  }
  return null
}

let saved = 0
function save(kind, uri, bytes) {
  const file = path.join(job.outDir, `${saved++}-${kind}`)
  fs.writeFileSync(file, bytes)
  out.reads.push({ kind, uri, file })
  return file
}

// Iceberg ids need all 64 bits: longs decode as BigInt.
const longType = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b },
  fromJSON: (v) => BigInt(v),
  toJSON: (n) => String(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
})

function decodeAvro(bytes) {
  return new Promise((resolve, reject) => {
    const records = []
    const dec = new avro.streams.BlockDecoder({
      parseHook: (s) => avro.Type.forSchema(s, { registry: { long: longType }, wrapUnions: false }),
    })
    dec.on('data', (r) => records.push(r))
    dec.on('end', () => resolve(records))
    dec.on('error', reject)
    dec.end(bytes)
  })
}

try {
  if (job.readWith) {
    const read = fileIO(job.readWith)
    for (const uri of job.uris) save('file', uri, await read(uri))
    process.stdout.write(JSON.stringify(out) + '\n')
    process.exit(0)
  }
  const catalog = new IcebergRestCatalog({
    baseUrl: job.baseUrl,
    warehouse: job.warehouse,
    auth: { type: 'bearer', token: job.token },
    ...(job.vended ? { accessDelegation: ['vended-credentials'] } : {}),
  })
  if (job.exists) {
    out.exists = {}
    for (const name of job.exists) out.exists[name] = await catalog.tableExists({ namespace: [job.namespace], name })
    process.stdout.write(JSON.stringify(out) + '\n')
    process.exit(0)
  }
  const r = await catalog.loadTableResult({ namespace: [job.namespace], name: job.table })
  const loc = r['metadata-location']
  out.result = { 'metadata-location': loc, config: r.config || {}, 'storage-credentials': r['storage-credentials'] ?? null }
  const cred = credentialFor(r['storage-credentials'], loc)
  const read = cred && fileIO({ ...cred.config, prefix: cred.prefix })
  if (read) {
    const metaBytes = await read(loc)
    save('metadata', loc, metaBytes)
    // The manifest list the catalog points at (its metadata, as an engine uses it).
    const meta = r.metadata
    const cur = (meta.snapshots || []).find((s) => String(s['snapshot-id']) === String(meta['current-snapshot-id']))
    const listUri = cur['manifest-list']
    const list = await read(listUri)
    save('manifest-list', listUri, list)
    for (const m of await decodeAvro(list)) {
      const manifest = await read(m.manifest_path)
      save('manifest', m.manifest_path, manifest)
      for (const e of await decodeAvro(manifest))
        if (Number(e.status) !== 2) save('data', e.data_file.file_path, await read(e.data_file.file_path))
    }
  }
} catch (e) {
  out.fatal = e instanceof IcebergError ? { error: e.message, status: e.status }
    : { error: String(e.message || e), status: e.$metadata?.httpStatusCode ?? e.statusCode ?? -1 }
}
process.stdout.write(JSON.stringify(out) + '\n')
