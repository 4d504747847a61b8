"""compare.py - compares rows printed by `opensharing inspect parquet` with rows from an
independent reader (tests/conformance/parquet/oracle.mjs), and the helpers the parquet
conformance tests share.

Normalisation (both sides agree on it; the oracle never runs our code):
  * the oracle tags what it decoded (see oracle.mjs); our value is interpreted by that tag:
    {"$i"} 64-bit ints compare exactly with our JSON integer; {"$dec"} compares exactly
    with our decimal string (as decimal.Decimal); {"$ts", u} compares with our ISO-8601
    string converted to a count of u since the epoch (ours floored to u: DuckDB reads INT96
    and nanosecond data at microsecond precision); {"$date"} compares with our YYYY-MM-DD
    as days; {"$time"} with our HH:MM:SS.fff; {"$b64"} with our base64 text;
    {"$f"} with our "NaN"/"Infinity"/"-Infinity" strings; {"$interval"} with the months,
    days and milliseconds in our base64 of the 12-byte INTERVAL.
  * maps: DuckDB gives {"$map": [[k, v], ...]} in file order; ours is an object (string
    keys) or [{"key","value"}] -- both become ordered pairs.  hyparquet gives maps as plain
    objects, compared key by key.
  * plain numbers: equal, or equal as IEEE single precision (FLOAT columns), or -- for
    hyparquet, which turns DECIMAL into a JavaScript double -- our decimal string within
    a relative 1e-12.
"""
import base64
import datetime
import decimal
import json
import os
import struct
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE.parent
REPO = CONF.parent.parent

UNIT_NS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def binary():
    b = os.environ.get("OS_BIN")
    if b:
        return b
    for flavour in ("release", "asan", "pq-rel", "pq"):
        p = REPO / "build" / flavour / "opensharing"
        if p.exists():
            return str(p)
    raise RuntimeError("set OS_BIN to the opensharing binary")


def shared_dir():
    return Path(os.environ.get("OS_SHARED_DIR") or (REPO.parent / "shared"))


def run_oracle(engine, files, outdir, timeout=600):
    """Runs oracle.mjs over files; returns a list of (rows_path or None, error or None)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    lst = outdir / "files.json"
    lst.write_text(json.dumps([str(f) for f in files]))
    subprocess.run(["node", str(HERE / "oracle.mjs"), engine, str(lst), str(outdir)],
                   cwd=CONF, check=True, timeout=timeout)
    res = []
    for k in range(len(files)):
        err = outdir / f"{k}.err"
        if err.exists():
            res.append((None, err.read_text()))
        else:
            res.append((outdir / f"{k}.jsonl", None))
    return res


def duckdb(tmp, statements, query=None):
    """Runs SQL statements with DuckDB (duckdb_sql.mjs); returns QUERY's rows when given."""
    f = Path(tmp) / f"sql-{abs(hash(json.dumps(statements)))}.json"
    f.write_text(json.dumps(statements))
    p = subprocess.run(["node", str(HERE / "duckdb_sql.mjs"), str(f)] + ([query] if query else []),
                       cwd=CONF, check=True, capture_output=True, timeout=600)
    return json.loads(p.stdout) if query else None


def copy_sql(sql, path, codec, version="v1", rgs=None):
    """DuckDB's COPY of a query to a Parquet file."""
    opts = f"FORMAT parquet, COMPRESSION {codec}, PARQUET_VERSION {version}"
    if rgs:
        opts += f", ROW_GROUP_SIZE {rgs}"
    return f"COPY ({sql}) TO '{path}' ({opts})"


def _varint(b, i):
    v = shift = 0
    while True:
        x = b[i]
        i += 1
        v |= (x & 0x7F) << shift
        shift += 7
        if x < 0x80:
            return v, i


