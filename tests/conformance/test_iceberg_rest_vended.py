"""test_iceberg_rest_vended.py - loadTable with vended credentials, read as an engine would: a small
Iceberg table (written by hyparquet-writer and avsc, recorded at its s3:// location) on s3rver
behind a SigV4-verifying front, its credentials from a fake STS that verifies the server's SigV4
signature; iceberg-js loads it, @aws-sdk/client-s3 reads the metadata, manifest list, manifests
and data files with the vended keys only, avsc decodes the manifests and DuckDB counts the rows.
The same table on azurite is read with the vended SAS through @azure/storage-blob."""
import base64
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "storage"))
sys.path.insert(0, str(HERE / "iceberg"))
sys.path.insert(0, str(HERE.parent / "integration"))
import ice_oracle as oracle  # noqa: E402
import stohelp  # noqa: E402
from osserver import Server  # noqa: E402

pytest.importorskip("botocore")
import test_storage_sts as fake  # noqa: E402  (the botocore-verified fake STS)

ADMIN = "iceberg-vended-admin-token-0123456789"
BUCKET = "ice-bucket"
S3_LOC = "s3://%s/warehouse/sales/orders" % BUCKET
AZ_ACCOUNT = "devstoreaccount1"
AZ_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZ_CONTAINER = "lake"
AZ_HOST = "%s.dfs.core.windows.net" % AZ_ACCOUNT
AZ_LOC = "abfss://%s@%s/warehouse/sales/orders" % (AZ_CONTAINER, AZ_HOST)
# A golden table (written by Spark, paths relative to where it was written) when ../shared has it:
# uploaded under its recorded location's path, so its recorded paths are keys of the bucket.
GOLDEN_REL = "partition_integer"
GOLDEN_DIR = oracle.GOLDEN / GOLDEN_REL
GOLDEN_OK = (GOLDEN_DIR / "metadata").is_dir()


def golden_layout():
    """(metadata file, metadata, the S3 location it is uploaded to)."""
    mf = oracle.current_metadata_file(str(GOLDEN_DIR))
    meta = oracle.load_json(mf)
    return mf, meta, "s3://%s/%s" % (BUCKET, oracle._strip(meta["location"]).rstrip("/"))


# What the fake STS issues: one set for loadTable, another for the refresh that follows.
FIRST = dict(fake.ISSUED)
FRESH = {"AccessKeyId": "ASIAREFRESHED", "SecretAccessKey": "fresh/secret+value==",
         "SessionToken": "FwoGZXIvYXdzE-fresh-token", "Expiration": "2031-05-06T07:08:09Z"}


def node(script, *args, timeout=120):
    p = subprocess.run(["node", str(HERE / "iceberg" / script), *args], capture_output=True, timeout=timeout,
                       cwd=str(HERE))
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    return json.loads(p.stdout)


def generate(tmp, location):
    """Writes the table recorded at location; returns (layout, {key: bytes})."""
    shutil.rmtree(tmp, ignore_errors=True)
    info = node("gen_table.mjs", str(tmp), location)
    files = {}
    for dirpath, _, names in os.walk(tmp):
        for n in names:
            p = os.path.join(dirpath, n)
            files[os.path.relpath(p, tmp)] = Path(p).read_bytes()
    return info, files


@pytest.fixture(scope="module")
def s3_table(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("gen") / "s3", S3_LOC)


@pytest.fixture(scope="module")
def az_table(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("gen") / "az", AZ_LOC)


@pytest.fixture(scope="module")
def sts():
    # The provider's key must also open the S3 emulator, whose front knows S3RVER: the fake STS
    # expects that key for this module (restored afterwards, with what it issues).
    saved = fake.KEY_ID, fake.SECRET, fake.ISSUED
    fake.KEY_ID, fake.SECRET = "S3RVER", "S3RVER"
    srv = ThreadingHTTPServer(("127.0.0.1", 0), fake.FakeSts)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield "http://127.0.0.1:%d" % srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()
        fake.KEY_ID, fake.SECRET, fake.ISSUED = saved


