"""common.py - helpers shared by the Delta conformance tests: running the binary, DuckDB jobs."""
import json
import os
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE.parent
REPO = CONF.parent.parent


def binary():
    b = os.environ.get("OS_BIN")
    if b:
        return b
    for flavour in ("release", "asan", "dl"):
        p = REPO / "build" / flavour / "opensharing"
        if p.exists():
            return str(p)
    raise RuntimeError("set OS_BIN to the opensharing binary")


def shared_dir():
    return Path(os.environ.get("OS_SHARED_DIR") or (REPO.parent / "shared"))


GOLDEN = shared_dir() / "testdata" / "delta-golden"


def inspect(table, *args, timeout=120, env=None):
    """Runs `opensharing inspect delta`; returns (rc, [json lines], stderr)."""
    full_env = dict(os.environ, **env) if env else None
    p = subprocess.run([binary(), "inspect", "delta", str(table), *map(str, args)],
                       capture_output=True, timeout=timeout, env=full_env)
    lines = []
    if p.returncode == 0:
        lines = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
    return p.returncode, lines, p.stderr.decode("utf-8", "replace")


def duck(sqls, timeout=600):
    """Runs SQL statements in one DuckDB process; returns a list of rows-or-exception."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(sqls, f)
        name = f.name
    try:
        p = subprocess.run(["node", str(HERE / "duck.mjs"), name], cwd=CONF,
                           capture_output=True, timeout=timeout, check=True)
    finally:
        os.unlink(name)
    out = []
    for line in p.stdout.decode("utf-8").splitlines():
        r = json.loads(line)
        out.append(r["rows"] if "rows" in r else RuntimeError(r["error"]))
    assert len(out) == len(sqls)
    return out


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def tables():
    if not GOLDEN.is_dir():
        return []
    return sorted(str(p.parent.relative_to(GOLDEN)) for p in GOLDEN.rglob("_delta_log") if p.is_dir())
