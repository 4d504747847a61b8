#!/usr/bin/env python3
"""soak.py [SECONDS] [CONNECTIONS] - a bounded, loopback-only soak of the server: wrk with many
keep-alive connections on a mixed script (discovery, table metadata, paged query, signed URL
downloads, volume listings, admin reads) for SECONDS (default 600) while the server's open file
descriptors and RSS are sampled.  Passes when no answer was a 5xx and no connection failed, the
open descriptors at the end equal those at the start of the load (within the connections' own),
and RSS drift over the second half of the run stays under 5 %.  Stops by itself; exit status 0
on pass.  Needs OS_BIN (a built server) and Debian's wrk."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from deltagen import Table  # noqa: E402
from osserver import Server  # noqa: E402

TOKEN = "soak-recipient-token-0123456789abcdef"
ADMIN = "soak-admin-token-0123456789abcdef"


def build(root):
    data = os.path.join(root, "data")
    for i in range(3):
        t = Table(os.path.join(data, "t%d" % i), table_id="0b7a2c7e-3f1d-4c55-9e0a-6d1b2c3d4e5%d" % i)
        t.commit([t.add("part=a/f%d-%d.parquet" % (i, k)) for k in range(6)], 1700000000000)
        t.commit([t.add("part=b/g%d.parquet" % i), t.remove("part=a/f%d-0.parquet" % i)], 1700000100000)
    vol = os.path.join(data, "vol")
    os.makedirs(os.path.join(vol, "sub"))
    for k in range(20):
        with open(os.path.join(vol, "sub" if k % 2 else "", "file%02d.csv" % k), "w") as f:
            f.write("a,b\n%d,%d\n" % (k, k))
    tables = "\n".join("          - {name: t%d, location: 'file://%s/t%d'}" % (i, data, i) for i in range(3))
    cfg = os.path.join(root, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"""
storage: [{{name: lake, uri: 'file://{data}'}}]
shares:
  - name: s
    schemas:
      - name: b
        tables:
{tables}
        volumes:
          - {{name: v, location: 'file://{vol}'}}
recipients: [{{name: r, token: {{env: SOAK_TOKEN}}}}]
grants: [{{share: s, recipients: [r]}}]
admins: [{{name: ops, token: {{env: SOAK_ADMIN}}}}]
""")
    return cfg


def lua_script(path, reqs):
    """wrk script: round-robin over reqs (method, path, body, token).  wrk counts every answer
    that is not 2xx/3xx as a status error, which is stricter than counting 5xx."""
    items = ",\n".join("  {method=%s, path=%s, body=%s, auth=%s}" % (
        json.dumps(m), json.dumps(p), json.dumps(b) if b else "nil", json.dumps("Bearer " + t) if t else "nil")
        for m, p, b, t in reqs)
    with open(path, "w") as f:
        f.write("""
local reqs = {
%s
}
local i = 0
request = function()
  i = i %% #reqs + 1
  local r = reqs[i]
  local h = {}
  if r.auth then h["Authorization"] = r.auth end
  if r.body then h["Content-Type"] = "application/json" end
  return wrk.format(r.method, r.path, h, r.body)
