"""admin_util.py - a server with an admin principal, sample asset directories, and helpers that remember every response body (for the no-secrets checks)."""
import json
import os
import re
import time

import requests

from osserver import BIN, Server  # noqa: F401

ADMIN_TOKEN = "admin-token-for-tests-0123456789"
STORAGE_SECRET = "storage-secret-value-never-shown-42"
GRACE_S = 2


def write_assets(root):
    """Creates a storage root with one asset of each type; returns its path."""
    data = os.path.join(root, "data")
    for d in ["tables/orders/_delta_log", "tables/no_log", "volumes/raw", "skills/pdf-tools",
              "skills/bad-skill", "models/churn/1", "models/churn/2"]:
        os.makedirs(os.path.join(data, d), exist_ok=True)
    with open(os.path.join(data, "tables/orders/_delta_log/00000000000000000000.json"), "w") as f:
        f.write('{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}\n'
                '{"metaData":{"id":"0b0d2a6e-5a1c-4f6e-9d7f-3a2b1c0d9e8f","format":{"provider":"parquet","options":{}},'
                '"schemaString":"{\\"type\\":\\"struct\\",\\"fields\\":[{\\"name\\":\\"id\\",\\"type\\":\\"long\\",\\"nullable\\":true,\\"metadata\\":{}}]}",'
                '"partitionColumns":[],"configuration":{},"createdTime":1700000000000}}\n')
    with open(os.path.join(data, "skills/pdf-tools/SKILL.md"), "w") as f:
        f.write("---\nname: pdf-tools\ndescription: Work with PDF files.\nlicense: MIT\n---\n# PDF\n")
    with open(os.path.join(data, "skills/bad-skill/SKILL.md"), "w") as f:
        f.write("---\nname: other-name\ndescription: mismatched\n---\n")
    outside = os.path.join(root, "outside")
    os.makedirs(os.path.join(outside, "_delta_log"), exist_ok=True)
    os.symlink(outside, os.path.join(data, "tables/escape"))
    return data


def config_text(extra=""):
    return f"""
admins:
  - name: ops
    token: {{env: OS_TEST_ADMIN_TOKEN}}
admin:
  rotation_grace_seconds: {GRACE_S}
{extra}
"""


