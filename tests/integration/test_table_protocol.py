"""Delta Sharing table reads over HTTP: version, metadata, query (snapshots, time travel, windows, hints, paging, refresh), changes, formats, signed URLs."""
import json
import os
import time

import pytest
import requests

from deltagen import Table
from local_url_oracle import open_url
from osserver import REPO, Server

TOKEN = "table-reader-token-0123456789"
T0 = 1700000000000
SHARED = os.environ.get("OS_SHARED_DIR") or os.path.join(os.path.dirname(REPO), "shared")
GOLDEN = os.path.join(SHARED, "testdata", "delta-golden")
ALL_FEATURES = "deletionvectors,columnmapping,timestampntz,typewidening,varianttype,domainmetadata"


def build_events(root):
    t = Table(os.path.join(root, "events"))
    t.commit([t.add("a.parquet", "a", 10, 0, 9), t.add("b.parquet", "b", 10, 10, 19)], T0)
    t.commit([t.add("part=c/file c.parquet", "c", 10, 20, 29)], T0 + 60000)
    # Log paths are %-encoded; the file on disk is "part=c/file c.parquet".
    with open(os.path.join(t.root, "_delta_log", "%020d.json" % 1)) as f:
        text = f.read().replace('"part=c/file c.parquet"', '"part%3Dc/file%20c.parquet"')
    path = os.path.join(t.root, "_delta_log", "%020d.json" % 1)
    with open(path, "w") as f:
        f.write(text)
    os.utime(path, ns=((T0 + 60000) * 10**6, (T0 + 60000) * 10**6))
    t.commit([t.remove("a.parquet"), t.cdc("_change_data/cdc-2.parquet", "a")], T0 + 120000)
    t.meta["configuration"]["owner"] = "ops"
    t.commit([t.add("d.parquet", "a", 10, 30, 39)], T0 + 180000, metadata=True)
    # a compaction: neither side is a data change
    t.commit([t.remove("b.parquet", data_change=False),
              t.add("b2.parquet", "b", 10, 10, 19, data_change=False)], T0 + 240000)
    return t


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("tables"))
    data = os.path.join(root, "data")
    events = build_events(data)
    golden = ""
    if os.path.isdir(GOLDEN):
        golden = f"""
          - {{name: dv, location: 'file://{GOLDEN}/dv-with-columnmapping', history_shared: true}}"""
    cfg = os.path.join(root, "config.yaml")
    with open(cfg, "w") as f:
        f.write(f"""
storage:
  - {{name: data, uri: 'file://{data}'}}
{"  - {name: golden, uri: 'file://" + GOLDEN + "'}" if golden else ""}
shares:
  - name: s
    schemas:
      - name: db
        tables:
          - {{name: events, location: 'file://{events.root}', history_shared: true}}
          - {{name: private_history, location: 'file://{events.root}'}}{golden}
recipients:
  - {{name: r, token: {{env: TOK}}}}
grants:
  - {{share: s, recipients: [r]}}
""")
    server = Server(["--config", cfg, "--data-dir", os.path.join(root, "state"), "--url-ttl", "600"],
                    env={"TOK": TOKEN}).start()
    server.data_dir = os.path.join(root, "state")
    yield server, events
    server.stop()


def call(server, method, table, suffix="", caps=None, **kw):
    headers = {"Authorization": "Bearer " + TOKEN}
    if caps:
        headers["delta-sharing-capabilities"] = caps
    return requests.request(method, server.url("/shares/s/schemas/db/tables/%s%s" % (table, suffix)),
                            headers=headers, timeout=20, **kw)


