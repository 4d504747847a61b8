"""test_parquet_generated.py - Parquet files written at test time by DuckDB and by
hyparquet-writer, covering every physical and logical type, the encodings (PLAIN,
dictionaries, RLE, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY,
BYTE_STREAM_SPLIT), the codecs (UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW), data pages v1
and v2, nulls at every nesting level, lists of structs, maps, empty files, large
dictionaries, many row groups and a file of a million rows.  Each is read by
`opensharing inspect parquet` and compared row by row with DuckDB (and hyparquet) reading
the same file; see parquet/compare.py for the normalisation."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "parquet"))
import compare  # noqa: E402

CODECS = ["uncompressed", "snappy", "gzip", "zstd", "lz4"]

TYPES_SQL = r"""
SELECT i AS id,
  CASE WHEN i % 7 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
  (i % 256 - 128)::TINYINT AS i8,
  ((i * 37) % 65536 - 32768)::SMALLINT AS i16,
  CASE WHEN i % 5 = 0 THEN NULL ELSE ((i * 2654435761) % 4294967296 - 2147483648)::INTEGER END AS i32,
  CASE i WHEN 1 THEN -9223372036854775808 WHEN 2 THEN 9223372036854775807
         ELSE (hash(i) >> 2)::BIGINT - 2305843009213693952 END AS i64,
  (i % 256)::UTINYINT AS u8, (i % 65536)::USMALLINT AS u16,
  ((i * 2654435761) % 4294967296)::UINTEGER AS u32, hash(i) AS u64,
  CASE i % 11 WHEN 0 THEN 'nan'::FLOAT WHEN 1 THEN 'inf'::FLOAT WHEN 2 THEN '-inf'::FLOAT
              WHEN 3 THEN '-0.0'::FLOAT WHEN 4 THEN NULL ELSE (i / 3.0)::FLOAT END AS f32,
  CASE i % 13 WHEN 0 THEN 'nan'::DOUBLE WHEN 1 THEN 'inf'::DOUBLE WHEN 2 THEN '-inf'::DOUBLE
              WHEN 3 THEN 1e300 WHEN 4 THEN 5e-324 ELSE i / 7.0 - 1000 END AS f64,
  ((((i * 7919) % 19999) - 9999) / 100)::DECIMAL(4,2) AS d4,
  ((((i * 7919) % 1999999999) - 999999999) / 1000)::DECIMAL(9,3) AS d9,
  (((hash(i) % 999999999999)::BIGINT - 499999999999)::DECIMAL(18,6) / 1000)::DECIMAL(18,6) AS d18,
  CASE WHEN i % 3 = 0 THEN NULL ELSE
    ((((hash(i) % 99999999999999999)::HUGEINT - 49999999999999999)::DECIMAL(38,0) * 1234567)::DECIMAL(38,10)
      + 0.0123456789)::DECIMAL(38,10) END AS d38,
  CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'ünïcødé ✓ ' || i
             WHEN 3 THEN 'quote" back\slash ' || chr(10) || chr(9) || chr(1) ELSE 'v' || i END AS s,
  CASE WHEN i % 4 = 0 THEN NULL ELSE from_hex(printf('%02x00ff%08x', i % 256, i)) END AS bin,
  CASE i WHEN 1 THEN DATE '0001-01-01' WHEN 2 THEN DATE '9999-12-31'
         ELSE DATE '1970-01-01' + ((i * 97) % 100000 - 50000)::INTEGER END AS dt,
  make_time((i % 24)::BIGINT, (i * 7 % 60)::BIGINT, (i * 13 % 60) + (i % 1000) / 1000.0) AS tm,
  TIMESTAMP '1960-01-01' + to_microseconds((i * 123456789123)::BIGINT) AS ts,
  (TIMESTAMP '1950-06-01' + to_microseconds((i * 98765432109)::BIGINT))::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2262-01-01' - to_microseconds((i * 1234567891)::BIGINT))::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMP '1990-01-01' + to_seconds(i * 1000))::TIMESTAMP_S AS ts_s,
  (TIMESTAMPTZ '2020-02-29 23:59:59.999999+00' + to_microseconds(i * 3600000001)) AS tstz,
  CASE WHEN i % 8 = 0 THEN NULL ELSE
    (substr(md5(i::VARCHAR), 1, 8) || '-' || substr(md5(i::VARCHAR), 9, 4) || '-' || substr(md5(i::VARCHAR), 13, 4)
     || '-' || substr(md5(i::VARCHAR), 17, 4) || '-' || substr(md5(i::VARCHAR), 21, 12))::UUID END AS uid,
  ('{"k": ' || i || ', "s": "x"}')::JSON AS js,
  CASE WHEN i % 9 = 0 THEN NULL ELSE
    to_months((i % 25)::INTEGER) + to_days((i % 40)::INTEGER) + to_milliseconds(i * 1001) END AS iv,
  CAST(CASE i % 3 WHEN 0 THEN 'red' WHEN 1 THEN 'green' ELSE 'blue' END AS ENUM('red', 'green', 'blue')) AS en
