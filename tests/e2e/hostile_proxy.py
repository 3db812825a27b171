# SPDX-License-Identifier: Apache-2.0
"""A hostile HTTP proxy in front of tests/fakeaws: forwards every request unchanged
(Host header included, so the fake's SigV4 check still holds) and lets a test rewrite
the responses of one operation, or answer that operation itself.

    with HostileProxy(fake.url, "ListFindings", rewrite) as proxy:
        env = gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url)

rewrite(doc, request_doc, state) gets the parsed JSON response and request bodies and a
dict kept across calls, whose "region" is the request's signing region (SigV4 credential
scope) during the call; it returns the new document (or bytes). answer(request_doc,
state) instead of rewrite replies without asking the fake. 127.0.0.1 only; standard
library only. Not a test itself (the CMake glob takes only test_*.py)."""
import http.client
import http.server
import json
import os
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakeaws"))
from services import gd_route  # noqa: E402  (the fake's own GuardDuty route table)


def region_of(headers):
    """The signing region of "Credential=AKID/date/region/service/aws4_request"."""
    cred = (headers.get("Authorization") or "").partition("Credential=")[2]
    parts = cred.split(",", 1)[0].split("/")
    return parts[2] if len(parts) > 2 else None


def operation_of(method, path, headers):
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    return gd_route(method, urllib.parse.urlsplit(path).path)[0]


class HostileProxy:
    def __init__(self, upstream, operation, rewrite=None, answer=None):
        self.upstream = urllib.parse.urlsplit(upstream)
        self.operation = operation
        self.rewrite = rewrite
        self.answer = answer
        self.state = {"calls": 0}
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def _relay(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                op = operation_of(self.command, self.path, self.headers)
                if op == proxy.operation and proxy.answer:
                    with proxy.lock:
                        proxy.state["calls"] += 1
                        proxy.state["region"] = region_of(self.headers)
                        out = proxy.answer(_load(body), proxy.state)
                    return self._send(200, [("Content-Type", "application/json")], _dump(out))
                conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port,
                                                  timeout=60)
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "content-length")}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                hdrs = [(k, v) for k, v in resp.getheaders()
                        if k.lower() not in ("content-length", "transfer-encoding", "connection")]
                conn.close()
                if op == proxy.operation and proxy.rewrite and resp.status == 200:
                    with proxy.lock:
                        proxy.state["calls"] += 1
                        proxy.state["region"] = region_of(self.headers)
                        data = _dump(proxy.rewrite(_load(data), _load(body), proxy.state))
                self._send(resp.status, hdrs, data)

            def _send(self, status, headers, data):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def _load(data):
    try:
        return json.loads(data or b"{}")
    except ValueError:
        return None


def _dump(doc):
    if isinstance(doc, (bytes, bytearray)):
        return bytes(doc)
    return json.dumps(doc).encode()