end
done = function(summary, latency, requests)
  io.write(string.format("SOAK requests=%%d errors=%%d status_errors=%%d\\n", summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
""" % (items,))


def sample(pid):
    """(RSS kB, open descriptors).  The catalog's connection pool (at most 8 connections, each
    holding the database and its WAL) grows with concurrency and is bounded: it is not counted."""
    with open("/proc/%d/status" % pid) as f:
        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    n = 0
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            n += "/catalog.db" not in os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            pass
    return rss, n


def main():
    secs = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    conns = int(sys.argv[2]) if len(sys.argv) > 2 else 256
    if shutil.which("wrk") is None:
        print("soak: wrk is not installed (Debian package wrk)")
        return 2
    root = tempfile.mkdtemp(prefix="soak-")
    try:
        cfg = build(root)
        srv = Server(["--config", cfg, "--data-dir", os.path.join(root, "state"), "--threads", "8"],
                     env={"SOAK_TOKEN": TOKEN, "SOAK_ADMIN": ADMIN}).start()
        try:
            return run(srv, root, secs, conns)
        finally:
            srv.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run(srv, root, secs, conns):
    m = re.search(r"opensharing: admin API (\S+)", srv.stdout)
    admin = m.group(1).rstrip("/")
    base = srv.base
    prefix = srv.endpoint[len(base):].strip("/")
    auth = {"Authorization": "Bearer " + TOKEN}
    q = requests.post(srv.url("/shares/s/schemas/b/tables/t0/query"), json={}, headers=auth, timeout=30)
    assert q.status_code == 200, q.text
    urls = [json.loads(l)["file"]["url"] for l in q.text.splitlines() if '"file"' in l]
    assert urls and all(u.startswith(base) for u in urls), urls[:2]
    p = "/" + prefix
    reqs = [("GET", p + "/shares", None, TOKEN), ("GET", p + "/shares/s/all-tables", None, TOKEN),
            ("GET", p + "/shares/s/schemas/b/tables/t1/metadata", None, TOKEN),
            ("GET", p + "/shares/s/schemas/b/tables/t2/version", None, TOKEN),
            ("POST", p + "/shares/s/schemas/b/tables/t0/query", '{"maxFiles": 2}', TOKEN),
            ("GET", p + "/shares/s/schemas/b/volumes/v/files?maxResults=5", None, TOKEN),
            ("GET", p + "/shares/s/all-volumes", None, TOKEN),
            ("GET", admin[len(base):] + "/shares/s", None, ADMIN),
            ("GET", admin[len(base):] + "/recipients", None, ADMIN)]
    reqs += [("GET", u[len(base):], None, None) for u in urls[:4]]
    for mth, path, body, tok in reqs:   # every request of the mix works before the load
        r = requests.request(mth, base + path, data=body, timeout=30,
                             headers={"Authorization": "Bearer " + tok} if tok else {})
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    script = os.path.join(root, "mix.lua")
    lua_script(script, reqs)

    pid = srv.proc.pid
    # A short warm-up first: the catalog's connection pool and the allocator's
    # arenas grow to the concurrency once; constant means constant after that.
    subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d5s", "-s", script, base + "/"],
                   capture_output=True, text=True, timeout=120)
    time.sleep(1.0)
    rss0, fds0 = sample(pid)
    samples = []
    stop = threading.Event()

    def sampler():
        while not stop.wait(1.0):
            samples.append((time.time(), *sample(pid)))

    t = threading.Thread(target=sampler)
    t.start()
    start = time.time()
    w = subprocess.run(["wrk", "-t2", "-c%d" % conns, "-d%ds" % secs, "--timeout", "30s", "-s", script,
                        base + "/"], capture_output=True, text=True, timeout=secs + 120)
    stop.set()
    t.join()
    time.sleep(1.0)   # connections closed by wrk are released
    rss1, fds1 = sample(pid)
    fd_names = sorted(os.readlink("/proc/%d/fd/%s" % (pid, f)) for f in os.listdir("/proc/%d/fd" % pid))
    line = re.search(r"SOAK requests=(\d+) errors=(\d+) status_errors=(\d+)", w.stdout)
    assert line, w.stdout + w.stderr
    total, neterr, non2xx = map(int, line.groups())
    # RSS drift over the second half: allocator warm-up happens in the first.
    half = [s for s in samples if s[0] - start >= secs / 2]
    lo = min(s[1] for s in half) if half else rss1
    hi = max(s[1] for s in half) if half else rss1
    drift = (hi - lo) / lo if lo else 0.0
    print("soak: %d s, %d connections, %d requests (%.0f/s), %d connection errors, non-2xx %d"
          % (secs, conns, total, total / max(1, time.time() - start), neterr, non2xx))
    print("soak: open fds (besides the catalog pool's) %d before the load, %d after; RSS %d kB before, %d-%d kB over the second half "
          "(drift %.1f %%), %d kB at the end" % (fds0, fds1, rss0, lo, hi, 100 * drift, rss1))
    pool = sum("/catalog.db" in n for n in fd_names)
    ok = neterr == 0 and non2xx == 0 and fds1 <= fds0 and pool <= 2 * 8 + 1 and drift < 0.05
    if fds1 > fds0:
        print("soak: open descriptors at the end:\n  " + "\n  ".join(fd_names))
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
