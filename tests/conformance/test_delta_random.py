"""test_delta_random.py - randomly generated Delta tables (delta/gen.py: appends, removes,
overwrites, dataChange=false rewrites, schema changes, deletion vectors, txn, CDF, and
checkpoints of every kind with good, stale, corrupt or missing _last_checkpoint) whose
expected snapshots are known by construction; contents checked with DuckDB."""
import json
import os
import sys
import urllib.parse
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "delta"))
import common  # noqa: E402
import gen  # noqa: E402

SEEDS = [int(s) for s in os.environ.get("OS_DELTA_SEEDS", "1,2,3,4,5,6,7,8").split(",")]


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    root = tmp_path_factory.mktemp("random-delta")
    made, sql, spans = [], [], []
    for seed in SEEDS:
        t = gen.Table(root / f"t{seed}", seed)
        s = t.build(ncommits=14)
        spans.append((len(sql), len(sql) + len(s)))
        sql += s
        made.append(t)
    res = common.duck(sql)
    for t, (a, b) in zip(made, spans):
        t.finish(res[a:b])
    return made


def files_of(lines):
    assert "protocol" in lines[0] and "metaData" in lines[1]
    return [l["add"] for l in lines[2:]]


def test_every_version_matches_construction(tables):
    kinds = set()
    for t in tables:
        kinds |= {k for _, k in t.checkpoints}
        for v in range(t.version + 1):
            rc, lines, err = common.inspect(t.root, "--version", v)
            assert rc == 0, f"{t.root}@{v}: {err}"
            assert lines[1]["version"] == v
            assert lines[1]["metaData"]["schemaString"] == t.metas[v]["schemaString"]
            got = {(f["path"], (f.get("deletionVector") or {}).get("pathOrInlineDv")): f for f in files_of(lines)}
            assert len(got) == len(files_of(lines)), "a file listed twice"
            want = t.snapshots[v]
            assert set(got) == set(want), f"{t.root}@{v} (checkpoints {t.checkpoints})"
            for k, f in got.items():
                w = want[k]
                assert f["size"] == w["size"]
                assert json.loads(f["stats"]) == json.loads(w["stats"])
                assert f["partitionValues"] == w["partitionValues"]
                assert f.get("deletionVector") == w.get("deletionVector")
                assert f["dataChange"] == w["dataChange"]
    assert kinds >= {"classic", "multi", "v2json", "v2parquet", "parsed"}, kinds


