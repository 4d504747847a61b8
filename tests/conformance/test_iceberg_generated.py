"""test_iceberg_generated.py - Iceberg tables written by iceberg/gen.mjs (Parquet by hyparquet-writer,
manifests by avsc, metadata JSON), whose Delta Sharing answers are known by construction
(answer.json), served through the Delta Sharing API: time travel over many snapshots, changes,
every type's bounds as Delta statistics (checked against DuckDB reading the served files),
identity partitions and evolved specs, predicate soundness, hostile tables, and the admin API's
metadata_location.  Needs no shared test data."""
import base64
import datetime
import json
import os
import re
import struct
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "delta"))
sys.path.insert(0, str(HERE.parent / "integration"))
import common  # noqa: E402
from osserver import Server  # noqa: E402
from local_url_oracle import open_url  # noqa: E402

TOKEN = "iceberg-generated-reader-token-01"
HOUR = 3600000
BASE = 1700000000000
DELTA = "responseformat=delta;readerfeatures=columnmapping,timestampntz"
PARQUET = "responseformat=parquet"


# ---------------------------------------------------------------- table descriptions

def f(i, name, typ, required=False):
    return {"id": i, "name": name, "required": required, "type": typ}


def ident(src, fid, name):
    return {"source-id": src, "field-id": fid, "name": name, "transform": "identity"}


class Rows:
    """Row factory for the history tables: ids count up, so every file is distinct."""

    def __init__(self):
        self.next = 0

    def make(self, p, n=3):
        rows = []
        for _ in range(n):
            i = self.next
            self.next += 1
            rows.append({"id": str(i), "p": p, "v": "v%04d" % i, "x": i * 0.5})
        return rows


HIST_FIELDS = [f(1, "id", "long", True), f(2, "p", "int"), f(3, "v", "string"), f(4, "x", "double")]
HIST_SPEC = [{"spec-id": 0, "fields": [ident(2, 1000, "p")]}]


def hist_table(root):
    """~12 snapshots on main (appends, a replace, an overwrite) plus one on a side branch, so
    sequence number 6 is no version of main."""
    r = Rows()

    def files(*ps, n=3):
        return [{"rows": r.make(p, n)} for p in ps]

    snaps = []
    snaps.append({"op": "append", "files": files(1, 2)})                    # 1: s1-0 s1-1
    snaps.append({"op": "append", "files": files(1)})                       # 2: s2-0
    snaps.append({"op": "append", "files": files(3, 2)})                    # 3: s3-0 s3-1
    snaps.append({"op": "append", "files": files(1, n=2)})                  # 4: s4-0
    compacted = snaps[0]["files"][0]["rows"] + snaps[1]["files"][0]["rows"]
    snaps.append({"op": "replace", "remove": ["s1-0", "s2-0"],
                  "files": [{"id": "c5", "rows": compacted}]})              # 5: compaction
    snaps.append({"op": "append", "branch": "audit", "files": files(4)})    # seq 6, not on main
    snaps.append({"op": "append", "files": files(2), "inheritSnapshotId": True})   # 7
    snaps.append({"op": "append", "files": files(3)})                       # 8
    snaps.append({"op": "append", "files": files(1)})                       # 9
    snaps.append({"op": "overwrite", "remove": ["s3-1"], "files": files(2, n=4)})  # 10
    snaps.append({"op": "append", "files": files(4)})                       # 11
    snaps.append({"op": "append", "files": files(5)})                       # 12
    snaps.append({"op": "append", "files": files(1, 2)})                    # 13
    return {"dir": str(root / "hist"), "location": "s3://gen-bucket/wh/hist", "formatVersion": 2,
            "schema": {"type": "struct", "fields": HIST_FIELDS}, "specs": HIST_SPEC,
            "manifestCodec": "deflate", "snapshots": snaps}


def v1_table(root):
    r = Rows()
    snaps = [{"op": "append", "files": [{"rows": r.make(1)}, {"rows": r.make(2)}]},
             {"op": "append", "files": [{"rows": r.make(1)}]},
             {"op": "overwrite", "remove": ["s1-0"], "files": [{"rows": r.make(1, 5)}]},
             {"op": "append", "files": [{"rows": r.make(3)}]}]
    return {"dir": str(root / "v1"), "location": "file:/warehouse/old/v1", "formatVersion": 1,
            "schema": {"type": "struct", "fields": HIST_FIELDS}, "specs": HIST_SPEC, "snapshots": snaps}


TYPES_FIELDS = [
    f(1, "b", "boolean"), f(2, "i", "int"), f(3, "l", "long"), f(4, "fl", "float"), f(5, "db", "double"),
    f(6, "d9", "decimal(9,2)"), f(7, "d18", "decimal(18,4)"), f(8, "d38", "decimal(38,10)"),
    f(9, "dt", "date"), f(10, "tm", "time"), f(11, "ts", "timestamp"), f(12, "tstz", "timestamptz"),
    f(13, "s", "string"), f(14, "u", "uuid"), f(15, "fx", "fixed[4]"), f(16, "bin", "binary"),
    f(17, "st", {"type": "struct", "fields": [
        f(18, "a", "int"), f(19, "inner", {"type": "struct", "fields": [f(20, "z", "string"), f(21, "w", "date")]})]}),
    f(22, "lst", {"type": "list", "element-id": 23, "element": "long", "element-required": False}),
    f(24, "mp", {"type": "map", "key-id": 25, "key": "string", "value-id": 26, "value": "double",
                 "value-required": False}),
]

