// s3_front.mjs - s3rver behind a SigV4-verifying front: s3rver itself does not check V4 signatures, so every
// request is first verified with the AWS SDK's own signer (@smithy/signature-v4) - presigned query
// signatures and Authorization headers alike - and refused with 403 unless it matches; then proxied.
// argv[2] = data directory, argv[3] = bucket.  Prints {"port": N} once listening on 127.0.0.1.
// Env S3_FRONT_KEYS = {"KEYID": {"secret": ..., "token": ...}} adds keys (such as temporary ones an
// STS issued); a key with a token is refused unless the request carries that session token.
import http from 'node:http';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import S3rver from 's3rver';
import { SignatureV4 } from '@smithy/signature-v4';

const SECRETS = { S3RVER: 'S3RVER' };
const TOKENS = {};
for (const [id, k] of Object.entries(JSON.parse(process.env.S3_FRONT_KEYS || '{}'))) {
  SECRETS[id] = k.secret;
  if (k.token !== undefined) TOKENS[id] = k.token;
}

function tokenOk(id, given) {
  return TOKENS[id] === undefined || (given !== undefined && same(given, TOKENS[id]));
}

class Sha256 {
  constructor(secret) { this.h = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(d) { this.h.update(d); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function same(a, b) {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function splitUrl(raw) {
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = {};
  if (q >= 0) {
    for (const part of raw.slice(q + 1).split('&')) {
      if (!part) continue;
      const eq = part.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, '%20'));
      query[k] = v;
    }
  }
  return { path, query };
}

async function verify(req) {
  const { path, query } = splitUrl(req.url);
  const base = { method: req.method, protocol: 'http:', hostname: '127.0.0.1', path };
  if (query['X-Amz-Algorithm']) {
    const cred = (query['X-Amz-Credential'] || '').split('/');
    const secret = SECRETS[cred[0]];
    const date = parseAmzDate(query['X-Amz-Date']);
    const expires = Number(query['X-Amz-Expires']);
    if (!secret || !date || !(expires >= 1 && expires <= 604800) || cred.length !== 5) return 'bad credential';
    if (!tokenOk(cred[0], query['X-Amz-Security-Token'])) return 'session token';
    if (Date.now() > date.getTime() + expires * 1000) return 'expired';
    if (query['X-Amz-SignedHeaders'] !== 'host') return 'signed headers';
    const given = query['X-Amz-Signature'];
    const q = { ...query };
    for (const k of ['X-Amz-Signature', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date',
                     'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Security-Token']) delete q[k];
    const sdkForm = 'X-Amz-Content-Sha256' in q;
    delete q['X-Amz-Content-Sha256'];
    const signer = new SignatureV4({ service: cred[3], region: cred[2], sha256: Sha256, uriEscapePath: false,
      applyChecksum: false, credentials: { accessKeyId: cred[0], secretAccessKey: secret,
        ...(query['X-Amz-Security-Token'] ? { sessionToken: query['X-Amz-Security-Token'] } : {}) } });
    const r = await signer.presign({ ...base, query: q,
      headers: { host: req.headers.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' } },
      { signingDate: date, expiresIn: expires,
        ...(sdkForm ? {} : { unhoistableHeaders: new Set(['x-amz-content-sha256']),
                             unsignableHeaders: new Set(['x-amz-content-sha256']) }) });
    return same(r.query['X-Amz-Signature'], given) ? null : 'signature';
  }
  const auth = req.headers.authorization;
  if (!auth) return null; // anonymous: s3rver decides
  const m = /^AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'authorization header';
  const cred = m[1].split('/');
  const secret = SECRETS[cred[0]];
  const date = parseAmzDate(req.headers['x-amz-date']);
  if (!secret || !date || cred.length !== 5) return 'bad credential';
  if (!tokenOk(cred[0], req.headers['x-amz-security-token'])) return 'session token';
  if (TOKENS[cred[0]] !== undefined && !m[2].split(';').includes('x-amz-security-token')) return 'unsigned token';
  const headers = {};
  for (const h of m[2].split(';')) {
    if (req.headers[h] === undefined) return 'missing signed header ' + h;
    headers[h] = req.headers[h];
  }
  const signer = new SignatureV4({ service: cred[3], region: cred[2], sha256: Sha256, uriEscapePath: false,
    applyChecksum: false, credentials: { accessKeyId: cred[0], secretAccessKey: secret } });
  const r = await signer.sign({ ...base, query, headers }, { signingDate: date });
  const mm = /Signature=([0-9a-f]{64})/.exec(r.headers.authorization || '');
  return mm && same(mm[1], m[3]) ? null : 'signature';
}

const [dir, bucket] = process.argv.slice(2);
const s3 = new S3rver({ address: '127.0.0.1', port: 0, directory: dir, silent: true,
                        vhostBuckets: false, configureBuckets: [{ name: bucket, configs: [] }] });
const inner = await s3.run();

const front = http.createServer(async (req, res) => {
  let why;
  try { why = await verify(req); } catch (e) { why = 'error ' + e.message; }
  if (why) {
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${why === 'expired' ? 'AccessDenied' : 'SignatureDoesNotMatch'}</Code><Message>${why}</Message></Error>`);
    return;
  }
  // s3rver knows only its own key id: a verified request with an added key reaches it under that id.
  const m = /Credential=([^/]+)\//.exec(req.headers.authorization || '');
  if (m && m[1] !== 'S3RVER')
    req.headers.authorization = req.headers.authorization.replace(`Credential=${m[1]}/`, 'Credential=S3RVER/');
  const up = http.request({ host: '127.0.0.1', port: inner.port, method: req.method, path: req.url,
                            headers: req.headers }, (ur) => {
    res.writeHead(ur.statusCode, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(up);
});
front.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: front.address().port }));
});
const stop = async () => { front.close(); await s3.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
