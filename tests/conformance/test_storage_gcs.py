"""test_storage_gcs.py - GCS: V4 signed URLs equal @google-cloud/storage getSignedUrl for the same key, object and
time, and verify independently; our GCS backend lists, stats and reads through a fake JSON API whose token
endpoint checks the RS256 JWT with the service account's public key."""
import json
import os
import sys
import time

import pytest
import requests

pytest.importorskip("cryptography")
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "storage"))
import fake_gcs  # noqa: E402
import stohelp  # noqa: E402

NOW = 1700000000
EMAIL = "sharer@test-project.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def key():
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode()
    return k, pem


def sa_json(pem, token_uri=None):
    d = {"type": "service_account", "project_id": "test-project", "client_email": EMAIL,
         "private_key_id": "abc", "private_key": pem}
    if token_uri:
        d["token_uri"] = token_uri
    return json.dumps(d)


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


OBJS = ["plain.parquet", "dir/sub/part-0000.snappy.parquet", "a b/c=d%+\u00e9.bin",
        "reserved/!'()*~-_.;,:@&$", "q?hash#", "\u65e5\u672c/\u8a9e"]


def test_signed_url_matches_google_sdk(tool, oracle, key):
    _, pem = key
    sa = sa_json(pem)
    for i, obj in enumerate(OBJS):
        for j, (expires, host) in enumerate(((1, None), (900, None), (604800, None),
                                             (3600, "https://storage.example.com"),
                                             (60, "http://127.0.0.1:4443"))):
            c = {"op": "gcs_sign", "sa_json": sa, "client_email": EMAIL, "private_key": pem,
                 "bucket": ["my-bucket", "b.with.dots"][(i + j) % 2], "object": obj,
                 "now": NOW + 86399 * i + 7 * j, "expires": expires}
            if host:
                c["host"] = host
                c["endpoint"] = host
            theirs = oracle.ask(c)
            assert "url" in theirs, theirs
            assert tool.ask(c).get("url") == theirs["url"], json.dumps({**c, "sa_json": "-",
                                                                         "private_key": "-"})


def test_signed_url_refusals(tool, key):
    _, pem = key
    base = {"op": "gcs_sign", "sa_json": sa_json(pem), "bucket": "b", "object": "o",
            "now": NOW, "expires": 60}
    assert tool.ask({**base, "expires": 604801})["code"] == "EINVAL"
    assert tool.ask({**base, "expires": 0})["code"] == "EINVAL"
    assert tool.ask({**base, "sa_json": "{\"client_email\":\"x\"}"})["code"] == "EINVAL"
    bad = json.dumps({"client_email": "x", "private_key": "-----BEGIN PRIVATE KEY-----\nSECRETSTUFF\n"})
    r = tool.ask({**base, "sa_json": bad})
    assert r["code"] == "EINVAL" and "SECRETSTUFF" not in json.dumps(r)


OBJECTS = {
    "tbl/_delta_log/00000000000000000000.json": b'{"protocol":{}}\n',
    "tbl/part-0.parquet": os.urandom(4000),
    "tbl/part-1.parquet": b"p1",
    "tbl/part-2.parquet": b"p2",
    "tbl/x y \u00e9.bin": b"unicode",
    "tbl/sub/a.bin": b"a",
    "other/secret": b"outside",
}


@pytest.fixture(scope="module")
def fake(key):
    k, _ = key
    f = fake_gcs.FakeGcs(k.public_key(), EMAIL, "conf-bucket", OBJECTS)
    yield f
    f.stop()


def test_signed_urls_verify_and_download(tool, key, fake):
    _, pem = key
    now = int(time.time())
    for name, data in OBJECTS.items():
        url = tool.ask({"op": "gcs_sign", "sa_json": sa_json(pem), "endpoint": fake.endpoint,
                        "bucket": "conf-bucket", "object": name, "now": now,
                        "expires": 300})["url"]
        r = requests.get(url, timeout=10)
        assert r.status_code == 200 and r.content == data, name
        i = url.index("X-Goog-Signature=") + 17
        assert requests.get(url[:i] + ("0" if url[i] != "0" else "1") + url[i + 1:],
                            timeout=10).status_code == 403
    old = tool.ask({"op": "gcs_sign", "sa_json": sa_json(pem), "endpoint": fake.endpoint,
                    "bucket": "conf-bucket", "object": "tbl/part-1.parquet", "now": now - 7200,
                    "expires": 60})["url"]
    assert requests.get(old, timeout=10).status_code == 400


def store_case(fake, what, secret_env, asset="gs://conf-bucket/tbl", **kw):
    c = {"op": "store", "what": what, "location_uri": "gs://conf-bucket",
         "asset_uri": asset, "secret_ref": "env:" + secret_env,
         "options_json": json.dumps({"endpoint": fake.endpoint, "token_uri": fake.token_uri})}
    c.update(kw)
    return c