TYPE_ROWS = [
    [  # extremes and negatives
        {"b": True, "i": -2147483648, "l": "-9223372036854775808", "fl": -3.4028234663852886e38, "db": -1.7976931348623157e308,
         "d9": "-9999999.99", "d18": "-99999999999999.9999", "d38": "-9999999999999999999999999999.9999999999",
         "dt": "0001-01-01", "tm": "00:00:00", "ts": "1900-01-01T00:00:00", "tstz": "1900-01-01T00:00:00.000001+00:00",
         "s": "", "u": "00000000-0000-0000-0000-000000000000", "fx": "00000000", "bin": "",
         "st": {"a": -1, "inner": {"z": "a", "w": "1970-01-01"}}, "lst": [-5], "mp": {"keys": ["k"], "values": [-1.0]}},
        {"b": False, "i": 2147483647, "l": "9223372036854775807", "fl": 3.4028234663852886e38, "db": 1.7976931348623157e308,
         "d9": "9999999.99", "d18": "99999999999999.9999", "d38": "9999999999999999999999999999.9999999999",
         "dt": "9999-12-31", "tm": "23:59:59.999999", "ts": "9999-12-31T23:59:59.999999", "tstz": "2262-04-11T23:47:16.854775+00:00",
         "s": "\U0010FFFF\U0010FFFF", "u": "ffffffff-ffff-ffff-ffff-ffffffffffff", "fx": "ffffffff", "bin": "ffff",
         "st": {"a": 1, "inner": {"z": "zz", "w": "2000-02-29"}}, "lst": [5, None], "mp": {"keys": [], "values": []}},
    ],
    [  # ordinary values with nulls, a long string (truncated bounds), fractional seconds
        {"b": None, "i": 42, "l": "9007199254740993", "fl": 1.1, "db": 0.1, "d9": "12.30", "d18": "0.0001",
         "d38": "1234567890123456789012345678.0123456789", "dt": "2024-02-29", "tm": "12:34:56.123456",
         "ts": "2024-01-02T03:04:05.123456", "tstz": "2024-01-02T03:04:05.654321Z",
         "s": "naïve café ☕ over sixteen characters", "u": "f79c3e09-677c-4bbd-a479-3f349cb785e7",
         "fx": "01020304", "bin": "00ff00ff00ff00ff00ff00ff00ff00ff00ff", "st": None, "lst": None, "mp": None},
        {"b": True, "i": None, "l": None, "fl": None, "db": None, "d9": None, "d18": None, "d38": None, "dt": None,
         "tm": None, "ts": None, "tstz": None, "s": None, "u": None, "fx": None, "bin": None,
         "st": {"a": None, "inner": None}, "lst": [], "mp": {"keys": ["a"], "values": [None]}},
        {"b": False, "i": -7, "l": "-3", "fl": -0.5, "db": 2.5e-300, "d9": "-0.01", "d18": "-1.5",
         "d38": "0.0000000001", "dt": "1969-12-31", "tm": "00:00:00.000001", "ts": "1969-12-31T23:59:59.999999",
         "tstz": "1970-01-01T00:00:00Z", "s": "naïve", "u": "7f000000-0000-4000-8000-000000000001",
         "fx": "7fffffff", "bin": "80", "st": {"a": 3, "inner": {"z": None, "w": None}}, "lst": [1, 2, 3],
         "mp": {"keys": ["x", "y"], "values": [1.5, 2.5]}},
    ],
    [  # a column all null in a file: no bounds, nullCount = numRecords
        {"b": True, "i": 5, "l": "5", "fl": 5.0, "db": 5.0, "d9": "5.00", "d18": "5", "d38": "5", "dt": "2020-05-05",
         "tm": "05:05:05", "ts": "2020-05-05T05:05:05", "tstz": "2020-05-05T05:05:05+00:00", "s": None,
         "u": "55555555-5555-5555-5555-555555555555", "fx": "05050505", "bin": "05",
         "st": {"a": 5, "inner": {"z": "five", "w": "2020-05-05"}}, "lst": [5], "mp": {"keys": ["five"], "values": [5.0]}},
    ],
]


def types_table(root):
    return {"dir": str(root / "types"), "location": "s3://gen-bucket/wh/types", "formatVersion": 2,
            "schema": {"type": "struct", "fields": TYPES_FIELDS},
            "snapshots": [{"op": "append", "files": [{"rows": rows} for rows in TYPE_ROWS]}]}


PART_FIELDS = [f(1, "id", "long", True), f(2, "pi", "int"), f(3, "ps", "string"), f(4, "pd", "date"),
               f(5, "pt", "timestamptz"), f(6, "pdec", "decimal(10,2)"), f(7, "pb", "boolean"), f(8, "pbin", "binary")]
PART_NAMES = ["pi", "ps", "pd", "pt", "pdec", "pb", "pbin"]


def parts_table(root):
    spec = [{"spec-id": 0, "fields": [ident(2 + k, 1000 + k, n) for k, n in enumerate(PART_NAMES)]}]
    tuples = [
        {"pi": 1, "ps": "a b/c=d", "pd": "2024-03-01", "pt": "2024-03-01T10:20:30.123456+00:00", "pdec": "12.30",
         "pb": True, "pbin": "0102ff"},
        {"pi": -20, "ps": "é€", "pd": "1960-12-31", "pt": "1960-12-31T23:59:59Z", "pdec": "-0.05",
         "pb": False, "pbin": "41"},
        {"pi": None, "ps": None, "pd": None, "pt": None, "pdec": None, "pb": None, "pbin": None},
    ]
    files = [{"rows": [dict(t, id=str(k * 10 + j)) for j in range(2)]} for k, t in enumerate(tuples)]
    return {"dir": str(root / "parts"), "location": "s3://gen-bucket/wh/parts", "formatVersion": 2,
            "schema": {"type": "struct", "fields": PART_FIELDS}, "specs": spec,
            "snapshots": [{"op": "append", "files": files}]}


def evolve_table(root):
    fields = [f(1, "id", "long", True), f(2, "p", "int"), f(3, "q", "string")]
    specs = [{"spec-id": 0, "fields": [ident(2, 1000, "p"), ident(3, 1001, "q")]},
             {"spec-id": 1, "fields": [ident(3, 1001, "q")]}]
    return {"dir": str(root / "evolve"), "location": "s3://gen-bucket/wh/evolve", "formatVersion": 2,
            "schema": {"type": "struct", "fields": fields}, "specs": specs,
            "snapshots": [{"op": "append", "spec": 0, "files": [{"rows": [{"id": "1", "p": 1, "q": "x"}]}]},
                          {"op": "append", "spec": 1, "files": [{"rows": [{"id": "2", "p": 2, "q": "y"},
                                                                          {"id": "3", "p": 3, "q": "y"}]}]}]}


def transforms_table(root):
    fields = [f(1, "id", "long", True), f(2, "k", "int"), f(3, "s", "string"), f(4, "ts", "timestamptz"),
              f(5, "dt", "date")]
    spec = [{"spec-id": 0, "fields": [
        ident(2, 1000, "k"),
        {"source-id": 1, "field-id": 1001, "name": "id_bucket", "transform": "bucket[4]"},
        {"source-id": 3, "field-id": 1002, "name": "s_trunc", "transform": "truncate[3]"},
        {"source-id": 4, "field-id": 1003, "name": "ts_day", "transform": "day"},
        {"source-id": 4, "field-id": 1004, "name": "ts_hour", "transform": "hour"},
        {"source-id": 5, "field-id": 1005, "name": "dt_month", "transform": "month"},
        {"source-id": 5, "field-id": 1006, "name": "dt_year", "transform": "year"},
        {"source-id": 3, "field-id": 1007, "name": "s_void", "transform": "void"}]}]
    rows = [{"id": str(i), "k": i % 2, "s": "str%d" % i, "ts": "2024-01-%02dT%02d:00:00Z" % (i + 1, i),
             "dt": "2023-%02d-01" % (i + 1)} for i in range(4)]
    return {"dir": str(root / "transforms"), "location": "s3://gen-bucket/wh/transforms", "formatVersion": 2,
            "schema": {"type": "struct", "fields": fields}, "specs": spec,
            "snapshots": [{"op": "append", "files": [{"rows": [r]} for r in rows]}]}


