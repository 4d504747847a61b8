// az_client.mjs - @azure/storage-blob as an Azure client for the tests. argv[2] = JSON request:
//   {op:"upload", endpoint, account, key, container, objects:{name: base64}}
//   {op:"list", containerUrl (with SAS), prefix} -> {names} or {status}
//   {op:"download", containerUrl (with SAS), blob} -> {b64} or {status}
import { BlobServiceClient, ContainerClient, StorageSharedKeyCredential } from '@azure/storage-blob';

const req = JSON.parse(process.argv[2]);
let out;
try {
  if (req.op === 'upload') {
    const svc = new BlobServiceClient(req.endpoint, new StorageSharedKeyCredential(req.account, req.key));
    for (const container of new Set([req.container, ...(req.others || [])])) {
      const cc = svc.getContainerClient(container);
      await cc.createIfNotExists();
    }
    const cc = svc.getContainerClient(req.container);
    for (const [name, b64] of Object.entries(req.objects)) {
      const data = Buffer.from(b64, 'base64');
      await cc.getBlockBlobClient(name).upload(data, data.length);
    }
    for (const [name, b64] of Object.entries(req.other_objects || {})) {
      const [c, ...rest] = name.split('/');
      const data = Buffer.from(b64, 'base64');
      await svc.getContainerClient(c).getBlockBlobClient(rest.join('/')).upload(data, data.length);
    }
    out = { ok: true };
  } else if (req.op === 'list') {
    const cc = new ContainerClient(req.containerUrl);
    const names = [];
    for await (const b of cc.listBlobsFlat({ prefix: req.prefix })) names.push(b.name);
    out = { names };
  } else if (req.op === 'download') {
    const cc = new ContainerClient(req.containerUrl);
    const buf = await cc.getBlobClient(req.blob).downloadToBuffer();
    out = { b64: buf.toString('base64') };
  } else {
    out = { error: 'unknown op' };
  }
} catch (e) {
  out = { status: e.statusCode || 0, error: String(e.message || e).slice(0, 300) };
}
console.log(JSON.stringify(out));
