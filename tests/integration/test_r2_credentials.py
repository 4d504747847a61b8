"""test_r2_credentials.py - dir access mode on Cloudflare R2: the server asks Cloudflare's temporary
access credentials API (here a loopback stand-in that checks every request it receives: method, path,
bearer token, JSON body) for read-only credentials scoped to the asset's prefix, and hands the
recipient exactly what it issued as r2TempCredentials (and r2Credentials).  Refusals, unreachable
and malformed answers reach the recipient as 502 BAD_GATEWAY with a message; the API token appears
in no log and no answer."""
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from osserver import Server

TOKEN = "r2-reader-token-0123456789"
API_TOKEN = "cf-api-token-" + uuid.uuid4().hex          # the provider's Cloudflare API token
PARENT = "0123456789abcdef0123456789abcdef"             # the R2 token's access key id (secret's)
PARENT2 = "fedcba9876543210fedcba9876543210"            # given as an option instead
ACCOUNT = "1a2b3c4d5e6f708192a3b4c5d6e7f809"
ACCOUNT2 = "acct0002"


class StandIn(BaseHTTPRequestHandler):
    """Cloudflare's POST /accounts/{id}/r2/temp-access-credentials, checking what it receives.

    `mode` says how to answer: ok, refuse, echo (a refusal quoting the bearer token back),
    malformed, html500.  Every request is recorded in `calls`; every check that fails is
    answered as a refusal naming it (and recorded in `problems`)."""
    mode = "ok"
    calls = []
    problems = []
    issued = []

    def log_message(self, *args):
        pass

    def answer(self, status, doc):
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if not isinstance(doc, bytes) else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        StandIn.problems.append("GET " + self.path)
        self.answer(405, {"success": False, "errors": [{"code": 10405, "message": "method"}]})

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        call = {"method": self.command, "path": self.path, "auth": self.headers.get("Authorization"),
                "ctype": self.headers.get("Content-Type")}
        try:
            call["body"] = json.loads(raw)
        except ValueError:
            call["body"] = raw.decode("utf-8", "replace")
        StandIn.calls.append(call)
        bad = []
        prefix = "/client/v4/accounts/"
        suffix = "/r2/temp-access-credentials"
        if not (self.path.startswith(prefix) and self.path.endswith(suffix)):
            bad.append("path " + self.path)
        if call["auth"] != "Bearer " + API_TOKEN:
            bad.append("authorization")
        if (call["ctype"] or "").split(";")[0] != "application/json":
            bad.append("content type")
        b = call["body"] if isinstance(call["body"], dict) else {}
        allowed = {"bucket", "parentAccessKeyId", "permission", "ttlSeconds", "prefixes"}
        if set(b) - allowed or not {"bucket", "parentAccessKeyId", "permission", "ttlSeconds"} <= set(b):
            bad.append("body fields %s" % sorted(b))
        if b.get("permission") != "object-read-only":
            bad.append("permission %r" % b.get("permission"))
        if not isinstance(b.get("ttlSeconds"), int) or not 1 <= b["ttlSeconds"] <= 604800:
            bad.append("ttlSeconds %r" % b.get("ttlSeconds"))
        if bad:
            StandIn.problems.append(bad)
            return self.answer(400, {"success": False, "errors": [{"code": 10001, "message": "; ".join(bad)}]})
        mode = StandIn.mode
        if mode == "refuse":
            return self.answer(403, {"success": False, "result": None, "messages": [],
                                     "errors": [{"code": 10000, "message": "Authentication error"}]})
        if mode == "echo":
            return self.answer(400, {"success": False, "errors": [
                {"code": 7003, "message": "could not route: token " + API_TOKEN + " is not valid here"}]})
        if mode == "malformed":
            return self.answer(200, {"success": True, "result": {"accessKeyId": "only-this"}})
        if mode == "html500":
            return self.answer(500, b"<html><body>upstream broke</body></html>")
        creds = {"accessKeyId": "tmp-" + uuid.uuid4().hex, "secretAccessKey": uuid.uuid4().hex * 2,
                 "sessionToken": "jwt/" + uuid.uuid4().hex * 4}
        StandIn.issued.append(creds)
        return self.answer(200, {"success": True, "errors": [], "messages": [], "result": creds})


