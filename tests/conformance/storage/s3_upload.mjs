// s3_upload.mjs - uploads objects to an S3 endpoint with the AWS SDK: argv[2] = JSON {endpoint, bucket, objects: {key: base64}}.
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
process.removeAllListeners('warning');
const spec = JSON.parse(process.argv[2]);
const client = new S3Client({
  region: 'us-east-1', endpoint: spec.endpoint, forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
const entries = Object.entries(spec.objects);
let next = 0;
async function worker() {
  while (next < entries.length) {
    const [key, b64] = entries[next++];
    await client.send(new PutObjectCommand({ Bucket: spec.bucket, Key: key, Body: Buffer.from(b64, 'base64') }));
  }
}
await Promise.all(Array.from({ length: 16 }, worker));
client.destroy();
console.log('ok');
