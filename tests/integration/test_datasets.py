"""test_datasets.py - Parquet datasets (format: parquet) through the Delta Sharing protocol: versions recorded
by re-listings, time travel across them, changes, both response formats, predicates on Hive partitions,
paging, the admin and CLI refresh, and bad input that fails one table and nothing else."""
import json
import os
import shutil
import subprocess
import time

import pytest
import requests

from admin_util import ADMIN_TOKEN
from osserver import BIN, REPO, Server

TOKEN = "dataset-reader-token-0123456789"
TRIPS = os.path.join(REPO, "examples", "sample", "tables", "trips")
PARTS = sorted(os.path.join(TRIPS, f) for f in os.listdir(TRIPS) if f.endswith(".parquet"))


def put(root, rel, src=PARTS[0]):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    shutil.copyfile(src, path)
    return path


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("datasets"))
    data = os.path.join(root, "data")
    ds = os.path.join(data, "ds")
    put(ds, "region=eu/n=1/a.parquet", PARTS[0])
    put(ds, "region=eu/n=2/b.parquet", PARTS[1])
    put(ds, "region=us/n=1/c.parquet", PARTS[0])
    put(ds, "region=__HIVE_DEFAULT_PARTITION__/n=3/d.parquet", PARTS[1])
    put(ds, "region=a%2Fb/n=4/e%20f.parquet", PARTS[0])
    # hidden and temporary files are no data files
    put(ds, "_temporary/0/x.parquet", PARTS[0])
    put(ds, "region=eu/n=1/.a.parquet.crc", PARTS[0])
    open(os.path.join(ds, "_SUCCESS"), "w").close()
    with open(os.path.join(ds, "region=eu", "n=1", "notes.txt"), "w") as f:
        f.write("not data")
    put(os.path.join(data, "typed"), "n=007/a.parquet", PARTS[0])
    os.makedirs(os.path.join(data, "bad"), exist_ok=True)
    cfg = os.path.join(root, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"""
server: {{dataset_refresh_interval: 3600}}
storage: [{{name: local, uri: 'file://{data}'}}]
shares:
  - name: s
    schemas:
      - name: d
        tables:
          - {{name: ds, location: 'file://{ds}', format: parquet, history_shared: true}}
          - {{name: typed, location: 'file://{data}/typed', format: parquet,
              partition_columns: [{{name: n, type: long}}]}}
          - {{name: bad, location: 'file://{data}/bad', format: parquet}}
admins: [{{name: ops, token: {{env: ADM}}}}]
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: s, recipients: [r]}}]
""")
    s = Server(["--config", cfg, "--data-dir", os.path.join(root, "state")],
               env={"TOK": TOKEN, "ADM": ADMIN_TOKEN}).start()
    s.data = data
    s.ds = ds
    yield s
    s.stop()


def url(env, table, op):
    return env.url(f"/shares/s/schemas/d/tables/{table}/{op}")


def call(env, method, table, op, body=None, caps=None, params=None):
    h = {"Authorization": "Bearer " + TOKEN}
    if caps:
        h["delta-sharing-capabilities"] = caps
    return requests.request(method, url(env, table, op), headers=h, params=params,
                            data=json.dumps(body) if body is not None else None, timeout=30)


def lines(r):
    assert r.status_code == 200, r.text
    return [json.loads(x) for x in r.text.splitlines()]


def refresh(env, table="ds"):
    r = requests.post(env.base + f"/admin/shares/s/schemas/d/tables/{table}/refresh",
                      headers={"Authorization": "Bearer " + ADMIN_TOKEN}, timeout=30)
    return r


def files_of(ls):
    return [l["file"] for l in ls if "file" in l]


def test_first_read_records_version_zero(env):
    r = call(env, "GET", "ds", "version")
    assert r.status_code == 200, r.text
    assert r.headers["Delta-Table-Version"] == "0"
    ls = lines(call(env, "GET", "ds", "metadata"))
    assert ls[0] == {"protocol": {"minReaderVersion": 1}}
    meta = ls[1]["metaData"]
    assert meta["partitionColumns"] == ["region", "n"]
    schema = json.loads(meta["schemaString"])
    names = [f["name"] for f in schema["fields"]]
    assert names[-2:] == ["region", "n"]
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["region"] == "string" and types["n"] == "integer"
    assert types["trip_id"] in ("long", "integer")


def test_query_lists_data_files_with_partitions(env):
    ls = lines(call(env, "POST", "ds", "query", {}))
    fs = files_of(ls)
    assert len(fs) == 5
    parts = sorted((f["partitionValues"]["region"] or "<null>", f["partitionValues"]["n"]) for f in fs)
    assert parts == [("<null>", "3"), ("a/b", "4"), ("eu", "1"), ("eu", "2"), ("us", "1")]
    for f in fs:
        stats = json.loads(f["stats"])
        assert stats["numRecords"] > 0
        body = requests.get(f["url"], timeout=30).content
        assert body[:4] == b"PAR1" and len(body) == f["size"]
    # the escaped directory and file name reach the right bytes
    f = [f for f in fs if f["partitionValues"]["n"] == "4"][0]
    with open(os.path.join(env.ds, "region=a%2Fb", "n=4", "e%20f.parquet"), "rb") as fh:
        assert requests.get(f["url"], timeout=30).content == fh.read()


