"""Full-table query answers: compressed answers (gzip, zstd) decode to the plain lines, and the snapshot cache never serves a stale or corrupt snapshot."""
import glob
import gzip
import json
import os
import shutil
import subprocess
import time

import pytest
import requests

from deltagen import Table
from osserver import Server

TOKEN = "throughput-reader-token-0123456789"
T0 = 1700000000000
FILES = 3000     # enough for a snapshot image of several checksummed blocks


def build(root, name, files=FILES):
    t = Table(os.path.join(root, name))
    # Unique stats per file: a file line is identified by its stats and size.
    t.commit([t.add("p%d/f%05d.parquet" % (i % 7, i), "p%d" % (i % 7), 10 + i, i * 100, i * 100 + 99)
              for i in range(files)], T0)
    t.commit([t.remove("p1/f00001.parquet"), t.add("p1/g00001.parquet", "p1", 5, -5, -1)], T0 + 60000)
    return t


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("throughput"))
    data = os.path.join(root, "data")
    tables = {n: build(data, n) for n in ("plain", "fresh", "corrupt", "truncated")}
    cfg = os.path.join(root, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"""
storage:
  - {{name: data, uri: 'file://{data}'}}
shares:
  - name: s
    schemas:
      - name: db
        tables:
""" + "".join(f"          - {{name: {n}, location: 'file://{t.root}', history_shared: true}}\n"
              for n, t in tables.items()) + """
recipients:
  - {name: r, token: {env: TOK}}
grants:
  - {share: s, recipients: [r]}
""")
    state = os.path.join(root, "state")
    server = Server(["--config", cfg, "--data-dir", state], env={"TOK": TOKEN}).start()
    server.cache_dir = os.path.join(state, "snapshot-cache")
    yield server, tables
    server.stop()


def post(server, table, body=None, encoding=None):
    headers = {"Authorization": "Bearer " + TOKEN, "Accept-Encoding": encoding or "identity"}
    r = requests.post(server.url("/shares/s/schemas/db/tables/%s/query" % table), headers=headers,
                      data=json.dumps(body or {}), timeout=60, stream=True)
    raw = r.raw.read(decode_content=False)   # the bytes as sent, not decoded by requests
    return r, raw


def decode(raw, coding):
    """The independent decoders: Python's gzip module and the zstd command-line tool."""
    if coding == "gzip":
        return gzip.decompress(raw)
    if coding == "zstd":
        return subprocess.run(["zstd", "-d", "-c", "-q"], input=raw, capture_output=True, check=True).stdout
    assert coding is None
    return raw


def normal(lines):
    """Lines without what differs between two answers (signed URLs, their expiry)."""
    out = []
    for line in lines:
        o = json.loads(line)
        for wrapper in ("file", "add", "remove", "cdf"):
            f = o.get(wrapper)
            if f:
                f.pop("url", None)
                f.pop("expirationTimestamp", None)
        out.append(json.dumps(o, sort_keys=True))
    return out


def files_of(lines):
    """(size, stats, partitionValues) of each file line, sorted."""
    got = [json.loads(l)["file"] for l in lines if '"file"' in l[:10]]
    return sorted((f["size"], f["stats"], json.dumps(f["partitionValues"], sort_keys=True)) for f in got)


def expected(t, active):
    return sorted((a["size"], a["stats"], json.dumps(a["partitionValues"], sort_keys=True)) for a in active.values())


def images(server):
    return sorted(glob.glob(os.path.join(server.cache_dir, "*.img")))


def image_for(server, before):
    """The image a query just wrote: the one not in `before`."""
    new = [p for p in images(server) if p not in before]
    assert len(new) == 1, (before, images(server))
    return new[0]


@pytest.mark.parametrize("coding", ["gzip", "zstd"])
def test_compressed_answer_decodes_to_the_plain_lines(setup, coding):
    server, _ = setup
    plain, raw_plain = post(server, "plain")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed, raw = post(server, "plain", encoding=coding)
    assert packed.status_code == 200
    assert packed.headers["Content-Encoding"] == coding
    assert "accept-encoding" in packed.headers["Vary"].lower()
    # Compressed at all (each URL is sealed ciphertext, which does not compress: a third is
    # about what gzip reaches here, so only require a clear gain).
    assert len(raw) < len(raw_plain) / 2
    text = decode(raw, coding).decode()
    assert text.endswith("\n")
    assert normal(text.splitlines()) == normal(raw_plain.decode().splitlines())
    assert len(text.splitlines()) == FILES + 2