@pytest.fixture(scope="module")
def standin():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        yield "http://127.0.0.1:%d/client/v4" % srv.server_address[1]
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, standin):
    root = tmp_path_factory.mktemp("r2")
    # An endpoint on R2's domain names the account; a location may also say provider: r2 and give
    # the account and parent key as options.  The endpoints are never contacted here: dir mode
    # only talks to the credentials API.
    by_endpoint = json.dumps({"endpoint": "https://%s.r2.cloudflarestorage.com" % ACCOUNT, "region": "auto",
                              "r2_api_base": standin + "/"})
    by_provider = json.dumps({"provider": "R2", "endpoint": "http://127.0.0.1:9", "region": "auto",
                              "r2_account_id": ACCOUNT2, "r2_parent_access_key_id": PARENT2,
                              "r2_api_base": standin, "max_duration_s": "1800"})
    no_token = json.dumps({"endpoint": "https://%s.r2.cloudflarestorage.com" % ACCOUNT,
                           "r2_api_base": standin})
    down = json.dumps({"provider": "r2", "r2_account_id": ACCOUNT, "endpoint": "http://127.0.0.1:9",
                       "r2_api_base": "http://127.0.0.1:9/client/v4"})
    plain = json.dumps({"endpoint": "http://127.0.0.1:9", "region": "us-east-1"})
    cfg = root / "config.yaml"
    cfg.write_text(f"""
storage:
  - {{name: r2lake, uri: 's3://lake-bucket/lake', secret: {{env: R2_SECRET}}, options: {by_endpoint}}}
  - {{name: r2other, uri: 's3://other-bucket/', secret: {{env: R2_SECRET}}, options: {by_provider}}}
  - {{name: r2notoken, uri: 's3://no-token/', secret: {{env: R2_NO_TOKEN}}, options: {no_token}}}
  - {{name: r2down, uri: 's3://down/', secret: {{env: R2_SECRET}}, options: {down}}}
  - {{name: plain, uri: 's3://plain/', secret: {{env: R2_NO_TOKEN}}, options: {plain}}}
shares:
  - name: cloud
    schemas:
      - name: r2
        tables: [{{name: events, location: 's3://lake-bucket/lake/tables/events'}}]
        volumes:
          - {{name: docs, location: 's3://lake-bucket/lake/volumes/docs'}}
          - {{name: whole, location: 's3://other-bucket/'}}
          - {{name: deep, location: 's3://other-bucket/a b/c+d'}}
          - {{name: notoken, location: 's3://no-token/v'}}
          - {{name: down, location: 's3://down/v'}}
          - {{name: plain, location: 's3://plain/v'}}
recipients: [{{name: r, token: {{env: TOK}}}}]
grants: [{{share: cloud, recipients: [r]}}]
""")
    env = {"TOK": TOKEN,
           "R2_SECRET": json.dumps({"access_key_id": PARENT, "secret_access_key": "parent-secret-" + "x" * 40,
                                    "r2_api_token": API_TOKEN}),
           "R2_NO_TOKEN": json.dumps({"access_key_id": PARENT, "secret_access_key": "parent-secret-" + "y" * 40})}
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env=env).start()
    s.answers = []
    yield s
    rc = s.stop()
    logs = s.stderr
    assert API_TOKEN not in logs
    assert "parent-secret-" not in logs
    for text in s.answers:
        assert API_TOKEN not in text and "parent-secret-" not in text
    assert rc == 0, logs[-3000:]


def call(server, method, path, **kw):
    r = requests.request(method, server.url("/shares/cloud/schemas/r2" + path),
                         headers={"Authorization": "Bearer " + TOKEN}, timeout=60, **kw)
    server.answers.append(r.text)
    return r


def fresh(mode="ok"):
    StandIn.mode = mode
    StandIn.calls.clear()
    StandIn.problems.clear()
    StandIn.issued.clear()


