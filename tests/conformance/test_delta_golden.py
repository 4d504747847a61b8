"""test_delta_golden.py - `opensharing inspect delta` on every Spark-written golden table:
snapshots at every version checked against an independent replay of the JSON commits
(delta/oracle.py), timestamp travel, history windows, and contents read by DuckDB from the
data files our engine lists (row counts and values as the delta-io tests that wrote the
tables say)."""
import json
import os
import shutil
import sys
import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "delta"))
import common  # noqa: E402
import oracle  # noqa: E402

GOLDEN = common.GOLDEN
TABLES = common.tables()

pytestmark = pytest.mark.skipif(not TABLES, reason=f"shared test data absent: no golden tables at {GOLDEN}")


def expected_error(name, table, v):
    """The error a correct reader must give for version v, or None."""
    if oracle.has_gap(table, v):
        return "not contiguous"
    if name.startswith("deltalog-state-reconstruction-from-checkpoint-missing-") and v >= 10:
        # The checkpoint at 10 was rewritten without the action: Delta fails here.
        return "no protocol" if name.endswith("protocol") else "no metaData"
    proto, meta, _ = oracle.snapshot(table, v)
    if proto is None:
        return "no protocol"
    if proto["minReaderVersion"] > 3:
        return "reader version 99"
    if meta is None:
        return "no metaData"
    return None


def split_output(lines):
    assert "protocol" in lines[0], lines[0]
    assert "metaData" in lines[1], lines[1]
    return lines[0]["protocol"], lines[1], [l["add"] for l in lines[2:]]


def check_snapshot(name, table, v, lines):
    proto, meta_line, files = split_output(lines)
    oproto, ometa, oactive = oracle.snapshot(table, v)
    assert proto["minReaderVersion"] == oproto["minReaderVersion"]
    assert proto["minWriterVersion"] == oproto["minWriterVersion"]
    assert proto.get("readerFeatures") == oproto.get("readerFeatures")
    assert proto.get("writerFeatures") == oproto.get("writerFeatures")
    meta = meta_line["metaData"]
    assert meta_line["version"] == v
    assert meta["id"] == ometa["id"]
    assert meta.get("schemaString") == ometa.get("schemaString")
    assert meta["partitionColumns"] == ometa.get("partitionColumns", [])
    assert meta["configuration"] == (ometa.get("configuration") or {})
    got = {}
    for f in files:
        k = oracle.file_key(f)
        assert k not in got, f"{name}@{v}: file listed twice: {k}"
        got[k] = f
    assert set(got) == set(oactive), f"{name}@{v}: active files differ"
    for k, f in got.items():
        o = oactive[k]
        assert f["path"] == o["path"]
        assert f["size"] == o["size"]
        assert f["partitionValues"] == o.get("partitionValues", {})
        assert f.get("stats") == o.get("stats"), f"{name}@{v}: stats of {k}"
        assert f.get("deletionVector") == o.get("deletionVector")
        assert f.get("modificationTime") == o.get("modificationTime")
        assert (f.get("tags") or {}) == (o.get("tags") or {})


@pytest.mark.parametrize("name", TABLES)
def test_snapshot_every_version(name):
    table = GOLDEN / name
    versions = oracle.commit_versions(table)
    assert versions
    for v in versions + [None]:
        args = ["--version", v] if v is not None else []
        vv = v if v is not None else versions[-1]
        rc, lines, err = common.inspect(table, *args)
        want_err = expected_error(name, table, vv)
        if want_err:
            assert rc != 0, f"{name}@{vv}: expected an error mentioning {want_err!r}"
            assert want_err in err, f"{name}@{vv}: {err}"
            assert "AddressSanitizer" not in err and "runtime error" not in err
            continue
        assert rc == 0, f"{name}@{vv}: {err}"
        check_snapshot(name, table, vv, lines)
    # A version past the end is refused.
    rc, _, err = common.inspect(table, "--version", versions[-1] + 1)
    assert rc != 0 and "does not exist" in err


def loadable(name):
    table = GOLDEN / name
    vs = oracle.commit_versions(table)
    return all(expected_error(name, table, v) is None for v in vs)


LOADABLE = [n for n in TABLES if loadable(n)]


def iso(ms):
    d = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