def test_delta_format_and_predicates(env):
    ls = lines(call(env, "POST", "ds", "query", {}, caps="responseformat=delta"))
    adds = [l["file"]["deltaSingleAction"]["add"] for l in ls if "file" in l]
    assert len(adds) == 5 and all(a["stats"] for a in adds)
    assert ls[1]["metaData"]["deltaMetadata"]["format"]["provider"] == "parquet"
    pred = {"op": "equal", "children": [{"op": "column", "name": "region", "valueType": "string"},
                                        {"op": "literal", "value": "eu", "valueType": "string"}]}
    fs = files_of(lines(call(env, "POST", "ds", "query", {"jsonPredicateHints": json.dumps(pred)})))
    assert sorted(f["partitionValues"]["n"] for f in fs) == ["1", "2"]
    pred = {"op": "greaterThan", "children": [{"op": "column", "name": "n", "valueType": "int"},
                                              {"op": "literal", "value": "2", "valueType": "int"}]}
    fs = files_of(lines(call(env, "POST", "ds", "query", {"jsonPredicateHints": json.dumps(pred)})))
    assert sorted(f["partitionValues"]["n"] for f in fs) == ["3", "4"]
    # stats skip files too: no trip has an id above a million
    pred = {"op": "greaterThan", "children": [{"op": "column", "name": "trip_id", "valueType": "long"},
                                              {"op": "literal", "value": "1000000", "valueType": "long"}]}
    assert files_of(lines(call(env, "POST", "ds", "query", {"jsonPredicateHints": json.dumps(pred)}))) == []


def test_paging(env):
    seen = []
    body = {"maxFiles": 2}
    for _ in range(5):
        ls = lines(call(env, "POST", "ds", "query", body, caps="responseformat=parquet"))
        seen += [f["id"] for f in files_of(ls)]
        end = ls[-1].get("endStreamAction", {})
        if not end.get("nextPageToken"):
            break
        body = {"maxFiles": 2, "pageToken": end["nextPageToken"]}
    assert len(seen) == 5 and len(set(seen)) == 5


def test_relisting_records_versions_time_travel_and_changes(env):
    v0 = lines(call(env, "POST", "ds", "query", {}))
    r = refresh(env)
    assert r.status_code == 200, r.text
    assert r.json()["changed"] is False and r.json()["version"] == 0
    time.sleep(0.01)
    put(env.ds, "region=eu/n=5/new.parquet", PARTS[1])
    os.remove(os.path.join(env.ds, "region=us", "n=1", "c.parquet"))
    r = refresh(env)
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["changed"] is True and got["version"] == 1
    assert got["added"] == 1 and got["removed"] == 1 and got["footers_read"] == 1
    v1 = lines(call(env, "POST", "ds", "query", {}))
    assert call(env, "GET", "ds", "version").headers["Delta-Table-Version"] == "1"
    assert sorted(f["partitionValues"]["n"] for f in files_of(v1)) == ["1", "2", "3", "4", "5"]
    # time travel by version and by timestamp gives version 0's files
    old = lines(call(env, "POST", "ds", "query", {"version": 0}))
    assert sorted(f["id"] for f in files_of(old)) == sorted(f["id"] for f in files_of(v0))
    assert all(f["version"] == 0 for f in files_of(old))
    ts0 = files_of(old)[0]["timestamp"]
    old = lines(call(env, "POST", "ds", "query", {"timestamp": time.strftime(
        "%Y-%m-%dT%H:%M:%S", time.gmtime(ts0 / 1000)) + ".%03dZ" % (ts0 % 1000)}))
    assert all(f["version"] == 0 for f in files_of(old))
    # changes between the two versions: the file that went, the file that came
    ch = lines(call(env, "GET", "ds", "changes", params={"startingVersion": "1"}))
    acts = sorted((("add" if "add" in l else "remove"), (l.get("add") or l.get("remove"))["partitionValues"]["n"])
                  for l in ch if "add" in l or "remove" in l)
    assert acts == [("add", "5"), ("remove", "1")]
    ch = lines(call(env, "GET", "ds", "changes", params={"startingVersion": "0", "endingVersion": "1"},
                    caps="responseformat=delta"))
    adds = [l for l in ch if "file" in l and "add" in l["file"]["deltaSingleAction"]]
    assert len(adds) == 6
    # a streaming query from version 0 sees both versions' files
    st = lines(call(env, "POST", "ds", "query", {"startingVersion": 0}))
    assert len([l for l in st if "add" in l]) == 6 and len([l for l in st if "remove" in l]) == 1
    # a changed file (same path, new size) is a remove and an add
    put(env.ds, "region=eu/n=5/new.parquet", PARTS[0])
    os.utime(os.path.join(env.ds, "region=eu/n=5/new.parquet"), (time.time() + 5, time.time() + 5))
    got = refresh(env).json()
    assert got["version"] == 2 and got["added"] == 1 and got["removed"] == 1
    r = call(env, "POST", "ds", "query", {"version": 7})
    assert r.status_code == 400, r.text


