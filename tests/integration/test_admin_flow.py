"""test_admin_flow.py - provider administration over raw HTTP: shares, assets, recipients, activation, rotation, grants, IP lists, audit, atomic batches, restarts, secrets never shown, OpenAPI vs route tables."""
import json
from collections import Counter
import os
import re
import socket
import time

import pytest
import requests

from admin_util import ADMIN_TOKEN, GRACE_S, STORAGE_SECRET, AdminEnv

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def adm(tmp_path):
    env = AdminEnv(tmp_path).start()
    yield env
    env.stop()


def names(items):
    return sorted(i["name"] for i in items)


def test_whole_flow(adm):
    share = adm.setup_share()
    assert [(a["type"], a["schema"], a["name"], a["source_name"]) for a in share["assets"]] == [
        ("MODEL", "retail", "churn", "churn"), ("TABLE", "retail", "orders", "orders_src"),
        ("SKILL", "retail", "pdf-tools", "pdf-tools"), ("VOLUME", "retail", "raw", "raw")]
    model = share["assets"][0]
    assert [v["version"] for v in model["versions"]] == [1, 2] and model["aliases"] == {"champion": 2}
    assert share["created_by"] == "admin:ops" and share["assets"][1]["added_by"] == "admin:ops"
    got = adm.admin("GET", "/shares/SALES").json()
    assert got["name"] == "sales" and len(got["assets"]) == 4 and got["properties"] == {"owner": "team"}

    created = adm.new_recipient("acme", comment="partner")
    link = created["token"]["activation_url"]
    assert link.startswith(adm.server.endpoint + "activation?code=osact_")
    assert created["recipient"]["tokens"] == []
    assert created["recipient"]["created_by"] == "admin:ops" and created["recipient"]["updated_at"] is None
    assert created["recipient"]["comment"] == "partner"
    assert ISO_MS.match(created["recipient"]["activation_pending_until"])
    # The link is not stored in clear and never shown again.
    assert link.split("=")[-1] not in adm.admin("GET", "/recipients/acme").text

    r = adm.activate(link)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store"
    profile = r.json()
    assert profile["shareCredentialsVersion"] == 1
    assert profile["endpoint"] == adm.server.endpoint
    assert profile["bearerToken"].startswith("osr_")
    assert ISO_MS.match(profile["expirationTime"])
    again = adm.activate(link)
    assert again.status_code == 404 and again.json()["errorCode"] == "RESOURCE_DOES_NOT_EXIST"
    tok = profile["bearerToken"]

    # Not granted yet: the share does not exist for the recipient.
    assert adm.recipient("/shares/sales", tok).status_code == 404
    r = adm.admin("PATCH", "/shares/sales/permissions", {"changes": [{"recipient_name": "acme", "add": ["SELECT"]}]})
    assert r.status_code == 200 and [p["principal"] for p in r.json()["privilege_assignments"]] == ["acme"]
    # Granting twice is a no-op.
    r = adm.admin("PATCH", "/shares/sales/permissions", {"changes": [{"recipient_name": "ACME", "add": ["select"]}]})
    assert r.status_code == 200 and len(r.json()["privilege_assignments"]) == 1
    shares = adm.admin("GET", "/recipients/acme/share-permissions").json()["permissions_out"]
    assert [s["share_name"] for s in shares] == ["sales"]

    ua = {"User-Agent": "admin-flow-test/1.0"}
    assert [s["name"] for s in adm.recipient("/shares", tok, headers=dict(ua)).json()["items"]] == ["sales"]
    assert names(adm.recipient("/shares/sales/all-tables", tok, headers=dict(ua)).json()["items"]) == ["orders"]
    assert adm.recipient("/shares/sales/schemas/retail/tables/orders", tok, headers=dict(ua)).status_code == 200
    assert names(adm.recipient("/shares/sales/all-skills", tok).json()["items"]) == ["pdf-tools"]
    assert names(adm.recipient("/shares/sales/all-volumes", tok).json()["items"]) == ["raw"]
    r = adm.recipient("/shares/sales/schemas/retail/models/churn/aliases/champion", tok)
    assert r.status_code == 200, r.text

    # Rotation with a grace period: both work until the grace ends, then only the new one.
    t0 = time.time()
    r = adm.admin("POST", "/recipients/acme/rotate-token", {"existing_token_expire_in_seconds": GRACE_S})
    assert r.status_code == 200, r.text
    link2 = r.json()["token"]["activation_url"]
    assert adm.recipient("/shares", tok).status_code == 200
    tok2 = adm.activate(link2).json()["bearerToken"]
    assert adm.recipient("/shares", tok2).status_code == 200
    hist = adm.admin("GET", "/recipients/acme").json()["tokens"]
    assert [t["status"] for t in hist] == ["ACTIVE", "SUPERSEDED_IN_GRACE"]
    time.sleep(max(0, GRACE_S - (time.time() - t0)) + 0.2)
    r = adm.recipient("/shares", tok)
    assert r.status_code == 401 and r.json()["errorCode"] == "UNAUTHENTICATED"
    assert adm.recipient("/shares", tok2).status_code == 200

    # Rotation with 0: the current token is refused at once.
    r = adm.admin("POST", "/recipients/acme/rotate-token", {"existing_token_expire_in_seconds": 0})
    link3 = r.json()["token"]["activation_url"]
    assert adm.recipient("/shares", tok2).status_code == 401
    tok3 = adm.activate(link3).json()["bearerToken"]
    assert adm.recipient("/shares", tok3).status_code == 200

    # IP access list: a valid token from the wrong network is 403.
    r = adm.admin("PATCH", "/recipients/acme", {"ip_access_list": {"allowed_ip_addresses": ["10.0.0.0/8", "2001:DB8::/32"]}})
    assert r.status_code == 200, r.text
    assert r.json()["ip_access_list"] == {"allowed_ip_addresses": ["10.0.0.0/8", "2001:db8::/32"]}
    r = adm.recipient("/shares", tok3)
    assert r.status_code == 403 and r.json()["errorCode"] == "PERMISSION_DENIED"
    r = adm.admin("PATCH", "/recipients/acme", {"ip_access_list": {"allowed_ip_addresses": ["127.0.0.0/8"]}})
    assert adm.recipient("/shares", tok3).status_code == 200
    r = adm.admin("PATCH", "/recipients/acme", {"ip_access_list": {"allowed_ip_addresses": ["10.0.0.0/33"]}})
    assert r.status_code == 400 and "10.0.0.0/33" in r.json()["message"]
    assert adm.admin("PATCH", "/recipients/acme", {"ip_access_list": None}).json()["ip_access_list"] is None

    # Revoking the grant: the share is gone for the recipient; revoking twice is fine.
    for _ in range(2):
        r = adm.admin("PATCH", "/shares/sales/permissions", {"changes": [{"recipient_name": "acme", "remove": ["SELECT"]}]})
        assert r.status_code == 200 and r.json()["privilege_assignments"] == []
    assert adm.recipient("/shares/sales", tok3).status_code == 404
    assert adm.recipient("/shares", tok3).json()["items"] == []

    # Deleting the recipient: its token is refused.
    assert adm.admin("DELETE", "/recipients/acme").status_code == 200
    assert adm.recipient("/shares", tok3).status_code == 401
    assert adm.admin("GET", "/recipients/acme").status_code == 404

    # Audit: every recipient call above, with its fields, in the table and the JSON-lines file.
    events = adm.wait_audit(18)
    # Records are written as requests complete, so order is by completion: compare as multisets.
    ops = Counter((e["operation"], e["status"]) for e in events)
    assert ops == Counter({("listShares", 200): 7, ("getShare", 404): 2, ("listAllTables", 200): 1,
                           ("getTable", 200): 1, ("listAllSkills", 200): 1, ("listAllVolumes", 200): 1,
                           ("getModelVersionByAlias", 200): 1, ("listShares", 401): 3,
                           ("listShares", 403): 1}), ops
    first = [e for e in events if e["user_agent"] == "admin-flow-test/1.0" and e["operation"] == "listShares"]
    assert len(first) == 1
    first = first[0]
    assert first["recipient"] == "acme" and first["client_ip"] == "127.0.0.1"
    assert first["method"] == "GET" and first["status"] == 200
    assert first["path"] == "/opensharing/shares" and ISO_MS.match(first["time"])
    get_table = [e for e in events if e["operation"] == "getTable"][0]
    assert (get_table["share"], get_table["schema"], get_table["asset"]) == ("sales", "retail", "orders")
    assert get_table["recipient"] == "acme" and get_table["user_agent"] == "admin-flow-test/1.0"
    assert get_table["files"] == 0 and get_table["credentials"] == 0
    alias = [e for e in events if e["operation"] == "getModelVersionByAlias"][0]
    assert (alias["share"], alias["schema"], alias["asset"]) == ("sales", "retail", "churn")
    denied = [e for e in events if e["status"] == 403][0]
    assert denied["recipient"] == "acme"
    assert all(e["recipient"] is None for e in events if e["status"] == 401)
    assert all(e["recipient"] == "acme" for e in events if e["status"] != 401)
    # Filters and paging.
    only = adm.audit_events(share="sales", asset="orders")
    assert [e["operation"] for e in only] == ["getTable"]
    assert all(e["recipient"] == "acme" for e in adm.audit_events(recipient="ACME"))
    assert adm.audit_events(start_time="2999-01-01T00:00:00Z") == []
    r = adm.admin("GET", "/audit?max_results=5")
    assert len(r.json()["events"]) == 5 and r.json()["next_page_token"]
    assert adm.admin("GET", "/audit?start_time=yesterday").status_code == 400
    assert adm.admin("GET", "/audit?max_results=-1").status_code == 400
    lines = adm.audit_jsonl()
    assert Counter((line["operation"], line["status"]) for line in lines) == ops
    assert all("id" not in line for line in lines)
    assert [line for line in lines if line["operation"] == "getTable"][0]["asset"] == "orders"


