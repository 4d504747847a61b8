"""oracle.py - an independent reading of Iceberg tables for the tests: metadata JSON with Python's
json/gzip, manifest lists and manifests decoded by avsc (avro_dump.mjs), relocation of recorded
paths written here from the spec. It shares no code with the server's engine."""
import gzip
import json
import os
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONF = HERE.parent


def shared_dir():
    repo = CONF.parent.parent
    return Path(os.environ.get("OS_SHARED_DIR") or (repo.parent / "shared"))


GOLDEN = shared_dir() / "testdata" / "iceberg-golden"


def golden_tables():
    """Every directory of the golden set holding a metadata/ folder with a metadata file."""
    out = []
    if not GOLDEN.is_dir():
        return out
    for meta in sorted(GOLDEN.rglob("metadata")):
        if meta.is_dir() and any(".metadata.json" in p.name for p in meta.iterdir()):
            out.append(str(meta.parent.relative_to(GOLDEN)))
    return out


def _long(text):
    v = int(text)
    if not -2**63 <= v < 2**63:
        raise ValueError("too big integer %s: Iceberg ids and counts are 64-bit signed" % text)
    return v


def load_json(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data, parse_int=_long)


def _version(name):
    m = re.match(r"^v?(\d+)([.-].*)?\.metadata\.json(\.gz)?$", name)
    if not m or (name.startswith("v") and not re.match(r"^v\d+\.", name)):
        return None
    return int(m.group(1))


def current_metadata_file(table_dir):
    mdir = Path(table_dir) / "metadata"
    hint = mdir / "version-hint.text"
    if hint.exists():
        h = hint.read_text().strip()
        cands = ([f"v{h}.metadata.json", f"v{h}.gz.metadata.json", f"v{h}.metadata.json.gz"] if h.isdigit()
                 else [f"{h}.metadata.json", f"{h}.gz.metadata.json", f"{h}.metadata.json.gz", h])
        for c in cands:
            if (mdir / c).is_file():
                return mdir / c
    best, others = None, []
    for p in mdir.iterdir():
        v = _version(p.name)
        if v is not None and (best is None or (v, p.name) > best[0]):
            best = ((v, p.name), p)
        elif v is None and re.search(r"\.metadata\.json(\.gz)?$", p.name):
            others.append(p)
    if best:
        return best[1]
    return others[0] if len(others) == 1 else None


def _strip(p):
    if p.startswith("file://"):
        p = p[7:]
    elif p.startswith("file:"):
        p = p[5:]
    while p.startswith("./"):
        p = p[2:]
    return p


def relocate(table_dir, location, path):
    """Where a recorded path lies under table_dir, or None when it is outside the location."""
    loc = _strip(location).rstrip("/") + "/"
    p = _strip(path)
    if not p.startswith(loc):
        return None
    rest = p[len(loc):]
    if any(seg in ("", ".", "..") for seg in rest.split("/")):
        return None
    return os.path.join(table_dir, rest)


def avro_dump(files):
    p = subprocess.run(["node", str(HERE / "avro_dump.mjs"), *map(str, files)], capture_output=True,
                       timeout=300, cwd=str(CONF))
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode())
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def ancestry(meta):
    snaps = {s["snapshot-id"]: s for s in meta.get("snapshots") or []}
    cur = meta.get("current-snapshot-id")
    main = (meta.get("refs") or {}).get("main")
    if main and main.get("type") == "branch":
        cur = main["snapshot-id"]
    out = []
    while cur is not None and cur != -1 and cur in snaps and len(out) <= len(snaps):
        out.append(snaps[cur])
        cur = snaps[cur].get("parent-snapshot-id")
    return list(reversed(out))


def versions(meta):
    """Delta Sharing versions of the current history, as docs/protocol.md defines them."""
    out, prev = [], 0
    for s in ancestry(meta):
        v = max(s.get("sequence-number", 0), prev + 1)
        out.append((v, s))
        prev = v
    return out


def snapshot_files(table_dir, meta, snap):
    """Live entries of a snapshot: (data files, delete files), each a list of dicts with
    path, local (relocated path or None), records, size, partition, content."""
    loc = meta["location"]
    if snap.get("manifest-list"):
        lst = relocate(table_dir, loc, snap["manifest-list"])
        if lst is None:
            raise ValueError("manifest list outside the location: " + snap["manifest-list"])
        [ml] = avro_dump([lst])
        if "error" in ml:
            raise ValueError(ml["error"])
        manifests = [(m["manifest_path"], m.get("content") or 0) for m in ml["records"]]
    else:
        manifests = [(m, 0) for m in snap.get("manifests") or []]
    local = []
    for path, _ in manifests:
        lp = relocate(table_dir, loc, path)
        if lp is None:
            raise ValueError("manifest outside the location: " + path)
        local.append(lp)
    data, deletes = [], []
    for dump in avro_dump(local) if local else []:
        if "error" in dump:
            raise ValueError(dump["file"] + ": " + dump["error"])
        for e in dump["records"]:
            if e["status"] == 2:
                continue
            df = e["data_file"]
            content = df.get("content") or 0
            if relocate(table_dir, loc, df["file_path"]) is None:
                raise ValueError("a data file outside the location: " + df["file_path"])
            item = {"path": df["file_path"], "local": relocate(table_dir, loc, df["file_path"]),
                    "records": int(df["record_count"]), "size": int(df["file_size_in_bytes"]),
                    "partition": df.get("partition") or {}, "content": content,
                    "status": e["status"], "snapshot_id": e.get("snapshot_id")}
            (data if content == 0 else deletes).append(item)
    return data, deletes
