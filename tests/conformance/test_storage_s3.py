"""test_storage_s3.py - S3: SigV4 presigned URLs equal the AWS SDK's; s3rver serves our URLs and refuses tampered or expired ones; our S3 backend lists, stats and reads s3rver objects."""
import base64
import json
import os
import sys
import time

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "storage"))
import stohelp  # noqa: E402

NOW = 1700000000
KEYS = ["plain.parquet", "dir/sub/part-0000.snappy.parquet", "a b/c d.txt", "eq=sign/x=1",
        "pct%20literal%", "plus+sign", "unicode/\u00e9t\u00e9/\u65e5\u672c.bin",
        "reserved/!'()*~-_.;,:@&$", "q?hash#", "tab\tand\u2028"]
ENDPOINTS = [None, "http://127.0.0.1:9000", "https://minio.example.com:9000",
             "https://acc.r2.cloudflarestorage.com", "http://localhost:9000/base",
             "https://ceph.example.com"]


@pytest.fixture(scope="module")
def tool(tmp_path_factory):
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("tool")))
    p = stohelp.tool_proc(path)
    yield p
    assert p.close() == 0


@pytest.fixture(scope="module")
def oracle():
    p = stohelp.oracle_proc()
    yield p
    p.close()


def presign_case(**kw):
    c = {"op": "s3_presign", "region": "us-east-1", "access_key_id": "AKIDEXAMPLE",
         "secret_access_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "bucket": "my-bucket",
         "key": "k", "now": NOW, "expires": 3600}
    c.update(kw)
    return c


def matrix():
    cases = []
    for i, key in enumerate(KEYS):
        for j, ep in enumerate(ENDPOINTS):
            c = presign_case(key=key, path_style=(i + j) % 2, now=NOW + 86399 * i + j)
            if ep:
                c["endpoint"] = ep
            if (i + j) % 3 == 0:
                c["session_token"] = "FwoGZXIvYXdzE+/token==" + str(i)
            c["region"] = ["us-east-1", "eu-west-1", "auto", "ap-southeast-2"][(i * 7 + j) % 4]
            c["expires"] = [1, 900, 3600, 604800][(i + 2 * j) % 4]
            c["bucket"] = ["my-bucket", "data.with.dots", "abc", "Upper_Case"][(i + j) % 4]
            cases.append(c)
    return cases


def test_presign_matches_aws_sdk(tool, oracle):
    cases = matrix()
    assert len(cases) >= 60
    for c in cases:
        ours = tool.ask(c)
        theirs = oracle.ask(c)
        assert "url" in theirs, theirs
        assert ours.get("url") == theirs["url"], json.dumps(c)


def test_presign_refuses_bad_expiry(tool):
    for exp in (0, -5, 604801):
        r = tool.ask(presign_case(expires=exp))
        assert r.get("code") == "EINVAL"
    r = tool.ask(presign_case(secret_access_key=""))
    assert r.get("code") == "EINVAL"
    # The secret must never appear in an error message.
    r = tool.ask(presign_case(endpoint="ftp://x", secret_access_key="TOPSECRETVALUE"))
    assert "TOPSECRETVALUE" not in json.dumps(r)


# ---- s3rver ----

BUCKET = "conf-bucket"
OBJECTS = {
    "table/_delta_log/00000000000000000000.json": b'{"commitInfo":{}}\n',
    "table/part-00000.parquet": bytes(range(256)) * 40,
    "table/a b/c=d%+\u00e9.bin": os.urandom(3000),
    "table/sub/deeper/x.bin": b"deep",
    "table/sub/y.bin": b"yy",
    "table/z.txt": b"",
    "other/secret.txt": b"not under the asset",
}


@pytest.fixture(scope="module")
def s3rver():
    # s3rver does not verify SigV4 signatures itself; s3_front.mjs puts the AWS SDK's
    # signer in front of it so that forged or altered requests are refused.
    # s3rver pages listings with DES continuation tokens: OpenSSL 3 keeps DES in its legacy provider.
    em = stohelp.Emulator(lambda port, tmp: [
        "node", "--openssl-legacy-provider", os.path.join(stohelp.HERE, "s3_front.mjs"), tmp,
        BUCKET], "s3rver", port_from_stdout=True)
    try:
        endpoint = "http://127.0.0.1:%d" % em.port
        stohelp.node_run("s3_upload.mjs", json.dumps({
            "endpoint": endpoint, "bucket": BUCKET,
            "objects": {k: base64.b64encode(v).decode() for k, v in OBJECTS.items()}}))
        stohelp.node_run("s3_upload.mjs", json.dumps({
            "endpoint": endpoint, "bucket": BUCKET,
            "objects": {"many/%04d.bin" % i: "" for i in range(MANY)}}))
        yield endpoint
    finally:
        em.stop()