def lines(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"] == "application/x-ndjson; charset=utf-8"
    return [json.loads(l) for l in resp.text.splitlines()]


def query(server, body=None, caps=None, table="events"):
    return call(server, "POST", table, "/query", caps=caps, data=json.dumps(body or {}))


def files_of(ls, kind="file"):
    return [l[kind] for l in ls if kind in l]


def fetch(url):
    r = requests.get(url, timeout=10)
    assert r.status_code == 200, url
    return r.content


def disk(events, name):
    with open(os.path.join(events.root, name), "rb") as f:
        return f.read()


def test_version_and_head(setup):
    server, events = setup
    r = call(server, "GET", "events", "/version")
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "4"
    r = call(server, "HEAD", "events")
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "4"
    r = call(server, "GET", "events", "/version", params={"startingTimestamp": "2023-11-14T22:14:00Z"})
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "1"   # first commit at/after
    r = call(server, "GET", "events", "/version", params={"startingTimestamp": "2030-01-01T00:00:00Z"})
    assert r.status_code == 400
    r = call(server, "GET", "private_history", "/version", params={"startingTimestamp": "2023-11-14T22:14:00Z"})
    assert r.status_code == 403 and "history" in r.json()["message"]


def test_metadata(setup):
    server, _ = setup
    r = call(server, "GET", "events", "/metadata")
    ls = lines(r)
    assert r.headers["Delta-Table-Version"] == "4"
    assert r.headers["delta-sharing-capabilities"] == "responseformat=parquet"
    assert ls[0] == {"protocol": {"minReaderVersion": 1}}
    m = ls[1]["metaData"]
    assert m["id"] == "0b7a2c7e-3f1d-4c55-9e0a-6d1b2c3d4e5f" and m["format"] == {"provider": "parquet"}
    assert m["partitionColumns"] == ["part"] and json.loads(m["schemaString"])["type"] == "struct"
    assert m["configuration"]["owner"] == "ops"
    ls = lines(call(server, "GET", "events", "/metadata", params={"version": "1"}))
    assert "owner" not in ls[1]["metaData"]["configuration"] and ls[1]["metaData"]["version"] == 1
    r = call(server, "GET", "events", "/metadata", caps="responseformat=delta")
    ls = lines(r)
    assert r.headers["delta-sharing-capabilities"] == "responseformat=delta"
    assert ls[0]["protocol"]["deltaProtocol"] == {"minReaderVersion": 1, "minWriterVersion": 2}
    assert ls[1]["metaData"]["deltaMetadata"]["id"] == m["id"]


def test_snapshot_query_and_downloads(setup):
    server, events = setup
    before = time.time() * 1000
    r = query(server)
    assert r.headers["Delta-Table-Version"] == "4"
    ls = lines(r)
    assert "protocol" in ls[0] and "metaData" in ls[1]
    fs = files_of(ls)
    assert len(fs) == len(ls) - 2 == 3
    by_content = {fetch(f["url"]): f for f in fs}
    expected = {disk(events, n) for n in ["part=c/file c.parquet", "d.parquet", "b2.parquet"]}
    assert set(by_content) == expected
    for f in fs:
        assert set(f) >= {"url", "id", "partitionValues", "size", "expirationTimestamp"}
        assert before + 590000 <= f["expirationTimestamp"] <= time.time() * 1000 + 601000
        assert "version" not in f
    assert sorted(f["partitionValues"]["part"] for f in fs) == ["a", "b", "c"]
    # ids are stable across requests, urls are not required to be
    again = files_of(lines(query(server)))
    assert sorted(f["id"] for f in again) == sorted(f["id"] for f in fs)


def test_time_travel(setup):
    server, events = setup
    ls = lines(query(server, {"version": 1}))
    fs = files_of(ls)
    assert len(fs) == 3 and all(f["version"] == 1 and f["timestamp"] == T0 + 60000 for f in fs)
    assert ls[1]["metaData"]["version"] == 1
    ls = lines(query(server, {"timestamp": "2023-11-14T22:14:50Z"}))   # between v1 and v2
    assert {f["version"] for f in files_of(ls)} == {1}
    for body, word in [({"version": 9}, "version"), ({"timestamp": "2000-01-01T00:00:00Z"}, "timestamp"),
                       ({"timestamp": "not a time"}, "timestamp")]:
        r = query(server, body)
        assert r.status_code == 400, body
        assert r.json()["errorCode"] == "INVALID_PARAMETER_VALUE"
    r = query(server, {"version": 1}, table="private_history")
    assert r.status_code == 403


@pytest.mark.parametrize("body,names", [
    ({"version": 1, "timestamp": "2023-11-14T22:15:30Z"}, ["version", "timestamp"]),
    ({"startingVersion": 1, "version": 2}, ["startingVersion", "version"]),
    ({"startingVersion": 1, "timestamp": "2023-11-14T22:15:30Z"}, ["startingVersion", "timestamp"]),
    ({"endingVersion": 2}, ["endingVersion", "startingVersion"]),
])
def test_contradictory_fields(setup, body, names):
    server, _ = setup
    r = query(server, body)
    assert r.status_code == 400
    for n in names:
        assert n in r.json()["message"]


def test_malformed_bodies(setup):
    server, _ = setup
    for body in ["{", "[1,2]", '{"version": "x"}', '{"limitHint": -1}', '{"jsonPredicateHints": 5}']:
        r = call(server, "POST", "events", "/query", data=body)
        assert r.status_code == 400, body
        assert set(r.json()) == {"errorCode", "message"}
    # JSON with a form content type is still JSON
    r = call(server, "POST", "events", "/query", data='{"version": 1}',
             headers_extra=None) if False else requests.post(
        server.url("/shares/s/schemas/db/tables/events/query"), data='{"version": 1}',
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/x-www-form-urlencoded"},
        timeout=10)
    assert r.status_code == 200 and r.headers["Delta-Table-Version"] == "1"
    assert call(server, "POST", "nope", "/query", data="{}").status_code == 404


def test_starting_version_window(setup):
    server, events = setup
    r = query(server, {"startingVersion": 1, "endingVersion": 3})
    assert r.headers["Delta-Table-Version"] == "1"
    ls = lines(r)
    adds, removes = files_of(ls, "add"), files_of(ls, "remove")
    assert [(a["version"], a["timestamp"]) for a in adds] == [(1, T0 + 60000), (3, T0 + 180000)]
    assert [x["version"] for x in removes] == [2]
    assert fetch(removes[0]["url"]) == disk(events, "a.parquet")
    metas = [l["metaData"] for l in ls[2:] if "metaData" in l]
    assert [m["version"] for m in metas] == [3]        # historical metadata inside the window
    assert not files_of(ls, "cdf")
    # compaction (dataChange=false) is not a data change
    ls = lines(query(server, {"startingVersion": 4}))
    assert files_of(ls, "add") == [] and files_of(ls, "remove") == []
    assert query(server, {"startingVersion": 7}).status_code == 400


def test_changes(setup):
    server, events = setup
    r = call(server, "GET", "events", "/changes", params={"startingVersion": 0, "endingVersion": 3})
    ls = lines(r)
    assert r.headers["Delta-Table-Version"] == "0"
    kinds = [(k, l[k]["version"]) for l in ls for k in ("add", "remove", "cdf") if k in l]
    # v2 has a cdc file, so its add/remove are not reported; v0, v1, v3 report their adds
    assert kinds == [("add", 0), ("add", 0), ("add", 1), ("cdf", 2), ("add", 3)]
    cdf = files_of(ls, "cdf")[0]
    assert fetch(cdf["url"]) == disk(events, "_change_data/cdc-2.parquet")
    assert cdf["timestamp"] == T0 + 120000
    assert not [l for l in ls[2:] if "metaData" in l]
    ls = lines(call(server, "GET", "events", "/changes",
                    params={"startingVersion": 1, "includeHistoricalMetadata": "true"}))
    assert [l["metaData"]["version"] for l in ls[2:] if "metaData" in l] == [3]
    ls = lines(call(server, "GET", "events", "/changes",
                    params={"startingTimestamp": "2023-11-14T22:14:50Z", "endingTimestamp": "2023-11-14T22:16:50Z"}))
    assert {l[k]["version"] for l in ls for k in ("add", "remove", "cdf") if k in l} == {2, 3}
    for params in [{}, {"startingVersion": 1, "startingTimestamp": "2023-11-14T22:15:30Z"},
                   {"startingVersion": 9}, {"startingVersion": 3, "endingVersion": 1},
                   {"startingVersion": "x"}, {"startingVersion": 0, "endingVersion": 99}]:
        assert call(server, "GET", "events", "/changes", params=params).status_code == 400, params
    r = call(server, "GET", "private_history", "/changes", params={"startingVersion": 0})
    assert r.status_code == 403 and "history" in r.json()["message"]


def test_predicate_and_limit_hints(setup):
    server, _ = setup
    pred = json.dumps({"op": "equal", "children": [{"op": "column", "name": "part", "valueType": "string"},
                                                   {"op": "literal", "value": "c", "valueType": "string"}]})
    fs = files_of(lines(query(server, {"jsonPredicateHints": pred})))
    assert [f["partitionValues"]["part"] for f in fs] == ["c"]
    rng = json.dumps({"op": "greaterThan", "children": [{"op": "column", "name": "id", "valueType": "long"},
                                                        {"op": "literal", "value": "25", "valueType": "long"}]})
    fs = files_of(lines(query(server, {"jsonPredicateHints": rng})))
    assert sorted(f["partitionValues"]["part"] for f in fs) == ["a", "c"]     # ids 20-29 and 30-39
    # an unusable predicate filters nothing
    assert len(files_of(lines(query(server, {"jsonPredicateHints": "{not json"})))) == 3
    fs = files_of(lines(query(server, {"limitHint": 5})))
    assert 1 <= len(fs) <= 3 and sum(json.loads(f["stats"])["numRecords"] for f in fs) >= 5
    assert len(files_of(lines(query(server, {"predicateHints": ["part = 'c'"]})))) >= 1


def test_paging_with_max_files(setup):
    server, _ = setup
    full = sorted(f["id"] for f in files_of(lines(query(server))))
    for size in [1, 2, 3, 5]:
        seen, token, pages = [], None, 0
        while True:
            body = {"maxFiles": size}
            if token:
                body["pageToken"] = token
            ls = lines(query(server, body))
            pages += 1
            assert "protocol" in ls[0] and "metaData" in ls[1]
            end = ls[-1]["endStreamAction"]
            seen += [f["id"] for f in files_of(ls)]
            token = end.get("nextPageToken")
            if not token:
                break
        assert sorted(seen) == full and len(seen) == len(set(seen))
        assert pages == -(-3 // size) + (1 if 3 % size == 0 else 0) or pages == -(-3 // size)
    body = {"maxFiles": 1}
    token = lines(query(server, body))[-1]["endStreamAction"]["nextPageToken"]
    r = query(server, {"maxFiles": 1, "pageToken": token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]})
    assert r.status_code == 400
    r = query(server, {"maxFiles": 1, "pageToken": token, "version": 1})      # another query
    assert r.status_code == 400


def test_refresh_token_and_end_stream(setup):
    server, events = setup
    r = query(server, {"includeRefreshToken": True}, caps="includeendstreamaction=true")
    ls = lines(r)
    assert r.headers["delta-sharing-capabilities"] == "responseformat=parquet;includeendstreamaction=true"
    end = ls[-1]["endStreamAction"]
    fs = files_of(ls)
    assert end["minUrlExpirationTimestamp"] == min(f["expirationTimestamp"] for f in fs)
    ids = sorted(f["id"] for f in fs)
    refreshed = lines(query(server, {"refreshToken": end["refreshToken"]}))
    assert sorted(f["id"] for f in files_of(refreshed)) == ids
    r = query(server, {"refreshToken": end["refreshToken"] + "x"})
    assert r.status_code == 400


def test_delta_format_files(setup):
    server, events = setup
    r = query(server, caps="responseformat=delta")
    ls = lines(r)
    assert r.headers["delta-sharing-capabilities"] == "responseformat=delta"
    assert "deltaProtocol" in ls[0]["protocol"] and "deltaMetadata" in ls[1]["metaData"]
    fs = files_of(ls)
    adds = [f["deltaSingleAction"]["add"] for f in fs]
    assert {fetch(a["path"]) for a in adds} == {disk(events, n) for n in ["part=c/file c.parquet", "d.parquet", "b2.parquet"]}
    assert all(set(a) >= {"path", "partitionValues", "size", "modificationTime", "dataChange"} for a in adds)
    both = lines(query(server, caps="responseformat=delta,parquet"))
    assert both[0] == {"protocol": {"minReaderVersion": 1}}    # a plain table goes out as parquet


@pytest.mark.skipif(not os.path.isdir(GOLDEN), reason=f"shared test data absent: no golden tables at {GOLDEN}")
def test_reader_features_are_negotiated(setup):
    server, _ = setup
    r = query(server, table="dv")
    assert r.status_code == 400
    msg = r.json()["message"]
    assert "deletionVectors" in msg and "responseformat=delta" in msg
    r = query(server, table="dv", caps="responseformat=delta;readerfeatures=columnmapping")
    assert r.status_code == 400 and "deletionVectors" in r.json()["message"]
    r = query(server, table="dv", caps="responseformat=delta;readerfeatures=" + ALL_FEATURES)
    ls = lines(r)
    dvs = [f for f in files_of(ls) if "deletionVector" in f["deltaSingleAction"]["add"]]
    assert dvs, "the golden table has deletion vectors"
    for f in dvs:
        dv = f["deltaSingleAction"]["add"]["deletionVector"]
        assert dv["storageType"] == "p" and "deletionVectorFileId" in f
        content = fetch(dv["pathOrInlineDv"])
        assert len(content) >= dv["sizeInBytes"]
        on_disk = [open(os.path.join(GOLDEN, "dv-with-columnmapping", n), "rb").read()
                   for n in os.listdir(os.path.join(GOLDEN, "dv-with-columnmapping")) if n.endswith(".bin")]
        assert content in on_disk


def test_signed_urls(setup):
    server, events = setup
    f = files_of(lines(query(server)))[0]
    url = f["url"]
    body = fetch(url)
    r = requests.get(url, headers={"Range": "bytes=2-5"}, timeout=10)
    assert r.status_code == 206 and r.content == body[2:6]
    token_start = url.rindex("/") + 1
    for i in [token_start + 3, len(url) - 3]:
        bad = url[:i] + ("A" if url[i] != "A" else "B") + url[i + 1:]
        assert requests.get(bad, timeout=10).status_code == 403
    assert requests.get(url[:token_start] + "nothing", timeout=10).status_code == 403


def test_audit_counts_signed_files(setup):
    server, _ = setup
    r = query(server, {"version": 1}, caps="includeendstreamaction=true")
    n = len(files_of(lines(r)))
    r = call(server, "GET", "events", "/changes", params={"startingVersion": 0, "endingVersion": 1})
    m = len([l for l in lines(r)[2:] if "add" in l])
    deadline = time.time() + 5
    while time.time() < deadline:
        with open(os.path.join(server.data_dir, "audit.jsonl")) as f:
            events = [json.loads(l) for l in f]
        q = [e for e in events if e["operation"] == "queryTable" and e["asset"] == "events"]
        c = [e for e in events if e["operation"] == "getTableChanges" and e["asset"] == "events"]
        if q and c and q[-1]["files"] == n and c[-1]["files"] == m:
            break
        time.sleep(0.05)
    assert q[-1]["files"] == n == 3 and q[-1]["recipient"] == "r" and q[-1]["status"] == 200
    assert c[-1]["files"] == m == 3


def test_no_server_path_in_table_answers(setup):
    """Metadata, query and changes in both formats name no provider path; their URLs are sealed
    for this recipient and table (opened with an independent AES-GCM)."""
    server, events = setup
    data = os.path.dirname(events.root)
    answers = []
    for caps in [None, "responseformat=delta"]:
        answers.append(call(server, "GET", "events", "/metadata", caps=caps))
        answers.append(query(server, caps=caps))
        answers.append(call(server, "GET", "events", "/changes", caps=caps,
                            params={"startingVersion": 0}))
    urls = []
    for r in answers:
        assert r.status_code == 200, r.text
        assert data not in r.text and "file:" not in r.text, r.text[:500]
        for l in lines(r):
            f = l.get("file") or l.get("add") or l.get("cdf") or l.get("remove") or {}
            if "deltaSingleAction" in f:
                a = f["deltaSingleAction"]
                f = a.get("add") or a.get("cdc") or a.get("remove") or {}
                if "path" in f:
                    urls.append(f["path"])
            elif "url" in f:
                urls.append(f["url"])
    assert len(urls) >= 8
    for u in urls:
        sealed = open_url(server.data_dir, u)
        assert (sealed["recipient"], sealed["share"], sealed["schema"], sealed["asset"]) == ("r", "s", "db", "events")
        assert sealed["root"] == os.path.realpath(events.root)
        assert os.path.exists(os.path.join(events.root, sealed["rel"]))
