"""fake_gcs.py - a tiny loopback GCS for the tests: OAuth2 JWT-bearer token endpoint (verifies the RS256
assertion with the service account's public key), JSON API list/get/media with Range, and V4 signed-URL
downloads verified independently (python3-cryptography)."""
import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

SCOPE = "https://www.googleapis.com/auth/devstorage.read_only"


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class FakeGcs:
    def __init__(self, public_key, email, bucket, objects, page_size=2):
        self.public_key = public_key
        self.email = email
        self.bucket = bucket
        self.objects = dict(objects)       # name -> bytes
        self.updated = "2024-05-06T07:08:09.123Z"
        self.page_size = page_size
        self.tokens = set()
        self.exchanges = []
        self.token_requests = 0
        self.jwt_claims = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send(self, status, body=b"", ctype="application/json", headers=None):
                if isinstance(body, (dict, list)):
                    body = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                form = dict(parse_qsl(self.rfile.read(n).decode()))
                if urlsplit(self.path).path == "/sts":
                    return fake.exchange(self, form)
                if urlsplit(self.path).path != "/token":
                    return self.send(404, {"error": "not_found"})
                fake.token_requests += 1
                claims = fake.check_jwt(form, self.server_url())
                if claims is None:
                    return self.send(400, {"error": "invalid_grant"})
                tok = "ya29." + secrets.token_urlsafe(24)
                fake.tokens.add(tok)
                return self.send(200, {"access_token": tok, "expires_in": 3599,
                                       "token_type": "Bearer"})

            def server_url(self):
                return "http://127.0.0.1:%d/token" % self.server.server_address[1]

            def do_GET(self):
                u = urlsplit(self.path)
                q = dict(parse_qsl(u.query, keep_blank_values=True))
                if "X-Goog-Signature" in q:
                    return fake.signed_get(self, u, q)
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in fake.tokens:
                    return self.send(401, {"error": {"code": 401}})
                prefix = "/storage/v1/b/%s/o" % fake.bucket
                if u.path == prefix:
                    return self.send(200, fake.list(q))
                if u.path.startswith(prefix + "/"):
                    name = unquote(u.path[len(prefix) + 1:])
                    if name not in fake.objects:
                        return self.send(404, {"error": {"code": 404}})
                    data = fake.objects[name]
                    if q.get("alt") == "media":
                        return fake.media(self, data)
                    return self.send(200, {"name": name, "size": str(len(data)),
                                           "updated": fake.updated})
                return self.send(404, {"error": {"code": 404}})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def token_uri(self):
        return "http://127.0.0.1:%d/token" % self.port

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def check_jwt(self, form, aud):
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return None
        parts = form.get("assertion", "").split(".")
        if len(parts) != 3:
            return None
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        if header.get("alg") != "RS256":
            return None
        try:
            self.public_key.verify(b64url_decode(parts[2]), (parts[0] + "." + parts[1]).encode(),
                                   padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return None
        now = time.time()
        if (claims.get("iss") != self.email or claims.get("aud") != aud or
                claims.get("scope") not in (SCOPE, "https://www.googleapis.com/auth/cloud-platform") or not claims["iat"] - 60 <= now <= claims["exp"] or
                claims["exp"] - claims["iat"] > 3600):
            return None
        self.jwt_claims.append(claims)
        return claims

    @property
    def sts_uri(self):
        return "http://127.0.0.1:%d/sts" % self.port

    def exchange(self, h, form):
        """Google STS token exchange with a Credential Access Boundary (documented form)."""
        want = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
                "requested_token_type": "urn:ietf:params:oauth:token-type:access_token"}
        if any(form.get(k) != v for k, v in want.items()) or set(form) != set(want) | {"subject_token", "options"}:
            return h.send(400, {"error": "invalid_request"})
        if form["subject_token"] not in self.tokens:
            return h.send(401, {"error": "invalid_token"})
        self.exchanges.append(json.loads(form["options"]))
        return h.send(200, {"access_token": "downscoped." + secrets.token_urlsafe(16),
                            "issued_token_type": want["requested_token_type"],
                            "token_type": "Bearer", "expires_in": 1800})

    def list(self, q):
        prefix, delim = q.get("prefix", ""), q.get("delimiter")
        start = q.get("startOffset", "")
        names = sorted(n for n in self.objects if n.startswith(prefix) and n >= start)
        items, prefixes = [], set()
        for n in names:
            rest = n[len(prefix):]
            if delim and delim in rest:
                prefixes.add(prefix + rest.split(delim)[0] + delim)
            else:
                items.append(n)
        off = int(q.get("pageToken") or 0)
        page = items[off:off + self.page_size]
        out = {"kind": "storage#objects"}
        if page:
            out["items"] = [{"name": n, "size": str(len(self.objects[n])), "updated": self.updated}
                            for n in page]
        if prefixes and off == 0:
            out["prefixes"] = sorted(prefixes)
        if off + self.page_size < len(items):
            out["nextPageToken"] = str(off + self.page_size)
        return out

    def media(self, h, data):
        rng = h.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, b = rng[6:].split("-")
            a = int(a)
            b = min(int(b) if b else len(data) - 1, len(data) - 1)
            if a >= len(data):
                return h.send(416, b"", "text/plain",
                              {"Content-Range": "bytes */%d" % len(data)})
            return h.send(206, data[a:b + 1], "application/octet-stream",
                          {"Content-Range": "bytes %d-%d/%d" % (a, b, len(data))})
        return h.send(200, data, "application/octet-stream")

    def signed_get(self, h, u, q):
        """Verifies a V4 (GOOG4-RSA-SHA256) signed URL from scratch."""
        sig = bytes.fromhex(q.pop("X-Goog-Signature"))
        if q.get("X-Goog-Algorithm") != "GOOG4-RSA-SHA256" or q.get("X-Goog-SignedHeaders") != "host":
            return h.send(400, {"error": "bad algorithm"})
        stamp = q["X-Goog-Date"]
        t = time.mktime(time.strptime(stamp, "%Y%m%dT%H%M%SZ")) - time.timezone
        if time.time() > t + int(q["X-Goog-Expires"]):
            return h.send(400, {"error": "ExpiredToken"})
        cred = q["X-Goog-Credential"].split("/")
        if cred[0] != self.email:
            return h.send(403, {"error": "unknown signer"})
        enc = lambda s: quote(s, safe="-_.~")  # noqa: E731
        cq = "&".join("%s=%s" % (enc(k), enc(v)) for k, v in sorted(q.items()))
        creq = "\n".join(["GET", u.path, cq, "host:127.0.0.1", "", "host", "UNSIGNED-PAYLOAD"])
        sts = "\n".join(["GOOG4-RSA-SHA256", stamp, "/".join(cred[1:]),
                         hashlib.sha256(creq.encode()).hexdigest()])
        try:
            self.public_key.verify(sig, sts.encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return h.send(403, {"error": "SignatureDoesNotMatch"})
        path = unquote(u.path)
        bucket, _, name = path[1:].partition("/")
        if bucket != self.bucket or name not in self.objects:
            return h.send(404, {"error": "NoSuchKey"})
        return h.send(200, self.objects[name], "application/octet-stream")