def names(r):
    assert "items" in r, r
    return [i["name"] for i in r["items"]]


def test_backend_against_fake_gcs(tmp_path_factory, key, fake):
    k, pem = key
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("gtool")))
    t = stohelp.tool_proc(path, {"OS_TEST_GCS_KEY": sa_json(pem),
                                 "OS_TEST_GCS_WRONG": sa_json(other)})
    try:
        under = {n[4:]: v for n, v in OBJECTS.items() if n.startswith("tbl/")}
        top = sorted(n for n in under if "/" not in n)
        before = fake.token_requests
        r = t.ask(store_case(fake, "list", "OS_TEST_GCS_KEY"))
        assert names(r) == top   # three pages of two
        assert {i["name"]: i["size"] for i in r["items"]} == {n: len(under[n]) for n in top}
        assert all(i["mtime_ms"] == 1714979289123 for i in r["items"])
        assert fake.token_requests == before + 1
        assert names(t.ask(store_case(fake, "list", "OS_TEST_GCS_KEY",
                                      start_after="part-1.parquet"))) == \
            [n for n in top if n > "part-1.parquet"]
        assert names(t.ask(store_case(fake, "list_recursive", "OS_TEST_GCS_KEY"))) == sorted(under)
        assert t.ask(store_case(fake, "list", "OS_TEST_GCS_KEY", dir="none/"))["code"] == "ENOTFOUND"
        for n, v in under.items():
            assert t.ask(store_case(fake, "stat", "OS_TEST_GCS_KEY", key=n))["size"] == len(v)
            assert bytes.fromhex(t.ask(store_case(fake, "read_all", "OS_TEST_GCS_KEY", key=n))["hex"]) == v
        data = under["part-0.parquet"]
        for off, n in [(0, 5), (100, 3000), (3999, 10), (4000, 5)]:
            got = bytes.fromhex(t.ask(store_case(fake, "read_range", "OS_TEST_GCS_KEY",
                                                 key="part-0.parquet", offset=off, len=n))["hex"])
            assert got == data[off:off + n]
        assert t.ask(store_case(fake, "stat", "OS_TEST_GCS_KEY", key="nope"))["code"] == "ENOTFOUND"
        assert t.ask(store_case(fake, "read_all", "OS_TEST_GCS_KEY", key="part-0.parquet",
                                max=10))["code"] == "ELIMIT"
        # A key the fake does not trust: the token endpoint refuses the JWT.
        r = t.ask(store_case(fake, "list", "OS_TEST_GCS_WRONG"))
        assert r["code"] == "EPERM", r
        claims = fake.jwt_claims[-1]
        assert claims["iss"] == EMAIL and claims["aud"] == fake.token_uri
        # the per-location signer: URLs for files under the asset, verified by the fake
        c = store_case(fake, "x", "OS_TEST_GCS_KEY")
        c.update({"op": "loc_sign", "rel": "x y \u00e9.bin", "now": int(time.time()),
                  "expires": 300})
        got = requests.get(t.ask(c)["url"], timeout=10)
        assert got.status_code == 200 and got.content == OBJECTS["tbl/x y \u00e9.bin"]
    finally:
        assert t.close() == 0


def test_downscoped_token_exchange(tmp_path_factory, key, fake):
    _, pem = key
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("dtool")))
    t = stohelp.tool_proc(path, {"OS_TEST_GCS_KEY": sa_json(pem)})
    try:
        c = {"op": "dir_creds", "location_uri": "gs://conf-bucket", "asset_uri": "gs://conf-bucket/tbl",
             "secret_ref": "env:OS_TEST_GCS_KEY", "now": int(time.time()), "duration": 3600,
             "options_json": json.dumps({"endpoint": fake.endpoint, "token_uri": fake.token_uri,
                                         "sts_uri": fake.sts_uri})}
        r = t.ask(c)
        assert r.get("kind") == 3 and r["oauth_token"].startswith("downscoped."), r
        assert abs(r["expires_at_ms"] - (c["now"] + 1800) * 1000) <= 1000
        assert fake.jwt_claims[-1]["scope"] == "https://www.googleapis.com/auth/cloud-platform"
        assert fake.exchanges[-1] == {"accessBoundary": {"accessBoundaryRules": [{
            "availablePermissions": ["inRole:roles/storage.objectViewer"],
            "availableResource": "//storage.googleapis.com/projects/_/buckets/conf-bucket",
            "availabilityCondition": {"expression":
                "resource.name.startsWith('projects/_/buckets/conf-bucket/objects/tbl/') || "
                "api.getAttribute('storage.googleapis.com/objectListPrefix', '').startsWith('tbl/')"}}]}}
    finally:
        assert t.close() == 0
