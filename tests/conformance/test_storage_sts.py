"""test_storage_sts.py - S3 dir mode: STS AssumeRole through a fake STS that verifies the SigV4 signature with an
independent implementation (botocore) and checks the session policy's exact scope; the returned triple reaches the
caller unchanged; refusals become EPERM without leaking secrets."""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest

botocore = pytest.importorskip("botocore")
from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "storage"))
import stohelp  # noqa: E402

KEY_ID, SECRET, TOKEN = "AKIAPROVIDER", "provider/secret+key", "provider-session=="
ROLE = "arn:aws:iam::123456789012:role/opensharing-reader"
ISSUED = {"AccessKeyId": "ASIATEMPORARY", "SecretAccessKey": "temp/secret+value==",
          "SessionToken": "IQoJb3JpZ2luX2VjE<&>token", "Expiration": "2030-01-02T03:04:05Z"}


class FakeSts(BaseHTTPRequestHandler):
    calls = []

    def log_message(self, *a):
        pass

    def refuse(self, status, code):
        body = ("<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>no</Message>"
                "</Error></ErrorResponse>" % code).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        auth = self.headers.get("Authorization", "")
        try:
            cred = auth.split("Credential=")[1].split(",")[0].split("/")
            signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
            given = auth.split("Signature=")[1].strip()
        except IndexError:
            return self.refuse(400, "IncompleteSignature")
        if cred[0] != KEY_ID or cred[3] != "sts":
            return self.refuse(403, "InvalidClientTokenId")
        # Recompute the signature with botocore over exactly the signed headers.
        headers = {h: self.headers[h] for h in signed if self.headers.get(h) is not None}
        if "host" not in headers or "x-amz-date" not in headers:
            return self.refuse(400, "IncompleteSignature")
        url = "http://%s%s" % (self.headers["Host"], self.path)
        req = AWSRequest(method="POST", url=url, data=body, headers=headers)
        req.context["timestamp"] = self.headers["X-Amz-Date"]
        signer = SigV4Auth(Credentials(KEY_ID, SECRET, TOKEN), "sts", cred[2])
        canonical = signer.canonical_request(req)
        expect = signer.signature(signer.string_to_sign(req, canonical), req)
        if expect != given:
            return self.refuse(403, "SignatureDoesNotMatch")
        if self.headers.get("x-amz-security-token") != TOKEN or "x-amz-security-token" not in signed:
            return self.refuse(403, "InvalidToken")
        form = dict(parse_qsl(body.decode()))
        FakeSts.calls.append(form)
        if form.get("RoleArn") != ROLE:
            return self.refuse(403, "AccessDenied")
        x = "".join("<%s>%s</%s>" % (k, v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), k)
                    for k, v in ISSUED.items())
        body = ('<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
                "<Credentials>%s</Credentials><AssumedRoleUser><Arn>x</Arn></AssumedRoleUser>"
                "</AssumeRoleResult></AssumeRoleResponse>" % x).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def sts():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeSts)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tool(tmp_path_factory):
    path = stohelp.build_tool(str(tmp_path_factory.mktemp("tool")))
    p = stohelp.tool_proc(path, {
        "OS_TEST_STS": json.dumps({"access_key_id": KEY_ID, "secret_access_key": SECRET,
                                   "session_token": TOKEN}),
        "OS_TEST_STS_BAD": json.dumps({"access_key_id": KEY_ID, "secret_access_key": "wrong",
                                       "session_token": TOKEN})})
    yield p
    assert p.close() == 0


def case(sts, asset, secret="env:OS_TEST_STS", role=ROLE, **opts):
    o = {"region": "eu-central-1", "sts_endpoint": sts, "role_arn": role, "max_duration_s": "7200"}
    o.update(opts)
    return {"op": "dir_creds", "location_uri": "s3://data-bucket", "asset_uri": asset,
            "secret_ref": secret, "options_json": json.dumps(o), "now": 1700000000,
            "duration": 3600, "session": "recipient acme/42"}


def test_assume_role_scoped_policy(tool, sts):
    r = tool.ask(case(sts, "s3://data-bucket/shares/vol1"))
    assert r.get("kind") == 1, r
    assert (r["access_key_id"], r["secret_access_key"], r["session_token"]) == \
        (ISSUED["AccessKeyId"], ISSUED["SecretAccessKey"], ISSUED["SessionToken"])
    assert r["expires_at_ms"] == 1893553445000
    form = FakeSts.calls[-1]
    assert form["Action"] == "AssumeRole" and form["Version"] == "2011-06-15"
    assert form["DurationSeconds"] == "3600"
    assert form["RoleSessionName"] == "recipient-acme-42"
    assert json.loads(form["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject"],
             "Resource": ["arn:aws:s3:::data-bucket/shares/vol1/*"]},
            {"Effect": "Allow", "Action": ["s3:ListBucket"],
             "Resource": ["arn:aws:s3:::data-bucket"],
             "Condition": {"StringLike": {"s3:prefix": ["shares/vol1/", "shares/vol1/*"]}}}]}


def test_duration_is_clamped(tool, sts):
    c = case(sts, "s3://data-bucket/p")
    c["duration"] = 99999
    assert tool.ask(c)["kind"] == 1
    assert FakeSts.calls[-1]["DurationSeconds"] == "7200"
    c["duration"] = 10
    assert tool.ask(c)["kind"] == 1
    assert FakeSts.calls[-1]["DurationSeconds"] == "900"


def test_refusals(tool, sts):
    r = tool.ask(case(sts, "s3://data-bucket/p", secret="env:OS_TEST_STS_BAD"))
    assert r["code"] == "EPERM" and "SignatureDoesNotMatch" in r["error"], r
    assert "wrong" not in json.dumps(r) and SECRET not in json.dumps(r)
    r = tool.ask(case(sts, "s3://data-bucket/p", role="arn:aws:iam::1:role/other"))
    assert r["code"] == "EPERM" and "AccessDenied" in r["error"]
    c = case(sts, "s3://data-bucket/p")
    c["options_json"] = json.dumps({"region": "eu-central-1"})
    assert tool.ask(c)["code"] == "EUNSUPPORTED"
    c = case(sts, "s3://data-bucket/p")
    c["location_uri"] = "file:///tmp"
    c["asset_uri"] = "file:///tmp"
    assert tool.ask(c)["code"] in ("EUNSUPPORTED", "EINVAL")
