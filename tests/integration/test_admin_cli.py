"""test_admin_cli.py - the provider -> recipient flow driven by `opensharing admin`: every command, tables and --json, exit codes 0/2/3/4."""
import json
import re
import time

import pytest

from admin_util import ADMIN_TOKEN, GRACE_S, AdminEnv, cli


@pytest.fixture
def adm(tmp_path):
    env = AdminEnv(tmp_path).start()
    yield env
    env.stop()


def ok(env, *args, **kw):
    rc, out, err = cli(env, *args, **kw)
    assert rc == 0, (args, out, err)
    return out


def js(env, *args):
    return json.loads(ok(env, "--json", *args))


def link_of(out):
    m = re.search(r"(http://\S+/activation\?code=osact_\S+)", out)
    assert m, out
    return m.group(1)


def test_cli_whole_flow(adm):
    d = adm.data
    out = ok(adm, "location", "create", "local", "--uri", "file://" + d, "--secret-env", "OS_TEST_STORAGE_SECRET")
    assert "OS_TEST_STORAGE_SECRET" in out
    assert "local" in ok(adm, "location", "list")
    assert js(adm, "location", "get", "local")["uri"] == "file://" + d
    ok(adm, "share", "create", "sales", "--comment", "sales data", "--property", "owner=team")
    ok(adm, "share", "add-table", "sales", "retail", "orders_src", "--as", "orders",
       "--location", f"file://{d}/tables/orders", "--history-shared")
    ok(adm, "share", "add-volume", "sales", "retail", "raw", "--location", f"file://{d}/volumes/raw")
    ok(adm, "share", "add-skill", "sales", "retail", "pdf-tools", "--location", f"file://{d}/skills/pdf-tools")
    out = ok(adm, "share", "add-model", "sales", "retail", "churn", "--location", f"file://{d}/models/churn",
             "--version", f"1=file://{d}/models/churn/1", "--version", f"2=file://{d}/models/churn/2",
             "--alias", "champion=2")
    assert re.search(r"TABLE\s+retail\s+orders\s+orders_src", out), out
    share = js(adm, "share", "get", "sales")
    assert sorted(a["type"] for a in share["assets"]) == ["MODEL", "SKILL", "TABLE", "VOLUME"]
    assert share["properties"] == {"owner": "team"}
    ok(adm, "share", "update", "sales", "--display-name", "Sales")
    assert "sales" in ok(adm, "share", "list")

    link = link_of(ok(adm, "recipient", "create", "acme", "--comment", "partner"))
    prof = adm.activate(link)
    assert prof.status_code == 200
    assert adm.activate(link).status_code == 404
    tok = prof.json()["bearerToken"]
    assert "ACTIVE" in ok(adm, "recipient", "get", "acme")
    assert "acme" in ok(adm, "recipient", "list")
    out = ok(adm, "grant", "sales", "acme")
    assert "acme" in out
    ok(adm, "grant", "sales", "acme")
    assert "sales" in ok(adm, "recipient", "shares", "acme")
    assert "acme" in ok(adm, "share", "permissions", "sales")
    assert [s["name"] for s in adm.recipient("/shares", tok).json()["items"]] == ["sales"]
    assert adm.recipient("/shares/sales/schemas/retail/tables/orders", tok).status_code == 200

    t0 = time.time()
    link2 = link_of(ok(adm, "recipient", "rotate-token", "acme", "--grace", str(GRACE_S)))
    tok2 = adm.activate(link2).json()["bearerToken"]
    assert adm.recipient("/shares", tok).status_code == 200
    time.sleep(max(0, GRACE_S - (time.time() - t0)) + 0.2)
    assert adm.recipient("/shares", tok).status_code == 401
    assert adm.recipient("/shares", tok2).status_code == 200
    link3 = link_of(ok(adm, "recipient", "rotate-token", "acme", "--grace", "0"))
    assert adm.recipient("/shares", tok2).status_code == 401
    tok3 = adm.activate(link3).json()["bearerToken"]

    ok(adm, "recipient", "update", "acme", "--ip", "10.0.0.0/8")
    r = adm.recipient("/shares", tok3)
    assert r.status_code == 403 and r.json()["errorCode"] == "PERMISSION_DENIED"
    assert "10.0.0.0/8" in ok(adm, "recipient", "get", "acme")
    ok(adm, "recipient", "update", "acme", "--clear-ips", "--token-lifetime", "3600")
    assert adm.recipient("/shares", tok3).status_code == 200

    ok(adm, "revoke", "sales", "acme")
    assert adm.recipient("/shares/sales", tok3).status_code == 404
    out = ok(adm, "audit", "--recipient", "acme")
    assert "listShares" in out and "getTable" in out and "403" in out
    events = js(adm, "audit", "--share", "sales", "--asset", "orders")["events"]
    assert [e["operation"] for e in events] == ["getTable"]
    assert js(adm, "audit", "--max", "2")["next_page_token"]
    ok(adm, "share", "remove-asset", "sales", "retail", "orders")
    assert "orders" not in [a["name"] for a in js(adm, "share", "get", "sales")["assets"]]
    ok(adm, "recipient", "delete", "acme")
    assert adm.recipient("/shares", tok3).status_code == 401
    ok(adm, "share", "delete", "sales")
    ok(adm, "share", "create", "tmp")
    assert js(adm, "openapi")["paths"]


def test_cli_exit_codes(adm):
    rc, out, err = cli(adm, "share", "get", "nope")
    assert rc == 3 and "RESOURCE_DOES_NOT_EXIST" in err
    rc, out, err = cli(adm, "share", "list", token="wrong-token-0123456789")
    assert rc == 3 and "UNAUTHENTICATED" in err
    rc, out, err = cli(adm, "share", "create", "bad name")
    assert rc == 3 and "INVALID_PARAMETER_VALUE" in err
    for args in [["share", "list", "--bogus"], ["share"], ["frobnicate"], ["share", "add-table", "s", "x", "t"],
                 ["recipient", "rotate-token", "a", "--grace", "-1"], ["grant", "onlyshare"],
                 ["share", "create", "x", "--property", "novalue"], ["audit", "--since"]]:
        rc, out, err = cli(adm, *args)
        assert rc == 2, (args, out, err)
    rc, out, err = cli(adm, "share", "list", token=None)
    assert rc == 2 and "OPENSHARING_ADMIN_TOKEN" in err
    rc, out, err = cli(adm, "share", "list", server=False)
    assert rc == 2 and "OPENSHARING_ADMIN_SERVER" in err
    rc, out, err = cli(adm, "share", "list", server="http://127.0.0.1:9")
    assert rc == 4 and "cannot reach" in err
    rc, out, err = cli(adm, "--help")
    assert rc == 0 and "exit status" in out and "rotate-token" in out
    # --server and --token flags win over the environment.
    rc, out, err = cli(adm, "--server", adm.admin_url, "--token", ADMIN_TOKEN, "share", "list",
                       token="wrong-token-0123456789", server="http://127.0.0.1:9")
    assert rc == 0, err