def test_batch_is_atomic_and_state_survives_restart(adm):
    adm.setup_share()
    d = adm.data
    before = adm.admin("GET", "/shares/sales").json()
    bad_batches = [
        # second item's location is outside every storage location
        [{"action": "ADD", "data_object": {"type": "VOLUME", "schema": "new", "name": "ok1", "location": f"file://{d}/volumes/raw"}},
         {"action": "ADD", "data_object": {"type": "VOLUME", "schema": "new", "name": "bad", "location": "file:///etc"}}],
        # a REMOVE of something that does not exist after a valid REMOVE
        [{"action": "REMOVE", "data_object": {"schema": "retail", "name": "orders"}},
         {"action": "REMOVE", "data_object": {"schema": "retail", "name": "nope"}}],
        # duplicate name in the batch
        [{"action": "ADD", "data_object": {"type": "VOLUME", "schema": "x", "name": "v", "location": f"file://{d}/volumes/raw"}},
         {"action": "ADD", "data_object": {"type": "TABLE", "schema": "x", "name": "v", "location": f"file://{d}/tables/orders"}}],
        # an unknown action
        [{"action": "ADD", "data_object": {"type": "VOLUME", "schema": "y", "name": "v", "location": f"file://{d}/volumes/raw"}},
         {"action": "RENAME", "data_object": {}}],
    ]
    for batch in bad_batches:
        r = adm.admin("PATCH", "/shares/sales", {"comment": "changed", "updates": batch})
        assert r.status_code in (400, 404, 409), r.text
        assert "updates[1]" in r.json()["message"]
        assert adm.admin("GET", "/shares/sales").json() == before
    # A grant batch with one unknown recipient grants nobody.
    adm.new_recipient("acme")
    r = adm.admin("PATCH", "/shares/sales/permissions", {"changes": [
        {"recipient_name": "acme", "add": ["SELECT"]}, {"recipient_name": "ghost", "add": ["SELECT"]}]})
    assert r.status_code == 404
    assert adm.admin("GET", "/shares/sales/permissions").json()["privilege_assignments"] == []

    profile = adm.onboard("bob")
    r = adm.admin("PATCH", "/shares/sales", {"updates": [
        {"action": "REMOVE", "data_object": {"schema": "retail", "name": "orders_src"}}]})
    assert r.status_code == 200 and "orders" not in [a["name"] for a in r.json()["assets"]]
    listing = adm.recipient("/shares/sales/all-volumes", profile["bearerToken"]).json()
    adm.admin("GET", "/audit")   # the token's last use is recorded by the audit writer: let it catch up
    snapshot = {p: adm.admin("GET", p).json() for p in ["/shares/sales", "/recipients/bob", "/locations/local",
                                                          "/shares/sales/permissions"]}
    assert snapshot["/recipients/bob"]["tokens"][0]["last_used_at"] is not None
    adm.restart()
    for p, doc in snapshot.items():
        assert adm.admin("GET", p).json() == doc
    assert adm.recipient("/shares/sales/all-volumes", profile["bearerToken"]).json() == listing


