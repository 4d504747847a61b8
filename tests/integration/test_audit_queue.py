"""test_audit_queue.py - audit events go through a queue and a batch writer: every request made
is recorded once, in order per connection, in the catalog and in audit.jsonl, also when the
server is stopped right after a burst (the queue is drained on SIGTERM)."""
import json
import os
import sqlite3
import threading

import requests

from conftest import TOKENS, Env


def burst(server, n_threads, per_thread):
    """n_threads clients, each making per_thread requests on its own keep-alive connection;
    each request names its client and sequence in the path (a share that does not exist)."""
    errors = []

    def client(k):
        s = requests.Session()
        for i in range(per_thread):
            r = s.get(server.url("/shares/c%02d-%04d" % (k, i)),
                      headers={"Authorization": "Bearer " + TOKENS["alice"]}, timeout=30)
            if r.status_code != 404:
                errors.append(r.status_code)

    ts = [threading.Thread(target=client, args=(k,)) for k in range(n_threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


def test_every_request_is_recorded_once_and_in_order_after_a_drain(tmp_path):
    env = Env(tmp_path)
    s = env.server().start()
    burst(s, 8, 150)
    assert s.stop() == 0   # SIGTERM right after the burst: the queue must be drained
    lines = [json.loads(l) for l in open(os.path.join(env.data_dir, "audit.jsonl"))]
    paths = [e["path"].rsplit("/", 1)[1] for e in lines if e["operation"] == "getShare"]
    assert len(paths) == 1200 and len(set(paths)) == 1200
    for k in range(8):   # one connection's requests keep their order
        mine = [p for p in paths if p.startswith("c%02d-" % k)]
        assert mine == sorted(mine)
    db = sqlite3.connect(os.path.join(env.data_dir, "catalog.db"))
    rows = db.execute("SELECT path FROM audit_events WHERE operation = 'getShare' ORDER BY id").fetchall()
    assert [r[0].rsplit("/", 1)[1] for r in rows] == paths
    assert all(e["recipient"] == "alice" and e["status"] == 404 for e in lines if e["operation"] == "getShare")


def with_audit(env, text):
    """Appends an `audit:` section to the env's config."""
    with open(env.config, "a") as f:
        f.write("\naudit:\n" + text)


def test_events_past_the_retention_period_are_deleted(tmp_path):
    import time
    env = Env(tmp_path)
    s = env.server().start()
    s.stop()
    now_ms = int(time.time() * 1000)
    db = sqlite3.connect(os.path.join(env.data_dir, "catalog.db"))
    with db:
        for age_days, op in [(40, "old"), (10, "recent")]:
            db.execute("INSERT INTO audit_events(time_ms, operation, status) VALUES (?, ?, 200)",
                       (now_ms - age_days * 86400 * 1000, op))
    db.close()
    with_audit(env, "  retention_days: 30\n")
    s = env.server().start()
    try:
        db = sqlite3.connect(os.path.join(env.data_dir, "catalog.db"), timeout=10)
        deadline = time.time() + 5
        while time.time() < deadline:
            ops = {r[0] for r in db.execute("SELECT operation FROM audit_events")}
            if "old" not in ops:
                break
            time.sleep(0.1)
        assert "old" not in ops and "recent" in ops
        db.close()
    finally:
        s.stop()


def test_bad_audit_settings_refuse_to_start(tmp_path):
    env = Env(tmp_path)
    with_audit(env, "  retention_days: -1\n")
    import subprocess
    from osserver import BIN
    p = subprocess.run([BIN, "serve", "--config", env.config, "--data-dir", env.data_dir,
                        "--listen", "127.0.0.1:0"], capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, **env.env))
    assert p.returncode != 0 and "retention_days" in p.stderr, p.stderr


def test_audit_log_rotates_by_size_and_reopens_on_sighup(tmp_path):
    import signal
    import time
    env = Env(tmp_path)
    with_audit(env, "  max_file_mb: 1\n  keep_files: 2\n")
    s = env.server().start()
    log = os.path.join(env.data_dir, "audit.jsonl")
    try:
        # About 300 bytes per event: 4,000 requests pass 1 MiB once.
        burst(s, 4, 1000)
        requests.get(s.url("/shares"), headers={"Authorization": "Bearer " + TOKENS["alice"]})
        deadline = time.time() + 5
        while not os.path.exists(log + ".1") and time.time() < deadline:
            time.sleep(0.1)
        assert os.path.exists(log + ".1") and not os.path.exists(log + ".3")
        assert os.path.getsize(log + ".1") >= 1 << 20
        # Every event so far written (the last request's is the last line) before moving the file.
        deadline = time.time() + 10
        while time.time() < deadline:
            with open(log) as f:
                tail = f.read().rstrip("\n").rsplit("\n", 1)[-1]
            if tail and json.loads(tail)["path"].endswith("/shares"):
                break
            time.sleep(0.05)
        # logrotate's way: move the file away, then SIGHUP; new events go to a new file.
        os.rename(log, log + ".moved")
        s.proc.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        r = requests.get(s.url("/shares/after-hup"), headers={"Authorization": "Bearer " + TOKENS["alice"]})
        assert r.status_code == 404
        deadline = time.time() + 5
        while not os.path.exists(log) and time.time() < deadline:
            time.sleep(0.1)
        assert s.proc.poll() is None   # SIGHUP does not stop the server
    finally:
        s.stop()
    events = []
    for name in (log + ".2", log + ".1", log + ".moved", log):
        if not os.path.exists(name):
            continue
        events += [json.loads(l) for l in open(name)]
    new = [json.loads(l) for l in open(log)]
    assert [e["path"].rsplit("/", 1)[1] for e in new] == ["after-hup"]
    # Nothing lost across the rotation: every burst request is in one of the files.
    got = {e["path"].rsplit("/", 1)[1] for e in events if e["operation"] == "getShare"}
    assert len([p for p in got if p.startswith("c0")]) == 4000
