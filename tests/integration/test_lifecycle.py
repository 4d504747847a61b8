"""Server life: config errors change nothing, restarts keep answers, token expiry and revocation, the embedded default, logs, TLS, signals."""
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import threading
import time
from urllib.parse import urlparse

import pytest
import requests

from conftest import BIN, TOKENS, Env, Server, config_text, get, run_server_once

PATHS = ["/shares", "/shares/sales", "/shares/sales/schemas", "/shares/sales/all-tables",
         "/shares/sales/schemas/retail/tables/orders", "/shares/sales/all-volumes",
         "/shares/sales/all-skills", "/shares/sales/all-models",
         "/shares/sales/schemas/retail/models/churn/versions",
         "/shares/sales/schemas/retail/models/churn/aliases/champion", "/shares/ops/all-tables"]


def snapshot(server):
    return {p: get(server, p).json() for p in PATHS}


def catalog_dump(data_dir):
    db = sqlite3.connect(os.path.join(data_dir, "catalog.db"))
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(db.execute("SELECT * FROM %s" % t).fetchall(), key=repr) for t in tables}
    finally:
        db.close()


@pytest.fixture()
def fresh(tmp_path):
    return Env(tmp_path)


def test_restart_gives_identical_answers(fresh):
    s = fresh.server().start()
    before = snapshot(s)
    assert s.stop() == 0
    s = fresh.server().start()
    assert snapshot(s) == before
    assert s.stop() == 0


@pytest.mark.parametrize("mutation,where", [
    # a location that escapes the storage root through a symlink: found only when applying
    ("symlink", "config.yaml:"),
    # a secret that is not set: found only when applying
    ("missing_env", "TOK_ALICE"),
    # a plain syntax error
    ("syntax", "config.yaml:"),
    # a grant to an undeclared recipient
    ("bad_grant", "config.yaml:"),
])
def test_config_with_an_error_changes_nothing(fresh, mutation, where):
    s = fresh.server().start()
    before = snapshot(s)
    assert s.stop() == 0
    dump = catalog_dump(fresh.data_dir)
    text = config_text(fresh.data)
    env = dict(fresh.env)
    if mutation == "symlink":
        outside = os.path.join(fresh.root, "outside")
        os.makedirs(outside)
        os.symlink(outside, os.path.join(fresh.data, "sneaky"))
        text = text.replace("  - name: ops\n", "  - name: newshare\n    schemas:\n      - name: s\n"
                            "        tables: [{name: t, location: 'file://%s/sneaky'}]\n  - name: ops\n"
                            % fresh.data)
    elif mutation == "missing_env":
        del env["TOK_ALICE"]
        text = text.replace("  - name: empty_share\n", "  - name: brand_new\n  - name: empty_share\n")
    elif mutation == "syntax":
        text += "shares: [\n"
    elif mutation == "bad_grant":
        text = text.replace("recipients: [alice]\n", "recipients: [alice, mallory]\n", 1)
    fresh.write_config(text)
    r = run_server_once(["--config", fresh.config, "--data-dir", fresh.data_dir], env=env)
    assert r.returncode != 0
    assert where in r.stderr, r.stderr
    assert catalog_dump(fresh.data_dir) == dump
    fresh.write_config()
    s = fresh.server().start()
    assert snapshot(s) == before
    s.stop()


def test_config_error_message_names_line_and_column(fresh):
    text = config_text(fresh.data).replace("  - name: ops\n", "  - name: 'o p s'\n")
    fresh.write_config(text)
    r = run_server_once(["--config", fresh.config, "--data-dir", fresh.data_dir], env=fresh.env)
    assert r.returncode == 1
    line = [i + 1 for i, l in enumerate(text.split("\n")) if "'o p s'" in l][0]
    assert "%s:%d:5: share name 'o p s' must not contain a space" % (fresh.config, line) in r.stderr


def test_removed_objects_disappear_and_ids_stay(fresh):
    s = fresh.server().start()
    orders = get(s, "/shares/sales/schemas/retail/tables/orders").json()
    s.stop()
    text = config_text(fresh.data).replace("  - share: ops\n    recipients: [alice]\n", "")
    fresh.write_config(text)
    s = fresh.server().start()
    assert get(s, "/shares/ops").status_code == 404          # grant gone
    assert get(s, "/shares/sales/schemas/retail/tables/orders").json()["id"] == orders["id"]
    s.stop()


