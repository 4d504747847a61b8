"""leakwatch.py - a pytest plugin: after the run, no token or storage secret the tests created may
appear in any server log or in any API answer the tests saw (except the one answer that issued it).

What it watches:
  - secrets: add_secret() by tests and conftest (configured tokens, the admin token), the values
    of the environment given to every osserver.Server (whole values, or the secret fields of a JSON
    value), and tokens minted during the run (a JSON answer's "bearerToken", an activation code);
  - texts: every answer received through `requests` without stream=True (status line, headers,
    body), every server's stdout and stderr when it stops, and at the end every audit.jsonl and
    *.log file under pytest's temporary directory.
Loaded by tests/integration/conftest.py (and with -p leakwatch by its own self-test)."""
import json
import os
import re
from urllib.parse import parse_qs, urlparse

import pytest
import requests

import osserver

MIN_LEN = 12          # shorter values are too likely to occur by chance
SECRET_FIELDS = re.compile(r"(secret|token|password|private_key|account_key|sas)", re.I)

_secrets = {}         # value -> where it came from
_texts = []           # (where, text, allowed secret values)


def add_secret(value, origin):
    """Registers a value that must never show up outside the answer that issued it."""
    if isinstance(value, str) and len(value) >= MIN_LEN:
        _secrets.setdefault(value, origin)


def record(where, text, allowed=()):
    """Registers a text (a log, an answer) to be searched at the end."""
    if text:
        _texts.append((where, text, frozenset(allowed)))


def _secret_fields(doc, out):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if isinstance(v, str) and SECRET_FIELDS.search(k):
                out.append(v)
            else:
                _secret_fields(v, out)
    elif isinstance(doc, list):
        for v in doc:
            _secret_fields(v, out)


ENV_SECRET_NAMES = re.compile(r"(tok|secret|key|pass|cred)", re.I)


def add_env_secrets(env, origin):
    """The secret parts of a server's environment additions (tokens, storage secrets): variables
    whose name says so, or the secret fields of a JSON value."""
    for k, v in (env or {}).items():
        if not isinstance(v, str):
            continue
        try:
            doc = json.loads(v)
        except ValueError:
            doc = None
        if isinstance(doc, (dict, list)):
            found = []
            _secret_fields(doc, found)
            for s in found:
                add_secret(s, "%s: %s" % (origin, k))
        elif ENV_SECRET_NAMES.search(k):
            add_secret(v, "%s: %s" % (origin, k))


def _minted(doc, out):
    """Tokens an answer hands out: bearerToken values and activation codes."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k == "bearerToken" and isinstance(v, str):
                out.append(v)
            elif k == "activation_url" and isinstance(v, str):
                out += parse_qs(urlparse(v).query).get("code", [])
            else:
                _minted(v, out)
    elif isinstance(doc, list):
        for v in doc:
            _minted(v, out)


def record_answer(where, resp):
    try:
        body = resp.content
    except Exception:   # a broken or consumed stream: nothing to search
        return
    text = body.decode("utf-8", "replace") if len(body) <= 16 << 20 else ""
    head = "%s %s\n%s" % (resp.status_code, resp.reason,
                          "\n".join("%s: %s" % kv for kv in resp.headers.items()))
    minted = []
    if "json" in resp.headers.get("Content-Type", ""):
        try:
            _minted(json.loads(text), minted)
        except ValueError:
            pass
    for m in minted:
        add_secret(m, "minted by " + where)
    record("answer to " + where, head + "\n\n" + text, allowed=minted)


def find_leaks(secrets=None, texts=None):
    """[(secret origin, where it was seen)] over the registered (or given) secrets and texts."""
    secrets = _secrets if secrets is None else secrets
    texts = _texts if texts is None else texts
    found = []
    for where, text, allowed in texts:
        for value, origin in secrets.items():
            if value not in allowed and value in text:
                found.append((origin, where))
    return found


def collect_files(root):
    """Records every audit.jsonl and *.log below root."""
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f == "audit.jsonl" or f.endswith(".log"):
                p = os.path.join(dirpath, f)
                try:
                    with open(p, encoding="utf-8", errors="replace") as fh:
                        record(p, fh.read())
                except OSError:
                    pass


# ---- hooks into requests and the server runner -------------------------------------------

_orig_send = requests.Session.send


def _send(self, request, **kw):
    resp = _orig_send(self, request, **kw)
    if not kw.get("stream"):
        record_answer("%s %s" % (request.method, request.url), resp)
    return resp


_orig_init = osserver.Server.__init__
_orig_stop = osserver.Server.stop


def _init(self, args, env=None, cwd=None):
    _orig_init(self, args, env=env, cwd=cwd)
    add_env_secrets(env, "environment of a server")


def _stop(self, *a, **kw):
    try:
        return _orig_stop(self, *a, **kw)
    finally:
        record("stdout of server %s" % (self.args,), getattr(self, "stdout", ""))
        record("stderr of server %s" % (self.args,), getattr(self, "stderr", ""))


def install():
    requests.Session.send = _send
    osserver.Server.__init__ = _init
    osserver.Server.stop = _stop


install()


_basetemp = []


@pytest.fixture(scope="session", autouse=True)
def leak_check(tmp_path_factory):
    """Remembers pytest's temporary directory for the final search (pytest_sessionfinish)."""
    _basetemp.append(str(tmp_path_factory.getbasetemp()))
    yield


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """After every test and fixture teardown: search everything seen for every secret created;
    any find fails the run."""
    for root in _basetemp:
        collect_files(root)
    leaks = find_leaks()
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if leaks:
        lines = ["%s appeared in %s" % (origin, where[:300]) for origin, where in leaks[:50]]
        msg = "leakwatch: %d secret(s) leaked:\n  %s" % (len(leaks), "\n  ".join(lines))
        if tr:
            tr.ensure_newline()
            tr.write_line(msg, red=True, bold=True)
        else:
            print(msg)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    elif tr:
        tr.ensure_newline()
        tr.write_line("leakwatch: %d secret(s) searched in %d log(s) and answer(s): none leaked"
                      % (len(_secrets), len(_texts)))