def test_validation_refuses_broken_assets_and_hostile_input(adm):
    adm.setup_share()
    d = adm.data

    def add(obj):
        return adm.admin("PATCH", "/shares/sales", {"updates": [{"action": "ADD", "data_object": obj}]})

    cases = [
        ({"type": "TABLE", "schema": "s", "name": "t", "location": f"file://{d}/tables/no_log"}, "Delta log"),
        ({"type": "TABLE", "schema": "s", "name": "t", "location": f"file://{d}/tables/escape"}, "escape"),
        ({"type": "TABLE", "schema": "s", "name": "t", "location": f"file://{d}/tables/../tables/orders"}, ".."),
        ({"type": "TABLE", "schema": "s", "name": "t", "location": f"file://{d}/tables/missing"}, ""),
        ({"type": "TABLE", "schema": "s", "name": "t", "location": "s3://bucket/t"}, "not under any storage location"),
        ({"type": "TABLE", "schema": "s", "name": "t", "format": "csv", "location": f"file://{d}/tables/orders"}, "format"),
        ({"type": "SKILL", "schema": "s", "name": "bad-skill", "location": f"file://{d}/skills/bad-skill"}, "directory name"),
        ({"type": "SKILL", "schema": "s", "name": "x", "location": f"file://{d}/volumes/raw"}, "SKILL.md"),
        ({"type": "SKILL", "schema": "s", "name": "Bad_Skill", "location": f"file://{d}/skills/pdf-tools"}, "lower-case"),
        ({"type": "VOLUME", "schema": "s.x", "name": "v", "location": f"file://{d}/volumes/raw"}, "schema name"),
        ({"type": "VOLUME", "schema": "s", "name": "v", "shared_as": "a/b", "location": f"file://{d}/volumes/raw"}, "shared_as"),
        ({"type": "GADGET", "schema": "s", "name": "v"}, "type"),
        ({"type": "VOLUME", "schema": "s", "name": "v"}, "location"),
        ({"type": "VOLUME", "schema": "s", "name": "v", "location": f"file://{d}/volumes/raw", "colour": "red"}, "colour"),
        ({"type": "MODEL", "schema": "s", "name": "m", "versions": [{"version": 0, "location": f"file://{d}/models/churn/1"}]}, "version"),
        ({"type": "MODEL", "schema": "s", "name": "m", "versions": [{"version": 1, "location": f"file://{d}/models/churn/1"}], "aliases": {"best": 9}}, "version 9"),
        ({"type": "VOLUME", "schema": "retail", "name": "raw", "location": f"file://{d}/volumes/raw"}, "already holds"),
    ]
    for obj, needle in cases:
        r = add(obj)
        assert r.status_code in (400, 403, 404, 409), (obj, r.text)
        assert needle in r.json()["message"], (obj, r.json())
    assert len(adm.admin("GET", "/shares/sales").json()["assets"]) == 4

    # Hostile bodies: 400 with a clear message, whatever the Content-Type says.
    for raw in ["{", "[]", "\"x\"", "{\"name\": 1}", "{\"name\": \"a\", \"name\": \"b\"}", "\x00\xff", "{\"name\":\"x\",\"bogus\":1}"]:
        r = adm.admin("POST", "/shares", raw=raw.encode("latin-1"), headers={"Content-Type": "text/plain"})
        assert r.status_code == 400, (raw, r.text)
        assert r.json()["errorCode"] in ("MALFORMED_REQUEST", "INVALID_PARAMETER_VALUE")
    r = adm.admin("POST", "/shares", raw=b'{"name": "plain"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 201
    for name in ["", "a b", "a/b", "x" * 256]:
        assert adm.admin("POST", "/shares", {"name": name}).status_code == 400
    assert adm.admin("POST", "/shares", {"name": "SALES"}).status_code == 409
    assert adm.admin("POST", "/recipients", {"name": "r", "token_lifetime_seconds": -5}).status_code == 400
    assert adm.admin("POST", "/recipients", {"name": "r", "ip_access_list": ["10.0.0.0/8"]}).status_code == 400
    assert adm.admin("POST", "/recipients/nobody/rotate-token", {}).status_code == 404
    assert adm.admin("POST", "/locations", {"name": "l2", "uri": "file:///nonexistent/dir"}).status_code == 400
    r = adm.admin("POST", "/locations", {"name": "l3", "uri": "s3://b/p", "secret": "inline-secret"})
    assert r.status_code == 400 and "never accepted" in r.json()["message"]
    r = adm.admin("POST", "/locations", {"name": "l4", "uri": "s3://b/p", "secret": {"env": "OS_TEST_UNSET_VAR"}})
    assert r.status_code == 400 and "OS_TEST_UNSET_VAR" in r.json()["message"]
    # A location still holding assets cannot be deleted; an unused one can.
    assert adm.admin("DELETE", "/locations/local").status_code == 409
    assert adm.admin("POST", "/locations", {"name": "cloud", "uri": "s3://bucket/prefix"}).status_code == 201
    assert adm.admin("DELETE", "/locations/cloud").status_code == 200
    assert adm.admin("GET", "/locations/cloud").status_code == 404
    assert adm.admin("GET", "/activation/x").status_code == 404
    assert adm.activate(adm.server.url("/activation?code=" + "A" * 5000)).status_code in (404, 414, 400)
    assert adm.activate(adm.server.url("/activation")).status_code == 404


def test_ip_access_list_body(adm):
    """The ip_access_list body and its errors, exactly as docs/admin.md describes them."""
    body = {"name": "r", "ip_access_list": {"allowed_ip_addresses": ["10.0.0.0/8", "192.0.2.7", "2001:DB8:0:0::/32"]}}
    r = adm.admin("POST", "/recipients", body)
    assert r.status_code == 201, r.text
    assert r.json()["recipient"]["ip_access_list"] == {
        "allowed_ip_addresses": ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]}
    before = adm.admin("GET", "/recipients/r").json()["ip_access_list"]
    refused = [
        (["10.0.0.0/8"], "'ip_access_list' must be {\"allowed_ip_addresses\": [\"CIDR\", ...]}"),
        ({}, "'ip_access_list' must be"),
        ({"allowed_ip_addresses": "10.0.0.0/8"}, "'ip_access_list' must be"),
        ({"allowed_ip_addresses": [], "extra": 1}, "unknown field 'extra'"),
        ({"allowed_ip_addresses": ["10.0.0.0/8"] * 257}, "at most 256"),
        ({"allowed_ip_addresses": ["10.0.0.0/8", 7]}, "allowed_ip_addresses[1] must be a string"),
        ({"allowed_ip_addresses": ["nope"]}, "allowed_ip_addresses[0]: 'nope' is not an IP range"),
        ({"allowed_ip_addresses": ["10.0.0.0/33"]}, "prefix length must be 0 to 32"),
        ({"allowed_ip_addresses": ["::/129"]}, "prefix length must be 0 to 128"),
        ({"allowed_ip_addresses": ["10.1.2.3/8"]},
         "allowed_ip_addresses[0]: '10.1.2.3/8' has bits set past its prefix length; did you mean 10.0.0.0/8?"),
    ]
    for value, message in refused:
        r = adm.admin("PATCH", "/recipients/r", {"ip_access_list": value})
        assert r.status_code == 400 and r.json()["errorCode"] == "INVALID_PARAMETER_VALUE", value
        assert message in r.json()["message"], (value, r.json()["message"])
    assert adm.admin("GET", "/recipients/r").json()["ip_access_list"] == before   # nothing changed
    # a PATCH without the field keeps the list; with one, replaces it; null removes it
    assert adm.admin("PATCH", "/recipients/r", {"comment": "c"}).json()["ip_access_list"] == before
    r = adm.admin("PATCH", "/recipients/r", {"ip_access_list": {"allowed_ip_addresses": ["127.0.0.1"]}})
    assert r.json()["ip_access_list"] == {"allowed_ip_addresses": ["127.0.0.1/32"]}
    assert adm.admin("PATCH", "/recipients/r", {"ip_access_list": None}).json()["ip_access_list"] is None
    assert adm.admin("POST", "/recipients", {"name": "r2"}).json()["recipient"]["ip_access_list"] is None


