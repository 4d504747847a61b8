"""test_leakwatch.py - the end-of-run secret search (leakwatch.py) finds planted secrets: in a
server's log, in an API answer, in an audit or log file; and stays quiet on a clean run."""
import os
import subprocess
import sys
import textwrap

import leakwatch

HERE = os.path.dirname(os.path.abspath(__file__))


def test_find_leaks_reports_planted_secrets():
    secrets = {"planted-secret-0123456789": "a planted secret", "other-secret-abcdefghij": "another"}
    texts = [("server log", "GET /x planted-secret-0123456789 200", frozenset()),
             ("answer that issued it", '{"bearerToken":"other-secret-abcdefghij"}',
              frozenset({"other-secret-abcdefghij"})),
             ("clean answer", '{"items":[]}', frozenset())]
    assert leakwatch.find_leaks(secrets, texts) == [("a planted secret", "server log")]
    texts.append(("audit.jsonl", "...other-secret-abcdefghij...", frozenset()))
    assert ("another", "audit.jsonl") in leakwatch.find_leaks(secrets, texts)
    assert leakwatch.find_leaks(secrets, texts[1:3]) == []


def test_env_secrets_and_minted_tokens_are_registered():
    before = dict(leakwatch._secrets)
    try:
        leakwatch.add_env_secrets({"S3_SECRET": '{"access_key_id": "AKIAEXAMPLE0000", "secret_access_key": '
                                                '"sk-planted-000000000000"}',
                                   "OPENSHARING_PREFIX": "/not-a-secret-at-all"}, "test")
        assert "sk-planted-000000000000" in leakwatch._secrets
        assert "AKIAEXAMPLE0000" not in leakwatch._secrets
        assert "/not-a-secret-at-all" not in leakwatch._secrets
        minted = []
        leakwatch._minted({"profile": {"bearerToken": "minted-token-000000000"},
                           "token": {"activation_url": "http://h/activation?code=code-0000000000000"}}, minted)
        assert minted == ["minted-token-000000000", "code-0000000000000"]
    finally:
        leakwatch._secrets.clear()
        leakwatch._secrets.update(before)


PLANTED = '''
import http.server
import os
import threading

import requests

import leakwatch
from conftest import TOKENS, Env, get

WHERE = os.environ["PLANT"]


def test_planted(tmp_path):
    if WHERE == "log":
        env = Env(tmp_path)
        s = env.server().start()
        # the token in a URL path lands in the server's access log
        get(s, "/shares/" + TOKENS["alice"])
        s.stop()
    elif WHERE == "answer":
        class Echo(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b'{"message": "hello planted-answer-secret-000"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        leakwatch.add_secret("planted-answer-secret-000", "a planted storage secret")
        srv = http.server.HTTPServer(("127.0.0.1", 0), Echo)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        assert requests.get("http://127.0.0.1:%d/" % srv.server_port, timeout=10).status_code == 200
        srv.shutdown()
    elif WHERE == "file":
        leakwatch.add_secret("planted-file-secret-000000", "a planted secret")
        (tmp_path / "audit.jsonl").write_text('{"path": "/x/planted-file-secret-000000"}\\n')
    else:
        env = Env(tmp_path)
        s = env.server().start()
        assert get(s, "/shares").status_code == 200
        s.stop()
'''


def run_planted(tmp_path, where):
    (tmp_path / "test_planted.py").write_text(PLANTED)
    env = dict(os.environ, PLANT=where, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "leakwatch", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(tmp_path / "test_planted.py")],
                          cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=120)


def test_a_run_that_leaks_fails(tmp_path):
    for where, origin in [("log", "token of recipient alice"), ("answer", "a planted storage secret"),
                          ("file", "a planted secret")]:
        d = tmp_path / where
        d.mkdir()
        r = run_planted(d, where)
        out = r.stdout + r.stderr
        assert "1 passed" in out, out[-3000:]
        assert r.returncode == 1, out[-3000:]
        assert "leakwatch: " in out and origin in out, out[-3000:]


def test_a_clean_run_passes(tmp_path):
    r = run_planted(tmp_path, "clean")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    assert "none leaked" in out
