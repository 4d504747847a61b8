// s3_upload.mjs - uploads objects to an S3 endpoint with the AWS SDK: argv[2] = JSON {endpoint, bucket, objects: {key: base64}}.
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
process.removeAllListeners('warning');
const spec = JSON.parse(process.argv[2]);
const client = new S3Client({
  region: 'us-east-1', endpoint: spec.endpoint, forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
});
for (const [key, b64] of Object.entries(spec.objects)) {
  await client.send(new PutObjectCommand({ Bucket: spec.bucket, Key: key, Body: Buffer.from(b64, 'base64') }));
}
client.destroy();
console.log('ok');
