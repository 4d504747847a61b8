"""Fixtures that run the real opensharing binary on a loopback port with a temporary data directory."""
import os

import pytest
import requests

import admin_util
import leakwatch
from leakwatch import leak_check, pytest_sessionfinish  # noqa: F401  (the end-of-run secret search)
from osserver import BIN, REPO, Server, run_server_once  # noqa: F401


TOKENS = {
    "alice": "alice-token-0123456789abcdef",
    "bob": "bob-token-0123456789abcdef",
    "carol": "carol-token-0123456789abcdef",
}
for _name, _tok in TOKENS.items():
    leakwatch.add_secret(_tok, "token of recipient " + _name)
leakwatch.add_secret(admin_util.ADMIN_TOKEN, "the tests' admin token")
leakwatch.add_secret(admin_util.STORAGE_SECRET, "the tests' storage secret")


def write_tree(root):
    """Creates asset directories under root/data and returns the data path."""
    data = os.path.join(root, "data")
    for d in ["sales/orders/_delta_log", "sales/customers/_delta_log", "sales/Returns/_delta_log",
              "ops/metrics/_delta_log", "files/raw", "skills/pdf-tools", "models/churn/1",
              "models/churn/2", "models/churn/3", "other/x"]:
        os.makedirs(os.path.join(data, d), exist_ok=True)
    with open(os.path.join(data, "skills/pdf-tools/SKILL.md"), "w") as f:
        f.write("---\nname: pdf-tools\ndescription: Work with PDF files.\nlicense: MIT\n"
                "compatibility: python3\nallowed-tools: Read Bash\nmetadata:\n  team: docs\n---\n\n# PDF tools\n")
    files = {"files/raw/a.csv": b"x,y\n1,2\n", "files/raw/sub/b.csv": b"b" * 1000,
             "files/raw/sub/deeper/c d.bin": bytes(range(256)), "files/raw/z.txt": b"last",
             "models/churn/1/model.pkl": b"v1", "models/churn/2/model.pkl": b"v2-weights",
             "models/churn/3/model.pkl": b"pending", "other/x/secret.txt": b"not shared"}
    for rel, content in files.items():
        os.makedirs(os.path.dirname(os.path.join(data, rel)), exist_ok=True)
        with open(os.path.join(data, rel), "wb") as f:
            f.write(content)
    # A link inside the volume that leads outside it must never be listed or served.
    link = os.path.join(data, "files/raw/escape")
    if not os.path.lexists(link):
        os.symlink(os.path.join(data, "other/x"), link)
    return data


def config_text(data, extra_tables=0, alice_expires=None):
    tables = "\n".join(
        "          - {name: t%03d, location: 'file://%s/sales/orders'}" % (i, data)
        for i in range(extra_tables))
    return f"""
storage:
  - name: local
    uri: 'file://{data}'
shares:
  - name: Sales
    id: 5b7f8e3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b
    display_name: Sales data
    comment: Everything about sales
    properties: {{owner: sales-team, region: eu}}
    schemas:
      - name: Retail
        tables:
          - {{name: Orders, location: 'file://{data}/sales/orders', history_shared: true}}
          - {{name: customers, location: 'file://{data}/sales/customers'}}
          - {{name: returns, location: 'file://{data}/sales/Returns', format: parquet}}
{tables}
        volumes:
          - {{name: raw_files, location: 'file://{data}/files/raw', comment: raw drops}}
        skills:
          - name: pdf-tools
            location: 'file://{data}/skills/pdf-tools'
        models:
          - name: churn
            comment: churn model
            location: 'file://{data}/models/churn'
            versions:
              - {{version: 1, location: 'file://{data}/models/churn/1', run_id: r1, source: 's3://x/1'}}
              - {{version: 2, location: 'file://{data}/models/churn/2', comment: second}}
              - {{version: 3, status: PENDING_REGISTRATION, location: 'file://{data}/models/churn/3'}}
            aliases: {{Champion: 2, pending: 3}}
      - name: archive
        tables:
          - {{name: orders_2020, location: 'file://{data}/sales/orders'}}
  - name: ops
    schemas:
      - name: monitoring
        tables:
          - {{name: metrics, location: 'file://{data}/ops/metrics'}}
  - name: empty_share
recipients:
  - name: alice
    token: {{env: TOK_ALICE}}
{"    token_expires: '" + alice_expires + "'" if alice_expires else ""}
  - name: bob
    token: {{file: '{data}/../bob.token'}}
  - name: carol
    token: {{env: TOK_CAROL}}
grants:
  - share: Sales
    recipients: [alice, bob]
  - share: ops
    recipients: [alice]
  - share: empty_share
    recipients: [alice]
"""


class Env:
    def __init__(self, tmp_path, extra_tables=0):
        self.root = str(tmp_path)
        self.data = write_tree(self.root)
        with open(os.path.join(self.root, "bob.token"), "w") as f:
            f.write(TOKENS["bob"] + "\n")
        self.config = os.path.join(self.root, "config.yaml")
        self.data_dir = os.path.join(self.root, "state")
        self.write_config(extra_tables=extra_tables)
        self.env = {"TOK_ALICE": TOKENS["alice"], "TOK_CAROL": TOKENS["carol"]}

    def write_config(self, text=None, **kw):
        with open(self.config, "w") as f:
            f.write(text if text is not None else config_text(self.data, **kw))

    def server(self, extra=None):
        return Server(["--config", self.config, "--data-dir", self.data_dir] + (extra or []),
                      env=self.env)


def get(server, path, who="alice", token=None, **kw):
    headers = kw.pop("headers", {})
    if token is None and who is not None:
        token = TOKENS[who]
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    return requests.get(server.url(path), headers=headers, timeout=10, **kw)


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    return Env(tmp_path_factory.mktemp("cfg"), extra_tables=7)


@pytest.fixture(scope="module")
def server(env):
    s = env.server().start()
    yield s
    s.stop()