PRED_FIELDS = [f(1, "id", "long", True), f(2, "p", "int"), f(3, "c", "string"), f(4, "x", "int"),
               f(5, "name", "string"), f(6, "d", "double"), f(7, "fl", "float"), f(8, "dec", "decimal(9,2)"),
               f(9, "dt", "date"), f(10, "ts", "timestamptz"), f(11, "flag", "boolean")]


def nul_table(root):
    return {"dir": str(root / "nul"), "location": "s3://gen-bucket/wh/nul", "formatVersion": 2,
            "schema": {"type": "struct", "fields": [f(1, "id", "long", True), f(2, "pbin", "binary")]},
            "specs": [{"spec-id": 0, "fields": [ident(2, 1000, "pbin")]}],
            "snapshots": [{"op": "append", "files": [{"rows": [{"id": "1", "pbin": "0041"}]}]}]}


def pred_rows():
    out = []
    k = 0
    for p in range(3):
        for c in ("a", "b"):
            for _ in range(2):
                rows = []
                for _ in range(5):
                    i = k * 5 + len(rows)
                    rows.append({"id": str(i), "p": p, "c": c, "x": None if k == 3 or i % 7 == 0 else i % 11,
                                 "name": "n%03d" % i, "d": i * 1.5, "fl": i / 10, "dec": "%d.%02d" % divmod(i * 125, 100),
                                 "dt": (datetime.date(2024, 1, 1) + datetime.timedelta(days=i)).isoformat(),
                                 "ts": (datetime.datetime(2024, 1, 1) + datetime.timedelta(hours=i)).isoformat() + "Z",
                                 "flag": k % 2 == 0})
                out.append(rows)
                k += 1
    return out


def pred_table(root):
    spec = [{"spec-id": 0, "fields": [ident(2, 1000, "p"), ident(3, 1001, "c")]}]
    return {"dir": str(root / "pred"), "location": "s3://gen-bucket/wh/pred", "formatVersion": 2,
            "schema": {"type": "struct", "fields": PRED_FIELDS}, "specs": spec,
            "snapshots": [{"op": "append", "files": [{"rows": rows} for rows in pred_rows()]}]}


def small(root, name, **extra):
    """A small unpartitioned table of two appends, the base of the hostile ones."""
    fields = [f(1, "id", "long", True), f(2, "v", "string")]
    snaps = [{"op": "append", "files": [{"rows": [{"id": "1", "v": "a"}, {"id": "2", "v": "b"}]}]},
             {"op": "append", "files": [{"rows": [{"id": "3", "v": "c"}]}]}]
    t = {"dir": str(root / name), "location": "s3://gen-bucket/wh/" + name, "formatVersion": 2,
         "schema": {"type": "struct", "fields": fields}, "snapshots": snaps}
    t.update(extra)
    return t


def hostile_tables(root):
    out = [small(root, n) for n in ("good", "h_trunc_meta", "h_fv4", "h_bad_current", "h_no_list",
                                    "h_no_manifest", "h_trunc_manifest")]
    out.append(small(root, "h_unrelated_list", unrelatedManifestList=True))
    for name, rec in (("h_outside", "s3://gen-bucket/wh/elsewhere/x.parquet"),
                      ("h_outside_prefix", "s3://gen-bucket/wh/h_outside_prefix-evil/x.parquet"),
                      ("h_outside_dotdot", "s3://gen-bucket/wh/h_outside_dotdot/data/../../good/data/s1-0.parquet")):
        t = small(root, name)
        t["snapshots"][1]["files"][0]["recordedPath"] = rec
        out.append(t)
    t = small(root, "h_posdelete")
    t["snapshots"].append({"op": "delete", "posDeletes": [{"target": "s1-0", "positions": [1]}]})
    out.append(t)
    out.append(small(root, "h_empty", snapshots=[]))
    return out


