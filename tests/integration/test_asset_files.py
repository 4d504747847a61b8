"""url access mode for volumes, skills and model versions: listings, paging, prefixes, signed downloads, containment."""
import os

import requests

from conftest import get


def listing(server, path, **params):
    r = get(server, path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_volume_files_and_downloads(server, env):
    body = listing(server, "/shares/sales/schemas/retail/volumes/raw_files/files")
    paths = [i["path"] for i in body["items"]]
    assert paths == ["a.csv", "sub/b.csv", "sub/deeper/c d.bin", "z.txt"]   # byte order, recursive
    for it in body["items"]:
        assert set(it) == {"path", "size", "modificationTime", "url", "expirationTimestamp"}
        with open(os.path.join(env.data, "files/raw", it["path"]), "rb") as f:
            content = f.read()
        assert it["size"] == len(content)
        assert abs(it["modificationTime"] - os.stat(os.path.join(env.data, "files/raw", it["path"])).st_mtime * 1000) < 2000
        assert requests.get(it["url"], timeout=10).content == content
    assert all("secret" not in p and "escape" not in p for p in paths)
    vol = get(server, "/shares/sales/schemas/retail/volumes/raw_files").json()
    assert vol["accessModes"] == ["url"]


def test_prefix_and_paging(server):
    base = "/shares/sales/schemas/retail/volumes/raw_files/files"
    assert [i["path"] for i in listing(server, base, prefix="sub/")["items"]] == ["sub/b.csv", "sub/deeper/c d.bin"]
    assert [i["path"] for i in listing(server, base, prefix="sub/deeper/c")["items"]] == ["sub/deeper/c d.bin"]
    assert listing(server, base, prefix="nothing/")["items"] == []
    seen, token = [], None
    while True:
        params = {"maxResults": 1}
        if token:
            params["pageToken"] = token
        body = listing(server, base, **params)
        seen += [i["path"] for i in body["items"]]
        token = body.get("nextPageToken")
        if not token:
            break
    assert seen == ["a.csv", "sub/b.csv", "sub/deeper/c d.bin", "z.txt"]
    for bad in ["../other", "/etc", "sub/../../other"]:
        r = get(server, base, params={"prefix": bad})
        assert r.status_code == 400, bad
    tok = listing(server, base, maxResults=1)["nextPageToken"]
    r = get(server, base, params={"pageToken": tok, "prefix": "sub/"})
    assert r.status_code == 400                     # a token is bound to its prefix
    assert get(server, base, params={"maxResults": "-2"}).status_code == 400


def test_skill_and_model_version_files(server):
    body = listing(server, "/shares/sales/schemas/retail/skills/pdf-tools/files")
    assert [i["path"] for i in body["items"]] == ["SKILL.md"]
    assert requests.get(body["items"][0]["url"], timeout=10).text.startswith("---\nname: pdf-tools")
    body = listing(server, "/shares/sales/schemas/retail/models/churn/versions/2/files")
    assert [i["path"] for i in body["items"]] == ["model.pkl"]
    assert requests.get(body["items"][0]["url"], timeout=10).content == b"v2-weights"
    r = get(server, "/shares/sales/schemas/retail/models/churn/versions/3/files")
    assert r.status_code == 400 and "READY" in r.json()["message"]
    assert get(server, "/shares/sales/schemas/retail/models/churn/versions/7/files").status_code == 404
    versions = get(server, "/shares/sales/schemas/retail/models/churn/versions").json()["items"]
    assert all(v["accessModes"] == ["url"] for v in versions)


def test_agent_skills_files_and_credentials(server):
    """.../agent-skills/{skill}/files and .../temporary-skill-credentials answer as under .../skills."""
    base = "/shares/sales/schemas/retail/%s/pdf-tools/files"
    a, b = listing(server, base % "skills"), listing(server, base % "agent-skills")
    strip = lambda body: [{k: v for k, v in i.items() if k not in ("url", "expirationTimestamp")} for i in body["items"]]
    assert strip(a) == strip(b) and [i["path"] for i in b["items"]] == ["SKILL.md"]
    assert requests.get(b["items"][0]["url"], timeout=10).content == requests.get(a["items"][0]["url"], timeout=10).content
    for params in [{"prefix": "SKILL"}, {"prefix": "none/"}, {"prefix": "../x"}, {"maxResults": "-1"}]:
        ra, rb = get(server, base % "skills", params=params), get(server, base % "agent-skills", params=params)
        assert ra.status_code == rb.status_code, params
        if ra.status_code == 200:
            assert strip(ra.json()) == strip(rb.json())
        else:
            assert ra.json() == rb.json()
    for who in ["carol", "bob"]:
        ra, rb = get(server, base % "skills", who), get(server, base % "agent-skills", who)
        assert ra.status_code == rb.status_code, who
        # URLs are sealed with a fresh nonce each time: compare the rest
        assert (strip(ra.json()) if ra.status_code == 200 else ra.json()) == \
            (strip(rb.json()) if rb.status_code == 200 else rb.json()), who
    assert requests.get(server.url(base % "agent-skills"), timeout=10).status_code == 401
    cred = "/shares/sales/schemas/retail/%s/pdf-tools/temporary-skill-credentials"
    for token in ["alice-token-0123456789abcdef", "carol-token-0123456789abcdef", None]:
        headers = {"Authorization": "Bearer " + token} if token else {}
        ra = requests.post(server.url(cred % "skills"), headers=headers, timeout=10)
        rb = requests.post(server.url(cred % "agent-skills"), headers=headers, timeout=10)
        assert (ra.status_code, ra.json()) == (rb.status_code, rb.json()), token
        assert rb.status_code in (400, 401, 404)


def test_files_auth_matrix(server):
    base = "/shares/sales/schemas/retail/volumes/raw_files/files"
    assert requests.get(server.url(base), timeout=10).status_code == 401
    assert get(server, base, token="bad-token-xxxxxxxxxxxx").status_code == 401
    assert get(server, base, "carol").status_code == 404          # not granted
    assert get(server, "/shares/ops/schemas/monitoring/volumes/raw_files/files").status_code == 404


def test_tampered_file_urls(server):
    it = listing(server, "/shares/sales/schemas/retail/volumes/raw_files/files")["items"][0]
    url = it["url"]
    i = url.rindex("/") + 5
    bad = url[:i] + ("A" if url[i] != "A" else "B") + url[i + 1:]
    assert requests.get(bad, timeout=10).status_code == 403
    assert requests.get(url[:-1], timeout=10).status_code == 403


def test_dir_mode_is_refused_on_local_storage(server):
    for path in ["/shares/sales/schemas/retail/volumes/raw_files/temporary-volume-credentials",
                 "/shares/sales/schemas/retail/skills/pdf-tools/temporary-skill-credentials",
                 "/shares/sales/schemas/retail/models/churn/versions/1/temporary-model-version-credentials",
                 "/shares/sales/schemas/retail/tables/orders/temporary-table-credentials"]:
        r = requests.post(server.url(path), headers={"Authorization": "Bearer alice-token-0123456789abcdef"},
                          timeout=10)
        assert r.status_code == 400, path
        assert r.json()["errorCode"] == "FEATURE_NOT_SUPPORTED"
        assert "local storage" in r.json()["message"] and "url" in r.json()["message"]
        assert requests.post(server.url(path), timeout=10).status_code == 401
        r = requests.post(server.url(path), headers={"Authorization": "Bearer carol-token-0123456789abcdef"},
                          timeout=10)
        assert r.status_code == 404
    r = requests.post(server.url("/shares/sales/schemas/retail/models/churn/versions/3/"
                                 "temporary-model-version-credentials"),
                      headers={"Authorization": "Bearer alice-token-0123456789abcdef"}, timeout=10)
    assert r.status_code == 400 and "READY" in r.json()["message"]