def test_changes_are_compressed_too(setup):
    server, _ = setup
    headers = {"Authorization": "Bearer " + TOKEN, "Accept-Encoding": "gzip"}
    url = server.url("/shares/s/schemas/db/tables/plain/changes?startingVersion=0")
    r = requests.get(url, headers=headers, timeout=60, stream=True)
    raw = r.raw.read(decode_content=False)
    r2 = requests.get(url, headers={"Authorization": "Bearer " + TOKEN, "Accept-Encoding": "identity"},
                      timeout=60)
    assert r.status_code == 200 and r.headers["Content-Encoding"] == "gzip"
    assert normal(gzip.decompress(raw).decode().splitlines()) == normal(r2.text.splitlines())


@pytest.mark.parametrize("offer,coding", [
    ("gzip, deflate", "gzip"),
    ("zstd;q=0.5, gzip", "zstd"),
    ("zstd;q=0, gzip;q=1.0", "gzip"),
    ("gzip;q=0", None),
    ("*", "gzip"),
    ("*, gzip;q=0", None),
    ("br, identity", None),
    ("GZIP", "gzip"),
])
def test_accept_encoding_is_honoured(setup, offer, coding):
    server, _ = setup
    r, raw = post(server, "plain", body={"maxFiles": 5}, encoding=offer)
    assert r.status_code == 200
    assert r.headers.get("Content-Encoding") == coding
    text = decode(raw, coding).decode()
    assert len(text.splitlines()) == 2 + 5 + 1   # protocol, metadata, 5 files, end of stream


def test_a_repeated_query_is_served_from_the_cache_and_a_new_commit_is_not_stale(setup):
    server, tables = setup
    t = tables["fresh"]
    before = images(server)
    r, raw = post(server, "fresh")
    v1_lines = raw.decode().splitlines()
    assert files_of(v1_lines) == expected(t, t.active)
    img = image_for(server, before)
    mtime = os.stat(img).st_mtime_ns
    v1_active = dict(t.active)
    # Same version: the same answer, from the image (not rewritten).
    r, raw = post(server, "fresh")
    assert r.headers["Delta-Table-Version"] == "1"
    assert normal(raw.decode().splitlines()) == normal(v1_lines)
    assert os.stat(img).st_mtime_ns == mtime
    # A new commit is a new version: its own answer, never the cached one.
    t.commit([t.remove("p2/f00002.parquet"), t.add("p3/h00003.parquet", "p3", 7, -70, -61)], T0 + 120000)
    r, raw = post(server, "fresh")
    assert r.headers["Delta-Table-Version"] == "2"
    assert files_of(raw.decode().splitlines()) == expected(t, t.active)
    r, raw = post(server, "fresh")
    assert files_of(raw.decode().splitlines()) == expected(t, t.active)
    # Time travel still answers the older version (by version and by timestamp).
    r, raw = post(server, "fresh", body={"version": 1})
    assert r.headers["Delta-Table-Version"] == "1"
    assert files_of(raw.decode().splitlines()) == expected(t, v1_active)
    r, raw = post(server, "fresh", body={"timestamp": "2023-11-14T22:14:30Z"})   # T0 + 70 s
    assert r.headers["Delta-Table-Version"] == "1"
    assert files_of(raw.decode().splitlines()) == expected(t, v1_active)
    # Predicates, limits and pages over a cached version still answer right.
    r, raw = post(server, "fresh", body={"maxFiles": 10})
    lines = raw.decode().splitlines()
    assert len(lines) == 2 + 10 + 1
    r, raw = post(server, "fresh", body={"limitHint": 1})
    assert 1 <= len(raw.decode().splitlines()) - 2 < FILES


def corrupt_path_in(img, name):
    """Changes one letter of a file name inside the image: served, it would show."""
    with open(img, "r+b") as f:
        data = f.read()
        at = data.find(name.encode())
        assert at > 0
        f.seek(at + len(name) - 1)
        f.write(b"x")