def test_expired_and_revoked_tokens(fresh):
    fresh.write_config(config_text(fresh.data, alice_expires="2020-01-01T00:00:00Z"))
    s = fresh.server().start()
    r = get(s, "/shares", "alice")
    assert r.status_code == 401 and "expired" in r.json()["message"]
    assert get(s, "/shares", "bob").status_code == 200
    s.stop()
    # carol's token is replaced in the config: the old one is revoked at once
    fresh.write_config()
    fresh.env["TOK_CAROL"] = "carol-new-token-0123456789"
    s = fresh.server().start()
    r = get(s, "/shares", token=TOKENS["carol"])
    assert r.status_code == 401 and "revoked" in r.json()["message"]
    assert get(s, "/shares", token="carol-new-token-0123456789").status_code == 200
    s.stop()


def test_short_tokens_are_refused(fresh):
    fresh.env["TOK_CAROL"] = "short"
    r = run_server_once(["--config", fresh.config, "--data-dir", fresh.data_dir], env=fresh.env)
    assert r.returncode == 1 and "shorter than 16" in r.stderr


def test_logs_have_requests_and_no_secrets(fresh):
    s = fresh.server().start()
    get(s, "/shares")
    get(s, "/shares", token="wrong-" + TOKENS["alice"])
    get(s, "/shares/sales/all-tables", params={"maxResults": 1})
    assert s.stop() == 0
    lines = [json.loads(l) for l in s.stderr.splitlines() if l.startswith("{")]
    # Lines are written as requests complete, which need not be the order they were sent.
    access = sorted((l for l in lines if "method" in l), key=lambda l: (l["path"], l["status"]))
    assert len(access) == 3
    ok, denied, paged = access
    assert set(ok) >= {"time", "principal", "method", "path", "status", "bytes", "duration_ms"}
    assert ok["path"].endswith("/shares") and ok["status"] == 200
    assert ok["principal"].startswith("recipient:")
    assert denied["status"] == 401 and denied["principal"] is None
    assert paged["path"].endswith("/all-tables") and "?" not in paged["path"]
    everything = s.stderr + s.stdout
    for tok in TOKENS.values():
        assert tok not in everything


