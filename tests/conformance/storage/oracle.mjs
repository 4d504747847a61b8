// oracle.mjs - vendor-SDK signing oracle: reads one JSON case per line on stdin, writes one JSON result per line.
// Ops: s3_presign (AWS SDK v3 getSignedUrl), azure_sas (@azure/storage-blob
// generateBlobSASQueryParameters), gcs_sign (@google-cloud/storage getSignedUrl v4).
import { createInterface } from 'node:readline';
import { S3Client, GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl as s3GetSignedUrl } from '@aws-sdk/s3-request-presigner';
import { StorageSharedKeyCredential, generateBlobSASQueryParameters, BlobSASPermissions,
         ContainerSASPermissions, SASProtocol } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { generateDataLakeSASQueryParameters, DirectorySASPermissions,
         StorageSharedKeyCredential as DLCredential } from '@azure/storage-file-datalake';

process.removeAllListeners('warning');
process.on('warning', () => {});

async function s3Presign(c) {
  const cfg = {
    region: c.region || 'us-east-1',
    credentials: { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key,
                   ...(c.session_token ? { sessionToken: c.session_token } : {}) },
    forcePathStyle: !!c.path_style,
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestChecksumCalculation: 'WHEN_REQUIRED',
  };
  if (c.endpoint) cfg.endpoint = c.endpoint;
  const client = new S3Client(cfg);
  const url = await s3GetSignedUrl(client, new GetObjectCommand({ Bucket: c.bucket, Key: c.key }),
    { expiresIn: c.expires, signingDate: new Date(c.now * 1000) });
  client.destroy();
  return url;
}

function azureSas(c) {
  if (c.scope === 'directory') {
    const v = {
      fileSystemName: c.container, pathName: c.path, isDirectory: true,
      directoryDepth: c.path.split('/').filter(Boolean).length,
      permissions: DirectorySASPermissions.parse(c.permissions || 'rl'),
      expiresOn: new Date(c.expiry * 1000),
      protocol: c.allow_http ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
      version: c.version,
    };
    if (c.start) v.startsOn = new Date(c.start * 1000);
    return generateDataLakeSASQueryParameters(v, new DLCredential(c.account, c.account_key)).toString();
  }
  const cred = c.udk ? {
    signedObjectId: c.udk.oid, signedTenantId: c.udk.tid,
    signedStartsOn: new Date(c.udk.start * 1000), signedExpiresOn: new Date(c.udk.expiry * 1000),
    signedService: c.udk.service, signedVersion: c.udk.version, value: c.udk.value,
  } : new StorageSharedKeyCredential(c.account, c.account_key);
  const v = {
    containerName: c.container,
    expiresOn: new Date(c.expiry * 1000),
    protocol: c.allow_http ? SASProtocol.HttpsAndHttp : SASProtocol.Https,
    version: c.version,
  };
  if (c.start) v.startsOn = new Date(c.start * 1000);
  if (c.scope !== 'container') {
    v.blobName = c.path;
    v.permissions = BlobSASPermissions.parse(c.permissions || 'r');
  } else {
    v.permissions = ContainerSASPermissions.parse(c.permissions || 'rl');
  }
  return generateBlobSASQueryParameters(v, cred, c.udk ? c.account : undefined).toString();
}

// The Google SDK checks expiry against the wall clock, so the clock is mocked to the
// signing time while it runs (accessibleAt also carries that time explicitly).
async function withClock(ms, fn) {
  const Real = Date;
  class Fixed extends Real {
    constructor(...a) { if (a.length === 0) super(ms); else super(...a); }
    static now() { return ms; }
  }
  globalThis.Date = Fixed;
  try { return await fn(); } finally { globalThis.Date = Real; }
}

async function gcsSign(c) {
  return withClock(c.now * 1000, () => gcsSignAt(c));
}

async function gcsSignAt(c) {
  const storage = new Storage({ projectId: 'p', credentials: { client_email: c.client_email,
                                                               private_key: c.private_key } });
  const opts = { version: 'v4', action: 'read', accessibleAt: new Date(c.now * 1000),
                 expires: new Date((c.now + c.expires) * 1000) };
  if (c.host) opts.host = c.host;
  const [url] = await storage.bucket(c.bucket).file(c.object).getSignedUrl(opts);
  return url;
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  const c = JSON.parse(line);
  let out;
  try {
    if (c.op === 's3_presign') out = { url: await s3Presign(c) };
    else if (c.op === 'azure_sas') out = { sas: azureSas(c) };
    else if (c.op === 'gcs_sign') out = { url: await gcsSign(c) };
    else out = { error: 'unknown op ' + c.op };
  } catch (e) {
    out = { error: String(e && e.message || e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