@pytest.fixture(scope="module")
def s3(s3_table):
    # The front verifies every signature; the keys the STS issues open it only with their token.
    keys = {c["AccessKeyId"]: {"secret": c["SecretAccessKey"], "token": c["SessionToken"]} for c in (FIRST, FRESH)}
    em = stohelp.Emulator(lambda port, tmp: [
        "node", "--openssl-legacy-provider", os.path.join(stohelp.HERE, "s3_front.mjs"), tmp, BUCKET],
        "s3rver", port_from_stdout=True, env={"S3_FRONT_KEYS": json.dumps(keys)})
    try:
        endpoint = "http://127.0.0.1:%d" % em.port
        prefix = S3_LOC.split("/", 3)[3]
        objects = {prefix + "/" + k: base64.b64encode(v).decode() for k, v in s3_table[1].items()}
        if GOLDEN_OK:
            gprefix = golden_layout()[2].split("/", 3)[3]
            for dirpath, _, names in os.walk(GOLDEN_DIR):
                for n in names:
                    p = os.path.join(dirpath, n)
                    objects[gprefix + "/" + os.path.relpath(p, GOLDEN_DIR)] = \
                        base64.b64encode(Path(p).read_bytes()).decode()
        stohelp.node_run("s3_upload.mjs", json.dumps({"endpoint": endpoint, "bucket": BUCKET, "objects": objects}))
        yield endpoint
    finally:
        em.stop()


@pytest.fixture(scope="module")
def azure(az_table):
    em = stohelp.Emulator(lambda port, tmp: [
        os.path.join(stohelp.NODE_BIN, "azurite-blob"), "--blobHost", "127.0.0.1", "--blobPort", str(port),
        "--location", tmp, "--silent", "--skipApiVersionCheck", "--disableTelemetry"], "azurite")
    try:
        endpoint = "http://127.0.0.1:%d/%s" % (em.port, AZ_ACCOUNT)
        prefix = AZ_LOC.split("/", 3)[3]
        out = json.loads(stohelp.node_run("az_client.mjs", json.dumps({
            "op": "upload", "endpoint": endpoint, "account": AZ_ACCOUNT, "key": AZ_KEY,
            "container": AZ_CONTAINER, "others": [],
            "objects": {prefix + "/" + k: base64.b64encode(v).decode() for k, v in az_table[1].items()}})))
        assert out.get("ok"), out
        yield endpoint
    finally:
        em.stop()


@pytest.fixture(scope="module")
def env(tmp_path_factory, s3, azure, sts):
    root = tmp_path_factory.mktemp("iceberg_vended")
    s3_opts = json.dumps({"endpoint": s3, "region": "eu-west-3", "path_style": "true",
                          "role_arn": fake.ROLE, "sts_endpoint": sts})
    golden = ("          - {name: golden, location: '%s', format: iceberg}\n" % golden_layout()[2]
              if GOLDEN_OK else "")
    cfg = root / "config.yaml"
    cfg.write_text(f"""
admins: [{{name: ops, token: {{env: ADM}}}}]
storage:
  - {{name: s3lake, uri: 's3://{BUCKET}', secret: {{env: S3_SECRET}}, options: {s3_opts}}}
  - {{name: azlake, uri: 'abfss://{AZ_CONTAINER}@{AZ_HOST}/', secret: {{env: AZ_SECRET}}, options: {json.dumps({"endpoint": azure})}}}
shares:
  - name: ice
    schemas:
      - name: sales
        tables:
          - {{name: orders, location: '{S3_LOC}', format: iceberg}}
          - {{name: az_orders, location: '{AZ_LOC}', format: iceberg}}
{golden}""")
    secrets = {"S3_SECRET": json.dumps({"access_key_id": "S3RVER", "secret_access_key": "S3RVER",
                                        "session_token": fake.TOKEN}),
               "AZ_SECRET": json.dumps({"account_key": AZ_KEY}), "ADM": ADMIN}
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env=secrets).start()
    admin = s.stdout.split("opensharing: admin API ", 1)[1].split()[0].rstrip("/")
    h = {"Authorization": "Bearer " + ADMIN}
    r = requests.post(admin + "/recipients", json={"name": "acme"}, headers=h, timeout=10)
    assert r.status_code == 201, r.text
    profile = requests.get(r.json()["token"]["activation_url"], timeout=10).json()
    r = requests.patch(admin + "/shares/ice/permissions",
                       json={"changes": [{"principal": "acme", "add": ["SELECT"]}]}, headers=h, timeout=10)
    assert r.status_code == 200, r.text
    yield {"server": s, "profile": profile, "out": root}
    rc = s.stop()
    for secret in (AZ_KEY, FIRST["SecretAccessKey"], FRESH["SecretAccessKey"], FIRST["SessionToken"],
                   FRESH["SessionToken"], "sig="):
        assert secret not in s.stderr
    assert rc == 0, s.stderr[-3000:]


