"""test_storage_local.py - file:// locations through objstore_open_location: containment (no '..', no symlink
escape), non-recursive and recursive listings in byte order, reads; and the local signed-URL format."""
import base64
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "storage"))
import stohelp  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "integration"))
from local_url_oracle import open_token  # noqa: E402


@pytest.fixture(scope="module")
def tool(tmp_path_factory):
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("tool")))
    p = stohelp.tool_proc(path)
    yield p
    assert p.close() == 0


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("loc")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_bytes(b"secret")
    vol = root / "vol"
    files = {"a.txt": b"a", "a/b.bin": b"ab", "a/c/d.bin": b"acd", "a-b": b"dash", "b": b"",
             "\u00e9t\u00e9 x.bin": os.urandom(300), "z/y/x/w.bin": b"deep"}
    for name, data in files.items():
        p = vol / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    os.symlink(str(outside / "secret.txt"), str(vol / "link-out"))
    os.symlink(str(outside), str(vol / "dir-out"))
    os.symlink(str(outside), str(root / "escape"))
    return root, files


def case(root, what, asset="vol", **kw):
    c = {"op": "store", "what": what, "location_uri": "file://%s" % root,
         "asset_uri": "file://%s/%s" % (root, asset)}
    c.update(kw)
    return c


def test_listing_orders_and_reads(tool, tree):
    root, files = tree
    r = tool.ask(case(root, "list_recursive"))
    names = [i["name"] for i in r["items"]]
    # byte order of the full names: "a-b" < "a.txt" < "a/b.bin" ('-' < '.' < '/')
    assert names == [n for n in sorted(files, key=lambda s: s.encode())]
    assert {i["name"]: i["size"] for i in r["items"]} == {k: len(v) for k, v in files.items()}
    # symlinks are never followed by the walk
    assert not any(n.startswith(("link-out", "dir-out")) for n in names)
    r = tool.ask(case(root, "list_recursive", start_after="a/b.bin"))
    assert [i["name"] for i in r["items"]] == [n for n in sorted(files, key=lambda s: s.encode())
                                               if n.encode() > b"a/b.bin"]
    r = tool.ask(case(root, "list_recursive", dir="a/"))
    assert [i["name"] for i in r["items"]] == ["a/b.bin", "a/c/d.bin"]
    for name, data in files.items():
        assert bytes.fromhex(tool.ask(case(root, "read_all", key=name))["hex"]) == data


def test_containment(tool, tree):
    root, _ = tree
    assert tool.ask(case(root, "list", asset="escape"))["code"] == "EPERM"
    assert tool.ask(case(root, "list", asset="vol/../../etc"))["code"] == "EINVAL"
    c = case(root, "list")
    c["asset_uri"] = "file:///etc"
    assert tool.ask(c)["code"] == "EINVAL"
    assert tool.ask(case(root, "read_all", key="../escape/secret.txt"))["code"] == "EINVAL"
    assert tool.ask(case(root, "list_recursive", dir="../"))["code"] == "EINVAL"
    assert tool.ask(case(root, "list", asset="missing"))["code"] == "ENOTFOUND"


def test_local_url_format(tool, tree):
    """The token is sealed (src/storage/local_url.h): an independent AES-GCM opens it with the
    key derived from the server key; nothing of the path or expiry is readable without it."""
    root, _ = tree
    r = tool.ask({"op": "local_sign", "server_key": "k" * 32, "base": "https://h/opensharing",
                  "root": "%s/vol" % root, "rel": "a/b.bin", "expires_at": 1900000000,
                  "recipient_id": 7, "recipient": "acme", "share": "s", "schema": "d", "asset": "v"})
    url = r["url"]
    assert url.startswith("https://h/opensharing/files/")
    token = url[len("https://h/opensharing/files/"):]
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert str(root).encode() not in raw and b"b.bin" not in raw and b"acme" not in raw
    assert open_token(b"k" * 32, token) == {
        "expires": 1900000000, "recipient_id": 7, "recipient": "acme", "share": "s", "schema": "d",
        "asset": "v", "root": "%s/vol" % root, "rel": "a/b.bin"}
    with pytest.raises(Exception):
        open_token(b"j" * 32, token)
    assert tool.ask({"op": "local_sign", "server_key": "k", "base": "x", "root": str(root),
                     "rel": "../x", "expires_at": 1})["code"] == "EINVAL"


def test_location_signer_local(tool, tree):
    root, _ = tree
    c = case(root, "x")
    c.update({"op": "loc_sign", "rel": "a/b.bin", "now": 1000, "expires": 60})
    r = tool.ask(c)
    assert r["url"].startswith("http://files.test/os/files/") and r["expires_at"] == 1060
    sealed = open_token(b"k" * 32, r["url"].rsplit("/", 1)[1])
    assert (sealed["expires"], sealed["root"], sealed["rel"]) == (
        1060, os.path.realpath("%s/vol" % root), "a/b.bin")
    c["asset_uri"] = "file://%s/escape" % root
    assert tool.ask(c)["code"] == "EPERM"
