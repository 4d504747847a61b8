"""test_storage_hostile.py - the S3, Azure and GCS backends against a loopback server that answers badly on purpose:
malformed or endless listings, keys that try to leave the root, oversized bodies, ignored or stretched ranges,
redirects and endless error bodies.  Each case must end in a clean error or a correct answer, never a crash,
hang or leak (the driver runs under ASan when the build has it)."""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "storage"))
import stohelp  # noqa: E402

DATA = bytes(range(256)) * 8   # 2048 bytes


def contents(key, size=1):
    return "<Contents><Key>%s</Key><Size>%d</Size><LastModified>2024-01-02T03:04:05.000Z</LastModified></Contents>" % (key, size)


def listing(body, truncated=False, token=None):
    t = "<IsTruncated>%s</IsTruncated>" % ("true" if truncated else "false")
    if token is not None:
        t += "<NextContinuationToken>%s</NextContinuationToken>" % token
    return ('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>%s%s</ListBucketResult>'
            % (t, body)).encode()


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body=b"", headers=None, length=None):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        u = urlsplit(self.path)
        q = dict(parse_qsl(u.query, keep_blank_values=True))
        parts = u.path.split("/", 2)      # "", bucket, key
        bucket = parts[1]
        key = parts[2] if len(parts) > 2 else ""
        if bucket == "malformed":
            return self.reply(200, b"<ListBucketResult><Contents><Key>x</Key><Size>1</Size>")
        if bucket == "notoken":
            return self.reply(200, listing(contents("p/a"), truncated=True))
        if bucket == "loop":
            return self.reply(200, listing(contents("p/a"), truncated=True, token="same"))
        if bucket == "huge":
            body = listing(contents("p/" + "x" * 900) * 20000)
            return self.reply(200, body)
        if bucket == "badsize":
            return self.reply(200, listing("<Contents><Key>p/a</Key><Size>-5</Size></Contents>"))
        if bucket == "escapes":
            body = "".join(contents(k) for k in sorted([
                "p/ok1", "p/../../etc/passwd", "p//double", "p/./dot", "other/outside",
                "p/ctl\x01x", "p/amp&ersand", "p/deeper/nested", "p/dirmarker/", "p/ok2"]))
            body = body.replace("&", "&amp;").replace("\x01", "&#1;")
            return self.reply(200, listing(body))
        if bucket == "unsorted":
            return self.reply(200, listing(contents("p/b") + contents("p/a")))
        if bucket == "redirect":
            return self.reply(301, b"", {"Location": "http://127.0.0.1:1/elsewhere"})
        if bucket == "endless-error":
            self.send_response(500)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                chunk = b"x" * 8192
                for _ in range(100000):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                pass
            return
        if bucket == "ignorerange":
            return self.reply(200, DATA)
        if bucket == "stretch":
            # 206 with more bytes than asked for.
            rng = self.headers.get("Range", "bytes=0-").split("=")[1]
            a = int(rng.split("-")[0])
            return self.reply(206, DATA[a:], {"Content-Range": "bytes %d-%d/%d" % (a, len(DATA) - 1, len(DATA))})
        if bucket == "liar":
            # Claims a giant object in Content-Length.
            if self.command == "HEAD":
                return self.reply(200, b"", length=10 ** 15)
            return self.reply(200, DATA, length=len(DATA))
        if bucket == "nolength":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"400\r\n" + b"y" * 1024 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        return self.reply(404, b"<Error><Code>NoSuchBucket</Code></Error>")


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tool(tmp_path_factory):
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("tool")))
    p = stohelp.tool_proc(path, {"OS_TEST_HOSTILE": json.dumps(
        {"access_key_id": "AK", "secret_access_key": "SK"})})
    yield p
    assert p.close() == 0


def ask(tool, server, bucket, what, **kw):
    c = {"op": "store", "what": what, "location_uri": "s3://%s" % bucket,
         "asset_uri": "s3://%s/p" % bucket, "secret_ref": "env:OS_TEST_HOSTILE",
         "options_json": json.dumps({"endpoint": server, "path_style": True})}
    c.update(kw)
    return tool.ask(c)


def test_bad_listings_fail_cleanly(tool, server):
    assert ask(tool, server, "malformed", "list")["code"] == "EIO"
    assert ask(tool, server, "notoken", "list")["code"] == "EIO"
    assert ask(tool, server, "loop", "list")["code"] == "EIO"
    assert ask(tool, server, "huge", "list")["code"] == "ELIMIT"
    assert ask(tool, server, "badsize", "list")["code"] == "EIO"
    assert ask(tool, server, "redirect", "list")["code"] == "EIO"
    assert ask(tool, server, "endless-error", "list")["code"] == "EIO"
    assert ask(tool, server, "nosuch", "list")["code"] == "ENOTFOUND"
    assert ask(tool, server, "unsorted", "list")["code"] == "EIO"


