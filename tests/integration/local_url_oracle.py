"""Opens the server's local signed-URL tokens with an independent AES-GCM (python cryptography),
following the format written in src/storage/local_url.h, so tests can see what a token seals
without trusting the server's own parser."""
import base64
import hashlib
import hmac
import struct
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DOMAIN = b"opensharing local file url v2 aes-256-gcm"


def server_key(data_dir):
    """The 32 bytes of DATA_DIR/secrets/server.key ("osk_" then hex, or bare hex)."""
    text = Path(data_dir, "secrets", "server.key").read_text().strip()
    if text.startswith("osk_"):
        text = text[4:]
    return bytes.fromhex(text[:64])


def token_of(url):
    return url.rsplit("/files/", 1)[1].split("?")[0]


def open_token(skey, token):
    """dict(expires, recipient_id, recipient, share, schema, asset, root, rel) or raises."""
    k = hmac.new(skey, DOMAIN, hashlib.sha256).digest()
    box = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert box[0] == 2, "unknown token version %d" % box[0]
    pt = AESGCM(k).decrypt(box[1:13], box[13:], b"GET")
    expires, rid = struct.unpack(">qq", pt[:16])
    off, fields = 16, []
    for _ in range(6):
        (n,) = struct.unpack(">H", pt[off:off + 2])
        fields.append(pt[off + 2:off + 2 + n].decode())
        off += 2 + n
    assert off == len(pt)
    names = ("recipient", "share", "schema", "asset", "root", "rel")
    return dict(zip(names, fields), expires=expires, recipient_id=rid)


def open_url(data_dir, url):
    return open_token(server_key(data_dir), token_of(url))