def _skip_thrift(b, i, t):
    """Skips one Thrift compact value of type t at i."""
    if t in (1, 2):
        return i
    if t == 3:
        return i + 1
    if t in (4, 5, 6):
        return _varint(b, i)[1]
    if t == 7:
        return i + 8
    if t == 8:
        n, i = _varint(b, i)
        return i + n
    if t in (9, 10):
        h = b[i]
        i += 1
        n, et = h >> 4, h & 15
        if n == 15:
            n, i = _varint(b, i)
        for _ in range(n):
            i = _skip_thrift(b, i, et)
        return i
    if t == 12:
        while True:
            h = b[i]
            i += 1
            if h == 0:
                return i
            if h >> 4 == 0:
                _, i = _varint(b, i)
            i = _skip_thrift(b, i, h & 15)
    raise ValueError(f"thrift type {t}")


def data_pages(path, start, length):
    """Counts the data pages (v1 and v2) of the column chunk at [start, start + length) of a
    Parquet file, from the PageHeaders' type (field 1) and compressed_page_size (field 3).
    Only checks how a test file was written; values are never read here."""
    b = Path(path).read_bytes()
    i, n = start, 0
    while i < start + length:
        fid, typ, size = 0, None, None
        while True:
            h = b[i]
            i += 1
            if h == 0:
                break
            t = h & 15
            if h >> 4:
                fid += h >> 4
            else:
                v, i = _varint(b, i)
                fid = (v >> 1) ^ -(v & 1)
            if fid in (1, 3) and t == 5:
                v, i = _varint(b, i)
                v = (v >> 1) ^ -(v & 1)
                typ, size = (v, size) if fid == 1 else (typ, v)
            else:
                i = _skip_thrift(b, i, t)
        if typ is None or size is None or size < 0:
            raise ValueError(f"{path}: bad page header before offset {i}")
        i += size
        n += typ in (0, 3)
    return n


def inspect(path, *args, timeout=300):
    """Runs our inspect command; returns (exit code, stdout, stderr)."""
    p = subprocess.run([binary(), "inspect", "parquet", str(path), *args],
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def iso_to_ns(s):
    """'YYYY-MM-DDTHH:MM:SS.fffZ' (or without Z, any fraction length) -> ns since epoch."""
    s = s[:-1] if s.endswith("Z") else s
    date, _, clock = s.partition("T")
    sign = 1
    if date[0] in "+-":
        sign = -1 if date[0] == "-" else 1
        date = date[1:]
    y, m, d = date.split("-")
    days = (datetime.date(1970, 1, 1) - datetime.date(1970, 1, 1)).days
    days = _days_from_civil(sign * int(y), int(m), int(d))
    hms, _, frac = clock.partition(".")
    hh, mm, ss = (int(x) for x in hms.split(":"))
    ns = int((frac + "000000000")[:9]) if frac else 0
    return ((days * 86400 + hh * 3600 + mm * 60 + ss) * 10**9) + ns


def _days_from_civil(y, m, d):
    # proleptic Gregorian, independent of datetime's year range
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _f32(x):
    try:
        return struct.unpack("f", struct.pack("f", x))[0]
    except (OverflowError, struct.error):
        return None


def _num_eq(ours, theirs):
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, str):
        try:
            d = decimal.Decimal(ours)
        except decimal.InvalidOperation:
            return False
        t = decimal.Decimal(theirs)
        return d == t or abs(d - t) <= abs(t) * decimal.Decimal("1e-12")
    if not isinstance(ours, (int, float)):
        return False
    if ours == theirs:
        return True
    if isinstance(ours, float) or isinstance(theirs, float):
        # JavaScript prints a large double like an integer ("320039809236416000000")
        if float(ours) == float(theirs):
            return True
    f = _f32(theirs)
    return f is not None and f == theirs and _f32(ours) == f


def _pairs(v):
    if isinstance(v, dict):
        return list(v.items())
    if isinstance(v, list) and all(isinstance(e, dict) and set(e) == {"key", "value"} for e in v):
        return [(e["key"], e["value"]) for e in v]
    return None


def _js_key(k):
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, list):
        return ",".join("" if e is None else _js_key(e) for e in k)
    if isinstance(k, dict):
        return "[object Object]"
    return str(k)