def test_a_corrupt_image_is_never_served_and_is_rebuilt(setup):
    server, tables = setup
    t = tables["corrupt"]
    before = images(server)
    r, raw = post(server, "corrupt")
    good = raw.decode().splitlines()
    img = image_for(server, before)
    # A name in a later block: the first blocks are served from the image, the
    # rest from the log.
    corrupt_path_in(img, "p1/f02500.parquet")
    for coding in (None, "gzip"):
        r, raw = post(server, "corrupt", encoding=coding)
        lines = decode(raw, coding).decode().splitlines()
        assert "parquex" not in "\n".join(lines)
        assert normal(lines) == normal(good)
        assert files_of(lines) == expected(t, t.active)
    logs = server.logs()
    assert "snapshot cache" in logs and "corrupt" in logs
    # The bad image was dropped; a query after it wrote a good one again.
    assert os.path.exists(img)
    with open(img, "rb") as f:
        assert b"parquex" not in f.read()
    r, raw = post(server, "corrupt")
    assert normal(raw.decode().splitlines()) == normal(good)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_truncated_or_foreign_image_is_ignored(setup, damage):
    server, tables = setup
    t = tables["truncated"]
    before = images(server)
    r, raw = post(server, "truncated")
    good = raw.decode().splitlines()
    for img in [image_for(server, before)]:
        size = os.path.getsize(img)
        with open(img, "r+b") as f:
            if damage == "truncate":
                f.truncate(size - 5)
            elif damage == "garbage":
                f.seek(0)
                f.write(os.urandom(64))
            else:
                f.truncate(0)
    r, raw = post(server, "truncated")
    lines = raw.decode().splitlines()
    assert r.status_code == 200
    assert normal(lines) == normal(good)
    assert files_of(lines) == expected(t, t.active)


def test_cache_off_still_answers(tmp_path):
    data = tmp_path / "data"
    t = build(str(data), "t", files=50)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"""
storage: [{{name: d, uri: 'file://{data}'}}]
shares: [{{name: s, schemas: [{{name: db, tables: [{{name: t, location: 'file://{t.root}'}}]}}]}}]
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: s, recipients: [r]}}]
""")
    state = tmp_path / "state"
    server = Server(["--config", str(cfg), "--data-dir", str(state)],
                    env={"TOK": TOKEN, "OPENSHARING_SNAPSHOT_CACHE_MB": "0"}).start()
    try:
        r, raw = post(server, "t")
        assert files_of(raw.decode().splitlines()) == expected(t, t.active)
        assert not glob.glob(str(state / "snapshot-cache" / "*.img"))
    finally:
        server.stop()


SHARED = os.environ.get("OS_SHARED_DIR") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))), "shared")
GOLDEN = os.path.join(SHARED, "testdata", "delta-golden")
ALL_FEATURES = "deletionvectors,columnmapping,timestampntz,typewidening,varianttype,domainmetadata"


@pytest.mark.skipif(not os.path.isdir(GOLDEN), reason="needs the Delta golden tables in $OS_SHARED_DIR/testdata "
                    "(absent here)")
def test_golden_tables_answer_the_same_from_the_cache(tmp_path):
    """Checkpoints (classic, multi-part, v2), deletion vectors, column mapping, odd paths: the
    answer read back from the snapshot image equals the one replayed from the log, in both
    response formats."""
    names = sorted(n for n in os.listdir(GOLDEN) if os.path.isdir(os.path.join(GOLDEN, n, "_delta_log")))
    assert names
    cfg = tmp_path / "c.yaml"
    tables = "".join("          - {name: t%d, location: 'file://%s/%s'}\n" % (i, GOLDEN, n)
                     for i, n in enumerate(names))
    cfg.write_text(f"""
storage: [{{name: g, uri: 'file://{GOLDEN}'}}]
shares:
  - name: s
    schemas:
      - name: db
        tables:
{tables}
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: s, recipients: [r]}}]
""")
    state = tmp_path / "state"
    server = Server(["--config", str(cfg), "--data-dir", str(state)], env={"TOK": TOKEN}).start()
    try:
        served = 0
        for i, name in enumerate(names):
            url = server.url("/shares/s/schemas/db/tables/t%d/query" % i)
            for caps in (None, "responseformat=delta;readerfeatures=" + ALL_FEATURES):
                headers = {"Authorization": "Bearer " + TOKEN}
                if caps:
                    headers["delta-sharing-capabilities"] = caps
                a = requests.post(url, headers=headers, data="{}", timeout=60)
                b = requests.post(url, headers=headers, data="{}", timeout=60)
                assert a.status_code == b.status_code, name
                if a.status_code == 200:
                    assert normal_any(b.text.splitlines()) == normal_any(a.text.splitlines()), (name, caps)
                    served += 1
        assert served > 50
        assert glob.glob(str(state / "snapshot-cache" / "*.img"))
    finally:
        server.stop()


def normal_any(lines):
    """Lines without signed URLs and expiries, in either response format."""
    out = []
    for line in lines:
        o = json.loads(line)
        f = o.get("file")
        if f:
            f.pop("url", None)
            f.pop("expirationTimestamp", None)
            action = f.get("deltaSingleAction", {})
            for v in action.values():
                v.pop("path", None)
                dv = v.get("deletionVector")
                if dv and dv.get("storageType") == "p":
                    dv.pop("pathOrInlineDv", None)
        out.append(json.dumps(o, sort_keys=True))
    return out
