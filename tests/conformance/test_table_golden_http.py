"""test_table_golden_http.py - every readable Spark-written golden table served over the protocol:
the files a recipient gets through `query` (both response formats) and downloads through the
pre-signed URLs equal, byte for byte, the active files of an independent replay of the log."""
import collections
import hashlib
import json
import os
import re
import sys
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "delta"))
sys.path.insert(0, str(HERE.parent / "integration"))
import common  # noqa: E402
import oracle  # noqa: E402
from osserver import Server  # noqa: E402

GOLDEN = common.GOLDEN
TOKEN = "golden-reader-token-0123456789"
FEATURES = "deletionvectors,columnmapping,timestampntz,typewidening,typewidening-preview,varianttype," \
           "varianttype-preview,domainmetadata,rowtracking,v2checkpoint,vacuumprotocolcheck,icebergcompatv1"


def table_name(rel):
    return re.sub(r"[^A-Za-z0-9_+-]", "_", rel)


def servable(rel):
    """Tables whose latest snapshot a reader can build and whose files are all here."""
    table = str(GOLDEN / rel)
    vs = oracle.commit_versions(table)
    if not vs or vs[0] != 0 or oracle.has_gap(table, vs[-1]):
        return False
    proto, meta, active = oracle.snapshot(table, vs[-1])
    if proto is None or meta is None or proto.get("minReaderVersion", 1) > 3:
        return False
    for key, add in active.items():
        p = key[0]
        if p.startswith("/") or "://" in add["path"] or not os.path.isfile(os.path.join(table, p)):
            return False
    return True


TABLES = [t for t in common.tables() if servable(t)]
pytestmark = pytest.mark.skipif(not TABLES, reason=f"shared test data absent: no golden tables at {GOLDEN}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("golden_http")
    tables = "\n".join("          - {name: '%s', location: 'file://%s/%s', history_shared: true}"
                       % (table_name(t), GOLDEN, t) for t in TABLES)
    cfg = root / "config.yaml"
    cfg.write_text(f"""
storage: [{{name: golden, uri: 'file://{GOLDEN}'}}]
shares:
  - name: golden
    schemas:
      - name: spark
        tables:
{tables}
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: golden, recipients: [r]}}]
""")
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env={"TOK": TOKEN}).start()
    yield s
    s.stop()


def digest(b):
    return hashlib.sha256(b).hexdigest()


def query(server, rel, caps):
    r = requests.post(server.url("/shares/golden/schemas/spark/tables/%s/query" % table_name(rel)),
                      headers={"Authorization": "Bearer " + TOKEN, "delta-sharing-capabilities": caps},
                      data="{}", timeout=60)
    return r


@pytest.mark.parametrize("rel", TABLES)
def test_served_files_equal_the_replay(server, rel):
    table = str(GOLDEN / rel)
    latest = oracle.commit_versions(table)[-1]
    proto, meta, active = oracle.snapshot(table, latest)
    r = query(server, rel, "responseformat=delta;readerfeatures=" + FEATURES)
    assert r.status_code == 200, r.text
    assert r.headers["Delta-Table-Version"] == str(latest)
    lines = [json.loads(l) for l in r.text.splitlines()]
    assert lines[1]["metaData"]["deltaMetadata"]["id"] == meta["id"]
    adds = [l["file"]["deltaSingleAction"]["add"] for l in lines[2:]]
    assert len(adds) == len(active)
    expected = collections.Counter()
    for key, add in active.items():
        with open(os.path.join(table, key[0]), "rb") as f:
            body = f.read()
        expected[(digest(body), json.dumps(add.get("partitionValues") or {}, sort_keys=True),
                  add.get("stats"), bool(add.get("deletionVector")))] += 1
    got = collections.Counter()
    for a in adds:
        body = requests.get(a["path"], timeout=30).content
        assert len(body) == a["size"]
        got[(digest(body), json.dumps(a["partitionValues"], sort_keys=True), a.get("stats"),
             "deletionVector" in a)] += 1
    assert got == expected
    # A table with no reader features is also served in the parquet format, with the same files.
    # (Features the server handles itself, like v2 checkpoints, need nothing from the client.)
    server_side = {"v2checkpoint", "vacuumprotocolcheck", "checkpointprotocol"}
    needs = proto.get("minReaderVersion", 1) == 2 or any(
        f.lower() not in server_side for f in proto.get("readerFeatures") or [])
    r = query(server, rel, "responseformat=parquet")
    if needs:
        assert r.status_code == 400
    else:
        assert r.status_code == 200, r.text
        files = [json.loads(l)["file"] for l in r.text.splitlines()[2:]]
        assert sorted(f["size"] for f in files) == sorted(a["size"] for a in adds)
