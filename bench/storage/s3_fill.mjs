// s3_fill.mjs - uploads N small objects to an S3 endpoint (s3rver) with the AWS SDK, 32 at a time.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../tests/conformance/package.json'));
process.removeAllListeners('warning');
process.on('warning', () => {});
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const [endpoint, bucket, n] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
let next = 0;
async function worker() {
  while (next < n) {
    const i = next++;
    const key = `vol/d${String(i % 100).padStart(2, '0')}/file-${String(i).padStart(6, '0')}.bin`;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
  }
}
await Promise.all(Array.from({ length: 32 }, worker));
client.destroy();