def test_admin_authentication(adm):
    adm.setup_share()
    profile = adm.onboard("acme")
    for token in [None, "wrong-token-0123456789", profile["bearerToken"]]:
        r = adm.admin("GET", "/shares", token=token)
        assert r.status_code == 401 and r.json()["errorCode"] == "UNAUTHENTICATED", token
    r = requests.get(adm.admin_url + "/shares", headers={"Authorization": "Basic " + ADMIN_TOKEN}, timeout=10)
    assert r.status_code == 401
    # The admin token is not a recipient token.
    assert adm.recipient("/shares", ADMIN_TOKEN).status_code == 401
    assert adm.admin("GET", "/shares").status_code == 200


def test_secrets_never_logged_or_returned(adm):
    adm.setup_share()
    profile = adm.onboard("acme")
    tok = profile["bearerToken"]
    adm.recipient("/shares", tok)
    adm.admin("GET", "/locations")
    adm.admin("GET", "/locations/local")
    adm.admin("GET", "/recipients")
    adm.admin("GET", "/audit")
    r = adm.admin("POST", "/recipients/acme/rotate-token", {})
    link = r.json()["token"]["activation_url"]
    code = link.rsplit("=", 1)[1]
    tok2 = adm.activate(link).json()["bearerToken"]
    adm.recipient("/shares", tok2)
    assert adm.admin("GET", "/locations/local").json()["secret"] == {"env": "OS_TEST_STORAGE_SECRET"}
    adm.stop()
    logs = adm.logs
    with open(os.path.join(adm.data_dir, "audit.jsonl")) as f:
        logs += f.read()
    assert logs.strip()
    for secret in [ADMIN_TOKEN, STORAGE_SECRET, tok, tok2, code]:
        assert secret not in logs, secret
    # After creation, no response carries a token, an activation code or a storage secret.
    for body in adm.bodies:
        assert STORAGE_SECRET not in body and ADMIN_TOKEN not in body
    shown = [b for b in adm.bodies if tok in b]
    assert len(shown) == 1 and '"bearerToken"' in shown[0]
    assert len([b for b in adm.bodies if code in b]) == 1
    # The catalog keeps hashes only.
    with open(os.path.join(adm.data_dir, "catalog.db"), "rb") as f:
        db = f.read()
    for secret in [ADMIN_TOKEN.encode(), tok.encode(), tok2.encode(), code.encode(), STORAGE_SECRET.encode()]:
        assert secret not in db


