"""test_cloud_sharing.py - the sharing server over cloud storage emulators: a Delta table and a volume
uploaded to s3rver and to azurite are read through the protocol, their files downloaded with the
pre-signed URLs the server hands out (and altered URLs refused by the emulators; GCS through a fake that verifies V4 signatures), and S3 dir-mode
credentials come from STS (a fake that verifies the SigV4 signature with botocore) to the recipient
unchanged."""
import base64
import json
import os
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "storage"))
sys.path.insert(0, str(HERE.parent / "integration"))
import stohelp  # noqa: E402
from deltagen import Table  # noqa: E402
from osserver import Server  # noqa: E402

TOKEN = "cloud-reader-token-0123456789"
BUCKET = "share-bucket"
AZ_ACCOUNT = "devstoreaccount1"
AZ_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZ_CONTAINER = "lake"
T0 = 1700000000000


def local_tree(root):
    """Builds the table and the volume on disk; returns {relative key: bytes}."""
    t = Table(os.path.join(root, "tables", "events"))
    t.commit([t.add("a.parquet", "a"), t.add("part=b/b c.parquet", "b")], T0)
    t.commit([t.remove("a.parquet"), t.add("d.parquet", "a")], T0 + 60000)
    # a Parquet dataset (format: parquet): Hive partitions, a marker file that is no data
    trips = os.path.join(os.path.dirname(HERE), "..", "examples", "sample", "tables", "trips")
    parts = sorted(f for f in os.listdir(trips) if f.endswith(".parquet"))
    for rel, src in (("region=eu/day=2024-01-31/a.parquet", parts[0]), ("region=us%20e/day=2024-02-01/b.parquet", parts[1])):
        os.makedirs(os.path.dirname(os.path.join(root, "datasets", "trips", rel)), exist_ok=True)
        with open(os.path.join(trips, src), "rb") as f, open(os.path.join(root, "datasets", "trips", rel), "wb") as o:
            o.write(f.read())
    open(os.path.join(root, "datasets", "trips", "_SUCCESS"), "w").close()
    vol = os.path.join(root, "volumes", "docs")
    os.makedirs(os.path.join(vol, "sub"), exist_ok=True)
    for rel, content in {"readme.md": b"# docs\n", "sub/data.bin": os.urandom(2048)}.items():
        with open(os.path.join(vol, rel), "wb") as f:
            f.write(content)
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    # The log names "part=b/b c.parquet" %-encoded, as Spark writes it.
    log1 = "tables/events/_delta_log/%020d.json" % 0
    out[log1] = out[log1].replace(b'"part=b/b c.parquet"', b'"part%3Db/b%20c.parquet"')
    return out


@pytest.fixture(scope="module")
def objects(tmp_path_factory):
    return local_tree(str(tmp_path_factory.mktemp("cloud_src")))


@pytest.fixture(scope="module")
def s3(objects):
    em = stohelp.Emulator(lambda port, tmp: [
        "node", "--openssl-legacy-provider", os.path.join(stohelp.HERE, "s3_front.mjs"), tmp, BUCKET],
        "s3rver", port_from_stdout=True)
    try:
        endpoint = "http://127.0.0.1:%d" % em.port
        stohelp.node_run("s3_upload.mjs", json.dumps({
            "endpoint": endpoint, "bucket": BUCKET,
            "objects": {"lake/" + k: base64.b64encode(v).decode() for k, v in objects.items()}}))
        yield endpoint
    finally:
        em.stop()


@pytest.fixture(scope="module")
def azure(objects):
    em = stohelp.Emulator(lambda port, tmp: [
        os.path.join(stohelp.NODE_BIN, "azurite-blob"), "--blobHost", "127.0.0.1",
        "--blobPort", str(port), "--location", tmp, "--silent", "--skipApiVersionCheck",
        "--disableTelemetry"], "azurite")
    try:
        endpoint = "http://127.0.0.1:%d/%s" % (em.port, AZ_ACCOUNT)
        out = json.loads(stohelp.node_run("az_client.mjs", json.dumps({
            "op": "upload", "endpoint": endpoint, "account": AZ_ACCOUNT, "key": AZ_KEY,
            "container": AZ_CONTAINER, "others": [],
            "objects": {k: base64.b64encode(v).decode() for k, v in objects.items()},
            "other_objects": {}})))
        assert out.get("ok"), out
        yield endpoint
    finally:
        em.stop()


GCS_EMAIL = "sharer@test-project.iam.gserviceaccount.com"
GCS_BUCKET = "gbucket"


