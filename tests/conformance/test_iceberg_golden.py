"""test_iceberg_golden.py - the Spark- and PyIceberg-written golden Iceberg tables read through
`inspect iceberg` and through the Delta Sharing API, against an independent reading: metadata
JSON by Python, manifests by avsc, row counts and values by DuckDB over the Parquet files."""
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "iceberg"))
sys.path.insert(0, str(HERE / "delta"))
sys.path.insert(0, str(HERE.parent / "integration"))
import common  # noqa: E402
import ice_oracle as oracle  # noqa: E402
from osserver import Server  # noqa: E402

GOLDEN = oracle.GOLDEN
TABLES = oracle.golden_tables()
TOKEN = "iceberg-golden-reader-token-0123"
pytestmark = pytest.mark.skipif(not TABLES, reason=f"no golden Iceberg tables at {GOLDEN} "
                                "(../shared/testdata is absent in this clone)")


def table_name(rel):
    return re.sub(r"[^A-Za-z0-9_+-]", "_", rel)


def expected(rel):
    """(metadata, version, data files, delete files) of the current snapshot, or the error the
    oracle met (a path outside the table's location)."""
    d = str(GOLDEN / rel)
    mf = oracle.current_metadata_file(d)
    meta = oracle.load_json(mf)
    vs = oracle.versions(meta)
    if not vs:
        return meta, 0, [], []
    version, snap = vs[-1]
    data, deletes = oracle.snapshot_files(d, meta, snap)
    return meta, version, data, deletes


ORACLE = {}
for _rel in TABLES:
    try:
        ORACLE[_rel] = expected(_rel)
    except (ValueError, json.JSONDecodeError) as _e:
        ORACLE[_rel] = _e


def expected_words(exc):
    """What our message must say for a table the oracle could not read either."""
    return "too big integer" if "too big integer" in str(exc) else "outside"


def inspect(rel, *args):
    p = subprocess.run([common.binary(), "inspect", "iceberg", str(GOLDEN / rel), *args],
                       capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


@pytest.mark.parametrize("rel", TABLES)
def test_inspect_counts_equal_the_oracle(rel):
    rc, out, err = inspect(rel, "--count", "--json", "--deletes")
    exp = ORACLE[rel]
    if isinstance(exp, Exception):
        assert rc == 1 and expected_words(exp) in err, (out, err)
        return
    assert rc == 0, err
    got = json.loads(out)["count"]
    _, _, data, deletes = exp
    assert got["dataFiles"] == len(data)
    assert got["records"] == sum(f["records"] for f in data)
    assert got["bytes"] == sum(f["size"] for f in data)
    assert got["deleteFiles"] == len(deletes)


@pytest.mark.parametrize("rel", TABLES)
def test_inspect_files_list_the_same_paths(rel):
    exp = ORACLE[rel]
    if isinstance(exp, Exception):
        pytest.skip("the table refers to files outside its location")
    rc, out, err = inspect(rel, "--files", "--json", "--deletes")
    assert rc == 0, err
    files = [json.loads(l)["file"] for l in out.splitlines() if l.startswith('{"file"')]
    _, _, data, deletes = exp
    assert sorted(f["path"] for f in files) == sorted(f["path"] for f in data + deletes)
    for f in files:
        assert os.path.join(str(GOLDEN / rel), f["key"]) in {x["local"] for x in data + deletes}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("iceberg_http")
    tables = "\n".join("          - {name: '%s', location: 'file://%s/%s', format: iceberg, history_shared: true}"
                       % (table_name(t), GOLDEN, t) for t in TABLES)
    cfg = root / "config.yaml"
    cfg.write_text(f"""
storage: [{{name: golden, uri: 'file://{GOLDEN}'}}]
shares:
  - name: ice
    schemas:
      - name: golden
        tables:
{tables}
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: ice, recipients: [r]}}]
""")
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env={"TOK": TOKEN}).start()
    yield s
    s.stop()


def call(server, method, rel, suffix, caps=None, body=None):
    h = {"Authorization": "Bearer " + TOKEN}
    if caps:
        h["delta-sharing-capabilities"] = caps
    url = server.url("/shares/ice/schemas/golden/tables/%s%s" % (table_name(rel), suffix))
    return requests.request(method, url, headers=h, data=body, timeout=120)


def has_ntz(schema):
    """Whether an Iceberg type holds a timestamp without zone anywhere."""
    if isinstance(schema, str):
        return schema in ("timestamp", "timestamp_ns")
    if isinstance(schema, dict):
        return any(has_ntz(schema.get(k)) for k in ("type", "element", "key", "value")) or \
            any(has_ntz(f) for f in schema.get("fields") or [])
    return False


def current_schema(meta):
    if "schemas" in meta:
        return next(s for s in meta["schemas"] if s["schema-id"] == meta["current-schema-id"])
    return meta["schema"]


DUCK_ROWS = {}