def routes_from_source():
    """(METHOD, pattern, where) of every route table entry in src/: where is "health" (served
    at the root), "admin" (under the admin prefix) or "protocol" (somewhere under the
    protocol prefix)."""
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    found = set()
    for dirpath, _, files in os.walk(os.path.join(repo, "src")):
        for fn in files:
            if not fn.endswith(".c"):
                continue
            text = open(os.path.join(dirpath, fn)).read()
            if "http_route" not in text:
                continue
            macros = dict(re.findall(r'#define\s+(\w+)\s+"([^"]*)"', text))
            for m in re.finditer(r'static const http_route (\w+)\[\]\s*=\s*\{(.*?)\n\};', text, re.S):
                table, body = m.group(1), m.group(2)
                for r in re.finditer(r'\{\s*"(GET|POST|PUT|PATCH|DELETE|HEAD)",\s*([^,]+),', body):
                    pattern = "".join(macros.get(p, p.strip('"')) for p in r.group(2).split())
                    where = ("health" if fn == "health.c" else
                             "admin" if fn == "admin_routes.c" and table == "ROUTES" else "protocol")
                    found.add((r.group(1), pattern, where))
    return found


def served_as(method, path, route):
    m, pattern, where = route
    if m != method:
        return False
    if where == "health":
        return path == pattern
    if where == "admin":
        return path == "/admin" + pattern
    return path.startswith("/opensharing") and path[len("/opensharing"):].endswith(pattern)


