"""test_dataset_duckdb.py - Parquet datasets served as Delta tables, checked against DuckDB's reading of the
same files: Hive-partitioned datasets written by DuckDB (COPY ... PARTITION_BY, several row groups per file,
every physical and logical type, nested columns), files written by hyparquet-writer, schemas that merge
(added columns, widened types) and schemas that conflict.  DuckDB's read_parquet(..., hive_partitioning =
true) is the oracle for the schema, the files, their row counts, partition values and per-file min / max /
null counts; the server's Delta stats must say the same (or, for floats, bound the same values)."""
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "parquet"))
sys.path.insert(0, str(HERE.parent / "integration"))
import compare  # noqa: E402
from osserver import Server  # noqa: E402
from test_parquet_generated import NESTED_SQL, TYPES_SQL  # noqa: E402

TOKEN = "dataset-duckdb-token-0123456789"
CAPS = "responseformat=delta;readerfeatures=timestampntz"

# DuckDB's column types as Delta names them (the mapping Spark's Parquet reader makes).
DUCK_TO_DELTA = {
    "BOOLEAN": "boolean", "TINYINT": "byte", "SMALLINT": "short", "INTEGER": "integer", "BIGINT": "long",
    "UTINYINT": "short", "USMALLINT": "integer", "UINTEGER": "long", "UBIGINT": "decimal(20,0)",
    "FLOAT": "float", "DOUBLE": "double", "VARCHAR": "string", "BLOB": "binary", "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "timestamp", "TIMESTAMP": "timestamp_ntz", "TIMESTAMP_MS": "timestamp_ntz",
    "TIMESTAMP_NS": "timestamp_ntz", "TIMESTAMP_S": "timestamp_ntz", "UUID": "binary",
    "INTERVAL": "binary", "TIME": "long", "JSON": "string",
}

# columns whose stats the server must give (DuckDB writes exact statistics for them)
MUST_HAVE_STATS = ["id", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "d4", "d9", "d18", "d38", "s", "dt",
                   "ts", "ts_ms", "ts_ns", "tstz"]


def duckdb(tmp, stmts, query=None):
    return compare.duckdb(tmp, stmts, query)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dsduck")
    data = tmp / "data"
    for d in ("merged", "conflict/sub"):
        (data / d).mkdir(parents=True)
    types = f"""SELECT *, (id % 3)::INTEGER AS p_int,
                 CASE WHEN id % 4 = 0 THEN NULL ELSE 'x ' || (id % 2) || '/=%' END AS p_str
                 FROM ({TYPES_SQL.replace('{n}', '6000')})"""
    nested = f"SELECT *, (id % 2)::INTEGER AS k FROM ({NESTED_SQL.replace('{n}', '3000')})"
    stmts = [
        f"COPY ({types}) TO '{data}/types' (FORMAT parquet, PARTITION_BY (p_int, p_str), ROW_GROUP_SIZE 700)",
        f"COPY ({nested}) TO '{data}/nested' (FORMAT parquet, PARTITION_BY (k), ROW_GROUP_SIZE 500)",
        f"COPY (SELECT i::INTEGER AS id, 'a' || i AS a FROM range(100) t(i)) TO '{data}/merged/1.parquet' (FORMAT parquet)",
        f"COPY (SELECT i::BIGINT AS id, 'b' || i AS a, i / 2.0 AS b, i::SMALLINT AS c FROM range(100, 250) t(i)) "
        f"TO '{data}/merged/2.parquet' (FORMAT parquet)",
        f"COPY (SELECT i::DECIMAL(9,2) AS c FROM range(5) t(i)) TO '{data}/merged/3.parquet' (FORMAT parquet)",
        f"COPY (SELECT i::INTEGER AS id FROM range(10) t(i)) TO '{data}/conflict/a.parquet' (FORMAT parquet)",
        f"COPY (SELECT 'x' || i AS id FROM range(10) t(i)) TO '{data}/conflict/sub/b.parquet' (FORMAT parquet)",
    ]
    duckdb(tmp, stmts)
    hy = json.loads(subprocess.run(["node", str(compare.HERE / "gen_hyparquet.mjs"), str(tmp / "hy")],
                                   cwd=compare.CONF, check=True, capture_output=True, timeout=600).stdout)
    hyfiles = {}
    for h in hy:
        if h["expect"] != "match":
            continue
        name = re.sub(r"[^A-Za-z0-9_]", "_", Path(h["file"]).stem)
        d = data / "hy" / name / "part=1"
        d.mkdir(parents=True)
        os.link(h["file"], d / "f.parquet")
        hyfiles[name] = d / "f.parquet"
    tables = [("types", data / "types"), ("nested", data / "nested"), ("merged", data / "merged"),
              ("conflict", data / "conflict")] + [("hy_" + n, data / "hy" / n) for n in hyfiles]
    cfg = tmp / "config.yaml"
    cfg.write_text("storage: [{name: local, uri: 'file://%s'}]\nshares:\n  - name: s\n    schemas:\n"
                   "      - name: d\n        tables:\n%s\nrecipients: [{name: r, token: {env: TOK}}]\n"
                   "grants: [{share: s, recipients: [r]}]\n"
                   % (data, "\n".join("          - {name: %s, location: 'file://%s', format: parquet}" % (n, p)
                                      for n, p in tables)))
    srv = Server(["--config", str(cfg), "--data-dir", str(tmp / "state")], env={"TOK": TOKEN}).start()
    yield {"tmp": tmp, "data": data, "server": srv, "hy": hyfiles}
    srv.stop()


