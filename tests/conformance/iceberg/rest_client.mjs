// rest_client.mjs - drives our Iceberg REST catalog with iceberg-js (an independent client).
//
//   node rest_client.mjs JOB.json   -> one JSON document on stdout
// JOB: {baseUrl, token, warehouse, pageSize, load: bool, vended: bool, snapshots}
// Output: {namespaces: [[...]], tables: {ns: [names]}, pages: {namespaces: n, tables: {ns: n}},
//          loaded: {"ns.t": {metadataLocation, formatVersion, location, currentSnapshotId,
//                            snapshots, config, storageCredentials} | {error, status}}}
import fs from 'node:fs'
import { IcebergRestCatalog, IcebergError } from 'iceberg-js'

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))
const catalog = new IcebergRestCatalog({
  baseUrl: job.baseUrl,
  warehouse: job.warehouse,
  auth: { type: 'bearer', token: job.token },
  ...(job.vended ? { accessDelegation: ['vended-credentials'] } : {}),
})

function failure(e) {
  return e instanceof IcebergError ? { error: e.message, status: e.status } : { error: String(e), status: -1 }
}

const out = { namespaces: [], tables: {}, pages: { namespaces: 0, tables: {} }, loaded: {} }
try {
  let token
  do {
    const page = await catalog.listNamespaces({ pageSize: job.pageSize, pageToken: token })
    out.pages.namespaces++
    out.namespaces.push(...page.namespaces.map((n) => n.namespace))
    token = page.nextPageToken
  } while (token)
  for (const ns of out.namespaces) {
    const key = ns.join('.')
    out.tables[key] = []
    out.pages.tables[key] = 0
    let t
    do {
      const page = await catalog.listTables({ namespace: ns }, { pageSize: job.pageSize, pageToken: t })
      out.pages.tables[key]++
      out.tables[key].push(...page.identifiers.map((i) => i.name))
      t = page.nextPageToken
    } while (t)
    if (!job.load) continue
    for (const name of out.tables[key]) {
      try {
        const r = await catalog.loadTableResult({ namespace: ns, name }, job.snapshots ? { snapshots: job.snapshots } : undefined)
        const m = r.metadata
        out.loaded[`${key}.${name}`] = {
          metadataLocation: r['metadata-location'],
          formatVersion: m['format-version'],
          tableUuid: m['table-uuid'],
          location: m.location,
          currentSnapshotId: m['current-snapshot-id'] === undefined ? null : String(m['current-snapshot-id']),
          snapshots: (m.snapshots || []).map((s) => ({ id: String(s['snapshot-id']), manifestList: s['manifest-list'] ?? null })),
          config: r.config || {},
          storageCredentials: r['storage-credentials'] || null,
        }
      } catch (e) {
        out.loaded[`${key}.${name}`] = failure(e)
      }
    }
  }
} catch (e) {
  out.fatal = failure(e)
}
process.stdout.write(JSON.stringify(out) + '\n')
