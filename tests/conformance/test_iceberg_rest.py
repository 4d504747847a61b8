"""test_iceberg_rest.py - the Iceberg REST catalog driven by iceberg-js (an independent client),
configured only with a recipient profile's icebergEndpoint and bearer token: paging of
namespaces and tables, loadTable of every golden Iceberg table (metadata equal to the stored
file, read independently), the Iceberg error body, read-only refusals and the auth matrix."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "iceberg"))
sys.path.insert(0, str(HERE.parent / "integration"))
import ice_oracle as oracle  # noqa: E402
from osserver import Server  # noqa: E402

GOLDEN = oracle.GOLDEN
TABLES = oracle.golden_tables()
ADMIN = "iceberg-rest-admin-token-0123456789"


def table_name(rel):
    return re.sub(r"[^A-Za-z0-9_+-]", "_", rel)


def delta_log(root):
    os.makedirs(os.path.join(root, "_delta_log"), exist_ok=True)
    with open(os.path.join(root, "_delta_log", "00000000000000000000.json"), "w") as f:
        f.write('{"protocol":{"minReaderVersion":1,"minWriterVersion":2}}\n'
                '{"metaData":{"id":"0b0d2a6e-5a1c-4f6e-9d7f-3a2b1c0d9e8f","format":{"provider":"parquet",'
                '"options":{}},"schemaString":"{\\"type\\":\\"struct\\",\\"fields\\":[]}",'
                '"partitionColumns":[],"configuration":{}}}\n')


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """A server sharing the golden tables (when present) and a few generated names, and a
    recipient whose profile comes from the server's own activation link."""
    root = tmp_path_factory.mktemp("iceberg_rest")
    local = root / "local"
    delta_log(str(local / "delta_t"))
    tables = "".join("          - {name: '%s', location: 'file://%s/%s', format: iceberg}\n"
                     % (table_name(t), GOLDEN, t) for t in TABLES)
    storage = f"  - {{name: local, uri: 'file://{local}'}}\n"
    if TABLES:
        storage += f"  - {{name: golden, uri: 'file://{GOLDEN}'}}\n"
    # Namespaces n0..n4 for paging; 'golden' holds the Iceberg tables and one Delta table.
    schemas = "".join(f"      - {{name: n{i}, tables: [{{name: d{i}, location: 'file://{local}/delta_t'}}]}}\n"
                      for i in range(5))
    cfg = root / "config.yaml"
    cfg.write_text(f"""
admins: [{{name: ops, token: {{env: ADM}}}}]
storage:
{storage}shares:
  - name: ice
    schemas:
      - name: golden
        tables:
          - {{name: a_delta_table, location: 'file://{local}/delta_t'}}
{tables}{schemas}  - name: hidden
    schemas:
      - name: s
        tables: [{{name: t, location: 'file://{local}/delta_t'}}]
""")
    s = Server(["--config", str(cfg), "--data-dir", str(root / "state")], env={"ADM": ADMIN}).start()
    m = re.search(r"opensharing: admin API (\S+)", s.stdout)
    admin = m.group(1).rstrip("/")
    h = {"Authorization": "Bearer " + ADMIN}
    r = requests.post(admin + "/recipients", json={"name": "acme"}, headers=h, timeout=10)
    assert r.status_code == 201, r.text
    profile = requests.get(r.json()["token"]["activation_url"], timeout=10).json()
    r = requests.patch(admin + "/shares/ice/permissions", json={"changes": [{"principal": "acme", "add": ["SELECT"]}]},
                       headers=h, timeout=10)
    assert r.status_code == 200, r.text
    yield {"server": s, "profile": profile, "admin": admin}
    s.stop()


def client(env, **job):
    job.setdefault("baseUrl", env["profile"]["icebergEndpoint"])
    job.setdefault("token", env["profile"]["bearerToken"])
    job.setdefault("warehouse", "ice")
    path = HERE / "iceberg" / (".job-%d.json" % os.getpid())
    path.write_text(json.dumps(job))
    try:
        p = subprocess.run(["node", str(HERE / "iceberg" / "rest_client.mjs"), str(path)], capture_output=True,
                           timeout=300, cwd=str(HERE))
    finally:
        path.unlink()
    assert p.returncode == 0, p.stderr.decode()
    return json.loads(p.stdout)


def test_profile_names_the_iceberg_endpoint(env):
    p = env["profile"]
    assert p["icebergEndpoint"] == p["endpoint"].rstrip("/") + "/iceberg"