MANY = 1234   # more than one ListObjectsV2 page (1000 keys)


def test_backend_pages_through_long_listings(store_tool, s3rver):
    want = ["%04d.bin" % i for i in range(MANY)]
    assert names(store_tool.ask(store_case(s3rver, "list", asset="s3://%s/many" % BUCKET))) == want
    assert names(store_tool.ask(store_case(s3rver, "list_recursive",
                                           asset="s3://%s/many" % BUCKET))) == want
    assert names(store_tool.ask(store_case(s3rver, "list", asset="s3://%s/many" % BUCKET,
                                           start_after="0998.bin"))) == want[999:]


def s3rver_case(endpoint, key, now=None, expires=300):
    return presign_case(endpoint=endpoint, path_style=1, bucket=BUCKET, key=key,
                        access_key_id="S3RVER", secret_access_key="S3RVER",
                        now=int(time.time()) if now is None else now, expires=expires)


def test_presigned_urls_download_from_s3rver(tool, s3rver):
    for key, data in OBJECTS.items():
        url = tool.ask(s3rver_case(s3rver, key))["url"]
        r = requests.get(url, timeout=10)
        assert r.status_code == 200, (key, r.text[:300])
        assert r.content == data, key
        # The documentation form (no x-id / content-sha256 parameters) works as well.
        c = s3rver_case(s3rver, key)
        c["minimal"] = True
        r = requests.get(tool.ask(c)["url"], timeout=10)
        assert r.status_code == 200 and r.content == data


def test_s3rver_refuses_tampered_and_expired(tool, s3rver):
    key = "table/part-00000.parquet"
    url = tool.ask(s3rver_case(s3rver, key))["url"]
    assert requests.get(url, timeout=10).status_code == 200
    sig_at = url.index("X-Amz-Signature=") + len("X-Amz-Signature=")
    flipped = url[:sig_at] + ("0" if url[sig_at] != "0" else "1") + url[sig_at + 1:]
    assert requests.get(flipped, timeout=10).status_code == 403
    # One altered character in the key part of the path.
    path_at = url.index("/part-") + 2
    altered = url[:path_at] + ("b" if url[path_at] != "b" else "c") + url[path_at + 1:]
    assert requests.get(altered, timeout=10).status_code in (403, 404)
    # Extending the expiry breaks the signature.
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=301")
    assert requests.get(longer, timeout=10).status_code == 403
    # Signed two hours ago for one minute: expired.
    old = tool.ask(s3rver_case(s3rver, key, now=int(time.time()) - 7200, expires=60))["url"]
    assert requests.get(old, timeout=10).status_code == 403
    # Wrong secret.
    c = s3rver_case(s3rver, key)
    c["secret_access_key"] = "WRONG"
    assert requests.get(tool.ask(c)["url"], timeout=10).status_code == 403


def store_case(endpoint, what, asset="s3://%s/table" % BUCKET, **kw):
    c = {"op": "store", "what": what, "location_uri": "s3://%s" % BUCKET,
         "asset_uri": asset, "secret_ref": "env:OS_TEST_S3_SECRET",
         "options_json": json.dumps({"endpoint": endpoint, "path_style": "true",
                                     "region": "us-east-1"})}
    c.update(kw)
    return c


@pytest.fixture(scope="module")
def store_tool(tmp_path_factory):
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("stool")))
    p = stohelp.tool_proc(path, {
        "OS_TEST_S3_SECRET": json.dumps({"access_key_id": "S3RVER", "secret_access_key": "S3RVER"}),
        "OS_TEST_S3_TOKEN": json.dumps({"access_key_id": "S3RVER", "secret_access_key": "S3RVER",
                                        "session_token": "FwoGZXIvYXdzEJr/token=="}),
        "OS_TEST_S3_BAD_SECRET": json.dumps({"access_key_id": "S3RVER",
                                             "secret_access_key": "NOT-THE-SECRET"})})
    yield p
    assert p.close() == 0


def names(r):
    assert "items" in r, r
    return [i["name"] for i in r["items"]]