def test_openapi_documents_match_route_tables(adm):
    proto = requests.get(adm.server.url("/openapi.json"), timeout=10).json()
    admin = adm.admin("GET", "/openapi.json", token=None).json()
    assert proto["openapi"].startswith("3.") and admin["openapi"].startswith("3.")
    documented = set()
    for doc in (proto, admin):
        for path, item in doc["paths"].items():
            for method, op in item.items():
                documented.add((method.upper(), path))
                assert op["operationId"] and op["summary"], (path, method)
                captures = re.findall(r"\{(\w+)\}", path)
                assert [p["name"] for p in op["parameters"]] == captures
                assert all(p["in"] == "path" and p["required"] for p in op["parameters"])
    source = routes_from_source()
    for route in source:
        assert any(served_as(m, p, route) for m, p in documented), ("not documented", route)
    for m, p in documented:
        assert any(served_as(m, p, route) for route in source), ("not in any route table", m, p)
    admin_paths = {p for _, p in documented if p.startswith("/admin/")}
    assert admin_paths == set(admin["paths"]) and not admin_paths & set(proto["paths"])
    # Every documented operation is served (never the router's 404/405).
    for method, path in sorted(documented):
        url = adm.server.base + re.sub(r"\{\w+\}", "x", path)
        r = requests.request(method, url, timeout=10, data=b"{}")
        assert r.status_code != 405, (method, path)
        if r.status_code == 404:
            assert r.json()["message"] != "no such endpoint", (method, path)