def client(env, name, **job):
    out = env["out"] / ("reads-" + name)
    out.mkdir(exist_ok=True)
    job.update(baseUrl=env["profile"]["icebergEndpoint"], token=env["profile"]["bearerToken"], warehouse="ice",
               namespace="sales", outDir=str(out))
    path = env["out"] / ("job-%s.json" % name)
    path.write_text(json.dumps(job))
    return node("vended_client.mjs", str(path))


def duck(sql):
    path = Path(os.environ.get("TMPDIR", "/tmp")) / (".duck-%d.json" % os.getpid())
    path.write_text(json.dumps([sql]))
    try:
        p = subprocess.run(["node", str(HERE / "delta" / "duck.mjs"), str(path)], capture_output=True, timeout=120,
                           cwd=str(HERE))
    finally:
        path.unlink()
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout.splitlines()[0])


S3_KEYS = {"s3.access-key-id", "s3.secret-access-key", "s3.session-token", "s3.session-token-expires-at-ms",
           "s3.endpoint", "s3.region", "client.region", "s3.path-style-access"}


def s3_config(issued, endpoint):
    return {"s3.access-key-id": issued["AccessKeyId"], "s3.secret-access-key": issued["SecretAccessKey"],
            "s3.session-token": issued["SessionToken"], "s3.endpoint": endpoint, "s3.region": "eu-west-3",
            "client.region": "eu-west-3", "s3.path-style-access": "true",
            "s3.session-token-expires-at-ms": str(oracle_ms(issued["Expiration"]))}


def oracle_ms(iso):
    from datetime import datetime, timezone
    return int(datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() * 1000)


def credentials_url(env, table):
    return "%s/v1/shares/ice/namespaces/sales/tables/%s/credentials" % (env["profile"]["icebergEndpoint"], table)


def test_s3_vended_credentials_read_the_table(env, s3, s3_table):
    info, files = s3_table
    fake.ISSUED = FIRST
    calls = len(fake.FakeSts.calls)
    out = client(env, "s3", table="orders", vended=True)
    assert "fatal" not in out, out
    res = out["result"]
    assert res["metadata-location"] == S3_LOC + "/" + info["metadata"]
    want = s3_config(FIRST, s3)
    cfg = res["config"]
    assert cfg["client.refresh-credentials-endpoint"] == credentials_url(env, "orders")
    assert {k: cfg[k] for k in S3_KEYS} == want
    assert set(cfg) == S3_KEYS | {"client.refresh-credentials-endpoint"}
    assert res["storage-credentials"] == [{"prefix": S3_LOC, "config": want}]

    # One AssumeRole, its session policy scoped to the table's prefix.  s3rver does not evaluate
    # session policies, so "nothing outside the table" is asserted here, on the policy document
    # the STS received, not on s3rver's answers.
    assert len(fake.FakeSts.calls) == calls + 1
    form = fake.FakeSts.calls[-1]
    assert form["RoleArn"] == fake.ROLE and form["Action"] == "AssumeRole"
    prefix = S3_LOC.split("/", 3)[3]
    assert json.loads(form["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::%s/%s/*" % (BUCKET, prefix)]},
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::%s" % BUCKET],
             "Condition": {"StringLike": {"s3:prefix": [prefix + "/", prefix + "/*"]}}}]}

    policy = json.loads(form["Policy"])
    for key in (prefix + "/" + info["metadata"], prefix + "/data/x.parquet"):
        assert allows(policy, "s3:GetObject", "arn:aws:s3:::%s/%s" % (BUCKET, key))
    for key in ("warehouse/sales/secret.txt", prefix + "-other/x", "warehouse/sales/orders"):
        assert not allows(policy, "s3:GetObject", "arn:aws:s3:::%s/%s" % (BUCKET, key)), key
    assert not allows(policy, "s3:PutObject", "arn:aws:s3:::%s/%s/x" % (BUCKET, prefix))

    # The client read, with the vended keys only, every file of the current snapshot.
    kinds = [r["kind"] for r in out["reads"]]
    assert kinds.count("metadata") == 1 and kinds.count("manifest-list") == 1
    assert kinds.count("manifest") == 2 and kinds.count("data") == 2
    for r in out["reads"]:
        assert r["uri"].startswith(S3_LOC + "/")
        assert Path(r["file"]).read_bytes() == files[r["uri"][len(S3_LOC) + 1:]], r["uri"]
    got = {r["uri"][len(S3_LOC) + 1:] for r in out["reads"]}
    assert got == {info["metadata"], info["manifestLists"][-1], *info["manifests"], *(d["key"] for d in info["dataFiles"])}

    # avsc reads the manifest list the client was pointed at; DuckDB reads the data files.
    ml = next(r for r in out["reads"] if r["kind"] == "manifest-list")
    meta = json.loads(files[info["metadata"]])
    assert ml["uri"] == next(s["manifest-list"] for s in meta["snapshots"]
                             if s["snapshot-id"] == meta["current-snapshot-id"])
    listed = avro_dump(ml["file"])
    assert sorted(m["manifest_path"] for m in listed) == sorted(S3_LOC + "/" + k for k in info["manifests"])
    assert sum(int(m["added_rows_count"]) for m in listed) == info["rows"]
    for r in out["reads"]:
        if r["kind"] == "data":
            rows = next(d["rows"] for d in info["dataFiles"] if S3_LOC + "/" + d["key"] == r["uri"])
            assert duck("SELECT count(*) FROM read_parquet('%s')" % r["file"])["rows"] == [[str(rows)]]


