"""test_parquet_golden.py - every Parquet file of the Delta golden tables (data files and
checkpoints, written by Spark) reads the same with `opensharing inspect parquet` as with two
independent readers, hyparquet and DuckDB (see parquet/compare.py for the normalisation)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "parquet"))
import compare  # noqa: E402

GOLDEN = compare.shared_dir() / "testdata" / "delta-golden"
FILES = sorted(p for p in GOLDEN.rglob("*.parquet") if p.is_file()) if GOLDEN.is_dir() else []
IDS = [str(p.relative_to(GOLDEN)) for p in FILES]

pytestmark = pytest.mark.skipif(not FILES, reason=f"shared test data absent: no golden tables at {GOLDEN}")


@pytest.fixture(scope="module")
def oracles(tmp_path_factory):
    out = {}
    for engine in ("hyparquet", "duckdb"):
        out[engine] = compare.run_oracle(engine, FILES, tmp_path_factory.mktemp(engine))
    return out


def test_golden_files_present():
    assert len(FILES) > 300


@pytest.mark.parametrize("idx", range(len(FILES)), ids=IDS)
def test_golden_file_matches_oracles(idx, oracles):
    path = FILES[idx]
    rc, out, err = compare.inspect(path)
    assert rc == 0, f"{path}: {err}"
    read_by = 0
    for engine, results in oracles.items():
        rows, oerr = results[idx]
        if oerr is not None:
            continue  # that oracle cannot read this file; the other one must
        problems = compare.compare_rows(out, rows)
        assert not problems, f"{path} vs {engine}: " + "; ".join(problems)
        read_by += 1
    assert read_by >= 1, f"{path}: no oracle could read it"


CHECKPOINTS = [i for i, p in enumerate(FILES) if "_delta_log" in p.parts]


@pytest.mark.parametrize("idx", CHECKPOINTS, ids=[IDS[i] for i in CHECKPOINTS])
def test_checkpoint_projection_equals_full_read(idx):
    """What the Delta engine does: read only some action columns of a checkpoint."""
    import json
    path = FILES[idx]
    rc, full, err = compare.inspect(path)
    assert rc == 0, err
    rows = [json.loads(x) for x in full.splitlines()]
    wanted = [c for c in ("add", "remove", "metaData", "protocol") if rows and c in rows[0]]
    if not wanted:
        pytest.skip("no action columns")
    sub = ["add.path", "add.partitionValues"] if "add" in wanted else []
    rc, part, err = compare.inspect(path, "--columns", ",".join(wanted[1:] + sub) if sub else ",".join(wanted))
    assert rc == 0, err
    for f, p in zip(rows, (json.loads(x) for x in part.splitlines())):
        for c in wanted[1:] if sub else wanted:
            assert p[c] == f[c]
        if sub:
            want = None if f["add"] is None else {"path": f["add"]["path"],
                                                   "partitionValues": f["add"]["partitionValues"]}
            assert p["add"] == want