@pytest.fixture(scope="module")
def gcs(objects):
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    import fake_gcs
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode()
    f = fake_gcs.FakeGcs(k.public_key(), GCS_EMAIL, GCS_BUCKET,
                         {"lake/" + name: data for name, data in objects.items()})
    key_json = json.dumps({"type": "service_account", "project_id": "test-project",
                           "client_email": GCS_EMAIL, "private_key_id": "abc", "private_key": pem})
    yield f, key_json
    f.stop()


@pytest.fixture(scope="module")
def sts():
    sys.path.insert(0, str(HERE))
    pytest.importorskip("botocore")
    import test_storage_sts as fake   # the botocore-verified fake STS
    # The provider's key must also open the S3 emulator, whose front accepts S3RVER only:
    # the fake STS is told to expect that key for this module and restored afterwards.
    saved = fake.KEY_ID, fake.SECRET
    fake.KEY_ID, fake.SECRET = "S3RVER", "S3RVER"
    srv = ThreadingHTTPServer(("127.0.0.1", 0), fake.FakeSts)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield fake, "http://127.0.0.1:%d" % srv.server_address[1]
    finally:
        srv.shutdown()
        fake.KEY_ID, fake.SECRET = saved


@pytest.fixture(scope="module")
def server(tmp_path_factory, s3, azure, gcs, sts):
    fake, sts_url = sts
    fgcs, gcs_key = gcs
    root = tmp_path_factory.mktemp("cloud_server")
    cfg = root / "config.yaml"
    s3_opts = json.dumps({"endpoint": s3, "region": "us-east-1", "path_style": "true",
                          "role_arn": fake.ROLE, "sts_endpoint": sts_url})
    az_opts = json.dumps({"endpoint": azure})
    gcs_opts = json.dumps({"endpoint": fgcs.endpoint, "token_uri": fgcs.token_uri, "sts_uri": fgcs.sts_uri})
    cfg.write_text(f"""
storage:
  - {{name: s3lake, uri: 's3://{BUCKET}/lake', secret: {{env: S3_SECRET}}, options: {s3_opts}}}
  - {{name: azlake, uri: 'abfss://{AZ_CONTAINER}@{AZ_ACCOUNT}.dfs.core.windows.net/', secret: {{env: AZ_SECRET}}, options: {az_opts}}}
  - {{name: gcslake, uri: 'gs://{GCS_BUCKET}/lake', secret: {{env: GCS_SECRET}}, options: {gcs_opts}}}
shares:
  - name: cloud
    schemas:
      - name: s3
        tables: [{{name: events, location: 's3://{BUCKET}/lake/tables/events', history_shared: true}},
                 {{name: trips, location: 's3://{BUCKET}/lake/datasets/trips', format: parquet}}]
        volumes: [{{name: docs, location: 's3://{BUCKET}/lake/volumes/docs'}}]
      - name: az
        tables: [{{name: events, location: 'abfss://{AZ_CONTAINER}@{AZ_ACCOUNT}.dfs.core.windows.net/tables/events'}},
                 {{name: trips, location: 'abfss://{AZ_CONTAINER}@{AZ_ACCOUNT}.dfs.core.windows.net/datasets/trips', format: parquet}}]
        volumes: [{{name: docs, location: 'abfss://{AZ_CONTAINER}@{AZ_ACCOUNT}.dfs.core.windows.net/volumes/docs'}}]
      - name: gcs
        tables: [{{name: events, location: 'gs://{GCS_BUCKET}/lake/tables/events'}},
                 {{name: trips, location: 'gs://{GCS_BUCKET}/lake/datasets/trips', format: parquet}}]
        volumes: [{{name: docs, location: 'gs://{GCS_BUCKET}/lake/volumes/docs'}}]
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: cloud, recipients: [r]}}]
""")
    env = {"TOK": TOKEN,
           "S3_SECRET": json.dumps({"access_key_id": fake.KEY_ID, "secret_access_key": fake.SECRET,
                                    "session_token": fake.TOKEN}),
           "AZ_SECRET": json.dumps({"account_key": AZ_KEY}),
           "GCS_SECRET": gcs_key}
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env=env).start()
    yield s
    rc = s.stop()
    logs = s.stderr
    for secret in (fake.SECRET, AZ_KEY, TOKEN):
        assert secret not in logs
    assert rc == 0, logs[-3000:]


def call(server, method, path, **kw):
    return requests.request(method, server.url("/shares/cloud/schemas" + path),
                            headers={"Authorization": "Bearer " + TOKEN}, timeout=30, **kw)