def allows(policy, action, resource):
    """Whether an Allow statement of an IAM policy grants action on resource (IAM's '*' wildcard;
    the ListBucket statement's conditions are checked by equality above)."""
    import fnmatch
    return any(st["Effect"] == "Allow" and action in st["Action"] and "Condition" not in st and
               any(fnmatch.fnmatchcase(resource, r) for r in st["Resource"]) for st in policy["Statement"])


def avro_dump(path):
    p = subprocess.run(["node", str(HERE / "iceberg" / "avro_dump.mjs"), path], capture_output=True, timeout=60,
                       cwd=str(HERE))
    assert p.returncode == 0, p.stderr.decode()
    doc = json.loads(p.stdout)
    assert "error" not in doc, doc
    return doc["records"]


def test_refresh_endpoint_vends_fresh_credentials(env, s3, s3_table):
    info, files = s3_table
    fake.ISSUED = FRESH
    try:
        calls = len(fake.FakeSts.calls)
        r = requests.get(credentials_url(env, "orders"),
                         headers={"Authorization": "Bearer " + env["profile"]["bearerToken"]}, timeout=30)
        assert r.status_code == 200, r.text
        assert r.json() == {"storage-credentials": [{"prefix": S3_LOC, "config": s3_config(FRESH, s3)}]}
        assert len(fake.FakeSts.calls) == calls + 1
        assert "%s/%s/*" % (BUCKET, S3_LOC.split("/", 3)[3]) in fake.FakeSts.calls[-1]["Policy"]
    finally:
        fake.ISSUED = FIRST
    # The fresh keys read the table; the first ones without their session token do not.
    uri = S3_LOC + "/" + info["metadata"]
    out = client(env, "fresh", readWith=s3_config(FRESH, s3), uris=[uri])
    assert "fatal" not in out, out
    assert Path(out["reads"][0]["file"]).read_bytes() == files[info["metadata"]]
    stale = s3_config(FIRST, s3)
    del stale["s3.session-token"]
    out = client(env, "stale", readWith=stale, uris=[uri])
    assert out["fatal"]["status"] == 403, out