def test_volume_credentials_scoped_to_its_prefix(server):
    fresh()
    t0 = int(time.time() * 1000)
    r = call(server, "POST", "/volumes/docs/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    assert StandIn.problems == []
    [c] = StandIn.calls
    assert c["method"] == "POST"
    assert c["path"] == "/client/v4/accounts/%s/r2/temp-access-credentials" % ACCOUNT
    assert c["auth"] == "Bearer " + API_TOKEN
    assert c["body"] == {"bucket": "lake-bucket", "parentAccessKeyId": PARENT,
                         "permission": "object-read-only", "ttlSeconds": 3600,
                         "prefixes": ["lake/volumes/docs/"]}
    body = r.json()
    [issued] = StandIn.issued
    assert set(body) == {"r2TempCredentials", "r2Credentials", "expirationTime"}
    assert body["r2TempCredentials"] == issued
    assert body["r2Credentials"] == issued
    assert isinstance(body["expirationTime"], int)
    assert t0 + 3600 * 1000 - 5000 <= body["expirationTime"] <= int(time.time() * 1000) + 3600 * 1000


def test_table_credentials_and_location(server):
    fresh()
    r = call(server, "POST", "/tables/events/temporary-table-credentials",
             data=json.dumps({"location": "s3://lake-bucket/lake/tables/events/"}))
    assert r.status_code == 200, r.text
    assert StandIn.problems == []
    creds = r.json()["credentials"]
    assert set(creds) == {"location", "r2TempCredentials", "r2Credentials", "expirationTime"}
    assert creds["location"] == "s3://lake-bucket/lake/tables/events"
    assert creds["r2TempCredentials"] == StandIn.issued[-1] == creds["r2Credentials"]
    assert StandIn.calls[-1]["body"]["prefixes"] == ["lake/tables/events/"]
    # A location outside the table is refused before Cloudflare is asked.
    n = len(StandIn.calls)
    r = call(server, "POST", "/tables/events/temporary-table-credentials",
             data=json.dumps({"location": "s3://lake-bucket/lake/elsewhere"}))
    assert r.status_code == 400 and len(StandIn.calls) == n


def test_provider_option_account_parent_and_ttl(server):
    fresh()
    r = call(server, "POST", "/volumes/deep/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    c = StandIn.calls[-1]
    assert c["path"] == "/client/v4/accounts/%s/r2/temp-access-credentials" % ACCOUNT2
    assert c["body"] == {"bucket": "other-bucket", "parentAccessKeyId": PARENT2,
                         "permission": "object-read-only", "ttlSeconds": 1800,
                         "prefixes": ["a b/c+d/"]}
    assert r.json()["r2TempCredentials"] == StandIn.issued[-1]
    # An asset that is the whole bucket: no prefixes, the bucket is its scope.
    r = call(server, "POST", "/volumes/whole/temporary-volume-credentials")
    assert r.status_code == 200, r.text
    assert "prefixes" not in StandIn.calls[-1]["body"]
    assert StandIn.problems == []


def test_access_modes(server):
    for vol, modes in (("docs", ["url", "dir"]), ("deep", ["url", "dir"]), ("plain", ["url"])):
        r = call(server, "GET", "/volumes/" + vol)
        assert r.status_code == 200, r.text
        assert r.json()["accessModes"] == modes, vol


@pytest.mark.parametrize("mode,words", [
    ("refuse", ["HTTP 403", "10000: Authentication error", "lake-bucket"]),
    ("echo", ["HTTP 400", "7003: could not route: token ****"]),
    ("malformed", ["malformed"]),
    ("html500", ["HTTP 500"]),
])
def test_refusals_are_bad_gateway(server, mode, words):
    fresh(mode)
    r = call(server, "POST", "/volumes/docs/temporary-volume-credentials")
    assert r.status_code == 502, r.text
    body = r.json()
    assert body["errorCode"] == "BAD_GATEWAY"
    assert "R2" in body["message"]
    for w in words:
        assert w in body["message"], (w, body["message"])
    assert API_TOKEN not in r.text
    assert len(StandIn.calls) == 1 and StandIn.problems == []


def test_unreachable_api_is_bad_gateway(server):
    fresh()
    r = call(server, "POST", "/volumes/down/temporary-volume-credentials")
    assert r.status_code == 502, r.text
    assert r.json()["errorCode"] == "BAD_GATEWAY"
    assert "cannot be reached" in r.json()["message"]


def test_missing_api_token_says_what_to_configure(server):
    fresh()
    r = call(server, "POST", "/volumes/notoken/temporary-volume-credentials")
    assert r.status_code == 400, r.text
    assert r.json()["errorCode"] == "FEATURE_NOT_SUPPORTED"
    assert "r2_api_token" in r.json()["message"]
    assert StandIn.calls == []
