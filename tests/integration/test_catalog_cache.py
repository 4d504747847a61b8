"""test_catalog_cache.py - recipient reads come from an in-memory copy of the catalog and discovery answers are kept per catalog generation: every change must show at once (through this server) or within seconds (another process), and paging tokens must still be checked."""
import os
import sqlite3
import time

import pytest

from admin_util import AdminEnv
from conftest import Env, TOKENS, get


@pytest.fixture
def adm(tmp_path):
    env = AdminEnv(tmp_path).start()
    yield env
    env.stop()


def names(r):
    assert r.status_code == 200, r.text
    return sorted(i["name"] for i in r.json()["items"])


def test_admin_changes_show_at_once(adm):
    adm.setup_share()
    tok = adm.onboard("acme")["bearerToken"]
    path = "/shares/sales/all-tables"
    first = adm.recipient(path, tok)
    assert names(first) == ["orders"]
    etag = first.headers["ETag"]
    # Unchanged catalog: the same answer and tag; a client holding it gets 304, no body.
    again = adm.recipient(path, tok)
    assert again.text == first.text and again.headers["ETag"] == etag
    r = adm.recipient(path, tok, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    r = adm.recipient(path, tok, headers={"If-None-Match": '"not-it", ' + etag})
    assert r.status_code == 304

    # A table added through the admin API is listed by the very next request.
    r = adm.admin("PATCH", "/shares/sales", {"updates": [
        {"action": "ADD", "data_object": {"type": "TABLE", "schema": "retail", "name": "orders2",
                                          "location": "file://%s/tables/orders" % adm.data}}]})
    assert r.status_code == 200, r.text
    r = adm.recipient(path, tok, headers={"If-None-Match": etag})
    assert r.status_code == 200 and names(r) == ["orders", "orders2"]
    assert r.headers["ETag"] != etag

    # Grant removed: the share is gone at once, from every cached answer too.
    assert names(adm.recipient("/shares", tok)) == ["sales"]
    r = adm.admin("PATCH", "/shares/sales/permissions",
                  {"changes": [{"recipient_name": "acme", "remove": ["SELECT"]}]})
    assert r.status_code == 200, r.text
    assert adm.recipient(path, tok).status_code == 404
    assert names(adm.recipient("/shares", tok)) == []

    # A deleted recipient's token stops working at once.
    r = adm.admin("PATCH", "/shares/sales/permissions",
                  {"changes": [{"recipient_name": "acme", "add": ["SELECT"]}]})
    assert r.status_code == 200 and names(adm.recipient(path, tok)) == ["orders", "orders2"]
    assert adm.admin("DELETE", "/recipients/acme").status_code in (200, 204)
    assert adm.recipient(path, tok).status_code == 401


def test_answers_are_per_recipient(tmp_path):
    env = Env(tmp_path)
    s = env.server().start()
    try:
        # alice and bob share Sales; only alice has ops: the same path answers differently.
        assert names(get(s, "/shares", "alice")) == ["Sales", "empty_share", "ops"]
        assert names(get(s, "/shares", "bob")) == ["Sales"]
        assert get(s, "/shares/ops", "bob").status_code == 404
        assert get(s, "/shares/ops", "alice").status_code == 200
        assert get(s, "/shares/ops", "bob").status_code == 404
        assert get(s, "/shares", "carol").json()["items"] == []
    finally:
        s.stop()


def wait_for(fn, timeout=5.0):
    deadline = time.time() + timeout
    while True:
        v = fn()
        if v or time.time() > deadline:
            return v
        time.sleep(0.1)


def test_changes_by_another_process_show_within_seconds(tmp_path):
    env = Env(tmp_path)
    s = env.server().start()
    try:
        before = get(s, "/shares/Sales").json()
        db = sqlite3.connect(os.path.join(env.data_dir, "catalog.db"), timeout=10)
        with db:
            db.execute("UPDATE shares SET comment = 'changed elsewhere' WHERE name_key = 'sales'")
        got = wait_for(lambda: get(s, "/shares/Sales").json().get("share", {}).get("comment")
                       == "changed elsewhere")
        assert got, before
        with db:
            db.execute("DELETE FROM grants WHERE recipient_id = (SELECT id FROM recipients "
                       "WHERE name_key = 'bob')")
        assert wait_for(lambda: get(s, "/shares/Sales", "bob").status_code == 404)
        assert get(s, "/shares/Sales", "alice").status_code == 200
        with db:
            db.execute("UPDATE tokens SET revoked_ms = 1 WHERE recipient_id = (SELECT id FROM "
                       "recipients WHERE name_key = 'alice')")
        assert wait_for(lambda: get(s, "/shares").status_code == 401)
        db.close()
    finally:
        s.stop()


def test_paging_tokens_are_checked_every_time(tmp_path):
    env = Env(tmp_path)
    s = env.server().start()
    try:
        first = get(s, "/shares", params={"maxResults": 1})
        doc = first.json()
        assert len(doc["items"]) == 1 and "nextPageToken" in doc
        # Not kept: a continuation token must be minted for each answer.
        assert "ETag" not in first.headers
        nxt = get(s, "/shares", params={"maxResults": 1, "pageToken": doc["nextPageToken"]})
        assert nxt.status_code == 200 and nxt.json()["items"][0]["name"] != doc["items"][0]["name"]
        bad = doc["nextPageToken"][:-2] + ("AA" if not doc["nextPageToken"].endswith("AA") else "BB")
        for _ in range(2):
            assert get(s, "/shares", params={"maxResults": 1, "pageToken": bad}).status_code == 400
        # Another recipient cannot use alice's token (and gets no answer kept for alice).
        r = get(s, "/shares", "bob", params={"maxResults": 1, "pageToken": doc["nextPageToken"]})
        assert r.status_code == 400
    finally:
        s.stop()


def test_token_last_use_is_recorded_at_most_once_a_minute(adm):
    adm.setup_share()
    tok = adm.onboard("acme")["bearerToken"]

    def last_used():
        adm.admin("GET", "/audit")   # waits for the audit writer to catch up
        toks = adm.admin("GET", "/recipients/acme").json()["tokens"]
        assert len(toks) == 1
        return toks[0]["last_used_at"]

    assert last_used() is None
    gen = sqlite3.connect(os.path.join(adm.data_dir, "catalog.db"), timeout=10)
    before = gen.execute("SELECT gen FROM catalog_gen").fetchone()[0]
    assert adm.recipient("/shares", tok).status_code == 200
    first = last_used()
    assert first is not None
    time.sleep(1.1)
    assert adm.recipient("/shares", tok).status_code == 200
    assert last_used() == first   # within the minute: not written again
    # Recording a use is not a catalog change (no reload, cached answers stay valid).
    assert gen.execute("SELECT gen FROM catalog_gen").fetchone()[0] == before
    gen.close()


def test_busy_catalog_answers_503_and_reads_go_on(tmp_path):
    env = AdminEnv(tmp_path)
    env.env["OPENSHARING_CATALOG_BUSY_MS"] = "300"
    env.start()
    try:
        env.setup_share()
        tok = env.onboard("acme")["bearerToken"]
        assert names(env.recipient("/shares/sales/all-tables", tok)) == ["orders"]
        # Another process takes the catalog's write lock and keeps it.
        db = sqlite3.connect(os.path.join(env.data_dir, "catalog.db"), timeout=10,
                             isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        try:
            t0 = time.time()
            r = env.admin("POST", "/shares", {"name": "blocked"})
            assert r.status_code == 503, r.text
            assert r.headers.get("Retry-After") == "1"
            assert r.json()["errorCode"] == "TEMPORARILY_UNAVAILABLE" and "busy" in r.json()["message"]
            assert time.time() - t0 < 5
            # Recipients' reads do not need the write lock (nor wait for it).
            t0 = time.time()
            for _ in range(20):
                assert names(env.recipient("/shares/sales/all-tables", tok)) == ["orders"]
            assert time.time() - t0 < 5
        finally:
            db.execute("ROLLBACK")
            db.close()
        # Healthy again: the write goes through, and the audit of the busy period was kept.
        assert env.admin("POST", "/shares", {"name": "after"}).status_code == 201
        events = env.wait_audit(22, timeout=10)
        assert len([e for e in events if e["operation"] == "listAllTables"]) >= 21
    finally:
        env.stop()