@pytest.mark.parametrize("name", LOADABLE)
def test_timestamp_travel(name, tmp_path):
    """Commit times are the commit files' mtimes (no in-commit timestamps in these tables);
    the copy gets the times the delta-io time-travel tests used: start + 20 minutes a version."""
    table = tmp_path / "t"
    shutil.copytree(GOLDEN / name, table, symlinks=True)
    start = 1540415658000
    versions = oracle.commit_versions(table)
    for v in versions:
        ts = start + v * 20 * 60 * 1000
        os.utime(table / "_delta_log" / ("%020d.json" % v), ns=(ts * 10**6, ts * 10**6))
    for v in versions:
        ts = start + v * 20 * 60 * 1000
        for probe in (ts, ts + 1000, ts + 20 * 60 * 1000 - 1):
            if probe > start + versions[-1] * 20 * 60 * 1000:
                continue
            rc, lines, err = common.inspect(table, "--timestamp", iso(probe))
            assert rc == 0, f"{name} at {iso(probe)}: {err}"
            assert lines[1]["version"] == v
            assert lines[1]["timestamp"] == ts
    rc, _, err = common.inspect(table, "--timestamp", iso(start - 1))
    assert rc != 0 and "before the earliest" in err
    rc, _, err = common.inspect(table, "--timestamp", iso(start + versions[-1] * 20 * 60 * 1000 + 1))
    assert rc != 0 and "after the latest" in err


def changes_of(lines):
    out = []
    for l in lines[2:]:
        for kind in ("add", "remove", "cdc"):
            if kind in l:
                out.append((l[kind]["version"], kind, oracle.canonical_path(l[kind]["path"])))
    return out


