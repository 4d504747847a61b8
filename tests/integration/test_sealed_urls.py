"""test_sealed_urls.py - local-storage signed URLs are opaque (AEAD-sealed), still expire and refuse tampering,
and every download through them is audited under the recipient, share and asset they were given to."""
import json
import os
import time

import requests

from conftest import get
from local_url_oracle import open_url, token_of

VOL = "/shares/sales/schemas/retail/volumes/raw_files"


def audit_lines(env, pred, n=1, timeout=10):
    """The audit.jsonl records matching pred, waiting for the writer thread (at least n)."""
    path = os.path.join(env.data_dir, "audit.jsonl")
    deadline = time.time() + timeout
    while True:
        found = []
        if os.path.exists(path):
            with open(path) as f:
                found = [e for e in map(json.loads, f) if pred(e)]
        if len(found) >= n or time.time() > deadline:
            return found
        time.sleep(0.1)


def test_file_urls_are_opaque(server, env):
    items = get(server, VOL + "/files").json()["items"]
    for it in items:
        url = it["url"]
        token = token_of(url)
        # nothing of the provider's filesystem, the names or the expiry is readable
        assert "." not in token and "/" not in token
        for word in [env.data, "raw_files", "files/raw", str(it["expirationTimestamp"] // 1000)]:
            assert word not in url
        # ... yet an independent AES-GCM opens it to exactly what the server sealed
        sealed = open_url(env.data_dir, url)
        assert sealed["root"] == os.path.realpath(os.path.join(env.data, "files/raw"))
        assert sealed["rel"] == it["path"]
        assert sealed["recipient"] == "alice" and sealed["recipient_id"] > 0
        assert (sealed["share"], sealed["schema"], sealed["asset"]) == ("Sales", "Retail", "raw_files")
        assert sealed["expires"] * 1000 == it["expirationTimestamp"]
    # two listings sign the same file differently (random nonce), both work
    again = get(server, VOL + "/files").json()["items"]
    assert again[0]["url"] != items[0]["url"]
    assert requests.get(again[0]["url"], timeout=10).content == requests.get(items[0]["url"], timeout=10).content


def test_table_urls_are_opaque(server, env):
    # the sample tables are empty logs in this tree; the model version listing signs files too
    body = get(server, "/shares/sales/schemas/retail/models/churn/versions/2/files").json()
    url = body["items"][0]["url"]
    assert env.data not in url and "models" not in url
    sealed = open_url(env.data_dir, url)
    assert (sealed["asset"], sealed["rel"]) == ("churn", "model.pkl")
    assert sealed["root"].endswith("/models/churn/2")


def test_tampering_is_refused_with_the_json_error_body(server, env):
    url = get(server, VOL + "/files").json()["items"][0]["url"]
    token = token_of(url)
    for i in [0, 5, len(token) // 2, len(token) - 2]:
        bad = url[:len(url) - len(token) + i] + ("A" if token[i] != "A" else "B") + url[len(url) - len(token) + i + 1:]
        r = requests.get(bad, timeout=10)
        assert r.status_code == 403, i
        assert r.headers["Content-Type"].startswith("application/json")
        assert r.json()["errorCode"] == "PERMISSION_DENIED" and "invalid" in r.json()["message"]
    # the old (unsealed) format is not accepted any more
    old = url[:len(url) - len(token)] + "MQoxOTAwMDAwMDAwCi9ldGMKcGFzc3dk.AAAA"
    assert requests.get(old, timeout=10).status_code == 403


def test_downloads_are_audited(server, env):
    items = get(server, VOL + "/files").json()["items"]
    b = next(i for i in items if i["path"] == "sub/b.csv")
    assert requests.get(b["url"], timeout=10).content == b"b" * 1000
    r = requests.get(b["url"], headers={"Range": "bytes=10-19", "User-Agent": "dl-test"}, timeout=10)
    assert r.status_code == 206 and r.content == b"b" * 10
    bad = b["url"][:-3] + ("AAA" if not b["url"].endswith("AAA") else "BBB")
    assert requests.get(bad, headers={"User-Agent": "dl-forged"}, timeout=10).status_code == 403

    got = audit_lines(env, lambda e: e.get("operation") == "getSignedFile" and e.get("file") == "sub/b.csv", 2)
    assert len(got) >= 2, got
    full = [e for e in got if e["status"] == 200][0]
    part = [e for e in got if e["status"] == 206][0]
    for e in (full, part):
        assert (e["recipient"], e["share"], e["schema"], e["asset"]) == ("alice", "Sales", "Retail", "raw_files")
        assert e["method"] == "GET"
        assert token_of(b["url"]) not in json.dumps(e)
        assert e["path"].endswith("/files/-")
    assert full["bytes"] == 1000 and part["bytes"] == 10 and part["user_agent"] == "dl-test"
    forged = audit_lines(env, lambda e: e.get("user_agent") == "dl-forged")
    assert forged and forged[0]["status"] == 403 and not forged[0].get("recipient")
    assert forged[0]["path"].endswith("/files/-")
    # the access log never shows a token either
    logs = server.logs()
    assert token_of(b["url"]) not in logs and "/files/-" in logs


def test_expired_urls_are_refused_and_audited_under_their_recipient(tmp_path):
    from conftest import Env
    env = Env(tmp_path)
    s = env.server(["--url-ttl", "1"]).start()
    try:
        it = get(s, VOL + "/files", who="bob").json()["items"][0]
        assert open_url(env.data_dir, it["url"])["recipient"] == "bob"
        time.sleep(2.2)
        r = requests.get(it["url"], headers={"User-Agent": "dl-late"}, timeout=10)
        assert r.status_code == 403 and r.json()["errorCode"] == "PERMISSION_DENIED"
        assert "expired" in r.json()["message"]
        late = audit_lines(env, lambda e: e.get("user_agent") == "dl-late")
        assert late and late[0]["status"] == 403 and late[0]["recipient"] == "bob"
        assert late[0]["asset"] == "raw_files" and late[0]["file"] == it["path"]
    finally:
        s.stop()


def test_errors_about_local_storage_name_no_server_path(tmp_path):
    from conftest import Env
    env = Env(tmp_path)
    s = env.server().start()
    try:
        os.rename(os.path.join(env.data, "files/raw"), os.path.join(env.data, "files/gone"))
        for path in [VOL + "/files", "/shares/sales/schemas/retail/skills/pdf-tools/files"]:
            if "skills" in path:
                os.rename(os.path.join(env.data, "skills/pdf-tools"), os.path.join(env.data, "skills/gone"))
            r = get(s, path)
            assert r.status_code == 404, r.text
            assert env.data not in r.text and env.root not in r.text, r.text
            assert "not reachable" in r.json()["message"]
        s.stop()
        # ... while the provider's log says which directory
        assert os.path.join(env.data, "files/raw") in s.stderr
    finally:
        if s.proc:
            s.stop()