def test_contents_with_duckdb(tables):
    jobs, want = [], []
    for t in tables:
        for v in sorted({t.version, t.version // 2}):
            rc, lines, err = common.inspect(t.root, "--version", v)
            assert rc == 0, err
            paths = [common.sql_str(os.path.join(t.root, urllib.parse.unquote(f["path"]))) for f in files_of(lines)]
            if not paths:
                continue
            jobs.append(f"select count(*), coalesce(sum(id), 0) from read_parquet([{', '.join(paths)}], union_by_name=true)")
            want.append((t.root, v, t.expected_rows(v)))
    for (root, v, (n, s)), rows in zip(want, common.duck(jobs)):
        assert not isinstance(rows, Exception), rows
        assert (int(rows[0][0]), int(rows[0][1])) == (n, s), f"{root}@{v}"


def test_history_and_cdf(tables):
    for t in tables:
        rc, lines, err = common.inspect(t.root, "--changes", f"0..{t.version}")
        assert rc == 0, err
        got = []
        for l in lines[2:]:
            for kind in ("add", "remove", "cdc"):
                if kind in l:
                    got.append((l[kind]["version"], kind, l[kind]["path"]))
        want = [(v, k, p) for v, files in enumerate(t.commits) for k, p, _ in files]
        assert sorted(got) == sorted(want)
        rc, lines, err = common.inspect(t.root, "--changes", f"0..{t.version}", "--cdf")
        if not t.cdf:
            assert rc != 0 and "not enabled" in err
            continue
        assert rc == 0, err
        got = sorted((l[k]["version"], k, l[k]["path"]) for l in lines[2:] for k in ("add", "remove", "cdc") if k in l)
        want = []
        for v, files in enumerate(t.commits):
            if any(k == "cdc" for k, _, _ in files):
                want += [(v, k, p) for k, p, _ in files if k == "cdc"]
            else:
                want += [(v, k, p) for k, p, dc in files if dc and k != "cdc"]
        assert got == sorted(want)


PREDICATES = [
    ("id < 30", {"op": "lessThan", "children": [{"op": "column", "name": "id", "valueType": "long"},
                                                 {"op": "literal", "value": "30", "valueType": "long"}]}),
    ("id >= 40 and id <= 45", {"op": "and", "children": [
        {"op": "greaterThanOrEqual", "children": [{"op": "column", "name": "id", "valueType": "long"},
                                                  {"op": "literal", "value": "40", "valueType": "long"}]},
        {"op": "lessThanOrEqual", "children": [{"op": "column", "name": "id", "valueType": "long"},
                                               {"op": "literal", "value": "45", "valueType": "long"}]}]}),
    ("p = 2", {"op": "equal", "children": [{"op": "column", "name": "p", "valueType": "int"},
                                           {"op": "literal", "value": "2", "valueType": "int"}]}),
    ("p is null or id = 7", {"op": "or", "children": [
        {"op": "isNull", "children": [{"op": "column", "name": "p", "valueType": "int"}]},
        {"op": "equal", "children": [{"op": "column", "name": "id", "valueType": "long"},
                                     {"op": "literal", "value": "7", "valueType": "long"}]}]}),
    ("not (p > 1) and v > 'v000020'", {"op": "and", "children": [
        {"op": "not", "children": [{"op": "greaterThan", "children": [
            {"op": "column", "name": "p", "valueType": "int"},
            {"op": "literal", "value": "1", "valueType": "int"}]}]},
        {"op": "greaterThan", "children": [{"op": "column", "name": "v", "valueType": "string"},
                                           {"op": "literal", "value": "v000020", "valueType": "string"}]}]}),
]


def test_predicates_never_drop_matching_files(tables):
    """A file the engine skips must hold no row that matches (DuckDB reads it, with the
    file's partition value put in for p)."""
    jobs, meta = [], []
    skipped_some = False
    for t in tables:
        rc, lines, err = common.inspect(t.root)
        allf = {f["path"] for f in files_of(lines)}
        for sql, pred in PREDICATES:
            rc, lines, err = common.inspect(t.root, "--predicate", json.dumps(pred))
            assert rc == 0, err
            kept = {f["path"] for f in files_of(lines)}
            assert kept <= allf
            for path in sorted(allf - kept):
                skipped_some = True
                name = urllib.parse.unquote(path)
                p, _, _ = t.rows[name]
                pl = "NULL::INTEGER" if p is None else str(p)
                jobs.append(f"select count(*) from (select *, {pl} as p from read_parquet("
                            f"{common.sql_str(os.path.join(t.root, name))}, hive_partitioning=false)) where {sql}")
                meta.append((t.root, path, sql))
    for m, rows in zip(meta, common.duck(jobs)):
        assert not isinstance(rows, Exception), rows
        assert rows[0][0] == "0", f"skipped a file with matching rows: {m}"
    assert skipped_some


def test_limit_hint_covers_the_limit(tables):
    for t in tables:
        n, _ = t.expected_rows(t.version)
        for limit in (1, 7, 50):
            rc, lines, err = common.inspect(t.root, "--limit", limit)
            assert rc == 0, err
            rows = 0
            for f in files_of(lines):
                rows += json.loads(f["stats"])["numRecords"] - (f.get("deletionVector") or {}).get("cardinality", 0)
            live = sum(json.loads(a["stats"])["numRecords"] - (a.get("deletionVector") or {}).get("cardinality", 0)
                       for a in t.snapshots[t.version].values())
            assert rows >= min(limit, live)


def test_old_commits_cleaned_up(tables):
    """After log cleanup, versions from the oldest checkpoint on still load; older ones
    are refused with a clear error."""
    for t in tables:
        if not t.checkpoints:
            continue
        cp = t.checkpoints[0][0]
        for v in range(0, cp):
            os.unlink(os.path.join(t.log, "%020d.json" % v))
        for v in range(0, t.version + 1):
            rc, lines, err = common.inspect(t.root, "--version", v)
            if v < cp:
                assert rc != 0 and "cannot be rebuilt" in err, err
            else:
                assert rc == 0, err
                assert len(files_of(lines)) == len(t.snapshots[v])
        return
    pytest.skip("no table with a checkpoint")


def test_checkpoint_column_path_equals_record_path(tables):
    """The columnar fast path over checkpoint add rows and record assembly agree."""
    for t in tables:
        for v, kind in t.checkpoints:
            if not os.path.exists(os.path.join(t.log, "%020d.json" % v)) and v != t.version:
                continue
            a = common.inspect(t.root, "--version", v)
            b = common.inspect(t.root, "--version", v, env={"OS_DELTA_CHECKPOINT_RECORDS": "1"})
            assert a[0] == 0 and b[0] == 0, (a[2], b[2])
            assert a[1] == b[1], f"{t.root}@{v} ({kind})"