def query(world, table):
    r = requests.post(world["server"].url(f"/shares/s/schemas/d/tables/{table}/query"),
                      headers={"Authorization": "Bearer " + TOKEN, "delta-sharing-capabilities": CAPS},
                      data="{}", timeout=120)
    return r


def served(world, table):
    r = query(world, table)
    assert r.status_code == 200, r.text
    ls = [json.loads(x) for x in r.text.splitlines()]
    meta = ls[1]["metaData"]["deltaMetadata"]
    adds = [l["file"]["deltaSingleAction"]["add"] for l in ls[2:] if "file" in l]
    return meta, adds


def duck_describe(world, glob):
    rows = duckdb(world["tmp"], [], f"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true)")
    return {r["column_name"]: r["column_type"] for r in rows}


def delta_type_of(duck):
    if duck in DUCK_TO_DELTA:
        return DUCK_TO_DELTA[duck]
    m = re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duck)
    if m:
        return f"decimal({m.group(1)},{m.group(2)})"
    if duck.startswith("STRUCT") or duck.endswith("[]") or duck.startswith("MAP") or re.search(r"\[\d+\]$", duck):
        return None   # nested: checked by kind
    if duck.startswith("ENUM"):
        return "string"
    raise AssertionError("no Delta type expected for DuckDB type " + duck)


def kind_of(t):
    return t if isinstance(t, str) else t["type"]


def check_schema(world, table, glob, part_types):
    meta, _ = served(world, table)
    fields = json.loads(meta["schemaString"])["fields"]
    duck = duck_describe(world, glob)
    assert [f["name"] for f in fields] == list(duck), "columns in DuckDB's order, partitions last"
    for f in fields:
        if f["name"] in part_types:
            assert f["type"] in part_types[f["name"]], (f, duck[f["name"]])
            continue
        want = delta_type_of(duck[f["name"]])
        if want is None:
            d = duck[f["name"]]
            exp = "array" if d.endswith("]") else "struct" if d.startswith("STRUCT") else "map"
            assert kind_of(f["type"]) == exp, (f, d)
        else:
            assert f["type"] == want, (f["name"], f["type"], duck[f["name"]])
    return meta


