"""test_delta_big_checkpoint.py - Parquet checkpoints big enough that their column chunks are
read page by page and batch by batch: tens of thousands of add rows written by DuckDB (an
independent writer, which puts a whole chunk in one page and dictionary-encodes repeated
strings), with remove tombstones, deletion vectors, tags, null partition values, escaped
paths, and the protocol and metadata rows in the middle; also as a v2 checkpoint (a top-level
Parquet file with half the adds inline and a sidecar holding the rest).  The expected snapshot is
known by construction; the columnar path and the record path must both give it."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "delta"))
import common  # noqa: E402

N = 30000          # add rows in the checkpoint (several batches of one page)
CP = 5             # checkpoint version
DV = "ab^-aqEH.-t@S}K{vb[*k^"

ADD_T = ("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
         "dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), deletionVector STRUCT(storageType VARCHAR, "
         "pathOrInlineDv VARCHAR, \"offset\" INTEGER, sizeInBytes INTEGER, cardinality BIGINT), "
         "baseRowId BIGINT, defaultRowCommitVersion BIGINT)")
REMOVE_T = ("STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, "
            "partitionValues MAP(VARCHAR, VARCHAR), size BIGINT)")
META_T = ("STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, options "
          "MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], configuration "
          "MAP(VARCHAR, VARCHAR), createdTime BIGINT)")
PROTO_T = "STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])"
CPMETA_T = "STRUCT(version BIGINT)"
SIDECAR_T = "STRUCT(path VARCHAR, sizeInBytes BIGINT, modificationTime BIGINT)"

SCHEMA = json.dumps({"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "p", "type": "string", "nullable": True, "metadata": {}}]})
PROTOCOL = {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["deletionVectors"],
            "writerFeatures": ["deletionVectors"]}
METADATA = {"id": "big", "format": {"provider": "parquet", "options": {}}, "schemaString": SCHEMA,
            "partitionColumns": ["p"], "configuration": {}, "createdTime": 1700000000000}


def add_of(i):
    """The add action of file i, as Delta writes it in JSON."""
    p = None if i % 17 == 0 else str(i % 7)
    path = f"p={p if p is not None else '__HIVE_DEFAULT_PARTITION__'}/part-{i:06d}.parquet"
    if i % 13 == 0:
        path = f"p={p}/odd name é {i}%20x.parquet"
    a = {"path": path, "partitionValues": {"p": p}, "size": 1000 + i, "modificationTime": 1700000000000 + i,
         "dataChange": i % 2 == 0,
         "stats": json.dumps({"numRecords": 10 + i % 90, "minValues": {"id": i * 100},
                              "maxValues": {"id": i * 100 + 99}, "nullCount": {"id": 0}})}
    if i % 5 == 0:
        a["tags"] = {"k": f"v{i % 3}", "z": "long " * (i % 4)}
    if i % 11 == 0:
        a["deletionVector"] = {"storageType": "u", "pathOrInlineDv": DV, "offset": 1, "sizeInBytes": 36,
                               "cardinality": 1 + i % 50}
    return a


def key_of(a):
    return (a["path"], (a.get("deletionVector") or {}).get("pathOrInlineDv"))


def write_parquet(path, rows, cols, row_group_size):
    """Has DuckDB write rows (dicts of actions) to path with the given action columns."""
    src = path.with_suffix(".src.jsonl")
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    spec = ", ".join(f"{k}: '{t}'" for k, t in cols.items())
    opts = "FORMAT parquet" + (f", ROW_GROUP_SIZE {row_group_size}" if row_group_size else "")
    res = common.duck([f"COPY (SELECT * FROM read_json({common.sql_str(str(src))}, columns={{{spec}}}, "
                       f"format='newline_delimited')) TO {common.sql_str(str(path))} ({opts})"])
    src.unlink()
    if isinstance(res[0], Exception):
        raise res[0]


def build(root, row_group_size, v2=False):
    log = root / "_delta_log"
    log.mkdir(parents=True)
    proto = dict(PROTOCOL)
    if v2:
        proto["readerFeatures"] = ["deletionVectors", "v2Checkpoint"]
        proto["writerFeatures"] = ["deletionVectors", "v2Checkpoint"]
    for v in range(CP):   # commits before the checkpoint are not read
        (log / f"{v:020d}.json").write_text(json.dumps({"commitInfo": {"timestamp": 1700000000000 + v}}) + "\n")
    rows = []
    for i in range(N):
        if i == N // 2:
            rows.append({"protocol": proto})
            rows.append({"metaData": METADATA})
        if i % 9 == 4:
            rows.append({"remove": {"path": f"gone-{i}.parquet", "deletionTimestamp": 1700000000000,
                                    "dataChange": True, "extendedFileMetadata": True,
                                    "partitionValues": {"p": "1"}, "size": 5}})
        rows.append({"add": add_of(i)})
    cols = {"add": ADD_T, "remove": REMOVE_T, "metaData": META_T, "protocol": PROTO_T}
    if not v2:
        write_parquet(log / f"{CP:020d}.checkpoint.parquet", rows, cols, row_group_size)
    else:
        # Everything from the protocol row on goes to a sidecar, except the protocol and metadata.
        cut = rows.index({"protocol": proto})
        inline, later_rows = rows[:cut], [r for r in rows[cut:] if "add" in r or "remove" in r]
        sidecar = f"{CP:020d}.checkpoint.0000000001.0000000001.3a0d65cd-4056-49b8-937b-95f9e3ee90e5.parquet"
        (log / "_sidecars").mkdir()
        write_parquet(log / "_sidecars" / sidecar, later_rows, {"add": ADD_T, "remove": REMOVE_T}, row_group_size)
        top = ([{"checkpointMetadata": {"version": CP}}] + inline + [{"protocol": proto}, {"metaData": METADATA},
               {"sidecar": {"path": sidecar, "sizeInBytes": 1, "modificationTime": 1}}])
        write_parquet(log / f"{CP:020d}.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.parquet", top,
                      dict(cols, checkpointMetadata=CPMETA_T, sidecar=SIDECAR_T), row_group_size)
    # One commit after it: removes every 10th checkpoint file and adds new ones.
    later = [json.dumps({"commitInfo": {"timestamp": 1700000000000 + CP + 1}})]
    for i in range(0, N, 10):
        a = add_of(i)
        later.append(json.dumps({"remove": {"path": a["path"], "deletionTimestamp": 1, "dataChange": True,
                                            **({"deletionVector": a["deletionVector"]}
                                               if "deletionVector" in a else {})}}))
    for i in range(N, N + 50):
        later.append(json.dumps({"add": add_of(i)}))
    (log / f"{CP + 1:020d}.json").write_text("\n".join(later) + "\n")
    (log / "_last_checkpoint").write_text(json.dumps({"version": CP, "size": len(rows)}))
    want = {key_of(add_of(i)): add_of(i) for i in range(N) if i % 10 != 0}
    want.update({key_of(add_of(i)): add_of(i) for i in range(N, N + 50)})
    return want


@pytest.fixture(scope="module", params=[(0, False), (4096, False), (0, True)],
                ids=["one-row-group", "row-groups-of-4096", "v2-with-sidecar"])
def table(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("big-checkpoint") / "t"
    return root, build(root, *request.param)


def check(lines, want):
    assert "deletionVectors" in lines[0]["protocol"]["readerFeatures"]
    assert lines[1]["metaData"]["partitionColumns"] == ["p"]
    files = [l["add"] for l in lines[2:]]
    got = {key_of(f): f for f in files}
    assert len(got) == len(files), "a file listed twice"
    assert set(got) == set(want)
    for k, f in got.items():
        w = want[k]
        assert f["size"] == w["size"]
        assert f["partitionValues"] == w["partitionValues"]
        assert f["modificationTime"] == w["modificationTime"]
        assert json.loads(f["stats"]) == json.loads(w["stats"])
        assert f.get("deletionVector") == w.get("deletionVector")
        assert (f.get("tags") or None) == w.get("tags")
    return files


def test_columnar_path_gives_the_snapshot(table):
    root, want = table
    rc, lines, err = common.inspect(root)
    assert rc == 0, err
    files = check(lines, want)
    # The stable order: the later commit's adds, then the checkpoint's in file order.
    assert [f["path"] for f in files[:50]] == [add_of(i)["path"] for i in range(N, N + 50)]
    assert [f["path"] for f in files[50:]] == [add_of(i)["path"] for i in range(N) if i % 10 != 0]


def test_record_path_agrees(table):
    root, want = table
    rc, lines, err = common.inspect(root, env={"OS_DELTA_CHECKPOINT_RECORDS": "1"})
    assert rc == 0, err
    check(lines, want)


def test_predicate_and_limit_over_batches(table):
    root, want = table
    pred = json.dumps({"op": "equal", "children": [{"op": "column", "name": "p", "valueType": "string"},
                                                   {"op": "literal", "value": "3", "valueType": "string"}]})
    rc, lines, err = common.inspect(root, "--predicate", pred)
    assert rc == 0, err
    got = {key_of(l["add"]) for l in lines[2:]}
    assert got == {k for k, a in want.items() if a["partitionValues"]["p"] == "3"}


def test_typed_stats_rebuilt_as_valid_json(tmp_path):
    """A checkpoint with only stats_parsed: statistics JSON has no spelling for (NaN,
    infinities) or that are binary decimals are left out (a file is then never skipped on
    them), and every rebuilt stats string is valid JSON."""
    typed = ("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, modificationTime BIGINT, "
             "dataChange BOOLEAN, stats_parsed STRUCT(numRecords BIGINT, minValues STRUCT(x DOUBLE, d DECIMAL(30,2), "
             "n BIGINT), maxValues STRUCT(x DOUBLE, d DECIMAL(30,2), n BIGINT), nullCount STRUCT(x BIGINT, d BIGINT, "
             "n BIGINT)))")
    root = tmp_path / "t"
    log = root / "_delta_log"
    log.mkdir(parents=True)
    schema = json.dumps({"type": "struct", "fields": [
        {"name": "x", "type": "double", "nullable": True, "metadata": {}},
        {"name": "d", "type": "decimal(30,2)", "nullable": True, "metadata": {}},
        {"name": "n", "type": "long", "nullable": True, "metadata": {}}]})
    meta = dict(METADATA, schemaString=schema, partitionColumns=[])
    xs = ["NaN", "Infinity", 1.5]
    rows = [{"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}}, {"metaData": meta}]
    for i, x in enumerate(xs):
        st = {"numRecords": 10, "minValues": {"x": x, "d": "12345678901234567890.25", "n": i},
              "maxValues": {"x": x, "d": "12345678901234567890.75", "n": i + 5},
              "nullCount": {"x": 0, "d": 0, "n": 0}}
        rows.append({"add": {"path": f"f{i}.parquet", "partitionValues": {}, "size": 10 + i,
                             "modificationTime": 1, "dataChange": True, "stats_parsed": st}})
    write_parquet(log / f"{0:020d}.checkpoint.parquet", rows,
                  {"add": typed, "metaData": META_T, "protocol": PROTO_T}, 0)
    (log / "_last_checkpoint").write_text(json.dumps({"version": 0, "size": len(rows)}))
    rc, lines, err = common.inspect(root)
    assert rc == 0, err
    got = {l["add"]["path"]: json.loads(l["add"]["stats"]) for l in lines[2:]}
    assert set(got) == {"f0.parquet", "f1.parquet", "f2.parquet"}
    for i, name in enumerate(["f0.parquet", "f1.parquet", "f2.parquet"]):
        st = got[name]
        assert st["numRecords"] == 10
        assert st["minValues"]["n"] == i and st["maxValues"]["n"] == i + 5
        assert "d" not in st["minValues"] and "d" not in st["maxValues"]
        if xs[i] == 1.5:
            assert st["minValues"]["x"] == 1.5
        else:
            assert "x" not in st["minValues"] and "x" not in st["maxValues"]