def test_lists_namespaces_and_only_iceberg_tables_with_paging(env):
    out = client(env, pageSize=2)
    assert "fatal" not in out, out
    assert out["namespaces"] == [["golden"]] + [["n%d" % i] for i in range(5)]
    assert out["pages"]["namespaces"] == 3
    assert out["tables"]["golden"] == sorted(table_name(t).lower() for t in TABLES) or \
        sorted(out["tables"]["golden"]) == sorted(table_name(t) for t in TABLES)
    assert all(out["tables"]["n%d" % i] == [] for i in range(5))
    assert "a_delta_table" not in out["tables"]["golden"]


@pytest.mark.skipif(not TABLES, reason=f"no golden Iceberg tables at {GOLDEN} (../shared/testdata is absent)")
def test_loads_every_golden_table(env):
    out = client(env, pageSize=100, load=True)
    assert "fatal" not in out, out
    assert len(out["loaded"]) == len(TABLES)
    for rel in TABLES:
        got = out["loaded"]["golden." + table_name(rel)]
        d = str(GOLDEN / rel)
        mf = oracle.current_metadata_file(d)
        try:
            meta = oracle.load_json(mf)
        except ValueError:
            # A metadata file no Iceberg reader accepts (an id beyond 64 bits): a clean 5xx.
            assert got.get("status", 0) >= 500 and "too big integer" in got["error"], got
            continue
        assert "error" not in got, (rel, got)
        assert got["formatVersion"] == meta["format-version"]
        assert got["tableUuid"] == meta.get("table-uuid")
        base = "opensharing://shares/ice/golden/" + table_name(rel)
        assert got["metadataLocation"] == base + "/" + os.path.relpath(mf, d)
        assert got["location"] == base
        assert len(got["snapshots"]) == len(meta.get("snapshots") or [])
        # Manifest lists inside the table are re-rooted at its location; others are left as written.
        for s, want in zip(got["snapshots"], meta.get("snapshots") or []):
            ml = want.get("manifest-list")
            local = ml and oracle.relocate(d, meta["location"], ml)
            expect = (base + "/" + os.path.relpath(local, d)) if local else ml
            assert s["manifestList"] == expect, rel
        assert got["storageCredentials"] is None   # local storage has none to vend


@pytest.mark.skipif(not TABLES, reason=f"no golden Iceberg tables at {GOLDEN} (../shared/testdata is absent)")
def test_snapshots_refs_keeps_only_referenced_snapshots(env):
    out = client(env, pageSize=100, load=True, snapshots="refs")
    for rel in TABLES:
        got = out["loaded"]["golden." + table_name(rel)]
        if "error" in got:
            continue
        meta = oracle.load_json(oracle.current_metadata_file(str(GOLDEN / rel)))
        refs = {r["snapshot-id"] for r in (meta.get("refs") or {}).values()}
        if meta.get("current-snapshot-id") not in (None, -1):
            refs.add(meta["current-snapshot-id"])
        assert len(got["snapshots"]) == len([s for s in meta.get("snapshots") or [] if s["snapshot-id"] in refs])


def raw(env, method, path, token="profile", **kw):
    h = kw.pop("headers", {})
    if token == "profile":
        token = env["profile"]["bearerToken"]
    if token:
        h["Authorization"] = "Bearer " + token
    return requests.request(method, env["profile"]["icebergEndpoint"] + path, headers=h, timeout=30, **kw)


def assert_iceberg_error(r, status, type_):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["code"] == status, body
    assert body["error"]["type"] == type_ and body["error"]["message"]


ROUTES = ["/v1/config?warehouse=ice", "/v1/shares/ice/namespaces", "/v1/shares/ice/namespaces/golden",
          "/v1/shares/ice/namespaces/golden/tables", "/v1/shares/ice/namespaces/golden/tables/x"]


@pytest.mark.parametrize("path", ROUTES)
def test_auth_matrix(env, path):
    assert_iceberg_error(raw(env, "GET", path, token=None), 401, "NotAuthorizedException")
    assert_iceberg_error(raw(env, "GET", path, token="osr_not-a-real-token-000000000000"), 401,
                         "NotAuthorizedException")
    hidden = path.replace("ice", "hidden").replace("golden", "s")
    r = raw(env, "GET", hidden)
    assert r.status_code == 404 and r.json()["error"]["code"] == 404, r.text


