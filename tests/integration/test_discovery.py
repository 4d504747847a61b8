"""Discovery endpoints of every asset type, paging and names, against the real server."""
import json

import requests

from conftest import TOKENS, get

SALES_ID = "5b7f8e3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


def items(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    return resp.json().get("items", [])


def collect(server, path, page_size, who="alice"):
    """Follows nextPageToken to the end; returns the names and the number of pages."""
    names, token, pages = [], None, 0
    while True:
        params = {"maxResults": page_size}
        if token:
            params["pageToken"] = token
        body = get(server, path, who, params=params).json()
        pages += 1
        for it in body.get("items", []):
            names.append((it.get("schema"), it["name"]) if "schema" in it else it["name"])
        token = body.get("nextPageToken")
        if not token:
            return names, pages
        assert pages < 100


def test_list_shares_per_recipient(server):
    shares = items(get(server, "/shares"))
    assert [s["name"] for s in shares] == ["empty_share", "ops", "Sales"]
    sales = shares[2]
    assert sales == {"name": "Sales", "id": SALES_ID, "displayName": "Sales data",
                     "comment": "Everything about sales",
                     "properties": {"owner": "sales-team", "region": "eu"}}
    assert [s["name"] for s in items(get(server, "/shares", "bob"))] == ["Sales"]
    # carol has a valid token but no grants
    r = get(server, "/shares", "carol")
    assert r.status_code == 200 and r.json().get("items", []) == []


def test_get_share_and_case_insensitive(server):
    for name in ["Sales", "sales", "SALES"]:
        r = get(server, "/shares/" + name)
        assert r.status_code == 200
        assert r.json()["share"]["name"] == "Sales"
        assert r.json()["share"]["id"] == SALES_ID


def test_ungranted_share_is_absent(server):
    absent = get(server, "/shares/no_such_share", "bob")
    ungranted = get(server, "/shares/ops", "bob")
    assert absent.status_code == ungranted.status_code == 404
    assert ungranted.json()["errorCode"] == absent.json()["errorCode"] == "RESOURCE_DOES_NOT_EXIST"
    for path in ["/shares/ops/schemas", "/shares/ops/all-tables", "/shares/ops/schemas/monitoring/tables",
                 "/shares/ops/schemas/monitoring/tables/metrics", "/shares/ops/all-volumes",
                 "/shares/ops/all-skills", "/shares/ops/all-models"]:
        assert get(server, path, "bob").status_code == 404, path
        assert get(server, path, "alice").status_code == 200, path
    assert get(server, "/shares/Sales", "carol").status_code == 404


def test_schemas(server):
    assert items(get(server, "/shares/sales/schemas")) == [
        {"name": "archive", "share": "Sales"}, {"name": "Retail", "share": "Sales"}]
    r = get(server, "/shares/empty_share/schemas")
    assert r.status_code == 200 and r.json().get("items", []) == []
    assert "nextPageToken" not in r.json()


def test_tables(server):
    tables = items(get(server, "/shares/Sales/schemas/retail/tables"))
    names = [t["name"] for t in tables]
    assert names == ["customers", "Orders", "returns"] + ["t%03d" % i for i in range(7)]
    orders = tables[1]
    assert orders["share"] == "Sales" and orders["schema"] == "Retail"
    assert orders["shareId"] == SALES_ID
    assert len(orders["id"]) == 36
    # Delta tables on local storage are read through the query API (url mode);
    # dir mode needs cloud credentials, so local paths stay private.
    assert orders["accessModes"] == ["url"]
    assert "location" not in orders
    returns = tables[2]
    assert returns["accessModes"] == []          # Parquet datasets are not served yet
    all_tables = items(get(server, "/shares/SALES/all-tables"))
    assert [(t["schema"], t["name"]) for t in all_tables][:2] == [("archive", "orders_2020"),
                                                                  ("Retail", "customers")]
    assert len(all_tables) == 11


def test_get_table(server):
    r = get(server, "/shares/sales/schemas/RETAIL/tables/orders")
    assert r.status_code == 200
    t = r.json()
    assert t["name"] == "Orders" and t["format"] == "delta" and t["shareId"] == SALES_ID
    listed = [x for x in items(get(server, "/shares/Sales/all-tables")) if x["name"] == "Orders"][0]
    assert listed["id"] == t["id"]
    assert get(server, "/shares/sales/schemas/retail/tables/returns").json()["format"] == "delta"
    r = get(server, "/shares/sales/schemas/retail/tables/nope")
    assert r.status_code == 404 and r.json()["errorCode"] == "RESOURCE_DOES_NOT_EXIST"
    assert get(server, "/shares/sales/schemas/nope/tables/orders").status_code == 404
    # a volume is not a table
    assert get(server, "/shares/sales/schemas/retail/tables/raw_files").status_code == 404


def test_volumes(server, env):
    vols = items(get(server, "/shares/sales/schemas/retail/volumes"))
    assert vols == items(get(server, "/shares/sales/all-volumes"))
    assert len(vols) == 1
    v = vols[0]
    assert v["name"] == "raw_files" and v["schema"] == "Retail" and v["share"] == "Sales"
    assert v["shareId"] == SALES_ID and len(v["id"]) == 36
    # the provider's filesystem never shows: a logical name instead of file://...
    assert v["storageLocation"] == "opensharing://shares/Sales/Retail/raw_files"
    assert str(env.data) not in json.dumps(v)
    one = get(server, "/shares/sales/schemas/retail/volumes/RAW_FILES")
    assert one.status_code == 200 and one.json() == v
    assert get(server, "/shares/sales/schemas/archive/volumes").json().get("items", []) == []


def test_skills(server, env):
    skills = items(get(server, "/shares/sales/all-skills"))
    assert skills == items(get(server, "/shares/sales/schemas/Retail/skills"))
    s = get(server, "/shares/sales/schemas/retail/skills/pdf-tools").json()
    assert s == skills[0]
    assert s["description"] == "Work with PDF files." and s["license"] == "MIT"
    assert s["compatibility"] == "python3" and s["allowedTools"] == "Read Bash"
    assert s["metadata"] == {"team": "docs"}
    assert s["storageLocation"] == "opensharing://shares/%s/%s/pdf-tools" % (s["share"], s["schema"])
    assert str(env.data) not in json.dumps(s)


def test_agent_skills_routes_answer_as_skills(server):
    """The announcement's spelling (agent-skills) answers exactly as the skills routes do, errors included."""
    pairs = [("/shares/sales/all-skills", "/shares/sales/all-agent-skills"),
             ("/shares/sales/schemas/Retail/skills", "/shares/sales/schemas/Retail/agent-skills"),
             ("/shares/sales/schemas/retail/skills/pdf-tools", "/shares/sales/schemas/retail/agent-skills/pdf-tools"),
             ("/shares/sales/schemas/retail/skills/PDF-TOOLS", "/shares/sales/schemas/retail/agent-skills/PDF-TOOLS"),
             ("/shares/sales/schemas/archive/skills", "/shares/sales/schemas/archive/agent-skills"),
             ("/shares/sales/schemas/retail/skills/nope", "/shares/sales/schemas/retail/agent-skills/nope"),
             ("/shares/ops/all-skills", "/shares/ops/all-agent-skills")]
    for skills, agent in pairs:
        for who, params in [("alice", None), ("alice", {"maxResults": 0}), ("bob", None), ("carol", None)]:
            a, b = get(server, skills, who, params=params), get(server, agent, who, params=params)
            ja, jb = a.json(), b.json()
            # page tokens carry their own expiry: each must read on the other spelling's route
            ta, tb = ja.pop("nextPageToken", None), jb.pop("nextPageToken", None)
            assert (a.status_code, ja, ta is None) == (b.status_code, jb, tb is None), (agent, who, params)
            if ta is not None:
                na = get(server, agent, who, params={"pageToken": ta}).json()
                nb = get(server, skills, who, params={"pageToken": tb}).json()
                assert na == nb and [s["name"] for s in na["items"]] == ["pdf-tools"], agent
        assert get(server, agent, token="bad-token-xxxxxxxxxxxx").status_code == 401
        assert requests.get(server.url(agent), timeout=10).status_code == 401
    listed = items(get(server, "/shares/sales/all-agent-skills"))
    assert [s["name"] for s in listed] == ["pdf-tools"]
    # and the OpenAPI document lists every alias
    paths = requests.get(server.url("/openapi.json"), timeout=10).json()["paths"]
    for path, method in [("/shares/{share}/all-agent-skills", "get"),
                         ("/shares/{share}/schemas/{schema}/agent-skills", "get"),
                         ("/shares/{share}/schemas/{schema}/agent-skills/{skill}", "get"),
                         ("/shares/{share}/schemas/{schema}/agent-skills/{skill}/files", "get"),
                         ("/shares/{share}/schemas/{schema}/agent-skills/{skill}/temporary-skill-credentials", "post")]:
        assert method in paths["/opensharing" + path], path
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_models_versions_aliases(server, env):
    models = items(get(server, "/shares/sales/all-models"))
    assert models == items(get(server, "/shares/sales/schemas/retail/models"))
    m = get(server, "/shares/sales/schemas/retail/models/CHURN").json()
    assert m == models[0]
    assert m["comment"] == "churn model"
    assert m["storageLocation"] == "opensharing://shares/%s/%s/%s" % (m["share"], m["schema"], m["name"])
    versions = items(get(server, "/shares/sales/schemas/retail/models/churn/versions"))
    assert [v["version"] for v in versions] == [1, 2]          # READY only
    assert all(v["status"] == "READY" for v in versions)
    v1 = versions[0]
    assert v1["modelName"] == "churn" and v1["schema"] == "Retail" and v1["share"] == "Sales"
    assert v1["runId"] == "r1" and v1["source"] == "s3://x/1"
    assert v1["storageLocation"] == "opensharing://shares/%s/%s/%s/versions/1" % (
        v1["share"], v1["schema"], v1["modelName"])
    assert str(env.data) not in json.dumps(v1)
    v2 = get(server, "/shares/sales/schemas/retail/models/churn/versions/2").json()
    assert v2 == versions[1] and v2["comment"] == "second"
    assert get(server, "/shares/sales/schemas/retail/models/churn/aliases/champion").json() == v2
    assert get(server, "/shares/sales/schemas/retail/models/churn/aliases/CHAMPION").json() == v2
    assert get(server, "/shares/sales/schemas/retail/models/churn/aliases/nope").status_code == 404
    assert get(server, "/shares/sales/schemas/retail/models/churn/versions/9").status_code == 404
    r = get(server, "/shares/sales/schemas/retail/models/churn/versions/abc")
    assert r.status_code == 400 and r.json()["errorCode"] == "INVALID_PARAMETER_VALUE"
    assert get(server, "/shares/sales/schemas/retail/models/nope/versions").status_code == 404


def test_paging_every_size(server):
    full = [(t["schema"], t["name"]) for t in items(get(server, "/shares/sales/all-tables"))]
    for size in [1, 2, 3, 5, 10, 11, 12, 1000, 5000]:
        names, pages = collect(server, "/shares/sales/all-tables", size)
        assert names == full, size
        assert pages == max(1, -(-len(full) // min(size, 1000)))
    names, _ = collect(server, "/shares/sales/schemas/retail/tables", 4)
    assert len(names) == 10 and len(set(names)) == 10
    names, _ = collect(server, "/shares", 1)
    assert names == ["empty_share", "ops", "Sales"]


def test_paging_zero_and_bad_values(server):
    r = get(server, "/shares/sales/all-tables", params={"maxResults": 0})
    assert r.status_code == 200
    body = r.json()
    assert body.get("items", []) == []
    # maxResults=0 returns nothing but lets the client continue from the start
    assert "nextPageToken" in body
    nxt = get(server, "/shares/sales/all-tables", params={"pageToken": body["nextPageToken"]})
    assert len(items(nxt)) == 11
    for bad in ["-1", "abc", "1.5", "", "9999999999999999999999"]:
        r = get(server, "/shares", params={"maxResults": bad})
        assert r.status_code == 400, bad
        assert r.json()["errorCode"] == "INVALID_PARAMETER_VALUE"
        assert "maxResults" in r.json()["message"]


def test_page_token_is_bound_and_tamper_proof(server):
    body = get(server, "/shares/sales/all-tables", params={"maxResults": 2}).json()
    tok = body["nextPageToken"]
    # tampered
    for i in [0, len(tok) // 2, len(tok) - 1]:
        bad = tok[:i] + ("A" if tok[i] != "A" else "B") + tok[i + 1:]
        r = get(server, "/shares/sales/all-tables", params={"pageToken": bad})
        assert r.status_code == 400 and r.json()["errorCode"] == "INVALID_PARAMETER_VALUE"
    # another listing
    r = get(server, "/shares/sales/schemas/retail/tables", params={"pageToken": tok})
    assert r.status_code == 400
    r = get(server, "/shares/sales/all-volumes", params={"pageToken": tok})
    assert r.status_code == 400
    # another recipient with access to the same listing
    r = get(server, "/shares/sales/all-tables", "bob", params={"pageToken": tok})
    assert r.status_code == 400
    # garbage
    r = get(server, "/shares", params={"pageToken": "not-a-token"})
    assert r.status_code == 400


def test_auth_matrix(server):
    url = server.url("/shares")
    r = requests.get(url, timeout=10)
    assert r.status_code == 401 and r.json()["errorCode"] == "UNAUTHENTICATED"
    assert r.headers.get("WWW-Authenticate") == "Bearer"
    for header in ["Basic YWxpY2U6eA==", "Bearer", "Bearer ", "bearer", TOKENS["alice"]]:
        r = requests.get(url, headers={"Authorization": header}, timeout=10)
        assert r.status_code == 401, header
        assert set(r.json()) == {"errorCode", "message"}
    r = requests.get(url, headers={"Authorization": "Bearer wrong-token"}, timeout=10)
    assert r.status_code == 401 and "not valid" in r.json()["message"]
    r = requests.get(url, headers={"Authorization": "Bearer " + TOKENS["alice"][:-1]}, timeout=10)
    assert r.status_code == 401
    # 401 comes before 404: an unauthenticated caller learns nothing about names
    r = requests.get(server.url("/shares/Sales/schemas"), timeout=10)
    assert r.status_code == 401
    r = requests.get(server.url("/shares/nope/schemas"), timeout=10)
    assert r.status_code == 401


def test_routes_methods_and_errors(server):
    r = requests.post(server.url("/shares"), headers={"Authorization": "Bearer " + TOKENS["alice"]},
                      timeout=10)
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert r.json()["errorCode"] == "METHOD_NOT_ALLOWED"
    r = get(server, "/no/such/route")
    assert r.status_code == 404 and r.json()["errorCode"] == "RESOURCE_DOES_NOT_EXIST"
    r = requests.get(server.base + "/shares", headers={"Authorization": "Bearer " + TOKENS["alice"]},
                     timeout=10)
    assert r.status_code == 404           # outside the prefix
    # trailing slash and escaped names
    assert get(server, "/shares/").status_code == 200
    assert get(server, "/shares/%53ales").status_code == 200
    assert get(server, "/shares/Sa%2Fles").status_code == 404


def test_health(server):
    assert requests.get(server.base + "/healthz", timeout=5).status_code == 200
    r = requests.get(server.base + "/readyz", timeout=5)
    assert r.status_code == 200 and r.json()["status"] == "ready"