def test_backend_lists_stats_reads(store_tool, s3rver):
    under = {k[len("table/"):]: v for k, v in OBJECTS.items() if k.startswith("table/")}
    top = sorted(k for k in under if "/" not in k)
    assert names(store_tool.ask(store_case(s3rver, "list"))) == top
    r = store_tool.ask(store_case(s3rver, "list"))
    sizes = {i["name"]: i["size"] for i in r["items"]}
    assert sizes == {k: len(under[k]) for k in top}
    assert all(i["mtime_ms"] > 1600000000000 for i in r["items"])
    assert names(store_tool.ask(store_case(s3rver, "list", dir="sub/"))) == ["sub/y.bin"]
    assert names(store_tool.ask(store_case(s3rver, "list", start_after="part-00000.parquet"))) == \
        [k for k in top if k > "part-00000.parquet"]
    assert store_tool.ask(store_case(s3rver, "list", dir="missing/"))["code"] == "ENOTFOUND"
    rec = names(store_tool.ask(store_case(s3rver, "list_recursive")))
    assert rec == sorted(under)
    assert names(store_tool.ask(store_case(s3rver, "list_recursive", start_after="sub/deeper/x.bin"))) == \
        [k for k in sorted(under) if k > "sub/deeper/x.bin"]
    for k, v in under.items():
        st = store_tool.ask(store_case(s3rver, "stat", key=k))
        assert st["size"] == len(v), k
        assert bytes.fromhex(store_tool.ask(store_case(s3rver, "read_all", key=k))["hex"]) == v
    big = "part-00000.parquet"
    data = under[big]
    for off, n in [(0, 10), (100, 1000), (len(data) - 5, 100), (len(data), 10), (len(data) + 50, 1)]:
        got = bytes.fromhex(store_tool.ask(store_case(s3rver, "read_range", key=big, offset=off,
                                                      len=n))["hex"])
        assert got == data[off:off + n], (off, n)
    assert store_tool.ask(store_case(s3rver, "read_all", key=big, max=100))["code"] == "ELIMIT"
    assert store_tool.ask(store_case(s3rver, "stat", key="nope"))["code"] == "ENOTFOUND"
    assert store_tool.ask(store_case(s3rver, "read_all", key="nope"))["code"] == "ENOTFOUND"
    assert store_tool.ask(store_case(s3rver, "stat", key="../other/secret.txt"))["code"] == "EINVAL"


def test_backend_refuses_asset_outside_location_and_bad_secret(store_tool, s3rver):
    r = store_tool.ask(store_case(s3rver, "list", asset="s3://another-bucket/table"))
    assert r["code"] == "EINVAL"
    c = store_case(s3rver, "list")
    c["secret_ref"] = "env:OS_TEST_S3_SECRET_MISSING"
    assert store_tool.ask(c)["code"] == "EINVAL"
    # A wrong secret key: the SigV4 header signature is refused.
    for what, extra in (("list", {}), ("stat", {"key": "z.txt"}), ("read_all", {"key": "z.txt"})):
        c = store_case(s3rver, what, **extra)
        c["secret_ref"] = "env:OS_TEST_S3_BAD_SECRET"
        r = store_tool.ask(c)
        assert r["code"] == "EPERM", r
        assert "NOT-THE-SECRET" not in json.dumps(r)


def test_location_signer_urls_download(store_tool, s3rver):
    """url_signer: the lead's entry point; one signer per asset, files named relative to it."""
    now = int(time.time())
    for key, data in OBJECTS.items():
        if not key.startswith("table/"):
            continue
        c = store_case(s3rver, "x")
        c.update({"op": "loc_sign", "rel": key[len("table/"):], "now": now, "expires": 300})
        r = store_tool.ask(c)
        assert r["expires_at"] == now + 300
        got = requests.get(r["url"], timeout=10)
        assert got.status_code == 200 and got.content == data, key
    c = store_case(s3rver, "x")
    c.update({"op": "loc_sign", "rel": "../other/secret.txt", "now": now, "expires": 300})
    assert store_tool.ask(c)["code"] == "EINVAL"
    c.update({"rel": "z.txt", "expires": 604801})
    assert store_tool.ask(c)["code"] == "EINVAL"


def test_session_token_is_signed(tool, store_tool, s3rver):
    """A session token travels signed: as X-Amz-Security-Token in presigned URLs and as the
    x-amz-security-token header in backend requests (both checked by the verifying front)."""
    c = s3rver_case(s3rver, "table/sub/y.bin")
    c["session_token"] = "FwoGZXIvYXdzEJr//////////wEaDK+token=="
    url = tool.ask(c)["url"]
    assert "X-Amz-Security-Token=FwoGZXIvYXdzEJr%2F%2F" in url
    assert requests.get(url, timeout=10).content == b"yy"
    assert requests.get(url.replace("token%3D%3D", "tokem%3D%3D"), timeout=10).status_code == 403
    c = store_case(s3rver, "read_all", key="sub/y.bin")
    c["secret_ref"] = "env:OS_TEST_S3_TOKEN"
    assert bytes.fromhex(store_tool.ask(c)["hex"]) == b"yy"