def generate(tables, workdir):
    spec = Path(workdir) / "gen-spec.json"
    spec.write_text(json.dumps({"tables": tables}))
    p = subprocess.run(["node", str(HERE / "iceberg" / "gen.mjs"), str(spec)], cwd=str(HERE),
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()


def load_answer(d):
    return json.loads((Path(d) / "answer.json").read_text())


def current_metadata(d):
    name = (Path(d) / "metadata" / "version-hint.text").read_text().strip()
    return Path(d) / "metadata" / ("v%s.metadata.json" % name)


def current_list(d):
    meta = json.loads(current_metadata(d).read_text())
    snap = next(s for s in meta["snapshots"] if s["snapshot-id"] == meta["current-snapshot-id"])
    return Path(d) / "metadata" / snap["manifest-list"].rsplit("/", 1)[1]


def first_manifest(d):
    return sorted((Path(d) / "metadata").glob("*-m0.avro"))[0]


def corrupt(root):
    """Damages the hostile tables; returns {table: file name the error must name}."""
    names = {}
    m = current_metadata(root / "h_trunc_meta")
    data = m.read_bytes()
    m.write_bytes(data[:len(data) // 2])
    names["h_trunc_meta"] = m.name
    m = current_metadata(root / "h_fv4")
    j = json.loads(m.read_text())
    j["format-version"] = 4
    m.write_text(json.dumps(j))
    names["h_fv4"] = m.name
    m = current_metadata(root / "h_bad_current")
    j = json.loads(m.read_text())
    j["current-snapshot-id"] = 777
    j.pop("refs")
    m.write_text(json.dumps(j))
    names["h_bad_current"] = m.name
    lst = current_list(root / "h_no_list")
    lst.unlink()
    names["h_no_list"] = lst.name
    man = first_manifest(root / "h_no_manifest")
    man.unlink()
    names["h_no_manifest"] = man.name
    man = first_manifest(root / "h_trunc_manifest")
    data = man.read_bytes()
    man.write_bytes(data[:len(data) * 2 // 3])
    names["h_trunc_manifest"] = man.name
    names["h_unrelated_list"] = current_list(root / "h_unrelated_list").name
    names["h_outside"] = "s3://gen-bucket/wh/elsewhere/x.parquet"
    names["h_outside_prefix"] = "s3://gen-bucket/wh/h_outside_prefix-evil/x.parquet"
    names["h_outside_dotdot"] = "s3://gen-bucket/wh/h_outside_dotdot/data/../../good/data/s1-0.parquet"
    names["h_posdelete"] = "del-s3.parquet"
    return names


# ---------------------------------------------------------------- the server

TABLE_BUILDERS = [hist_table, v1_table, types_table, parts_table, evolve_table, transforms_table, pred_table,
                  nul_table]


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("iceberg_gen")
    tables = [b(root) for b in TABLE_BUILDERS] + hostile_tables(root)
    generate(tables, root)
    errors = corrupt(root)
    names = [Path(t["dir"]).name for t in tables]
    entries = "\n".join("          - {name: %s, location: 'file://%s/%s', format: iceberg, history_shared: true}"
                        % (n, root, n) for n in names)
    cfg = root / "config.yaml"
    cfg.write_text(f"""
storage: [{{name: gen, uri: 'file://{root}'}}]
shares:
  - name: gen
    schemas:
      - name: t
        tables:
{entries}
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: gen, recipients: [r]}}]
""")
    server = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env={"TOK": TOKEN}).start()
    answers = {n: load_answer(root / n) for n in names if (root / n / "answer.json").exists()}
    yield types.SimpleNamespace(root=root, server=server, answers=answers, errors=errors)
    rc = server.stop()
    err = server.stderr
    for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
        assert bad not in err, err[-4000:]
    assert rc == 0, err[-2000:]


def call(env, method, table, suffix="", caps=None, body=None, params=None):
    h = {"Authorization": "Bearer " + TOKEN}
    if caps:
        h["delta-sharing-capabilities"] = caps
    url = env.server.url("/shares/gen/schemas/t/tables/%s%s" % (table, suffix))
    data = json.dumps(body) if isinstance(body, dict) else body
    return requests.request(method, url, headers=h, data=data, params=params, timeout=60)


def lines_of(r):
    assert r.status_code == 200, r.text
    return [json.loads(l) for l in r.text.splitlines() if l.strip()]


def url_file(data_dir, url):
    """(root, relative path) a local signed URL reads, opened with an independent AES-GCM and the
    key of the server whose data directory is data_dir (the token is sealed: src/storage/local_url.h)."""
    sealed = open_url(data_dir, url)
    return sealed["root"], sealed["rel"]


def files_of(env, table, lines, data_dir=None):
    """The file actions of a query or changes answer in either format, normalised."""
    out = []
    for l in lines:
        if "file" in l and "deltaSingleAction" in l["file"]:
            a = l["file"]["deltaSingleAction"].get("add")
            if a is None:
                continue
            item = dict(a, url=a["path"], version=l["file"].get("version"), timestamp=l["file"].get("timestamp"))
        elif "file" in l:
            item = dict(l["file"])
        elif "add" in l:
            item = dict(l["add"])
        else:
            continue
        root, rel = url_file(data_dir or env.root / "state", item["url"])
        assert os.path.realpath(root) == os.path.realpath(env.root / table), root
        item["rel"] = rel
        item["numRecords"] = json.loads(item["stats"])["numRecords"]
        out.append(item)
    return out


def version_answer(env, table, v):
    return next(x for x in env.answers[table]["versions"] if x["version"] == v)


def expect_files(got, want):
    assert sorted((g["rel"], g["size"], g["numRecords"]) for g in got) == \
        sorted((w["path"], w["size"], w["records"]) for w in want)


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ---------------------------------------------------------------- a) versions, time travel, changes

@pytest.mark.parametrize("table", ["hist", "v1"])
def test_version_is_the_last_sequence_number(env, table):
    ans = env.answers[table]
    r = call(env, "GET", table, "/version")
    assert r.status_code == 200, r.text
    assert r.headers["Delta-Table-Version"] == str(ans["lastVersion"])
    if table == "hist":
        assert ans["lastVersion"] == 13 and len(ans["versions"]) == 12
        assert 6 not in [v["version"] for v in ans["versions"]]
    else:
        assert [v["version"] for v in ans["versions"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("fmt", [DELTA, PARQUET])
@pytest.mark.parametrize("table", ["hist", "v1"])
def test_query_at_every_version_and_timestamp(env, table, fmt):
    for va in env.answers[table]["versions"]:
        r = call(env, "POST", table, "/query", fmt, {"version": va["version"]})
        lines = lines_of(r)
        assert r.headers["Delta-Table-Version"] == str(va["version"])
        got = files_of(env, table, lines)
        expect_files(got, va["files"])
        for g in got:
            w = next(x for x in va["files"] if x["path"] == g["rel"])
            assert g["partitionValues"] == w["partitionValues"]
        # At the snapshot's time and half an hour later: the same version.
        for ts in (va["timestampMs"], va["timestampMs"] + HOUR // 2):
            r = call(env, "POST", table, "/query", fmt, {"timestamp": iso(ts)})
            lines = lines_of(r)
            assert r.headers["Delta-Table-Version"] == str(va["version"]), (va["version"], iso(ts))
            expect_files(files_of(env, table, lines), va["files"])


@pytest.mark.parametrize("fmt", [DELTA, PARQUET])
def test_pages_cover_the_version(env, fmt):
    va = version_answer(env, "hist", 9)
    got, token, pages = [], None, 0
    while pages < 20:
        body = {"version": 9, "maxFiles": 2}
        if token:
            body["pageToken"] = token
        r = call(env, "POST", "hist", "/query", fmt, body)
        lines = lines_of(r)
        assert r.headers["Delta-Table-Version"] == "9"
        got += files_of(env, "hist", lines)
        end = [l["endStreamAction"] for l in lines if "endStreamAction" in l]
        token = end[0].get("nextPageToken") if end else None
        pages += 1
        if not token:
            break
    assert pages >= len(va["files"]) // 2 and not token
    expect_files(got, va["files"])


def test_version_at_a_starting_timestamp(env):
    # The first version at or after the time: the side branch's snapshot is no version of main.
    for ts, want in ((BASE - HOUR, 1), (BASE + 4 * HOUR + 1, 7), (BASE + 12 * HOUR, 13)):
        r = call(env, "GET", "hist", "/version", params={"startingTimestamp": iso(ts)})
        assert r.status_code == 200 and r.headers["Delta-Table-Version"] == str(want), (iso(ts), r.text)
    r = call(env, "GET", "hist", "/version", params={"startingTimestamp": iso(BASE + 13 * HOUR)})
    assert r.status_code in (400, 404), r.text


def test_time_travel_refusals(env):
    for v in (6, 14, 1000):
        r = call(env, "POST", "hist", "/query", DELTA, {"version": v})
        assert r.status_code in (400, 404), r.text
        assert r.json()["errorCode"] and str(v) in r.json()["message"], r.text
    r = call(env, "POST", "hist", "/query", DELTA, {"timestamp": iso(BASE - HOUR)})
    assert r.status_code in (400, 404) and "before" in r.json()["message"], r.text
    # The side branch's snapshot time falls between versions 5 and 7 of main: version 5.
    audit_ts = BASE + 5 * HOUR
    r = call(env, "POST", "hist", "/query", DELTA, {"timestamp": iso(audit_ts)})
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "5", r.text
    r = call(env, "GET", "hist", "/metadata", DELTA, params={"version": 6})
    assert r.status_code in (400, 404), r.text


def expected_adds(env, table, lo, hi):
    out = []
    for va in env.answers[table]["versions"]:
        if lo <= va["version"] <= hi and va["operation"] == "append":
            size = {w["path"]: w for w in va["files"]}
            out += [(va["version"], va["timestampMs"], p, size[p]["size"]) for p in va["added"]]
    return sorted(out)


def got_adds(env, table, lines):
    return sorted((g["version"], g["timestamp"], g["rel"], g["size"]) for g in files_of(env, table, lines))


@pytest.mark.parametrize("fmt", [DELTA, PARQUET])
def test_changes_over_append_ranges(env, fmt):
    for lo, hi in ((1, 4), (1, 9), (2, 2), (5, 8), (11, 13)):
        want = expected_adds(env, "hist", lo, hi)
        assert want or (lo, hi) == (5, 5)
        r = call(env, "GET", "hist", "/changes", fmt, params={"startingVersion": lo, "endingVersion": hi})
        assert got_adds(env, "hist", lines_of(r)) == want, (lo, hi)
        r = call(env, "POST", "hist", "/query", fmt, {"startingVersion": lo, "endingVersion": hi})
        assert got_adds(env, "hist", lines_of(r)) == want, (lo, hi)
    # Without an end: to the latest version.
    r = call(env, "GET", "hist", "/changes", fmt, params={"startingVersion": 11})
    assert got_adds(env, "hist", lines_of(r)) == expected_adds(env, "hist", 11, 13)
    # By timestamp: the first version at or after it.
    r = call(env, "GET", "hist", "/changes", fmt, params={"startingTimestamp": iso(BASE + 10 * HOUR + 1)})
    assert got_adds(env, "hist", lines_of(r)) == expected_adds(env, "hist", 12, 13)


@pytest.mark.parametrize("fmt", [DELTA, PARQUET])
def test_changes_across_the_overwrite_are_refused(env, fmt):
    for lo, hi in ((9, 11), (1, 13), (10, 10)):
        r = call(env, "GET", "hist", "/changes", fmt, params={"startingVersion": lo, "endingVersion": hi})
        assert r.status_code == 400 and "not an append" in r.json()["message"], r.text
        assert "version 10" in r.json()["message"]
        r = call(env, "POST", "hist", "/query", fmt, {"startingVersion": lo, "endingVersion": hi})
        assert r.status_code == 400 and "not an append" in r.json()["message"], r.text
    r = call(env, "GET", "v1", "/changes", fmt, params={"startingVersion": 1})
    assert r.status_code == 400 and "not an append" in r.json()["message"], r.text
    r = call(env, "GET", "v1", "/changes", fmt, params={"startingVersion": 1, "endingVersion": 2})
    assert got_adds(env, "v1", lines_of(r)) == expected_adds(env, "v1", 1, 2)


# ---------------------------------------------------------------- b) every type's bounds

DELTA_TYPES = {"boolean": "boolean", "int": "integer", "long": "long", "float": "float", "double": "double",
               "date": "date", "time": "long", "timestamp": "timestamp_ntz", "timestamptz": "timestamp",
               "string": "string", "uuid": "binary", "fixed[4]": "binary", "binary": "binary"}


def delta_type_of(t):
    if isinstance(t, str):
        return t if t.startswith("decimal") else DELTA_TYPES[t]
    if t["type"] == "struct":
        return {"type": "struct", "fields": [
            {"name": x["name"], "type": delta_type_of(x["type"]), "nullable": not x["required"]} for x in t["fields"]]}
    if t["type"] == "list":
        return {"type": "array", "elementType": delta_type_of(t["element"]), "containsNull": not t["element-required"]}
    return {"type": "map", "keyType": delta_type_of(t["key"]), "valueType": delta_type_of(t["value"]),
            "valueContainsNull": not t["value-required"]}


def strip_metadata(t):
    if isinstance(t, dict):
        return {k: strip_metadata(v) for k, v in t.items() if k != "metadata"}
    if isinstance(t, list):
        return [strip_metadata(x) for x in t]
    return t


def test_schema_string_maps_every_type(env):
    lines = lines_of(call(env, "GET", "types", "/metadata", DELTA))
    dm = lines[1]["metaData"]["deltaMetadata"]
    schema = json.loads(dm["schemaString"])
    assert strip_metadata(schema) == delta_type_of({"type": "struct", "fields": TYPES_FIELDS})
    assert [x["metadata"]["delta.columnMapping.id"] for x in schema["fields"]] == [x["id"] for x in TYPES_FIELDS]
    assert "timestampNtz" in lines[0]["protocol"]["deltaProtocol"]["readerFeatures"]
    r = call(env, "GET", "types", "/metadata", PARQUET)
    assert r.status_code == 400 and "timestampNtz" in r.json()["message"], r.text


TS_RE = {"timestamp": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$"),
         "timestamptz": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")}


def ts_micros(text):
    m = re.match(r"^(-?\d{4,})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z?$", text)
    assert m, text
    days = (datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) - datetime.date(1970, 1, 1)).days
    secs = days * 86400 + int(m.group(4)) * 3600 + int(m.group(5)) * 60 + int(m.group(6))
    return secs * 1000000 + int((m.group(7) or "").ljust(6, "0"))


def f32(x):
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def leaf_equal(typ, got, want):
    """Whether a served statistic equals the expected one, by type."""
    if typ == "float":
        return isinstance(got, (int, float, Decimal)) and f32(got) == f32(want)
    if typ == "double":
        return isinstance(got, (int, float, Decimal)) and float(got) == float(want)
    if typ.startswith("decimal") or typ in ("int", "long"):
        return isinstance(got, (int, Decimal)) and not isinstance(got, bool) and Decimal(got) == Decimal(want)
    if typ in TS_RE:
        return isinstance(got, str) and TS_RE[typ].match(got) and ts_micros(got) == ts_micros(want)
    return got == want


def flatten(obj, prefix=""):
    out = {}
    for k, v in (obj or {}).items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out


def check_stats(served_text, want_text, stat_types):
    served = json.loads(served_text, parse_float=Decimal)
    want = json.loads(want_text, parse_float=Decimal)
    assert served["numRecords"] == want["numRecords"]
    for key in ("minValues", "maxValues", "nullCount"):
        s, w = flatten(served.get(key)), flatten(want.get(key))
        assert sorted(s) == sorted(w), (key, served_text, want_text)
        for path, wv in w.items():
            typ = "long" if key == "nullCount" else stat_types[path]
            assert leaf_equal(typ, s[path], wv), (key, path, s[path], wv)


def test_stats_of_every_type(env):
    ans = env.answers["types"]
    lines = lines_of(call(env, "POST", "types", "/query", DELTA, {}))
    got = files_of(env, "types", lines)
    want = ans["versions"][-1]["files"]
    expect_files(got, want)
    for g in got:
        w = next(x for x in want if x["path"] == g["rel"])
        check_stats(g["stats"], w["stats"], ans["statTypes"])
    # Spot checks that the expected text says what docs/protocol.md promises.
    first = json.loads(next(w for w in want if w["path"] == "data/s1-0.parquet")["stats"], parse_float=Decimal)
    assert first["minValues"]["d38"] == Decimal("-9999999999999999999999999999.9999999999")
    assert "b" not in first["minValues"] and "u" not in first["minValues"] and "tm" not in first["minValues"]
    assert first["nullCount"]["st"]["inner"]["z"] == 0
    third = json.loads(next(w for w in want if w["path"] == "data/s1-2.parquet")["stats"])
    assert "s" not in third["minValues"] and third["nullCount"]["s"] == 1


DUCK_STAT = {"int": "{c}", "long": "CAST({c} AS VARCHAR)", "float": "{c}", "double": "{c}",
             "date": "CAST({c} AS VARCHAR)", "timestamp": "epoch_us({c})", "timestamptz": "epoch_us({c})",
             "string": "{c}"}


def duck_value(typ, v):
    if v is None:
        return None
    if typ.startswith("decimal") or typ == "long":
        return Decimal(v)
    if typ in ("timestamp", "timestamptz"):
        return int(v)
    return v


def served_value(typ, v):
    if typ in ("timestamp", "timestamptz"):
        return ts_micros(v)
    if typ in ("float", "double"):
        return float(v)
    if typ.startswith("decimal") or typ in ("int", "long"):
        return Decimal(v)
    return v


def le(typ, a, b):
    if typ == "string":
        return a.encode() <= b.encode()
    if typ == "float":
        return f32(a) <= f32(b)
    return a <= b


def test_served_files_read_by_duckdb_within_bounds(env, tmp_path):
    ans = env.answers["types"]
    stat_types = ans["statTypes"]
    cols = [p for p, t in stat_types.items() if t in DUCK_STAT or t.startswith("decimal")]
    lines = lines_of(call(env, "POST", "types", "/query", DELTA, {}))
    jobs, served = [], []
    for k, g in enumerate(files_of(env, "types", lines)):
        local = tmp_path / ("f%d.parquet" % k)
        local.write_bytes(requests.get(g["url"], timeout=30).content)
        exprs = ["count(*)"]
        for c in cols:
            t = stat_types[c]
            tmpl = "CAST({c} AS VARCHAR)" if t.startswith("decimal") else DUCK_STAT[t]
            ref = c.split(".")[0]
            for seg in c.split(".")[1:]:
                ref = "struct_extract(%s, '%s')" % (ref, seg)
            exprs += [tmpl.format(c="min(%s)" % ref), tmpl.format(c="max(%s)" % ref)]
        jobs.append("SELECT %s FROM read_parquet('%s')" % (", ".join(exprs), local))
        served.append(json.loads(g["stats"], parse_float=Decimal))
    for res, st in zip(common.duck(jobs), served):
        assert not isinstance(res, Exception), res
        row = res[0]
        assert int(row[0]) == st["numRecords"]
        mins, maxs = flatten(st.get("minValues")), flatten(st.get("maxValues"))
        for k, c in enumerate(cols):
            t = stat_types[c]
            lo, hi = duck_value(t, row[1 + 2 * k]), duck_value(t, row[2 + 2 * k])
            if lo is None:
                assert c not in mins and c not in maxs
                continue
            assert c in mins and le(t, served_value(t, mins[c]), lo), (c, mins.get(c), lo)
            assert c in maxs and le(t, hi, served_value(t, maxs[c])), (c, maxs.get(c), hi)


# ---------------------------------------------------------------- c) partitions

def test_identity_partitions_of_every_kind(env):
    ans = env.answers["parts"]
    assert ans["partitionColumns"] == PART_NAMES
    lines = lines_of(call(env, "POST", "parts", "/query", DELTA, {}))
    assert lines[1]["metaData"]["deltaMetadata"]["partitionColumns"] == PART_NAMES
    got = files_of(env, "parts", lines)
    want = ans["versions"][-1]["files"]
    expect_files(got, want)
    seen = set()
    for g in got:
        w = next(x for x in want if x["path"] == g["rel"])["partitionValues"]
        assert sorted(g["partitionValues"]) == sorted(PART_NAMES)
        for col in PART_NAMES:
            sv, wv = g["partitionValues"][col], w[col]
            if wv is None:
                assert sv is None, (col, sv)
            elif col == "pt":
                assert TS_RE["timestamptz"].match(sv) and ts_micros(sv) == ts_micros(wv), (sv, wv)
            else:
                assert sv == wv, (col, sv, wv)
            seen.add((col, sv))
    assert ("pdec", "12.30") in seen and ("pb", "true") in seen and ("pbin", "\u0001\u0002\u00ff") in seen
    assert ("pd", "1960-12-31") in seen and ("pi", "-20") in seen and ("ps", "a b/c=d") in seen
    r = call(env, "POST", "parts", "/query", PARQUET, {})
    assert lines_of(r)[1]["metaData"]["partitionColumns"] == PART_NAMES


def test_evolved_spec_drops_the_partition_column(env):
    ans = env.answers["evolve"]
    assert ans["partitionColumns"] == ["q"]
    for v in (1, 2):
        lines = lines_of(call(env, "POST", "evolve", "/query", DELTA, {"version": v}))
        assert lines[1]["metaData"]["deltaMetadata"]["partitionColumns"] == ["q"]
        got = files_of(env, "evolve", lines)
        expect_files(got, version_answer(env, "evolve", v)["files"])
        for g in got:
            assert list(g["partitionValues"]) == ["q"]
            assert g["partitionValues"]["q"] in ("x", "y")
            # p is a data column now: its statistics are there.
            assert "p" in json.loads(g["stats"])["minValues"]


def test_transforms_are_not_partition_columns(env):
    lines = lines_of(call(env, "POST", "transforms", "/query", DELTA, {}))
    assert lines[1]["metaData"]["deltaMetadata"]["partitionColumns"] == ["k"]
    got = files_of(env, "transforms", lines)
    assert len(got) == 4 and all(list(g["partitionValues"]) == ["k"] for g in got)
    # Bounds of the transformed columns still skip files.
    pred = {"op": "equal", "children": [{"op": "column", "name": "s", "valueType": "string"},
                                        {"op": "literal", "value": "str2", "valueType": "string"}]}
    got = files_of(env, "transforms", lines_of(call(env, "POST", "transforms", "/query", DELTA,
                                                     {"jsonPredicateHints": json.dumps(pred)})))
    assert len(got) == 1


# ---------------------------------------------------------------- d) predicate hints

def col(name, t):
    return {"op": "column", "name": name, "valueType": t}


def lit(v, t):
    return {"op": "literal", "value": v, "valueType": t}


def op(o, *children):
    return {"op": o, "children": list(children)}


# (SQL over one data file, JSON predicate, whether bounds allow exact skipping)
PREDICATES = [
    ("id = 7", op("equal", col("id", "long"), lit("7", "long")), True),
    ("id < 10", op("lessThan", col("id", "long"), lit("10", "long")), True),
    ("id >= 50", op("greaterThanOrEqual", col("id", "long"), lit("50", "long")), True),
    ("p = 1", op("equal", col("p", "int"), lit("1", "int")), True),
    ("c = 'b'", op("equal", col("c", "string"), lit("b", "string")), True),
    ("p = 2 AND c = 'a'", op("and", op("equal", col("p", "int"), lit("2", "int")),
                             op("equal", col("c", "string"), lit("a", "string"))), True),
    ("id = 3 OR id = 58", op("or", op("equal", col("id", "long"), lit("3", "long")),
                             op("equal", col("id", "long"), lit("58", "long"))), True),
    ("NOT (id < 30)", op("not", op("lessThan", col("id", "long"), lit("30", "long"))), True),
    ("x IS NULL", op("isNull", col("x", "int")), False),
    ("NOT (x IS NULL)", op("not", op("isNull", col("x", "int"))), False),
    ("name = 'n042'", op("equal", col("name", "string"), lit("n042", "string")), True),
    ("name < 'n010'", op("lessThan", col("name", "string"), lit("n010", "string")), True),
    # A file's float bounds are floats: 0.9 and 1.4 (maxima of two files) are no doubles' values.
    ("fl = CAST(1.1 AS FLOAT)", op("equal", col("fl", "float"), lit("1.1", "float")), True),
    ("fl = CAST(0.9 AS FLOAT)", op("equal", col("fl", "float"), lit("0.9", "float")), True),
    ("fl >= CAST(1.4 AS FLOAT)", op("greaterThanOrEqual", col("fl", "float"), lit("1.4", "float")), True),
    ("fl < CAST(1.5 AS FLOAT)", op("lessThan", col("fl", "float"), lit("1.5", "float")), True),
    ("fl < CAST(0.3 AS FLOAT)", op("lessThan", col("fl", "float"), lit("0.3", "float")), False),
    ("fl >= CAST(5.7 AS FLOAT)", op("greaterThanOrEqual", col("fl", "float"), lit("5.7", "float")), False),
    ("d > 80.0", op("greaterThan", col("d", "double"), lit("80.0", "double")), True),
    ("d = 7.5", op("equal", col("d", "double"), lit("7.5", "double")), True),
    # Decimal is no valueType of the protocol: never used to skip, and never wrongly.
    ("dec = 12.50", op("equal", col("dec", "decimal(9,2)"), lit("12.50", "decimal(9,2)")), False),
    ("dt <= DATE '2024-01-05'", op("lessThanOrEqual", col("dt", "date"), lit("2024-01-05", "date")), True),
    ("ts > TIMESTAMPTZ '2024-01-03 02:00:00+00'",
     op("greaterThan", col("ts", "timestamp"), lit("2024-01-03T02:00:00.000Z", "timestamp")), True),
    ("flag = true", op("equal", col("flag", "boolean"), lit("true", "boolean")), False),
    ("id > 20 AND x < 5", op("and", op("greaterThan", col("id", "long"), lit("20", "long")),
                             op("lessThan", col("x", "int"), lit("5", "int"))), False),
    ("p = 0 OR id > 55", op("or", op("equal", col("p", "int"), lit("0", "int")),
                            op("greaterThan", col("id", "long"), lit("55", "long"))), True),
    ("id = 1000", op("equal", col("id", "long"), lit("1000", "long")), True),
]


def test_predicate_hints_never_skip_matching_files(env):
    ans = env.answers["pred"]
    all_files = {w["path"] for w in ans["versions"][-1]["files"]}
    base = env.root / "pred"
    files_sql = "[%s]" % ", ".join("'%s'" % (base / p) for p in sorted(all_files))
    jobs = ["SELECT filename, count(*) FROM read_parquet(%s, filename=true) WHERE %s GROUP BY filename"
            % (files_sql, sql) for sql, _, _ in PREDICATES]
    matching = []
    for res in common.duck(jobs):
        assert not isinstance(res, Exception), res
        matching.append({os.path.relpath(r[0], base) for r in res})
    skipped_total = 0
    for (sql, pred, exact), match in zip(PREDICATES, matching):
        for fmt in (DELTA, PARQUET):
            lines = lines_of(call(env, "POST", "pred", "/query", fmt, {"jsonPredicateHints": json.dumps(pred)}))
            kept = {g["rel"] for g in files_of(env, "pred", lines)}
            assert kept <= all_files
            assert match <= kept, f"{sql}: skipped {sorted(match - kept)}, which hold matching rows"
            if exact:
                assert kept == match, f"{sql}: bounds allow skipping {sorted(kept - match)}"
            skipped_total += len(all_files - kept)
    assert skipped_total > 0


def test_limit_hint_stops_early(env):
    total = len(env.answers["pred"]["versions"][-1]["files"])
    for limit, most in ((1, 1), (7, 2), (12, 3)):
        got = files_of(env, "pred", lines_of(call(env, "POST", "pred", "/query", DELTA, {"limitHint": limit})))
        assert sum(g["numRecords"] for g in got) >= limit
        assert len(got) <= most < total
    got = files_of(env, "pred", lines_of(call(env, "POST", "pred", "/query", DELTA, {"limitHint": 1000})))
    assert len(got) == total


# ---------------------------------------------------------------- e) hostile tables

def clean_error(r, name):
    assert 400 <= r.status_code < 600, (r.status_code, r.text)
    body = r.json()
    assert body.get("errorCode") and name in body.get("message", ""), body
    return body


def good_still_served(env):
    lines = lines_of(call(env, "POST", "good", "/query", DELTA, {}))
    assert len(files_of(env, "good", lines)) == 2


META_BROKEN = ["h_trunc_meta", "h_fv4", "h_bad_current"]
FILES_BROKEN = ["h_no_list", "h_unrelated_list", "h_no_manifest", "h_trunc_manifest"]


@pytest.mark.parametrize("table", META_BROKEN)
def test_broken_metadata(env, table):
    name = env.errors[table]
    for method, suffix, body in (("GET", "/version", None), ("GET", "/metadata", None), ("POST", "/query", "{}"),
                                 ("GET", "/changes?startingVersion=1", None)):
        for fmt in (DELTA, PARQUET):
            r = call(env, method, table, suffix, fmt, body)
            clean_error(r, name)
            # Damaged data is the provider's problem (500); a newer format is a feature (400).
            assert r.status_code == (400 if table == "h_fv4" else 500), r.text
    words = {"h_fv4": "format", "h_bad_current": "777", "h_trunc_meta": ""}[table]
    assert words in call(env, "GET", table, "/version").json()["message"]
    good_still_served(env)


@pytest.mark.parametrize("table", FILES_BROKEN)
def test_broken_manifest_files(env, table):
    """A missing or damaged manifest list or manifest is damaged data (500 naming the file),
    never an invalid parameter of the request."""
    name = env.errors[table]
    for fmt in (DELTA, PARQUET):
        for r in (call(env, "POST", table, "/query", fmt, "{}"),
                  call(env, "POST", table, "/query", fmt, {"version": 2}),
                  call(env, "GET", table, "/metadata", fmt),
                  call(env, "GET", table, "/changes", fmt, params={"startingVersion": 2})):
            clean_error(r, name)
            assert r.status_code == 500 and r.json()["errorCode"] == "INTERNAL_ERROR", r.text
    r = call(env, "GET", table, "/version")
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "2"
    good_still_served(env)


@pytest.mark.parametrize("table", ["h_outside", "h_outside_prefix", "h_outside_dotdot"])
def test_file_outside_the_location_is_never_served(env, table):
    name = env.errors[table]
    for fmt in (DELTA, PARQUET):
        # A snapshot is read whole before its answer starts: a clean refusal.
        for body in ({}, {"version": 2}):
            b = clean_error(call(env, "POST", table, "/query", fmt, body), name)
            assert "outside" in b["message"]
        # Changes stream snapshot by snapshot: refused, or cut without its last chunk (never a
        # complete-looking answer).
        for method, suffix, body in (("POST", "/query", {"startingVersion": 1}),
                                     ("GET", "/changes?startingVersion=1", None)):
            try:
                r = call(env, method, table, suffix, fmt, body)
            except requests.exceptions.ChunkedEncodingError:
                continue
            assert "outside" in clean_error(r, name)["message"]
    good_still_served(env)


def test_position_deletes_are_refused(env):
    ans = env.answers["h_posdelete"]
    assert ans["lastVersion"] == 3 and ans["versions"][-1]["deleteFiles"] == ["data/del-s3.parquet"]
    for fmt in (DELTA, PARQUET):
        for method, suffix, body in (("POST", "/query", "{}"), ("GET", "/metadata", None)):
            r = call(env, method, "h_posdelete", suffix, fmt, body)
            assert r.status_code == 400, r.text
            b = clean_error(r, "del-s3.parquet")
            assert b["errorCode"] == "FEATURE_NOT_SUPPORTED" and "position deletes" in b["message"]
        # The versions before the delete are still readable.
        lines = lines_of(call(env, "POST", "h_posdelete", "/query", fmt, {"version": 2}))
        expect_files(files_of(env, "h_posdelete", lines), version_answer(env, "h_posdelete", 2)["files"])
        r = call(env, "GET", "h_posdelete", "/changes", fmt, params={"startingVersion": 1})
        assert r.status_code == 400 and "not an append" in r.json()["message"], r.text
    good_still_served(env)


@pytest.mark.xfail(strict=True, reason="partition values are C strings in the server: a binary "
                   "partition value holding a 0 byte is served cut at that byte")
def test_binary_partition_value_with_a_zero_byte(env):
    got = files_of(env, "nul", lines_of(call(env, "POST", "nul", "/query", DELTA, {})))
    assert [g["partitionValues"] for g in got] == [{"pbin": "\u0000A"}]


def test_empty_table(env):
    r = call(env, "GET", "h_empty", "/version")
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "0"
    for fmt in (DELTA, PARQUET):
        lines = lines_of(call(env, "GET", "h_empty", "/metadata", fmt))
        assert len(lines) == 2
        lines = lines_of(call(env, "POST", "h_empty", "/query", fmt, "{}"))
        assert len(lines) == 2 and "protocol" in lines[0] and "metaData" in lines[1]
        r = call(env, "POST", "h_empty", "/query", fmt, {"version": 1})
        assert r.status_code in (400, 404), r.text
    good_still_served(env)


# ---------------------------------------------------------------- f) admin API and CLI

def test_admin_metadata_location(env, tmp_path):
    from admin_util import AdminEnv, cli
    adm = AdminEnv(tmp_path).start()
    try:
        r = adm.admin("POST", "/locations", {"name": "gen", "uri": "file://%s" % env.root})
        assert r.status_code == 201, r.text
        r = adm.admin("POST", "/shares", {"name": "ice"})
        assert r.status_code == 201, r.text
        hist = env.answers["hist"]
        older = hist["metadataFiles"][5]        # v6.metadata.json: after the fifth snapshot
        assert older["file"] == "metadata/v6.metadata.json" and older["version"] == 5

        def table(name, **kw):
            obj = {"type": "TABLE", "schema": "t", "name": name, "location": "file://%s/hist" % env.root,
                   "format": "iceberg", "history_shared": True}
            obj.update(kw)
            return adm.admin("PATCH", "/shares/ice", {"updates": [{"action": "ADD", "data_object": obj}]})

        r = table("older", metadata_location=older["file"])
        assert r.status_code == 200, r.text
        for bad in ("../x", "/abs", "metadata/../../etc/passwd", ""):
            r = table("bad", metadata_location=bad)
            assert r.status_code == 400, (bad, r.text)
            assert "metadata_location" in r.json()["message"], r.text
        r = table("delta_bad", metadata_location="metadata/v1.metadata.json", format="delta")
        assert r.status_code == 400, r.text
        rc, out, err = cli(adm, "share", "add-table", "ice", "t", "viacli", "--location",
                           "file://%s/hist" % env.root, "--format", "iceberg", "--history-shared",
                           "--metadata-location", "metadata/v3.metadata.json")
        assert rc == 0, err
        rc, out, err = cli(adm, "share", "add-table", "ice", "t", "viacli2", "--location",
                           "file://%s/hist" % env.root, "--format", "iceberg", "--metadata-location", "../x")
        assert rc == 3 and "metadata_location" in err, (out, err)
        tok = adm.onboard("reader", share="ice")["bearerToken"]

        def get(name, suffix, method="GET", body=None):
            return adm.recipient("/shares/ice/schemas/t/tables/%s%s" % (name, suffix), tok, method=method,
                                 data=body, headers={"delta-sharing-capabilities": DELTA})

        r = get("older", "/version")
        assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "5", r.text
        lines = lines_of(get("older", "/query", "POST", "{}"))
        expect_files(files_of(env, "hist", lines, adm.data_dir), version_answer(env, "hist", 5)["files"])
        r = get("older", "/query", "POST", json.dumps({"version": 7}))
        assert r.status_code in (400, 404), r.text
        r = get("viacli", "/version")
        assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "2", r.text
    finally:
        adm.stop()