class AdminEnv:
    """One server with a temporary data dir; every response body is kept in self.bodies."""

    def __init__(self, tmp_path, extra_args=None, config_extra=""):
        self.root = str(tmp_path)
        self.data = write_assets(self.root)
        self.config = os.path.join(self.root, "config.yaml")
        with open(self.config, "w") as f:
            f.write(config_text(config_extra))
        self.data_dir = os.path.join(self.root, "state")
        self.env = {"OS_TEST_ADMIN_TOKEN": ADMIN_TOKEN, "OS_TEST_STORAGE_SECRET": STORAGE_SECRET}
        self.extra_args = extra_args or []
        self.bodies = []
        self.logs = ""
        self.server = None

    def start(self):
        self.server = Server(["--config", self.config, "--data-dir", self.data_dir] + self.extra_args,
                             env=self.env).start()
        m = re.search(r"opensharing: admin API (\S+)", self.server.stdout)
        assert m, self.server.stdout
        self.admin_url = m.group(1).rstrip("/")
        return self

    def stop(self):
        if self.server and self.server.proc:
            rc = self.server.stop(timeout=30)
            err = self.server.stderr
            self.logs += self.server.stdout + err
            # Sanitizer builds report leaks and UB at exit; a clean run exits 0.
            for bad in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
                assert bad not in err, err[-4000:]
            assert rc == 0, err[-2000:]
        return self

    def restart(self):
        self.stop()
        return self.start()

    def keep(self, r):
        self.bodies.append(r.text)
        return r

    def admin(self, method, path, body=None, token=ADMIN_TOKEN, raw=None, headers=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        kw = {"headers": h, "timeout": 10}
        if raw is not None:
            kw["data"] = raw
        elif body is not None:
            kw["json"] = body
        return self.keep(requests.request(method, self.admin_url + path, **kw))

    def recipient(self, path, token, method="GET", **kw):
        h = kw.pop("headers", {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        return self.keep(requests.request(method, self.server.url(path), headers=h, timeout=10, **kw))

    def activate(self, url):
        return self.keep(requests.get(url, timeout=10))

    def audit_jsonl(self):
        path = os.path.join(self.data_dir, "audit.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_audit(self, n, timeout=3.0):
        """Audit records are written when a request completes; wait until n exist."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            events = self.audit_events()
            if len(events) >= n:
                return events
            time.sleep(0.05)
        return self.audit_events()

    def audit_events(self, **filters):
        events, token = [], None
        while True:
            q = dict(filters)
            q["max_results"] = 50
            if token:
                q["page_token"] = token
            r = requests.get(self.admin_url + "/audit", params=q,
                             headers={"Authorization": "Bearer " + ADMIN_TOKEN}, timeout=10)
            assert r.status_code == 200, r.text
            doc = r.json()
            events += doc["events"]
            token = doc.get("next_page_token")
            if not token:
                return events

    def setup_share(self, share="sales"):
        """Storage location, share and one asset of each type, through the API."""
        r = self.admin("POST", "/locations", {"name": "local", "uri": "file://" + self.data,
                                              "secret": {"env": "OS_TEST_STORAGE_SECRET"}})
        assert r.status_code == 201, r.text
        r = self.admin("POST", "/shares", {"name": share, "comment": "sales data",
                                           "properties": {"owner": "team"}})
        assert r.status_code == 201, r.text
        d = self.data
        r = self.admin("PATCH", "/shares/" + share, {"updates": [
            {"action": "ADD", "data_object": {"type": "TABLE", "schema": "retail", "name": "orders_src",
                                              "shared_as": "orders", "location": f"file://{d}/tables/orders"}},
            {"action": "ADD", "data_object": {"type": "VOLUME", "schema": "retail", "name": "raw",
                                              "location": f"file://{d}/volumes/raw"}},
            {"action": "ADD", "data_object": {"type": "SKILL", "schema": "retail", "name": "pdf-tools",
                                              "location": f"file://{d}/skills/pdf-tools"}},
            {"action": "ADD", "data_object": {"type": "MODEL", "schema": "retail", "name": "churn",
                                              "location": f"file://{d}/models/churn",
                                              "versions": [{"version": 1, "location": f"file://{d}/models/churn/1"},
                                                           {"version": 2, "location": f"file://{d}/models/churn/2"}],
                                              "aliases": {"champion": 2}}},
        ]})
        assert r.status_code == 200, r.text
        return r.json()

    def new_recipient(self, name, **fields):
        body = {"name": name}
        body.update(fields)
        r = self.admin("POST", "/recipients", body)
        assert r.status_code == 201, r.text
        return r.json()

    def onboard(self, name, share="sales"):
        """Creates a recipient, grants the share, opens the link; returns the profile."""
        link = self.new_recipient(name)["token"]["activation_url"]
        r = self.admin("PATCH", f"/shares/{share}/permissions",
                       {"changes": [{"recipient_name": name, "add": ["SELECT"]}]})
        assert r.status_code == 200, r.text
        r = self.activate(link)
        assert r.status_code == 200, r.text
        return r.json()


def cli(env, *args, token=ADMIN_TOKEN, server=None, extra_env=None):
    """Runs `opensharing admin ARGS`; returns (exit code, stdout, stderr)."""
    import subprocess
    e = dict(os.environ)
    e.pop("OPENSHARING_ADMIN_SERVER", None)
    e.pop("OPENSHARING_ADMIN_TOKEN", None)
    if server is not False:
        e["OPENSHARING_ADMIN_SERVER"] = server or env.admin_url
    if token is not None:
        e["OPENSHARING_ADMIN_TOKEN"] = token
    e.update(extra_env or {})
    p = subprocess.run([BIN, "admin"] + list(args), capture_output=True, text=True, env=e, timeout=30)
    env.bodies.append(p.stdout)
    return p.returncode, p.stdout, p.stderr
