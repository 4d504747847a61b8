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