def diff(ours, theirs, path="$"):
    """Returns None when equal, else a string saying where and how they differ."""
    if theirs is None:
        return None if ours is None else f"{path}: ours {ours!r}, oracle null"
    if ours is None:
        return f"{path}: ours null, oracle {theirs!r}"
    if isinstance(theirs, dict) and len(theirs) in (1, 2) and next(iter(theirs)).startswith("$"):
        tag = next(iter(theirs))
        val = theirs[tag]
        ok = False
        try:
            if tag == "$i":
                ok = (isinstance(ours, int) and not isinstance(ours, bool) and ours == int(val)) or \
                     (isinstance(ours, str) and decimal.Decimal(ours) == decimal.Decimal(val))
            elif tag == "$dec":
                ok = isinstance(ours, str) and decimal.Decimal(ours) == decimal.Decimal(val)
            elif tag == "$f":
                ok = ours == val
            elif tag == "$ts":
                ok = isinstance(ours, str) and iso_to_ns(ours) // UNIT_NS[theirs["u"]] == int(val)
            elif tag == "$date":
                if isinstance(ours, str):
                    y, m, d = ours.lstrip("+").rsplit("-", 2)
                    ok = _days_from_civil(int(y), int(m), int(d)) == val
            elif tag == "$time":
                if isinstance(ours, str):
                    ok = iso_to_ns("1970-01-01T" + ours) // UNIT_NS[theirs["u"]] == int(val)
            elif tag == "$interval":
                raw = base64.b64decode(ours) if isinstance(ours, str) else b""
                if len(raw) == 12:
                    months, days, millis = struct.unpack("<III", raw)
                    ok = [months, days, millis * 1000] == [val[0], val[1], int(val[2])]
            elif tag == "$b64":
                ok = isinstance(ours, str) and base64.b64decode(ours) == base64.b64decode(val)
            elif tag == "$map":
                po = _pairs(ours)
                if po is None or len(po) != len(val):
                    return f"{path}: map sizes differ: ours {ours!r}, oracle {val!r}"
                for i, ((ok_, ov), (tk, tv)) in enumerate(zip(po, val)):
                    d = diff(ok_, tk, f"{path}{{key {i}}}") or diff(ov, tv, f"{path}[{tk!r}]")
                    if d:
                        return d
                return None
            else:
                return f"{path}: unknown oracle tag {tag}"
        except (ValueError, decimal.InvalidOperation, KeyError) as e:
            return f"{path}: cannot compare ours {ours!r} with oracle {theirs!r}: {e}"
        return None if ok else f"{path}: ours {ours!r}, oracle {theirs!r}"
    if isinstance(theirs, dict):
        if isinstance(ours, list):
            po = _pairs(ours)
            if po is None:
                return f"{path}: ours a list, oracle an object"
            # hyparquet keys a map by JavaScript's String(key)
            ours = {_js_key(k): v for k, v in po}
            theirs = {k: v for k, v in theirs.items()}
        if not isinstance(ours, dict):
            return f"{path}: ours {ours!r}, oracle an object"
        if set(ours) != set(theirs):
            return f"{path}: keys differ: ours {sorted(ours)}, oracle {sorted(theirs)}"
        for k in theirs:
            d = diff(ours[k], theirs[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return f"{path}: ours {ours!r}, oracle {theirs!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            d = diff(a, b, f"{path}[{i}]")
            if d:
                return d
        return None
    if isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
        return None if _num_eq(ours, theirs) else f"{path}: ours {ours!r}, oracle {theirs!r}"
    return None if ours == theirs else f"{path}: ours {ours!r}, oracle {theirs!r}"


def compare_rows(our_stdout, oracle_path, max_report=3):
    """Compares our JSON lines with the oracle's; returns a list of problems (empty = equal)."""
    ours = our_stdout.splitlines() if isinstance(our_stdout, (bytes, str)) else our_stdout
    problems = []
    n = 0
    with open(oracle_path, "rb") as fh:
        theirs = iter(fh)
        for n, line in enumerate(ours):
            t = next(theirs, None)
            if t is None:
                problems.append(f"ours has more rows than the oracle ({n} + ...)")
                break
            d = diff(json.loads(line), json.loads(t))
            if d:
                problems.append(f"row {n}: {d}")
                if len(problems) >= max_report:
                    break
        else:
            rest = sum(1 for _ in theirs)
            if rest:
                problems.append(f"oracle has {rest} more rows than ours")
    return problems