def test_schema_and_partitions_equal_duckdb(world):
    meta = check_schema(world, "types", f"{world['data']}/types/**/*.parquet",
                        {"p_int": ("integer", "long"), "p_str": ("string",)})
    assert meta["partitionColumns"] == ["p_int", "p_str"]
    check_schema(world, "nested", f"{world['data']}/nested/**/*.parquet", {"k": ("integer", "long")})


def stat_exprs(cols):
    out = []
    for name, duck in cols.items():
        q = '"%s"' % name
        if duck in ("FLOAT", "DOUBLE"):
            out += [f"min({q}) FILTER (WHERE NOT isnan({q}))::VARCHAR", f"max({q}) FILTER (WHERE NOT isnan({q}))::VARCHAR"]
        elif duck == "TIMESTAMP_NS":
            out += [f"epoch_ns(min({q}))::VARCHAR", f"epoch_ns(max({q}))::VARCHAR"]
        elif duck.startswith("TIMESTAMP"):
            out += [f"epoch_us(min({q}))::VARCHAR", f"epoch_us(max({q}))::VARCHAR"]
        else:
            out += [f"min({q})::VARCHAR", f"max({q})::VARCHAR"]
        out.append(f"(count(*) - count({q}))::VARCHAR")
    return out


def parse_ts_us(s):
    m = re.fullmatch(r"(-?\d+)-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})Z?", s)
    assert m, s
    import calendar
    import datetime
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    days = (datetime.date(y, mo, d) - datetime.date(1970, 1, 1)).days
    return ((days * 86400 + int(m.group(4)) * 3600 + int(m.group(5)) * 60 + int(m.group(6))) * 1000000
            + int(m.group(7)))


def check_stats(world, table, glob, root, exact=True):
    meta, adds = served(world, table)
    parts = meta["partitionColumns"]
    fields = {f["name"]: f for f in json.loads(meta["schemaString"])["fields"]}
    duck = duck_describe(world, glob)
    prim = {n: t for n, t in duck.items() if n not in parts and delta_type_of(t) is not None
            and t not in ("BLOB", "UUID", "INTERVAL", "TIME", "BOOLEAN") and not t.startswith("ENUM")
            and t != "JSON"}
    exprs = stat_exprs(prim)
    rows = duckdb(world["tmp"], [], "SELECT filename, count(*)::VARCHAR AS n, %s, %s FROM read_parquet('%s', "
                  "hive_partitioning = true, filename = true) GROUP BY ALL ORDER BY filename"
                  % (", ".join(f'"{p}"::VARCHAR AS "{p}"' for p in parts) if parts else "0 AS nopart",
                     ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs)), glob))
    assert len(adds) == len(rows), "one file line per file DuckDB reads"
    by_parts = {}
    for a in adds:
        key = tuple(a["partitionValues"].get(p) for p in parts)
        assert key not in by_parts
        by_parts[key] = a
    checked = set()
    for row in rows:
        key = tuple(row[p] for p in parts)
        a = by_parts[key]
        st = json.loads(a["stats"], parse_float=Decimal)
        assert st["numRecords"] == int(row["n"]), row["filename"]
        assert os.path.getsize(row["filename"]) == a["size"]
        i = 0
        for name, t in prim.items():
            lo, hi, nulls = row[f"c{i}"], row[f"c{i + 1}"], row[f"c{i + 2}"]
            i += 3
            mn, mx = st.get("minValues", {}).get(name), st.get("maxValues", {}).get(name)
            if name in st.get("nullCount", {}):
                assert st["nullCount"][name] == int(nulls), (name, row["filename"])
            if mn is None or mx is None:
                continue
            checked.add(name)
            assert lo is not None and hi is not None, (name, mn, mx)
            if t in ("FLOAT", "DOUBLE"):
                fmn = float(mn) if not isinstance(mn, str) else float(mn.replace("Infinity", "inf"))
                fmx = float(mx) if not isinstance(mx, str) else float(mx.replace("Infinity", "inf"))
                assert fmn <= float(lo) and fmx >= float(hi), (name, mn, lo, mx, hi)
            elif t == "TIMESTAMP_NS":
                assert parse_ts_us(mn) * 1000 <= int(lo) and parse_ts_us(mx) * 1000 >= int(hi), (name, mn, lo)
                assert int(lo) - parse_ts_us(mn) * 1000 < 1000 and parse_ts_us(mx) * 1000 - int(hi) < 1000
            elif t.startswith("TIMESTAMP"):
                assert (parse_ts_us(mn), parse_ts_us(mx)) == (int(lo), int(hi)), (name, mn, lo, mx, hi)
            elif t.startswith("DECIMAL") or t in ("UBIGINT",) or t in ("TINYINT", "SMALLINT", "INTEGER",
                                                                         "BIGINT", "UTINYINT", "USMALLINT",
                                                                         "UINTEGER"):
                assert (Decimal(str(mn)), Decimal(str(mx))) == (Decimal(lo), Decimal(hi)), (name, mn, lo, mx, hi)
            else:
                # strings: a bound (DuckDB's ENUM statistics span the whole dictionary); exact
                # where the writer's statistics are the values'
                assert mn <= lo and mx >= hi, (name, mn, lo, mx, hi)
                if exact and name == "s":
                    assert (mn, mx) == (lo, hi), (name, mn, lo, mx, hi)
    return checked


