"""test_parquet_duckdb_arrays.py - DuckDB's fixed-size ARRAY columns (INTEGER[3], VARCHAR[2],
INTEGER[2][2], arrays in structs, lists and maps, lists and structs in arrays) with null arrays,
null elements and null parents, written by DuckDB and compared row by row with DuckDB's own
reading of the same file.

DuckDB writes an ARRAY as a Parquet LIST, except that a null array, or one under a null parent,
takes one level entry per element instead of one (the extra ones at a deeper repetition level,
defining nothing); a reader that expects one entry sees the next record start at a repetition
level above 0.  The files cover several row groups, data pages v1 and v2, codecs, an empty
file, columns of nothing but nulls, and a file whose list column spans several pages beside
its arrays (DuckDB 1.5 never splits an ARRAY column into pages; tests/unit/test_parquet_reader.c
splits one inside its padding)."""
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "parquet"))
import compare  # noqa: E402

ARRAYS_SQL = r"""
SELECT i AS id,
  (CASE WHEN i % 5 = 0 THEN NULL ELSE [i, CASE WHEN i % 3 = 0 THEN NULL ELSE i + 1 END, -i] END)::INTEGER[3] AS a3,
  (CASE WHEN i % 4 = 1 THEN NULL ELSE
     [CASE WHEN i % 6 = 0 THEN NULL ELSE 's' || i END, repeat('x', (i % 7)::INTEGER)] END)::VARCHAR[2] AS v2,
  (CASE i % 6 WHEN 0 THEN NULL
              WHEN 1 THEN [NULL, [i, i + 1]]
              WHEN 2 THEN [[NULL, i], NULL]
              WHEN 3 THEN [NULL, NULL]
              ELSE [[i, NULL], [-i, i * 2]] END)::INTEGER[2][2] AS a22,
  (CASE i % 5 WHEN 0 THEN NULL
              WHEN 1 THEN {'a': NULL, 'b': 'b' || i}
              WHEN 2 THEN {'a': [NULL, i], 'b': NULL}
              ELSE {'a': [i, i + 1], 'b': 'q'} END)::STRUCT(a INTEGER[2], b VARCHAR) AS sa,
  (CASE i % 7 WHEN 0 THEN NULL
              WHEN 1 THEN []
              WHEN 2 THEN [NULL]
              WHEN 3 THEN [[i, NULL], NULL, [NULL, NULL]]
              ELSE [[i, -i], [i + 1, i + 2]] END)::INTEGER[2][] AS la,
  (CASE i % 5 WHEN 0 THEN NULL
              WHEN 1 THEN [NULL, []]
              WHEN 2 THEN [[i, NULL, i], [NULL]]
              ELSE [[], [i]] END)::INTEGER[][2] AS al,
  (CASE i % 4 WHEN 0 THEN NULL
              WHEN 1 THEN [NULL, {'x': i, 'y': NULL}]
              ELSE [{'x': i, 'y': 'y' || i}, {'x': NULL, 'y': 'z'}] END)::STRUCT(x INTEGER, y VARCHAR)[2] AS sa2,
  (CASE i % 4 WHEN 0 THEN NULL
              WHEN 1 THEN MAP {}
              ELSE MAP {'k' || i: [i, NULL], 'n': NULL} END)::MAP(VARCHAR, INTEGER[2]) AS ma,
  (CASE WHEN i % 3 = 0 THEN NULL ELSE [i * 1.5, NULL] END)::DOUBLE[2] AS d2,
  NULL::INTEGER[3] AS none3
FROM range({n}) t(i)
"""

# every array null, or every element of every array null
ALL_NULL_SQL = r"""
SELECT NULL::INTEGER[3] AS a3, NULL::VARCHAR[2][2] AS v22,
  NULL::STRUCT(a INTEGER[2]) AS sa, [NULL, NULL]::INTEGER[2][] AS la,
  [NULL, NULL, NULL]::INTEGER[3] AS e3
FROM range(3000) t(i)
"""

# a list column big enough (over 100 MB of strings) for DuckDB to split it into pages, beside
# arrays with nulls (DuckDB splits a list column only when no list is null)
PAGES_SQL = r"""
SELECT i AS id,
  (CASE WHEN i % 3 = 0 THEN NULL ELSE [i, CASE WHEN i % 5 = 0 THEN NULL ELSE -i END] END)::INTEGER[2] AS a2,
  [repeat(chr(97 + (i % 26)::INTEGER), 5200) || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'e' || i END] AS ls,
  (CASE WHEN i % 4 = 2 THEN NULL ELSE [[i, NULL], NULL] END)::INTEGER[2][2] AS a22
FROM range(24000) t(i)
"""

