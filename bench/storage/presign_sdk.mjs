// presign_sdk.mjs - per-URL cost of the AWS JS SDK v3 presigner (getSignedUrl, and the bare S3RequestPresigner) on one thread.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/conformance/package.json'));
process.removeAllListeners('warning');
process.on('warning', () => {});
const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const { getSignedUrl, S3RequestPresigner } = require('@aws-sdk/s3-request-presigner');
const { createHash, createHmac } = require('node:crypto');

const n = Number(process.argv[2] || 20000);
const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const client = new S3Client({ region: 'eu-west-1', credentials, responseChecksumValidation: 'WHEN_REQUIRED',
                              requestChecksumCalculation: 'WHEN_REQUIRED' });
const key = (i) => `tables/t1/part-${String(i).padStart(5, '0')}-c000.snappy.parquet`;

// warm-up
for (let i = 0; i < 200; i++) await getSignedUrl(client, new GetObjectCommand({ Bucket: 'my-bucket', Key: key(i) }), { expiresIn: 3600 });
let t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  await getSignedUrl(client, new GetObjectCommand({ Bucket: 'my-bucket', Key: key(i) }),
                     { expiresIn: 3600, signingDate: new Date((1700000000 + i) * 1000) });
}
const full = Number(process.hrtime.bigint() - t0) / 1e3 / n;

class Sha256 {
  constructor(s) { this.h = s ? createHmac('sha256', s) : createHash('sha256'); }
  update(d) { this.h.update(d); }
  async digest() { return new Uint8Array(this.h.digest()); }
}
const presigner = new S3RequestPresigner({ region: 'eu-west-1', credentials, sha256: Sha256 });
for (let i = 0; i < 200; i++) await presigner.presign({ method: 'GET', protocol: 'https:', hostname: 'my-bucket.s3.eu-west-1.amazonaws.com', path: '/' + key(i), query: {}, headers: {} }, { expiresIn: 3600 });
t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  await presigner.presign({ method: 'GET', protocol: 'https:', hostname: 'my-bucket.s3.eu-west-1.amazonaws.com',
                            path: '/' + key(i), query: {}, headers: {} },
                          { expiresIn: 3600, signingDate: new Date((1700000000 + i) * 1000) });
}
const bare = Number(process.hrtime.bigint() - t0) / 1e3 / n;
client.destroy();

// Google Cloud Storage V4 signing with the same key as ours (OS_BENCH_GCS_KEY), n/100 URLs.
let gcs = 0;
if (process.env.OS_BENCH_GCS_KEY) {
  const { Storage } = require('@google-cloud/storage');
  const creds = JSON.parse(process.env.OS_BENCH_GCS_KEY);
  const bucket = new Storage({ projectId: 'p', credentials: creds }).bucket('my-bucket');
  const ng = Math.max(1, Math.floor(n / 100));
  const now = Date.now();
  t0 = process.hrtime.bigint();
  for (let i = 0; i < ng; i++) {
    await bucket.file(key(i)).getSignedUrl({ version: 'v4', action: 'read', expires: now + 3600 * 1000 });
  }
  gcs = Number(process.hrtime.bigint() - t0) / 1e3 / ng;
}
console.log(JSON.stringify({ n, getSignedUrl_us: full, presigner_us: bare, gcs_us: gcs }));