FROM range({n}) t(i)
"""

NESTED_SQL = r"""
SELECT i AS id,
  CASE WHEN i % 5 = 0 THEN NULL ELSE
    {'a': CASE WHEN i % 3 = 0 THEN NULL ELSE i END,
     'b': CASE WHEN i % 4 = 0 THEN NULL ELSE
            {'c': 'x' || i, 'd': CASE WHEN i % 7 = 0 THEN NULL ELSE [i, NULL, i + 1] END} END} END AS s,
  CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE [CASE WHEN i % 4 = 0 THEN NULL ELSE i END, i * 2] END AS l,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE
    [{'x': i, 'y': CASE WHEN i % 3 = 0 THEN NULL ELSE 'y' || i END}, NULL, {'x': -i, 'y': 'z'}] END AS ls,
  CASE i % 4 WHEN 0 THEN [[i, i + 1], [], NULL, [NULL]] WHEN 1 THEN NULL WHEN 2 THEN [[]] ELSE [[i]] END AS ll,
  CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN MAP {} ELSE MAP {'k' || i: i, 'q': NULL} END AS m,
  CASE WHEN i % 3 = 0 THEN NULL ELSE MAP {i: 'v' || i, i + 1: NULL} END AS mi,
  {'lst': [MAP {'a': [1, 2]}, MAP {}], 'm': MAP {'z': {'p': i, 'q': [{'r': 'deep'}]}}} AS deep,
  CASE WHEN i % 2 = 0 THEN NULL ELSE [[{'a': [i]}]] END AS lls
FROM range({n}) t(i)
"""

# the columns of the big file (every row compared with DuckDB)
BIG_SQL = r"""
SELECT i AS id, (i * 1000003) % 1000000007 AS h, 'row-' || (i % 100000) AS s,
  CASE WHEN i % 10 = 0 THEN NULL ELSE i / 3.0 END AS d, i % 3 = 0 AS b