def non_loopback_address():
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.connect(("192.0.2.1", 9))
        ip = s.getsockname()[0]
        s.close()
        return None if ip.startswith("127.") else ip
    except OSError:
        return None


def test_admin_is_loopback_only_unless_a_listener_is_configured(tmp_path):
    ip = non_loopback_address()
    env = AdminEnv(tmp_path, extra_args=["--listen", "0.0.0.0:0"]).start()
    try:
        port = env.server.base.rsplit(":", 1)[1]
        assert env.admin("GET", "/shares").status_code == 200
        if ip is None:
            pytest.skip("no non-loopback address on this machine")
        r = requests.get(f"http://{ip}:{port}/admin/shares",
                         headers={"Authorization": "Bearer " + ADMIN_TOKEN}, timeout=10)
        assert r.status_code == 403 and r.json()["errorCode"] == "PERMISSION_DENIED"
        assert requests.get(f"http://{ip}:{port}/healthz", timeout=10).status_code == 200
    finally:
        env.stop()


def test_separate_admin_listener_and_prefix(tmp_path):
    env = AdminEnv(tmp_path, extra_args=["--admin-listen", "127.0.0.1:0", "--admin-prefix", "/provider/"]).start()
    try:
        assert "/provider" in env.admin_url and env.server.base not in env.admin_url
        assert env.admin("GET", "/shares").status_code == 200
        # Not on the main server.
        r = requests.get(env.server.base + "/provider/shares",
                         headers={"Authorization": "Bearer " + ADMIN_TOKEN}, timeout=10)
        assert r.status_code == 404
        doc = env.admin("GET", "/openapi.json", token=None).json()
        assert all(p.startswith("/provider/") for p in doc["paths"])
    finally:
        env.stop()


def test_bad_admin_config_refuses_to_start(tmp_path):
    from osserver import run_server_once
    env = AdminEnv(tmp_path, config_extra="")
    with open(env.config, "w") as f:
        f.write("admins:\n  - name: ops\n    token: inline-secret-token-000000\n")
    r = run_server_once(["--config", env.config, "--data-dir", env.data_dir], env=env.env)
    assert r.returncode != 0 and "config.yaml:3:" in r.stderr and "inline" in r.stderr
    assert "inline-secret-token-000000" not in r.stderr
    with open(env.config, "w") as f:
        f.write("admins:\n  - name: ops\n    token: {env: OS_TEST_ADMIN_TOKEN}\nadmin:\n  grace: 5\n")
    r = run_server_once(["--config", env.config, "--data-dir", env.data_dir], env=env.env)
    assert r.returncode != 0 and "config.yaml:5:" in r.stderr and "grace" in r.stderr


def test_admin_list_paging(adm):
    for n in ["e", "B", "a", "d", "C"]:
        assert adm.admin("POST", "/shares", {"name": "share_" + n}).status_code == 201
        assert adm.admin("POST", "/recipients", {"name": "rcp_" + n}).status_code == 201
    for kind, field in [("/shares", "shares"), ("/recipients", "recipients")]:
        everything = [x["name"] for x in adm.admin("GET", kind).json()[field]]
        assert [x.lower() for x in everything] == sorted(x.lower() for x in everything)
        assert len(everything) == 5
        seen, token = [], None
        while True:
            r = adm.admin("GET", kind + "?max_results=2" + ("&page_token=" + token if token else ""))
            assert r.status_code == 200, r.text
            page = r.json()
            assert len(page[field]) <= 2
            seen += [x["name"] for x in page[field]]
            token = page.get("next_page_token")
            if not token:
                break
        assert seen == everything
        assert adm.admin("GET", kind + "?max_results=0").json()[field] == []
        for bad in ["max_results=-1", "max_results=x", "page_token=zz", "page_token=abc"]:
            assert adm.admin("GET", kind + "?" + bad).status_code == 400, bad