@pytest.mark.parametrize("name", LOADABLE)
def test_history_windows(name):
    table = GOLDEN / name
    versions = oracle.commit_versions(table)
    last = versions[-1]
    windows = {(0, last), (last // 2, last), (0, 0), (last, last)}
    for a, b in sorted(windows):
        rc, lines, err = common.inspect(table, "--changes", f"{a}..{b}")
        assert rc == 0, f"{name} {a}..{b}: {err}"
        assert changes_of(lines) == oracle.changes(table, a, b)
        for l in lines[2:]:
            for kind in ("add", "remove", "cdc"):
                if kind in l:
                    assert isinstance(l[kind]["timestamp"], int)
    rc, _, err = common.inspect(table, "--changes", f"0..{last + 1}")
    assert rc != 0 and "after the latest" in err


def test_cdf_rules():
    name = "commit-info-containing-arbitrary-operationParams-types"
    table = GOLDEN / name
    last = oracle.commit_versions(table)[-1]
    rc, lines, err = common.inspect(table, "--changes", f"0..{last}", "--cdf")
    assert rc == 0, err
    assert changes_of(lines) == oracle.changes(table, 0, last, cdf=True)
    # deltalog-getChanges has a cdc file but never enables the feed: refused.
    rc, _, err = common.inspect(GOLDEN / "deltalog-getChanges", "--changes", "0..2", "--cdf")
    assert rc != 0 and "change data feed is not enabled" in err
    rc, lines, err = common.inspect(GOLDEN / "deltalog-getChanges", "--changes", "0..2")
    assert rc == 0, err
    assert ("cdc" in json.dumps(lines))


def data_path(table, f):
    import urllib.parse
    p = urllib.parse.unquote(f["path"])
    return p if p.startswith("/") else str(table / p)


@pytest.fixture(scope="module")
def rowcounts():
    """DuckDB's count(*) of every data file our engine lists at the latest version."""
    jobs, keys = [], []
    for name in LOADABLE:
        table = GOLDEN / name
        rc, lines, err = common.inspect(table)
        assert rc == 0, err
        for f in split_output(lines)[2]:
            p = data_path(table, f)
            if os.path.exists(p):
                keys.append((name, f["path"], f.get("stats")))
                jobs.append(f"select count(*) from read_parquet({common.sql_str(p)})")
    return list(zip(keys, common.duck(jobs)))


def test_listed_files_hold_their_stated_rows(rowcounts):
    checked = 0
    for (name, path, stats), rows in rowcounts:
        assert not isinstance(rows, Exception), f"{name}/{path}: {rows}"
        if stats and "numRecords" in json.loads(stats):
            assert int(rows[0][0]) == json.loads(stats)["numRecords"], f"{name}/{path}"
            checked += 1
    assert checked > 100


# Contents the delta-io tests that wrote these tables say they hold (see GoldenTables.scala).
CONTENTS = [
    ("snapshot-data0", None, "count(*), min(col2), max(col2)", ["10", "data-0-0", "data-0-9"]),
    ("snapshot-data1", None, "count(*), min(col2), max(col2)", ["20", "data-0-0", "data-1-9"]),
    ("snapshot-data2", None, "count(*), min(col2), max(col2)", ["10", "data-2-0", "data-2-9"]),
    ("snapshot-data3", None, "count(*), min(col2), max(col2)", ["30", "data-2-0", "data-3-9"]),
    ("snapshot-data3", 1, "count(*), min(col2), max(col2)", ["20", "data-0-0", "data-1-9"]),
    ("snapshot-data3", 2, "count(*), min(col2), max(col2)", ["10", "data-2-0", "data-2-9"]),
    ("snapshot-data2-deleted", None, "count(*), min(col2), max(col2)", ["20", "data-3-0", "data-3-9"]),
    ("snapshot-repartitioned", None, "count(*), min(col2), max(col2)", ["20", "data-3-0", "data-3-9"]),
    ("snapshot-vacuumed", None, "count(*), min(col2), max(col2)", ["20", "data-3-0", "data-3-9"]),
    ("125-iterator-bug", None, "count(*), sum(col1)", ["5", "15"]),
    ("time-travel-start", None, "count(*), min(id), max(id)", ["10", "0", "9"]),
    ("time-travel-start-start20", None, "count(*), min(id), max(id)", ["20", "0", "19"]),
    ("time-travel-start-start20-start40", None, "count(*), min(id), max(id)", ["30", "0", "29"]),
    ("time-travel-start-start20-start40", 1, "count(*), min(id), max(id)", ["20", "0", "19"]),
    ("time-travel-schema-changes-b", None, "count(*), min(id), max(id)", ["20", "0", "19"]),
    ("time-travel-partition-changes-b", None, "count(*), min(id), max(id)", ["10", "10", "19"]),
    ("time-travel-partition-changes-b", 0, "count(*), min(id), max(id)", ["10", "0", "9"]),
    ("hive/deltatbl-partition-prune", None, "count(*), sum(cnt)", ["5", "23"]),
    ("data-reader-primitives", None, "count(*), count(as_int)", ["11", "10"]),
    ("corrupted-last-checkpoint-kernel", None, "count(*), sum(id)", ["100", "4950"]),
    ("corrupted-last-checkpoint-kernel", 10, "count(*)", ["110"]),
    ("data-reader-escaped-chars", None, "count(*), min(_1), max(_1)", ["3", "foo1", "foo3"]),
]


def test_contents_match_the_writing_tests():
    jobs = []
    for name, version, sel, _ in CONTENTS:
        table = GOLDEN / name
        args = ["--version", version] if version is not None else []
        rc, lines, err = common.inspect(table, *args)
        assert rc == 0, f"{name}: {err}"
        files = [common.sql_str(data_path(table, f)) for f in split_output(lines)[2]]
        jobs.append(f"select {sel} from read_parquet([{', '.join(files)}], union_by_name=true)")
    for (name, version, sel, want), rows in zip(CONTENTS, common.duck(jobs)):
        assert not isinstance(rows, Exception), f"{name}: {rows}"
        assert [str(x) for x in rows[0]] == want, f"{name}@{version}: {sel}"


def test_partition_values_of_escaped_paths():
    rc, lines, err = common.inspect(GOLDEN / "data-reader-escaped-chars")
    assert rc == 0, err
    vals = sorted(f["partitionValues"]["_2"] for f in split_output(lines)[2])
    assert vals == ["bar+%21", "bar+%22", "bar+%23"]


def test_partition_predicate_prunes(tmp_path):
    table = GOLDEN / "hive/deltatbl-partition-prune"
    pred = {"op": "equal", "children": [{"op": "column", "name": "city", "valueType": "string"},
                                        {"op": "literal", "value": "hz", "valueType": "string"}]}
    rc, lines, err = common.inspect(table, "--predicate", json.dumps(pred))
    assert rc == 0, err
    files = split_output(lines)[2]
    assert files and all(f["partitionValues"]["city"] == "hz" for f in files)
    rows = common.duck([f"select count(*) from read_parquet([{', '.join(common.sql_str(data_path(table, f)) for f in files)}])"])[0]
    assert rows[0][0] == "2"   # Jim and Jone


def test_unsupported_reader_version_is_refused():
    rc, _, err = common.inspect(GOLDEN / "deltalog-invalid-protocol-version")
    assert rc != 0 and "reader version 99" in err


def test_not_a_table():
    rc, _, err = common.inspect(GOLDEN / "no-delta-log-folder")
    assert rc != 0 and "no Delta table" in err


@pytest.mark.parametrize("name", [n for n in LOADABLE if any(
    ".checkpoint." in p.name for p in (GOLDEN / n / "_delta_log").iterdir())])
def test_checkpoint_column_path_equals_record_path(name):
    a = common.inspect(GOLDEN / name)
    b = common.inspect(GOLDEN / name, env={"OS_DELTA_CHECKPOINT_RECORDS": "1"})
    assert a[0] == 0 and b[0] == 0, (a[2], b[2])
    assert a[1] == b[1]


SKIP_PREDICATES = [
    ("as_int = 0", "equal", "as_int", "int", "0"),
    ("as_int > 0", "greaterThan", "as_int", "int", "0"),
    ("as_long < 0", "lessThan", "as_long", "long", "0"),
    ("as_string = '0'", "equal", "as_string", "string", "0"),
    ("as_string >= '5'", "greaterThanOrEqual", "as_string", "string", "5"),
    ("as_date = DATE '2000-01-01'", "equal", "as_date", "date", "2000-01-01"),
    ("as_double > 0.5", "greaterThan", "as_double", "double", "0.5"),
]


@pytest.mark.parametrize("name", [n for n in LOADABLE if n.startswith("data-skipping-basic-stats-all-types")])
def test_stats_skipping_is_sound(name):
    """Every file the engine skips holds no matching row (DuckDB reads it; column mapping
    resolved through the schema's physical names)."""
    table = GOLDEN / name
    rc, lines, err = common.inspect(table)
    assert rc == 0, err
    schema = json.loads(lines[1]["metaData"]["schemaString"])
    phys = {f["name"]: f["metadata"].get("delta.columnMapping.physicalName", f["name"]) for f in schema["fields"]}
    allf = {f["path"] for f in split_output(lines)[2]}
    jobs, meta, skipped = [], [], 0
    for sql, op, col, vt, lit in SKIP_PREDICATES + [("as_int IS NULL", "isNull", "as_int", "int", None)]:
        if op == "isNull":
            pred = {"op": "isNull", "children": [{"op": "column", "name": col, "valueType": vt}]}
        else:
            pred = {"op": op, "children": [{"op": "column", "name": col, "valueType": vt},
                                           {"op": "literal", "value": lit, "valueType": vt}]}
        rc, plines, err = common.inspect(table, "--predicate", json.dumps(pred))
        assert rc == 0, err
        kept = {f["path"] for f in split_output(plines)[2]}
        assert kept <= allf
        psql = sql.replace(col, '"%s"' % phys[col], 1)
        for path in sorted(allf - kept):
            skipped += 1
            jobs.append(f"select count(*) from read_parquet({common.sql_str(data_path(table, {'path': path}))}) where {psql}")
            meta.append((path, sql))
    for m, rows in zip(meta, common.duck(jobs)):
        assert not isinstance(rows, Exception), rows
        assert rows[0][0] == "0", f"{name}: skipped a file with matching rows: {m}"
    assert skipped > 0


def test_column_mapped_partition_predicate():
    table = GOLDEN / "dv-with-columnmapping"
    rc, lines, err = common.inspect(table)
    schema = json.loads(lines[1]["metaData"]["schemaString"])
    phys = {f["name"]: f["metadata"]["delta.columnMapping.physicalName"] for f in schema["fields"]}
    pred = {"op": "equal", "children": [{"op": "column", "name": "PART", "valueType": "int"},
                                        {"op": "literal", "value": "3", "valueType": "int"}]}
    rc, plines, err = common.inspect(table, "--predicate", json.dumps(pred))
    assert rc == 0, err
    kept = split_output(plines)[2]
    want = [f for f in split_output(lines)[2] if f["partitionValues"][phys["part"]] == "3"]
    assert kept and sorted(f["path"] for f in kept) == sorted(f["path"] for f in want)