def test_escaping_keys_are_never_listed(tool, server):
    r = ask(tool, server, "escapes", "list")
    assert [i["name"] for i in r["items"]] == ["amp&ersand", "ok1", "ok2"]
    r = ask(tool, server, "escapes", "list_recursive")
    assert [i["name"] for i in r["items"]] == ["amp&ersand", "deeper/nested", "ok1", "ok2"]


def test_reads_against_misbehaving_servers(tool, server):
    for off, n in [(0, 10), (100, 50), (2040, 100), (0, 4096)]:
        got = bytes.fromhex(ask(tool, server, "ignorerange", "read_range", key="k", offset=off,
                                len=n)["hex"])
        assert got == DATA[off:off + n], (off, n)
        got = bytes.fromhex(ask(tool, server, "stretch", "read_range", key="k", offset=off,
                                len=n)["hex"])
        assert got == DATA[off:off + n], (off, n)
    assert ask(tool, server, "liar", "stat", key="k")["size"] == 10 ** 15
    assert ask(tool, server, "nolength", "read_all", key="k", max=10000)["code"] == "ELIMIT"
    assert len(bytes.fromhex(ask(tool, server, "nolength", "read_all", key="k",
                                 max=1 << 20)["hex"])) == 65536
    assert ask(tool, server, "endless-error", "read_all", key="k", max=100)["code"] == "EIO"
    assert ask(tool, server, "endless-error", "read_range", key="k", offset=0, len=10)["code"] == "EIO"
    assert ask(tool, server, "redirect", "read_all", key="k", max=100)["code"] == "EIO"
    assert ask(tool, server, "nosuch", "read_all", key="k", max=100)["code"] == "ENOTFOUND"


class AzureHostile(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        u = urlsplit(self.path)
        container = u.path.split("/")[2]
        if container == "loop":
            body = ("<EnumerationResults><Blobs><Blob><Name>p/a</Name><Properties><Content-Length>1"
                    "</Content-Length></Properties></Blob></Blobs><NextMarker>m</NextMarker>"
                    "</EnumerationResults>").encode()
        elif container == "garbage":
            body = b"<EnumerationResults><Blobs><Blob><Name>p/a</Name></Blob></Blobs>"
        else:
            body = ("<EnumerationResults><Blobs>"
                    "<Blob><Name>p/../x</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>"
                    "<BlobPrefix><Name>p/d/</Name></BlobPrefix>"
                    "<Blob><Name>p/folder</Name><Properties><Content-Length>0</Content-Length></Properties>"
                    "<Metadata><hdi_isfolder>true</hdi_isfolder></Metadata></Blob>"
                    "<Blob><Name>p/ok</Name><Properties><Content-Length>7</Content-Length>"
                    "<Last-Modified>Tue, 14 Nov 2023 22:13:20 GMT</Last-Modified></Properties></Blob>"
                    "<Blob><Name>q/outside</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>"
                    "</Blobs><NextMarker/></EnumerationResults>").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_azure_backend_against_hostile_listing(tool):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), AzureHostile)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        ep = "http://127.0.0.1:%d/acct" % httpd.server_address[1]
        path = os.path.join(stohelp.tempfile.mkdtemp(), "sas.json")
        with open(path, "w") as f:
            json.dump({"sas": "sv=2022-11-02&sig=x"}, f)

        def az(container, what):
            return tool.ask({"op": "store", "what": what,
                             "location_uri": "wasbs://%s@acct.blob.core.windows.net" % container,
                             "asset_uri": "wasbs://%s@acct.blob.core.windows.net/p" % container,
                             "secret_ref": "file:" + path, "options_json": json.dumps({"endpoint": ep})})
        r = az("fine", "list")
        assert [(i["name"], i["size"], i["mtime_ms"]) for i in r["items"]] == [("ok", 7, 1700000000000)]
        r = az("fine", "list_recursive")
        assert [i["name"] for i in r["items"]] == ["ok"]   # no folder marker, nothing outside
        assert az("loop", "list")["code"] == "EIO"
        assert az("garbage", "list")["code"] == "EIO"
        os.unlink(path)
    finally:
        httpd.shutdown()
        httpd.server_close()