def test_declared_partition_type(env):
    meta = lines(call(env, "GET", "typed", "metadata"))[1]["metaData"]
    types = {f["name"]: f["type"] for f in json.loads(meta["schemaString"])["fields"]}
    assert types["n"] == "long"
    fs = files_of(lines(call(env, "POST", "typed", "query", {})))
    assert [f["partitionValues"]["n"] for f in fs] == ["007"]


def bad_answer(env, table="bad"):
    r = call(env, "POST", table, "query", {})
    assert r.status_code == 500
    body = r.json()
    assert body["errorCode"] == "INTERNAL_ERROR"
    return body["message"]


@pytest.mark.parametrize("case", ["empty", "not_parquet", "truncated", "bad_partition", "mixed_partitions",
                                  "gone"])
def test_bad_input_fails_that_table_only(env, case):
    bad = os.path.join(env.data, "bad")
    shutil.rmtree(bad, ignore_errors=True)
    os.makedirs(bad)
    if case == "not_parquet":
        put(bad, "k=1/good.parquet")
        os.makedirs(os.path.join(bad, "k=2"))
        with open(os.path.join(bad, "k=2", "junk.parquet"), "w") as f:
            f.write("this is a text file, not Parquet" * 4)
        expect = "k=2/junk.parquet"
    elif case == "truncated":
        p = put(bad, "k=1/cut.parquet")
        with open(p, "r+b") as f:
            f.truncate(os.path.getsize(p) - 30)
        expect = "k=1/cut.parquet"
    elif case == "bad_partition":
        put(bad, "=1/a.parquet")
        expect = "=1/a.parquet"
    elif case == "mixed_partitions":
        put(bad, "k=1/a.parquet")
        put(bad, "j=1/b.parquet")
        expect = "'j=1/b.parquet' and 'k=1/a.parquet'"
    elif case == "gone":
        shutil.rmtree(bad)
        expect = "cannot be listed"
    else:
        expect = "no Parquet files"
    r = refresh(env, "bad")
    msg = bad_answer(env)
    assert "the shared data is damaged" in msg
    assert expect in msg, msg
    assert env.data not in msg   # never a server path
    assert r.status_code == 500 and expect in r.json()["message"], r.text
    # the rest of the server is unaffected
    assert call(env, "GET", "ds", "version").status_code == 200
    assert requests.get(env.url("/shares"), headers={"Authorization": "Bearer " + TOKEN}).status_code == 200


def test_cli_refresh(env):
    p = subprocess.run([BIN, "admin", "--server", env.base + "/admin", "--token", ADMIN_TOKEN,
                        "table", "refresh", "s", "d", "ds"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "table ds: version" in p.stdout and "unchanged" in p.stdout
    p = subprocess.run([BIN, "admin", "--server", env.base + "/admin", "--token", ADMIN_TOKEN, "--json",
                        "table", "refresh", "s", "d", "nope"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 3


def test_inspect_dataset(tmp_path):
    good = tmp_path / "good"
    put(str(good), "y=2024/a.parquet", PARTS[0])
    put(str(good), "y=2025/b.parquet", PARTS[1])
    p = subprocess.run([BIN, "inspect", "dataset", str(good), "--json"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["files"] == 2 and doc["rows"] > 0 and doc["problems"] == []
    assert doc["partition_columns"] == [{"name": "y", "type": "integer"}]
    assert [f["name"] for f in doc["schema"]["fields"]][-1] == "y"
    p = subprocess.run([BIN, "inspect", "dataset", str(good)], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and "2 files" in p.stdout and "problems: none" in p.stdout, p.stdout
    # every problem is reported, each naming its file
    bad = tmp_path / "bad"
    put(str(bad), "y=1/a.parquet", PARTS[0])
    os.makedirs(bad / "y=2")
    (bad / "y=2" / "junk.parquet").write_text("not parquet at all, not at all")
    cut = put(str(bad), "y=3/cut.parquet", PARTS[1])
    with open(cut, "r+b") as f:
        f.truncate(os.path.getsize(cut) - 20)
    p = subprocess.run([BIN, "inspect", "dataset", str(bad), "--json", "--partition-columns",
                        '[{"name":"y","type":"long"}]'], capture_output=True, text=True, timeout=30)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["partition_columns"] == [{"name": "y", "type": "long"}]
    assert sorted(x["file"] for x in doc["problems"]) == ["y=2/junk.parquet", "y=3/cut.parquet"]
    p = subprocess.run([BIN, "inspect", "dataset", str(tmp_path / "nope")], capture_output=True, text=True)
    assert p.returncode == 2
    empty = tmp_path / "empty"
    os.makedirs(empty)
    p = subprocess.run([BIN, "inspect", "dataset", str(empty)], capture_output=True, text=True)
    assert p.returncode == 1 and "no Parquet files" in p.stdout