def test_without_delegation_no_credentials(env, s3_table):
    info, _ = s3_table
    calls = len(fake.FakeSts.calls)
    out = client(env, "plain", table="orders", vended=False)
    assert "fatal" not in out, out
    res = out["result"]
    assert res["metadata-location"] == S3_LOC + "/" + info["metadata"]
    assert res["storage-credentials"] is None
    assert res["config"] == {"client.refresh-credentials-endpoint": credentials_url(env, "orders")}
    assert out["reads"] == [] and len(fake.FakeSts.calls) == calls


def test_table_exists_vends_nothing(env):
    # iceberg-js sends the delegation header with tableExists (HEAD) too: an answer without a
    # body must not cost an AssumeRole nor be audited as vended credentials.
    calls = len(fake.FakeSts.calls)
    out = client(env, "exists", exists=["orders", "az_orders", "nope"], vended=True)
    assert out.get("exists") == {"orders": True, "az_orders": True, "nope": False}, out
    assert len(fake.FakeSts.calls) == calls


@pytest.mark.skipif(not GOLDEN_OK, reason=f"no golden Iceberg table at {GOLDEN_DIR} (../shared/testdata is absent)")
def test_golden_table_on_s3(env, s3):
    mf, meta, loc = golden_layout()
    out = client(env, "golden", table="golden", vended=True)
    assert "fatal" not in out, out
    res = out["result"]
    assert res["metadata-location"] == loc + "/" + os.path.relpath(mf, GOLDEN_DIR)
    [cred] = res["storage-credentials"]
    assert cred["prefix"] == loc and cred["config"] == s3_config(FIRST, s3)
    policy = json.loads(fake.FakeSts.calls[-1]["Policy"])
    assert policy["Statement"][0]["Resource"] == ["arn:aws:s3:::%s/*" % loc[len("s3://"):]]

    def local(uri):   # the golden file a read stands for
        if uri.startswith(loc + "/"):
            return GOLDEN_DIR / uri[len(loc) + 1:]
        return oracle.relocate(str(GOLDEN_DIR), meta["location"], uri)

    kinds = [r["kind"] for r in out["reads"]]
    assert kinds[:2] == ["metadata", "manifest-list"] and "manifest" in kinds
    for r in out["reads"]:
        assert Path(r["file"]).read_bytes() == Path(local(r["uri"])).read_bytes(), r["uri"]
    cur = next(s for s in meta["snapshots"] if s["snapshot-id"] == meta["current-snapshot-id"])
    data, _ = oracle.snapshot_files(str(GOLDEN_DIR), meta, cur)
    reads = [r for r in out["reads"] if r["kind"] == "data"]
    assert sorted(r["uri"] for r in reads) == sorted(d["path"] for d in data)
    files = ", ".join("'%s'" % r["file"] for r in reads)
    assert duck("SELECT count(*) FROM read_parquet([%s])" % files)["rows"] == [[str(sum(d["records"] for d in data))]]


def test_azure_vended_sas_reads_the_metadata(env, azure, az_table):
    info, files = az_table
    out = client(env, "az", table="az_orders", vended=True, azureEndpoint=azure)
    assert "fatal" not in out, out
    res = out["result"]
    assert res["metadata-location"] == AZ_LOC + "/" + info["metadata"]
    [cred] = res["storage-credentials"]
    assert cred["prefix"] == AZ_LOC
    cfg = cred["config"]
    sas = cfg["adls.sas-token." + AZ_HOST]
    assert "sig=" in sas and "sp=rl" in sas
    assert cfg["adls.sas-token.%s.blob.core.windows.net" % AZ_ACCOUNT] == sas
    # The expiry said is the SAS's own (se=), for both hosts.
    from urllib.parse import parse_qs
    se = parse_qs(sas)["se"][0]
    assert cfg["adls.sas-token-expires-at-ms." + AZ_HOST] == str(oracle_ms(se))
    assert cfg["adls.sas-token-expires-at-ms.%s.blob.core.windows.net" % AZ_ACCOUNT] == str(oracle_ms(se))
    assert not any(k.startswith("s3.") for k in cfg)
    assert all(res["config"][k] == v for k, v in cfg.items())
    # The SAS alone read the whole table through @azure/storage-blob.
    assert [r["kind"] for r in out["reads"]].count("data") == 2
    for r in out["reads"]:
        assert Path(r["file"]).read_bytes() == files[r["uri"][len(AZ_LOC) + 1:]], r["uri"]
