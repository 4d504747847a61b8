"""test_parquet_cli.py - the `opensharing inspect parquet` command line: options, exit codes and
error messages (the row contents are proven in test_parquet_golden/generated)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "parquet"))
import compare  # noqa: E402

SEEDS = compare.REPO / "tests" / "fuzz" / "corpus" / "parquet_pages"
NESTED = SEEDS / "duck-nested-v1-gzip.parquet"


def test_help_and_usage_errors():
    rc, out, _ = compare.inspect("--help")
    assert rc == 0 and b"--columns" in out and b"INT96" in out
    for args in (["--limit", "x"], ["--limit", "-1"], ["--bogus"], ["--columns", ","], ["--limit"]):
        rc, _, err = compare.inspect(NESTED, *args)
        assert rc == 2, args


def test_schema_document():
    rc, out, err = compare.inspect(NESTED, "--schema")
    assert rc == 0, err
    doc = json.loads(out)
    assert doc["num_rows"] == 40 and doc["num_row_groups"] == 1
    kinds = {c["name"]: c["kind"] for c in doc["schema"]["children"]}
    assert kinds == {"id": "primitive", "s": "struct", "l": "list", "ls": "list", "m": "map", "ll": "list"}


def test_columns_limit_and_count():
    rc, out, err = compare.inspect(NESTED, "--columns", "id,m", "--limit", "3")
    assert rc == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [list(r) for r in rows] == [["id", "m"]] * 3
    assert rows[2] == {"id": 2, "m": {"k2": 2, "q": None}}
    rc, out, err = compare.inspect(NESTED, "--count")
    assert rc == 0 and out.strip() == b"40"
    rc, out, err = compare.inspect(NESTED, "--limit", "0")
    assert rc == 0 and out == b""


def test_errors_name_the_file(tmp_path):
    rc, out, err = compare.inspect(tmp_path / "missing.parquet")
    assert rc == 1 and "missing.parquet" in err
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet PAR1")
    rc, out, err = compare.inspect(bad)
    assert rc == 1 and str(bad) in err and "footer" in err
    data = NESTED.read_bytes()
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(data[: len(data) // 2])
    rc, out, err = compare.inspect(cut)
    assert rc == 1 and str(cut) in err
    rc, out, err = compare.inspect(NESTED, "--columns", "nope")
    assert rc == 1 and "nope" in err