def test_errors_and_read_only_routes(env):
    assert_iceberg_error(raw(env, "GET", "/v1/config"), 400, "BadRequestException")
    assert_iceberg_error(raw(env, "GET", "/v1/shares/ice/namespaces/nope"), 404, "NoSuchNamespaceException")
    assert_iceberg_error(raw(env, "GET", "/v1/shares/ice/namespaces/golden%1Fx"), 404, "NoSuchNamespaceException")
    assert_iceberg_error(raw(env, "GET", "/v1/shares/ice/namespaces/golden/tables/nope"), 404, "NoSuchTableException")
    assert_iceberg_error(raw(env, "GET", "/v1/shares/ice/namespaces/golden/tables/a_delta_table"), 404,
                         "NoSuchTableException")
    assert raw(env, "HEAD", "/v1/shares/ice/namespaces/golden").status_code == 204
    assert raw(env, "HEAD", "/v1/shares/ice/namespaces/nope").status_code == 404
    assert_iceberg_error(raw(env, "GET", "/v1/shares/ice/namespaces?parent=nope"), 404, "NoSuchNamespaceException")
    assert raw(env, "GET", "/v1/shares/ice/namespaces?parent=golden").json() == {"namespaces": []}
    writes = [("POST", "/v1/shares/ice/namespaces"), ("DELETE", "/v1/shares/ice/namespaces/golden"),
              ("POST", "/v1/shares/ice/namespaces/golden/properties"),
              ("POST", "/v1/shares/ice/namespaces/golden/tables"),
              ("POST", "/v1/shares/ice/namespaces/golden/register"),
              ("POST", "/v1/shares/ice/namespaces/golden/tables/x"),
              ("DELETE", "/v1/shares/ice/namespaces/golden/tables/x"),
              ("POST", "/v1/shares/ice/tables/rename"), ("POST", "/v1/shares/ice/transactions/commit"),
              ("GET", "/v1/shares/ice/namespaces/golden/views"), ("POST", "/v1/shares/ice/views/rename")]
    for method, path in writes:
        assert_iceberg_error(raw(env, method, path, data="{}"), 403, "ForbiddenException")


def test_metrics_are_accepted_checked_and_audited(env):
    if not TABLES:
        pytest.skip("no golden Iceberg tables (../shared/testdata is absent)")
    t = table_name("partition_integer") if "partition_integer" in TABLES else table_name(TABLES[0])
    path = "/v1/shares/ice/namespaces/golden/tables/%s/metrics" % t
    report = {"report-type": "scan-report", "table-name": "golden." + t, "snapshot-id": 42, "filter": True,
              "schema-id": 0, "projected-field-ids": [1], "projected-field-names": ["a"], "metrics": {}}
    assert raw(env, "POST", path, json=report).status_code == 204
    for bad in ({}, dict(report, **{"report-type": "nope"}), dict(report, **{"snapshot-id": "x"})):
        assert_iceberg_error(raw(env, "POST", path, json=bad), 400, "BadRequestException")
    assert_iceberg_error(raw(env, "POST", path, data="{not json"), 400, "BadRequestException")
    h = {"Authorization": "Bearer " + ADMIN}
    events = requests.get(env["admin"] + "/audit", params={"max_results": 500}, headers=h, timeout=10).json()["events"]
    ours = [e for e in events if e["operation"] == "icebergReportMetrics" and e["status"] == 204]
    assert ours and ours[-1]["snapshot_id"] == 42 and ours[-1]["asset"] == t
    loads = [e for e in events if e["operation"] == "icebergLoadTable" and e["status"] == 200]
    assert all(e["recipient"] == "acme" and e["share"] == "ice" and e["schema"] == "golden" for e in loads)


def test_etag_and_if_none_match(env):
    if not TABLES:
        pytest.skip("no golden Iceberg tables (../shared/testdata is absent)")
    path = "/v1/shares/ice/namespaces/golden/tables/%s" % table_name(TABLES[0])
    r = raw(env, "GET", path)
    assert r.status_code == 200 and r.headers["ETag"].startswith('"')
    tag = r.headers["ETag"]
    assert raw(env, "GET", path, headers={"If-None-Match": tag}).status_code == 304
    assert raw(env, "GET", path, headers={"If-None-Match": '"other"'}).status_code == 200
    refs = raw(env, "GET", path + "?snapshots=refs")
    assert refs.headers["ETag"] != tag


def test_revoked_token_is_refused_on_every_route(env):
    h = {"Authorization": "Bearer " + ADMIN}
    admin = env["admin"]
    r = requests.post(admin + "/recipients", json={"name": "gone"}, headers=h, timeout=10)
    assert r.status_code == 201, r.text
    old = requests.get(r.json()["token"]["activation_url"], timeout=10).json()["bearerToken"]
    r = requests.patch(admin + "/shares/ice/permissions",
                       json={"changes": [{"principal": "gone", "add": ["SELECT"]}]}, headers=h, timeout=10)
    assert r.status_code == 200, r.text
    assert raw(env, "GET", ROUTES[1], token=old).status_code == 200
    r = requests.post(admin + "/recipients/gone/rotate-token", json={"existing_token_expire_in_seconds": 0},
                      headers=h, timeout=10)
    assert r.status_code == 200, r.text
    for path in ROUTES:
        assert_iceberg_error(raw(env, "GET", path, token=old), 401, "NotAuthorizedException")