def duck_rows(rel, files):
    """Rows of the table's data files counted by DuckDB (one run for all tables)."""
    if rel not in DUCK_ROWS:
        jobs, keys = [], []
        for r, exp in ORACLE.items():
            if isinstance(exp, Exception) or not exp[2] or exp[3]:
                continue
            lst = ", ".join("'%s'" % f["local"].replace("'", "''") for f in exp[2])
            jobs.append("SELECT count(*) FROM read_parquet([%s])" % lst)
            keys.append(r)
        with open(HERE / "iceberg" / ".duck_jobs.json", "w") as f:
            json.dump(jobs, f)
        p = subprocess.run(["node", str(HERE / "delta" / "duck.mjs"), str(HERE / "iceberg" / ".duck_jobs.json")],
                           capture_output=True, timeout=300, cwd=str(HERE))
        os.unlink(HERE / "iceberg" / ".duck_jobs.json")
        assert p.returncode == 0, p.stderr.decode()
        for k, line in zip(keys, p.stdout.decode().splitlines()):
            res = json.loads(line)
            DUCK_ROWS[k] = int(res["rows"][0][0]) if "rows" in res else res["error"]
    return DUCK_ROWS.get(rel)


@pytest.mark.parametrize("rel", TABLES)
def test_served_through_delta_sharing(server, rel):
    exp = ORACLE[rel]
    r = call(server, "GET", rel, "")
    assert r.status_code == 200 and r.json()["format"] == "iceberg", r.text
    feats = "responseformat=delta;readerfeatures=columnmapping,timestampntz"
    if isinstance(exp, Exception):
        # Refused before the answer starts, or, when the bad path is only met while streaming,
        # the chunked answer is cut without its last chunk: never a complete-looking answer.
        try:
            r = call(server, "POST", rel, "/query", feats, "{}")
        except requests.exceptions.ChunkedEncodingError:
            return
        assert r.status_code >= 400 and expected_words(exp) in r.json()["message"], r.text
        return
    meta, version, data, deletes = exp
    r = call(server, "GET", rel, "/version")
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == str(version)
    r = call(server, "POST", rel, "/query", feats, "{}")
    if deletes:
        assert r.status_code == 400, r.text
        assert r.json()["errorCode"] == "FEATURE_NOT_SUPPORTED"
        assert "delete file" in r.json()["message"]
        return
    assert r.status_code == 200, r.text
    assert r.headers["Delta-Table-Version"] == str(version)
    lines = [json.loads(l) for l in r.text.splitlines()]
    dm = lines[1]["metaData"]["deltaMetadata"]
    assert dm["id"] == meta.get("table-uuid", dm["id"])
    schema = json.loads(dm["schemaString"])
    ice = current_schema(meta)
    assert [f["name"] for f in schema["fields"]] == [f["name"] for f in ice["fields"]]
    assert [f["metadata"]["delta.columnMapping.id"] for f in schema["fields"]] == [f["id"] for f in ice["fields"]]
    adds = [l["file"]["deltaSingleAction"]["add"] for l in lines[2:]]
    assert len(adds) == len(data)
    assert sum(json.loads(a["stats"])["numRecords"] for a in adds) == sum(f["records"] for f in data)
    want = sorted(hashlib.sha256(open(f["local"], "rb").read()).hexdigest() for f in data)
    got = sorted(hashlib.sha256(requests.get(a["path"], timeout=30).content).hexdigest() for a in adds)
    assert got == want
    if data:
        assert duck_rows(rel, data) == sum(f["records"] for f in data)
    # The parquet format serves the same files unless a timestamp without zone needs the delta format.
    r = call(server, "POST", rel, "/query", "responseformat=parquet", "{}")
    if has_ntz(current_schema(meta)):
        assert r.status_code == 400 and "timestampNtz" in r.json()["message"], r.text
    else:
        assert r.status_code == 200, r.text
        files = [json.loads(l)["file"] for l in r.text.splitlines()[2:]]
        assert len(files) == len(data)


@pytest.mark.parametrize("rel", TABLES)
def test_changes_over_append_snapshots(server, rel):
    exp = ORACLE[rel]
    if isinstance(exp, Exception):
        pytest.skip("the table refers to files outside its location")
    meta = exp[0]
    vs = oracle.versions(meta)
    if not vs:
        pytest.skip("no snapshot")
    r = call(server, "GET", rel, "/changes?startingVersion=%d" % vs[0][0],
             "responseformat=delta;readerfeatures=columnmapping,timestampntz")
    ops = [s.get("summary", {}).get("operation", "append") for _, s in vs]
    if any(op not in ("append", "replace") for op in ops):
        assert r.status_code == 400, r.text
        assert "not an append" in r.json()["message"]
        return
    assert r.status_code == 200, r.text
    lines = [json.loads(l) for l in r.text.splitlines()]
    adds = [dict(l["file"]["deltaSingleAction"]["add"], version=l["file"]["version"])
            for l in lines if "file" in l]
    d = str(GOLDEN / rel)
    want = []
    for v, s in vs:
        if s.get("summary", {}).get("operation", "append") != "append":
            continue
        data, _ = oracle.snapshot_files(d, meta, s)
        want += [(v, f["records"]) for f in data if f["status"] == 1 and int(f["snapshot_id"] or s["snapshot-id"]) == s["snapshot-id"]]
    got = [(a["version"], json.loads(a["stats"])["numRecords"]) for a in adds]
    assert sorted(got) == sorted(want)