def ndjson(r):
    assert r.status_code == 200, r.text
    return [json.loads(l) for l in r.text.splitlines()]


@pytest.mark.parametrize("schema", ["s3", "az", "gcs"])
def test_table_query_and_downloads(server, objects, schema):
    ls = ndjson(call(server, "POST", "/%s/tables/events/query" % schema, data="{}"))
    files = [l["file"] for l in ls if "file" in l]
    got = sorted(requests.get(f["url"], timeout=30).content for f in files)
    want = sorted([objects["tables/events/part=b/b c.parquet"], objects["tables/events/d.parquet"]])
    assert got == want
    # Altering one character of a URL gets it refused by the storage itself.
    url = files[0]["url"]
    marker = next(m for m in ("X-Goog-Signature=", "X-Amz-Signature=", "sig=") if m in url)
    i = url.index(marker) + len(marker) + 2
    # A different digit in any case: hex signatures may be compared case-insensitively.
    bad = url[:i] + ("0" if url[i] != "0" else "1") + url[i + 1:]
    assert requests.get(bad, timeout=30).status_code == 403
    tables = call(server, "GET", "/%s/tables" % schema).json()["items"]
    assert "url" in tables[0]["accessModes"]


@pytest.mark.parametrize("schema", ["s3", "az", "gcs"])
def test_parquet_dataset(server, objects, schema):
    """A Parquet dataset on cloud storage: listed recursively, footers read by range, files signed."""
    ls = ndjson(call(server, "POST", "/%s/tables/trips/query" % schema, data="{}"))
    meta = ls[1]["metaData"]
    assert meta["partitionColumns"] == ["region", "day"]
    types = {f["name"]: f["type"] for f in json.loads(meta["schemaString"])["fields"]}
    assert types["day"] == "date" and types["region"] == "string"
    files = [l["file"] for l in ls if "file" in l]
    got = sorted((f["partitionValues"]["region"], requests.get(f["url"], timeout=30).content) for f in files)
    assert got == [("eu", objects["datasets/trips/region=eu/day=2024-01-31/a.parquet"]),
                   ("us e", objects["datasets/trips/region=us%20e/day=2024-02-01/b.parquet"])]
    assert all(json.loads(f["stats"])["numRecords"] > 0 for f in files)


@pytest.mark.parametrize("schema", ["s3", "az", "gcs"])
def test_volume_files(server, objects, schema):
    r = call(server, "GET", "/%s/volumes/docs/files" % schema)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["path"] for i in items] == ["readme.md", "sub/data.bin"]
    for i in items:
        assert requests.get(i["url"], timeout=30).content == objects["volumes/docs/" + i["path"]]


def test_s3_dir_credentials_from_sts(server, sts):
    fake, _ = sts
    r = call(server, "POST", "/s3/volumes/docs/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["awsTempCredentials"] == {"accessKeyId": fake.ISSUED["AccessKeyId"],
                                          "secretAccessKey": fake.ISSUED["SecretAccessKey"],
                                          "sessionToken": fake.ISSUED["SessionToken"]}
    assert isinstance(body["expirationTime"], int)
    policy = json.loads(fake.FakeSts.calls[-1]["Policy"])
    text = json.dumps(policy)
    assert "arn:aws:s3:::%s/lake/volumes/docs/*" % BUCKET in text and "s3:PutObject" not in text
    r = call(server, "POST", "/s3/tables/events/temporary-table-credentials",
             data=json.dumps({"location": "s3://%s/lake/tables/events/" % BUCKET}))
    assert r.status_code == 200, r.text
    assert r.json()["credentials"]["location"] == "s3://%s/lake/tables/events" % BUCKET
    r = call(server, "POST", "/s3/tables/events/temporary-table-credentials",
             data=json.dumps({"location": "s3://%s/lake/elsewhere" % BUCKET}))
    assert r.status_code == 400
    modes = call(server, "GET", "/s3/volumes/docs").json()["accessModes"]
    assert modes == ["url", "dir"]


def test_azure_dir_sas(server):
    r = call(server, "POST", "/az/volumes/docs/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    sas = r.json()["azureUserDelegationSas"]["sasToken"]
    assert "sp=rl" in sas and "sig=" in sas


def test_gcs_downscoped_token(server):
    r = call(server, "POST", "/gcs/volumes/docs/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"gcpOauthToken", "expirationTime"} and body["gcpOauthToken"]["oauthToken"]