FILES = {
    # name: (sql, codec, page version, row group size)
    "arrays-snappy-v1": (ARRAYS_SQL.replace("{n}", "10000"), "snappy", "v1", 2048),
    "arrays-zstd-v2": (ARRAYS_SQL.replace("{n}", "10000"), "zstd", "v2", 2048),
    "arrays-gzip-v1-one-group": (ARRAYS_SQL.replace("{n}", "3000"), "gzip", "v1", None),
    "arrays-uncompressed-v2-tiny": (ARRAYS_SQL.replace("{n}", "7"), "uncompressed", "v2", None),
    "arrays-empty": (ARRAYS_SQL.replace("{n}", "10") + " WHERE false", "snappy", "v1", None),
    "arrays-all-null": (ALL_NULL_SQL, "snappy", "v1", 2048),
    "arrays-pages": (PAGES_SQL, "zstd", "v1", None),
}


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pqarr")
    paths = {name: tmp / f"{name}.parquet" for name in FILES}
    compare.duckdb(tmp, [compare.copy_sql(sql, paths[name], codec, version, rgs)
                         for name, (sql, codec, version, rgs) in FILES.items()])
    rows = compare.run_oracle("duckdb", list(paths.values()), tmp / "oracle")
    return {"tmp": tmp, "paths": paths, "oracle": dict(zip(FILES, rows))}


def chunks(tmp, path):
    return compare.duckdb(tmp, [], "SELECT row_group_id, path_in_schema, num_values, "
                          "coalesce(dictionary_page_offset, data_page_offset) AS start, "
                          f"total_compressed_size AS len FROM parquet_metadata('{path}')")


@pytest.mark.parametrize("name", list(FILES))
def test_duckdb_array_file(name, files):
    path = files["paths"][name]
    rows, oerr = files["oracle"][name]
    assert oerr is None, f"DuckDB could not read {path}: {oerr[:500]}"
    rc, out, err = compare.inspect(path)
    assert rc == 0, err
    problems = compare.compare_rows(out, rows)
    assert not problems, f"{name}: " + "; ".join(problems)
    n = out.count(b"\n")
    if name == "arrays-empty":
        assert out == b""
    else:
        assert n == sum(1 for _ in open(rows, "rb")) and n > 0
    # the shapes the file is meant to have (so that a change in DuckDB cannot quietly empty the test)
    meta = chunks(files["tmp"], path)
    groups = {m["row_group_id"] for m in meta}
    if FILES[name][3] and name != "arrays-all-null":
        assert len(groups) >= 4, groups
    if name.startswith("arrays-") and name not in ("arrays-empty", "arrays-pages", "arrays-all-null"):
        a3 = [m for m in meta if m["path_in_schema"] == "a3, list, element"]
        # a null INTEGER[3] takes three level entries: more entries than 3 per row would mean a
        # writer that pads differently, and this test would no longer cover padding
        per_group = {m["row_group_id"]: int(m["num_values"]) for m in a3}
        assert sum(per_group.values()) == 3 * n, per_group


def test_null_arrays_are_padded(files):
    """The files hold what the reader must cope with: null arrays padded to their size."""
    path = files["paths"]["arrays-all-null"]
    meta = chunks(files["tmp"], path)
    nv = {m["path_in_schema"]: int(m["num_values"]) for m in meta if m["row_group_id"] == "0"}
    rows = 2048
    assert nv["a3, list, element"] == 3 * rows
    assert nv["v22, list, element, list, element"] == 4 * rows
    assert nv["sa, a, list, element"] == 2 * rows
    assert nv["e3, list, element"] == 3 * rows


def test_list_spans_pages_beside_arrays(files):
    path = files["paths"]["arrays-pages"]
    meta = chunks(files["tmp"], path)
    pages = {m["path_in_schema"]: compare.data_pages(path, int(m["start"]), int(m["len"])) for m in meta}
    assert pages["ls, list, element"] >= 2, pages
    assert pages["a2, list, element"] >= 1


def test_projection_of_arrays(files):
    """Projected struct fields and arrays equal the same fields of DuckDB's full rows."""
    path = files["paths"]["arrays-zstd-v2"]
    rc, out, err = compare.inspect(path, "--columns", "sa.a,la,a22,ma")
    assert rc == 0, err
    rows, _ = files["oracle"]["arrays-zstd-v2"]
    with open(rows, "rb") as fh:
        want = []
        for line in fh:
            r = json.loads(line)
            want.append({"a22": r["a22"], "sa": None if r["sa"] is None else {"a": r["sa"]["a"]},
                         "la": r["la"], "ma": r["ma"]})
    ours = [json.loads(x) for x in out.splitlines()]
    assert len(ours) == len(want)
    for i, (o, w) in enumerate(zip(ours, want)):
        d = compare.diff(o, w)
        assert d is None, f"row {i}: {d}"