def test_sigterm_drains_a_slow_client(fresh):
    s = fresh.server().start()
    results = []

    def slow():
        results.append(get(s, "/shares/sales/all-tables").status_code)

    threads = [threading.Thread(target=slow) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert s.stop(signal.SIGINT) == 0
    assert results == [200] * 4


def test_environment_and_flags(fresh):
    s = Server(["--config", fresh.config, "--data-dir", fresh.data_dir, "--log-format", "text"],
               env=dict(fresh.env, OPENSHARING_PREFIX="/api/v1/sharing/")).start()
    assert s.endpoint.endswith("/api/v1/sharing/")
    assert get(s, "/shares").status_code == 200
    s.stop()
    assert '"method"' not in s.stderr and "GET /api/v1/sharing/shares 200" in s.stderr
    # a flag wins over the environment
    s = Server(["--config", fresh.config, "--data-dir", fresh.data_dir, "--prefix", "/p"],
               env=dict(fresh.env, OPENSHARING_PREFIX="/ignored")).start()
    assert s.endpoint.endswith("/p/")
    s.stop()
    r = subprocess.run([BIN, "serve", "--listen", "nonsense"], capture_output=True, text=True)
    assert r.returncode == 2 and "HOST:PORT" in r.stderr
    r = subprocess.run([BIN, "serve", "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for opt in ["--config", "--data-dir", "--listen", "--prefix", "--tls-cert", "--tls-key",
                "--log-format", "OPENSHARING_"]:
        assert opt in r.stdout
    r = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "serve" in r.stdout


def test_embedded_default(tmp_path):
    data_dir = str(tmp_path / "demo")
    s = Server(["--data-dir", data_dir], cwd=str(tmp_path)).start()
    s.read_banner(4)
    profile_path = os.path.join(data_dir, "profiles", "demo.share")
    assert profile_path in s.stdout and "curl" in s.stdout
    assert oct(os.stat(profile_path).st_mode & 0o777) == "0o600"
    profile = json.load(open(profile_path))
    assert profile["shareCredentialsVersion"] == 1
    assert profile["endpoint"] == s.endpoint
    tok = profile["bearerToken"]
    shares = get(s, "/shares", token=tok).json()["items"]
    assert [x["name"] for x in shares] == ["demo"]
    kinds = {k: get(s, "/shares/demo/all-" + k, token=tok).json()["items"]
             for k in ["tables", "volumes", "skills", "models"]}
    assert all(len(v) >= 1 for v in kinds.values()), kinds
    model = kinds["models"][0]["name"]
    versions = get(s, "/shares/demo/schemas/default/models/%s/versions" % model, token=tok).json()["items"]
    assert len(versions) == 2
    alias = get(s, "/shares/demo/schemas/default/models/%s/aliases/champion" % model, token=tok).json()
    assert alias["version"] == 2
    # only the hash is stored
    db = sqlite3.connect(os.path.join(data_dir, "catalog.db"))
    stored = [r[0] for r in db.execute("SELECT hash FROM tokens")]
    db.close()
    assert tok not in stored and len(stored) == 1 and len(stored[0]) == 64
    # The provider of the embedded default gets an admin token too (file only, mode 0600).
    admin_file = os.path.join(data_dir, "secrets", "admin.token")
    assert admin_file in s.stdout
    assert oct(os.stat(admin_file).st_mode & 0o777) == "0o600"
    admin_tok = open(admin_file).read().strip()
    # Each kind of secret has its own prefix (docs/admin.md), so a leaked one is recognisable.
    assert admin_tok.startswith("osadm_") and tok.startswith("osr_")
    assert open(os.path.join(data_dir, "secrets", "server.key")).read().startswith("osk_")
    r = requests.get(s.base + "/admin/shares", headers={"Authorization": "Bearer " + admin_tok}, timeout=10)
    assert r.status_code == 200 and "demo" in r.text
    assert requests.get(s.base + "/admin/shares", headers={"Authorization": "Bearer " + tok},
                        timeout=10).status_code == 401
    ids = [x["id"] for x in shares]
    s.stop()
    # a restart keeps the token and the ids, and updates the endpoint
    s = Server(["--data-dir", data_dir]).start()
    profile2 = json.load(open(profile_path))
    assert profile2["bearerToken"] == tok and profile2["endpoint"] == s.endpoint
    assert [x["id"] for x in get(s, "/shares", token=tok).json()["items"]] == ids
    s.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl command not installed")
def test_tls(fresh):
    cert = os.path.join(fresh.root, "cert.pem")
    key = os.path.join(fresh.root, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True,
                   capture_output=True)
    s = fresh.server(["--tls-cert", cert, "--tls-key", key]).start()
    assert s.endpoint.startswith("https://")
    r = requests.get(s.url("/shares"), headers={"Authorization": "Bearer " + TOKENS["alice"]},
                     verify=cert, timeout=10)
    assert r.status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(s.url("/shares").replace("https://", "http://"), timeout=5)
    # the TLS policy (docs/security.md): 1.2 and 1.3 with AEAD ciphers and ECDHE only
    assert handshake(s, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert handshake(s, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES256-GCM-SHA384") == "TLSv1.2"
    assert handshake(s, ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-CHACHA20-POLY1305") == "TLSv1.2"
    for version, ciphers in [(ssl.TLSVersion.TLSv1_1, "ALL:@SECLEVEL=0"),
                             (ssl.TLSVersion.TLSv1, "ALL:@SECLEVEL=0"),
                             (ssl.TLSVersion.TLSv1_2, "ECDHE-RSA-AES128-SHA:AES128-SHA:@SECLEVEL=0"),
                             (ssl.TLSVersion.TLSv1_2, "AES256-GCM-SHA384:AES128-GCM-SHA256")]:
        with pytest.raises(ssl.SSLError) as e:
            handshake(s, version, ciphers)
        # refused by the server (an alert), not by this client's own configuration
        assert "NO_PROTOCOLS_AVAILABLE" not in str(e.value) and "NO_CIPHER_MATCH" not in str(e.value), e.value
    s.stop()


def handshake(server, version, ciphers=None):
    """Completes a TLS handshake pinned to one protocol version (and cipher list); returns the
    negotiated version or raises ssl.SSLError."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = version
    if ciphers:
        ctx.set_ciphers(ciphers)
    u = urlparse(server.endpoint)
    with socket.create_connection((u.hostname, u.port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as tls:
            return tls.version()


@pytest.mark.parametrize("frontmatter,word", [
    ("name: pdf-tools\n", "description"),
    ("name: other-name\ndescription: x\n", "name"),
    ("name: pdf-tools\ndescription: %s\n" % ("d" * 1025), "1024"),
    ("name: pdf-tools\ndescription: x\ncompatibility: %s\n" % ("c" * 501), "500"),
    ("name: pdf-tools\ndescription: x\nbogus: 1\n", "bogus"),
])
def test_skills_are_described_by_a_valid_skill_md(fresh, frontmatter, word):
    with open(os.path.join(fresh.data, "skills/pdf-tools/SKILL.md"), "w") as f:
        f.write("---\n" + frontmatter + "---\nbody\n")
    r = run_server_once(["--config", fresh.config, "--data-dir", fresh.data_dir], env=fresh.env)
    assert r.returncode == 1
    assert "SKILL.md" in r.stderr and word in r.stderr, r.stderr
    assert "skill 'pdf-tools'" in r.stderr