FROM range(1000000) t(i)
"""


duckdb = compare.duckdb
copy = compare.copy_sql


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pqgen")
    files = []   # (name, path)
    stmts = []
    for codec in CODECS:
        for version in ("v1", "v2"):
            p = tmp / f"types-{codec}-{version}.parquet"
            stmts.append(copy(TYPES_SQL.replace("{n}", "3000"), p, codec, version, rgs=2048))
            files.append((p.name, p))
    for codec, version in (("snappy", "v1"), ("zstd", "v2"), ("uncompressed", "v2")):
        p = tmp / f"nested-{codec}-{version}.parquet"
        stmts.append(copy(NESTED_SQL.replace("{n}", "5000"), p, codec, version, rgs=2048))
        files.append((p.name, p))
    p = tmp / "empty.parquet"
    stmts.append(copy(TYPES_SQL.replace("{n}", "10") + " WHERE false", p, "snappy"))
    files.append((p.name, p))
    p = tmp / "big-dictionary.parquet"
    stmts.append(copy("SELECT 'value-' || (i % 60000) || repeat('x', (i % 50)::INTEGER) AS s, (i % 70000)::BIGINT AS k "
                      "FROM range(300000) t(i)", p, "zstd"))
    files.append((p.name, p))
    p = tmp / "many-row-groups.parquet"
    stmts.append(copy("SELECT i AS id, 'g' || (i // 100) AS s, [i, i + 1] AS l FROM range(120000) t(i)",
                      p, "snappy", "v2", rgs=2048))
    files.append((p.name, p))
    big = tmp / "million.parquet"
    stmts.append(copy(BIG_SQL, big, "zstd", "v2", rgs=100000))
    duckdb(tmp, stmts)
    hy = json.loads(subprocess.run(["node", str(compare.HERE / "gen_hyparquet.mjs"), str(tmp / "hy")],
                                   cwd=compare.CONF, check=True, capture_output=True, timeout=600).stdout)
    return {"tmp": tmp, "duckdb": files, "hyparquet": hy, "big": big}


@pytest.fixture(scope="module")
def oracle_rows(generated):
    files = [p for _, p in generated["duckdb"]] + [Path(h["file"]) for h in generated["hyparquet"]
                                                   if h["expect"] == "match"]
    res = {}
    for engine in ("duckdb", "hyparquet"):
        todo = files + [generated["big"]] if engine == "duckdb" else files
        out = compare.run_oracle(engine, todo, generated["tmp"] / f"oracle-{engine}")
        res[engine] = {str(f): r for f, r in zip(todo, out)}
    return res


def check_file(path, oracle_rows, engines=("duckdb", "hyparquet"), need=("duckdb",)):
    rc, out, err = compare.inspect(path)
    assert rc == 0, err
    for engine in engines:
        rows, oerr = oracle_rows[engine][str(path)]
        if oerr is not None:
            assert engine not in need, f"{engine} could not read {path}: {oerr[:500]}"
            continue
        problems = compare.compare_rows(out, rows)
        assert not problems, f"{path.name} vs {engine}: " + "; ".join(problems)
    return out


def test_duckdb_files_cover_encodings_and_codecs(generated):
    paths = ",".join(f"'{p}'" for _, p in generated["duckdb"])
    rows = duckdb(generated["tmp"], [],
                  f"SELECT DISTINCT encodings, compression FROM parquet_metadata([{paths}])")
    encodings = {e.strip() for r in rows for e in r["encodings"].split(",")}
    codecs = {r["compression"] for r in rows}
    for e in ("PLAIN", "RLE_DICTIONARY", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "BYTE_STREAM_SPLIT"):
        assert e in encodings, (e, encodings)
    for c in ("UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "LZ4_RAW"):
        assert c in codecs, (c, codecs)


def test_hyparquet_files_cover_encodings(generated):
    paths = ",".join(f"'{h['file']}'" for h in generated["hyparquet"] if h["expect"] == "match")
    rows = duckdb(generated["tmp"], [], f"SELECT DISTINCT encodings FROM parquet_metadata([{paths}])")
    encodings = {e.strip() for r in rows for e in r["encodings"].split(",")}
    for e in ("PLAIN", "RLE", "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
              "BYTE_STREAM_SPLIT"):
        assert e in encodings, (e, encodings)


@pytest.mark.parametrize("kind", [f"types-{c}-{v}" for c in CODECS for v in ("v1", "v2")]
                         + ["nested-snappy-v1", "nested-zstd-v2", "nested-uncompressed-v2",
                            "empty", "big-dictionary", "many-row-groups"])
def test_duckdb_written_file(kind, generated, oracle_rows):
    path = dict(generated["duckdb"])[f"{kind}.parquet"]
    # DuckDB is the oracle for its own files.  (hyparquet 1.33 misreads UINT_32 columns that
    # DuckDB writes with DELTA_BINARY_PACKED and 33-bit miniblocks: off by 2^31.)
    out = check_file(path, oracle_rows, engines=("duckdb",))
    if kind == "empty":
        assert out == b""


HY_FILES = ["hy-encodings-uncompressed", "hy-encodings-snappy", "hy-encodings-gzip", "hy-delta-edges",
            "hy-single", "hy-types", "hy-nested", "hy-decimals",
            "hy-legacy-types"]


@pytest.mark.parametrize("name", HY_FILES)
def test_hyparquet_written_file(name, generated, oracle_rows):
    path = next(Path(h["file"]) for h in generated["hyparquet"] if Path(h["file"]).stem == name)
    check_file(path, oracle_rows, need=("hyparquet",))


def test_unsupported_codec_is_a_clear_error(generated):
    path = next(Path(h["file"]) for h in generated["hyparquet"] if h["expect"].startswith("error"))
    rc, out, err = compare.inspect(path)
    assert rc == 1
    assert str(path) in err and "BROTLI" in err and "not supported" in err


def test_million_rows(generated, oracle_rows):
    big = generated["big"]
    rc, out, err = compare.inspect(big)
    assert rc == 0, err
    rows, oerr = oracle_rows["duckdb"][str(big)]
    assert oerr is None, oerr
    assert out.count(b"\n") == 1000000
    problems = compare.compare_rows(out, rows)
    assert not problems, "; ".join(problems)


def test_projection_matches_full_read(generated):
    path = dict(generated["duckdb"])["nested-zstd-v2.parquet"]
    rc, full, err = compare.inspect(path)
    assert rc == 0, err
    rc, part, err = compare.inspect(path, "--columns", "ls,s.b.c,mi", "--limit", "100")
    assert rc == 0, err
    full_rows = [json.loads(x) for x in full.splitlines()[:100]]
    for f, p in zip(full_rows, [json.loads(x) for x in part.splitlines()]):
        assert p["ls"] == f["ls"] and p["mi"] == f["mi"]
        want = None if f["s"] is None else {"b": None if f["s"]["b"] is None else {"c": f["s"]["b"]["c"]}}
        assert p["s"] == want