def test_stats_and_partition_values_equal_duckdb(world):
    checked = check_stats(world, "types", f"{world['data']}/types/**/*.parquet", world["data"] / "types")
    assert set(MUST_HAVE_STATS) <= checked, set(MUST_HAVE_STATS) - checked
    check_stats(world, "nested", f"{world['data']}/nested/**/*.parquet", world["data"] / "nested")


def test_nested_struct_stats(world):
    _, adds = served(world, "nested")
    for a in adds:
        st = json.loads(a["stats"])
        # s.a lives in a struct (stats nest), l is a list (no stats)
        assert "l" not in st.get("minValues", {})
        assert isinstance(st["minValues"]["s"]["a"], int)


def test_hyparquet_files_equal_duckdb(world):
    assert world["hy"], "hyparquet-writer wrote files"
    compared = 0
    for name, path in world["hy"].items():
        r = query(world, "hy_" + name)
        assert r.status_code == 200, (name, r.text)
        try:
            check_stats(world, "hy_" + name, str(path), path.parent, exact=False)
        except subprocess.CalledProcessError:
            continue   # DuckDB cannot read this one (BYTE_STREAM_SPLIT integers): no oracle
        compared += 1
    assert compared >= 1


def test_merged_schema_equals_duckdb_union_by_name(world):
    meta, adds = served(world, "merged")
    fields = {f["name"]: f for f in json.loads(meta["schemaString"])["fields"]}
    duck = duckdb(world["tmp"], [], f"DESCRIBE SELECT * FROM read_parquet('{world['data']}/merged/*.parquet', "
                  "union_by_name = true)")
    duck = {r["column_name"]: r["column_type"] for r in duck}
    assert list(fields) == list(duck)
    assert fields["id"]["type"] == DUCK_TO_DELTA[duck["id"]] == "long"
    assert fields["b"]["type"] == "double" and fields["b"]["nullable"] is True
    # c: SMALLINT in one file, DECIMAL(9,2) in another: a decimal that holds both
    assert fields["c"]["type"] == "decimal(9,2)"
    assert duck["c"].startswith("DECIMAL")
    assert len(adds) == 3


def test_conflicting_schemas_name_both_files(world):
    r = query(world, "conflict")
    assert r.status_code == 500, r.text
    msg = r.json()["message"]
    assert "column id is integer in 'a.parquet' but string in 'sub/b.parquet'" in msg, msg
    assert str(world["data"]) not in msg
