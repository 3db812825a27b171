#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""fakeaws: a fake AWS endpoint (GuardDuty, Organizations, STS, Account, SSO portal, IMDSv2,
container credentials) for gdreport's tests. Standard library only; binds 127.0.0.1 only.
See README.md next to this file for flags, scenarios and the /__fake/ control API."""
import argparse
import base64
import calendar
import datetime
import hashlib
import itertools
import json
import os
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape as xml_escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import orgdata  # noqa: E402
import services  # noqa: E402
import sigv4  # noqa: E402
from services import ApiError  # noqa: E402

DEFAULT_AKID = "AKIDFAKEADMIN0000001"
DEFAULT_SECRET = "fakeSecretKeyForTestsOnly/0000000000000"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
ROLE_ARN_RE = re.compile(r"^arn:aws:iam::(\d{12}):role/((?:[\w+=,.@-]+/)*)([\w+=,.@-]{1,64})$")
SESSION_RE = re.compile(r"^[\w+=,.@-]{2,64}$")
CREDENTIAL_OPS = {"AssumeRole", "AssumeRoleWithWebIdentity", "GetCallerIdentity",
                  "GetRoleCredentials", "ImdsToken", "ImdsCredentials", "ContainerCredentials"}
MAX_SKEW = 300


def iso_s(epoch):
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def amz(epoch):
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_amz(s):
    """'20260101T120000Z' -> epoch seconds (validated by the caller's regex)."""
    return calendar.timegm((int(s[0:4]), int(s[4:6]), int(s[6:8]), int(s[9:11]), int(s[11:13]),
                            int(s[13:15]), 0, 0, 0))


def split_list(v):
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.split(",") if x.strip()]
    return [str(x).strip() for x in v if str(x).strip()]


# ====================================================================== faults / stats
class Faults:
    FIELDS = ("throttle_rate", "error_rate", "drop_rate", "malformed_rate", "latency_ms",
              "deny", "fail_region", "retry_after_ms", "fault_seed", "fault_ops", "deny_band")

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.throttle_rate = self.error_rate = self.drop_rate = self.malformed_rate = 0.0
        self.latency_ms = 0
        self.deny = []
        self.deny_band = []
        self.fail_region = []
        self.retry_after_ms = None
        self.fault_seed = 0
        self.fault_ops = None
        self.rng = random.Random(0)

    def update(self, d):
        with self.lock:
            if d.get("reset"):
                self.reset()
            for k in ("throttle_rate", "error_rate", "drop_rate", "malformed_rate"):
                if k in d and d[k] is not None:
                    v = float(d[k])
                    if not 0.0 <= v <= 1.0:
                        raise ValueError("%s must be within 0..1" % k)
                    setattr(self, k, v)
            if d.get("latency_ms") is not None:
                self.latency_ms = max(0, int(d["latency_ms"]))
            if "deny" in d:
                self.deny = split_list(d["deny"])
            if "deny_band" in d:
                self.deny_band = split_list(d["deny_band"])
            if "fail_region" in d:
                self.fail_region = split_list(d["fail_region"])
            if "retry_after_ms" in d:
                self.retry_after_ms = None if d["retry_after_ms"] is None else int(d["retry_after_ms"])
            if "fault_ops" in d:
                ops = split_list(d["fault_ops"])
                self.fault_ops = set(ops) if ops else None
            if d.get("fault_seed") is not None:
                self.fault_seed = int(d["fault_seed"])
                self.rng = random.Random(self.fault_seed)

    def as_dict(self):
        return {"throttle_rate": self.throttle_rate, "error_rate": self.error_rate,
                "drop_rate": self.drop_rate, "malformed_rate": self.malformed_rate,
                "latency_ms": self.latency_ms, "deny": self.deny, "deny_band": self.deny_band,
                "fail_region": self.fail_region,
                "retry_after_ms": self.retry_after_ms, "fault_seed": self.fault_seed,
                "fault_ops": sorted(self.fault_ops) if self.fault_ops is not None else None}

    def applies(self, op):
        if self.fault_ops is not None:
            return op in self.fault_ops
        return op not in CREDENTIAL_OPS

    def denied(self, op, region):
        for d in self.deny:
            if "@" in d:
                o, r = d.split("@", 1)
                if o == op and r == region:
                    return True
            elif d == op:
                return True
        return False

    def band_denied(self, region, body):
        """deny_band ["N@region", ...]: a ListFindings page after the first (it carries a
        nextToken) whose criterion has severity greaterThanOrEqual N is denied: one
        chain of a listing split by severity band fails half-way."""
        crit = body.get("findingCriteria") if isinstance(body, dict) else None
        crit = crit.get("criterion") if isinstance(crit, dict) else None
        sev = crit.get("severity") if isinstance(crit, dict) else None
        if not isinstance(sev, dict) or not body.get("nextToken"):
            return False
        for d in self.deny_band:
            n, _, r = d.partition("@")
            if r == region and str(sev.get("greaterThanOrEqual")) == n:
                return True
        return False

    def roll(self, op):
        """-> one of None, 'throttle', 'error', 'drop', 'malformed' and a sub-choice 0/1"""
        if not self.applies(op):
            return None, 0
        with self.lock:
            x = self.rng.random()
            sub = self.rng.randrange(2)
            acc = 0.0
            for kind in ("throttle", "error", "drop", "malformed"):
                acc += getattr(self, kind + "_rate")
                if x < acc:
                    return kind, sub
        return None, 0


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with getattr(self, "lock", threading.Lock()):
            self.requests = {}
            self.by_region = {}
            self.faults = {}
            self.faults_by_op = {}
            self.auth_failures = {}
            self.assume_role_calls = []
            self.web_identity_calls = []
            self.sso_calls = []
            self.imds_calls = 0
            self.container_calls = 0
            self.total = 0
            self.usage_types = {}
            self.timeline = []

    TIMELINE_MAX = 100000

    def begin(self, op, region):
        """A signed request's entry [op, region, start, end, criteria] (monotonic seconds;
        end set by finish when the answer is written; criteria set by tag for
        ListFindings), or None once the bounded log is full."""
        with self.lock:
            if len(self.timeline) >= self.TIMELINE_MAX:
                return None
            rec = [op, region, time.monotonic(), None, None]
            self.timeline.append(rec)
            return rec

    def tag(self, rec, criteria):
        """Records what a ListFindings page asked for: its findingCriteria's criterion
        (a listing split into chains is told apart by its severity condition)."""
        if rec is not None:
            with self.lock:
                rec[4] = criteria

    def finish(self, rec):
        """Called just before the answer is written: once it is on the wire the
        client may start its next request on another server thread, whose start
        must not come before this end (test_collect_overlap orders them)."""
        if rec is not None:
            with self.lock:
                rec[3] = time.monotonic()

    def req(self, op, region):
        with self.lock:
            self.total += 1
            self.requests[op] = self.requests.get(op, 0) + 1
            if region:
                k = "%s@%s" % (op, region)
                self.by_region[k] = self.by_region.get(k, 0) + 1

    def usage_type(self, typ, region):
        """One GetUsageStatistics page answered, counted per usageStatisticsType and
        region (the usage budget tests read it)."""
        with self.lock:
            k = "%s@%s" % (typ, region)
            self.usage_types[k] = self.usage_types.get(k, 0) + 1

    def fault(self, kind, op):
        with self.lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1
            k = "%s:%s" % (kind, op)
            self.faults_by_op[k] = self.faults_by_op.get(k, 0) + 1

    def auth_fail(self, code):
        with self.lock:
            self.auth_failures[code] = self.auth_failures.get(code, 0) + 1

    def as_dict(self):
        with self.lock:
            return {"requests": dict(self.requests), "by_region": dict(self.by_region),
                    "faults": dict(self.faults), "faults_by_op": dict(self.faults_by_op),
                    "auth_failures": dict(self.auth_failures),
                    "assume_role_calls": list(self.assume_role_calls),
                    "web_identity_calls": list(self.web_identity_calls),
                    "sso_calls": list(self.sso_calls), "imds_calls": self.imds_calls,
                    "container_calls": self.container_calls, "total": self.total,
                    "usage_types": dict(self.usage_types)}

    def timeline_list(self):
        with self.lock:
            return [list(r) for r in self.timeline]


# ====================================================================== state
class FakeState:
    def __init__(self, cfg):
        self.cfg = cfg
        self.org = orgdata.Org(cfg)
        self.faults = Faults()
        self.stats = Stats()
        self.clock_offset = 0.0
        self.creds_lock = threading.Lock()
        self.static = {cfg["access_key_id"]: {"secret": cfg["secret_access_key"], "token": None,
                                              "expires": None, "account": self.org.admin_id,
                                              "arn": "arn:aws:iam::%s:user/gdreport-admin" % self.org.admin_id,
                                              "userid": "AIDAFAKEADMINUSER0001"}}
        self.temp = {}
        self.imds_tokens = {}
        self.gd = services.GuardDuty(self)
        self.orgs = services.Organizations(self)
        self.account = services.Account(self)

    def now(self):
        return time.time() + self.clock_offset

    def data_clock_ms(self):
        return self.org.now_ms + int((time.time() - self.cfg["start_real"] + self.clock_offset) * 1000)

    def lookup(self, akid):
        c = self.static.get(akid)
        if c is not None:
            return c
        with self.creds_lock:
            return self.temp.get(akid)

    def issue(self, account, arn, userid, lifetime, source):
        akid = "ASIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        secret = base64.b64encode(secrets.token_bytes(30)).decode()
        token = "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(180)).decode()
        exp = int(self.now()) + int(lifetime)
        rec = {"secret": secret, "token": token, "expires": exp, "account": account, "arn": arn,
               "userid": userid, "source": source}
        with self.creds_lock:
            self.temp[akid] = rec
        return akid, rec

    def lifetime(self, requested=None):
        forced = self.cfg.get("temp_creds_seconds")
        if forced:
            return int(forced)
        return int(requested or 3600)


# ====================================================================== HTTP
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeaws/1.0"
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):
        if self.server.state.cfg.get("verbose"):
            sys.stderr.write("fakeaws: %s %s\n" % (self.address_string(), fmt % args))

    @property
    def st(self):
        return self.server.state

    # -------------------------------------------------------------- plumbing
    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    def read_body(self):
        n = self.headers.get("Content-Length")
        if n is None:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                data = b""
                while True:
                    line = self.rfile.readline()
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return data
                    data += self.rfile.read(size)
                    self.rfile.readline()
            return b""
        n = int(n)
        if n > 64 * 1024 * 1024:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body=b"", ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = dumps(body)
        elif isinstance(body, str):
            body = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        # headers and body in one write (no Nagle / delayed-ACK stall on keep-alive)
        self._headers_buffer.append(b"\r\n")
        if self.command != "HEAD":
            self._headers_buffer.append(body)
        rec, self._timeline_rec = getattr(self, "_timeline_rec", None), None
        self.st.stats.finish(rec)
        self.flush_headers()

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self):
        try:
            self.body = self.read_body()
        except (ValueError, OSError):
            self.send(400, {"message": "bad request body"})
            self.close_connection = True
            return
        target = self.path
        path, _, query = target.partition("?")
        self.raw_path, self.raw_query = path, query
        self.q = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        try:
            if path.startswith("/__fake/"):
                return self.control(path)
            if path.startswith("/latest/"):
                return self.imds(path)
            if path.startswith("/container-credentials/") or path == "/container-credentials":
                return self.container()
            if path == "/federation/credentials":
                return self.sso()
            if self.headers.get("Authorization"):
                return self.signed()
            return self.unsigned()
        except BrokenPipeError:
            self.close_connection = True
        except Exception as e:  # a bug in the fake: make it visible, keep serving
            import traceback
            traceback.print_exc()
            try:
                self.send(500, {"__type": "InternalFailure", "message": "fakeaws bug: %s" % e},
                          headers={"x-amzn-ErrorType": "InternalFailure"})
            except OSError:
                pass

    # -------------------------------------------------------------- error rendering
    def rid(self):
        n = next(_RID)
        return "%08x-%04x-4%03x-8%03x-%012x" % (_RID_BASE, (n >> 48) & 0xFFFF, (n >> 36) & 0xFFF,
                                               (n >> 24) & 0xFFF, n & 0xFFFFFFFFFFFF)

    def aws_error(self, service, err):
        rid = self.rid()
        hdrs = {"x-amzn-RequestId": rid}
        hdrs.update(err.headers)
        if service == "sts":
            typ = "Receiver" if err.status >= 500 else "Sender"
            body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s'
                    '</Message></Error><RequestId>%s</RequestId></ErrorResponse>'
                    % (STS_NS, typ, xml_escape(err.code), xml_escape(err.message), rid))
            hdrs["x-amzn-ErrorType"] = err.code
            return self.send(err.status, body, "text/xml", hdrs)
        if service == "guardduty":
            hdrs["x-amzn-ErrorType"] = "%s:http://internal.amazon.com/coral/com.amazonaws.guardduty/" % err.code
            body = {"__type": err.code, "message": err.message}
            if err.code == "BadRequestException":
                body["type"] = "InvalidInputException"
            return self.send(err.status, body, "application/json", hdrs)
        hdrs["x-amzn-ErrorType"] = err.code
        ctype = "application/x-amz-json-1.1" if service == "organizations" else "application/json"
        return self.send(err.status, {"__type": err.code, "Message": err.message}, ctype, hdrs)

    # -------------------------------------------------------------- signed AWS API
    def identify(self, service):
        """-> operation name for stats/faults, or None."""
        if service == "guardduty":
            op, det = services.gd_route(self.command, self.raw_path)
            self.detector = det
            return op
        if service == "organizations":
            t = self.headers.get("X-Amz-Target", "")
            if t.startswith("AWSOrganizationsV20161128."):
                return t.split(".", 1)[1]
            return None
        if service == "account":
            return "ListRegions" if (self.command, self.raw_path) == ("POST", "/listRegions") else None
        if service == "sts":
            form = self.form()
            return form.get("Action") or (self.q.get("Action"))
        return None

    def form(self):
        if not hasattr(self, "_form"):
            try:
                self._form = dict(urllib.parse.parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))
            except UnicodeDecodeError:
                self._form = {}
            for k, v in self.q.items():
                self._form.setdefault(k, v)
        return self._form

    def signed(self):
        st = self.st
        try:
            auth = sigv4.parse_authorization(self.headers.get("Authorization"))
        except sigv4.SigV4Error as e:
            st.stats.auth_fail(e.code)
            return self.aws_error("guardduty", ApiError(403, e.code, e.message))
        service, region = auth["service"], auth["region"]
        if service not in ("guardduty", "organizations", "sts", "account"):
            st.stats.auth_fail("UnknownService")
            return self.aws_error("guardduty", ApiError(400, "UnknownServiceException",
                                                        "fakeaws does not serve %r" % service))
        op = self.identify(service) or "Unknown"
        st.stats.req(op, region)
        self._timeline_rec = st.stats.begin(op, region)
        is_sts = service == "sts"
        # 1. disabled / unknown region
        rinfo = st.org.regions.get(region)
        if rinfo is None or rinfo["state"] == "region_disabled":
            st.stats.auth_fail("RegionDisabled")
            code = "InvalidClientTokenId" if is_sts else "UnrecognizedClientException"
            return self.aws_error(service, ApiError(403, code, "The security token included in the request is invalid."
                                                    if not is_sts else "The security token included in the request is invalid."))
        # 2. credentials
        cred = st.lookup(auth["akid"])
        if cred is None:
            st.stats.auth_fail("UnknownKey")
            code = "InvalidClientTokenId" if is_sts else "UnrecognizedClientException"
            return self.aws_error(service, ApiError(403, code, "The security token included in the request is invalid."))
        if cred["token"] is not None:
            sent = self.headers.get("X-Amz-Security-Token")
            if sent != cred["token"]:
                st.stats.auth_fail("BadSessionToken")
                code = "InvalidClientTokenId" if is_sts else "UnrecognizedClientException"
                return self.aws_error(service, ApiError(403, code, "The security token included in the request is invalid."))
            if cred["expires"] is not None and st.now() >= cred["expires"]:
                st.stats.auth_fail("ExpiredTokenException")
                return self.aws_error(service, ApiError(403, "ExpiredTokenException" if not is_sts else "ExpiredToken",
                                                        "The security token included in the request is expired"))
        # 3. signature
        hlist = list(self.headers.items())
        hmap = sigv4.header_map(hlist)
        try:
            sigv4.verify(self.command, self.path, hlist, self.body, cred["secret"], auth=auth,
                         hmap=hmap)
        except sigv4.SigV4Error as e:
            st.stats.auth_fail(e.code)
            code = e.code
            if is_sts and code == "InvalidSignatureException":
                code = "SignatureDoesNotMatch"
            return self.aws_error(service, ApiError(403 if code != "IncompleteSignatureException" else 400, code, e.message))
        # 4. clock skew
        amzdate = sigv4.request_amz_date(hlist, hmap)
        now = st.now()
        if abs(parse_amz(amzdate) - now) > MAX_SKEW:
            st.stats.auth_fail("SignatureExpired")
            code = "SignatureDoesNotMatch" if is_sts else "InvalidSignatureException"
            msg = ("Signature expired: %s is now earlier than %s (%s - 5 min.)"
                   % (amzdate, amz(now - MAX_SKEW), amz(now))) if parse_amz(amzdate) < now else \
                  ("Signature not yet current: %s is still later than %s (%s + 5 min.)"
                   % (amzdate, amz(now + MAX_SKEW), amz(now)))
            return self.aws_error(service, ApiError(403, code, msg))
        self.cred = cred
        self.auth = auth
        # 5. deny (SCP)
        faults = st.faults
        if faults.denied(op, region):
            st.stats.fault("deny", op)
            if is_sts:
                return self.aws_error(service, ApiError(403, "AccessDenied", self.deny_msg(service, op, cred)))
            # Organizations (json 1.1, no modelled status) answers client errors with 400
            status = 400 if service == "organizations" else 403
            return self.aws_error(service, ApiError(status, "AccessDeniedException", self.deny_msg(service, op, cred)))
        # 6. fail-region
        if service == "guardduty" and region in faults.fail_region:
            st.stats.fault("fail_region", op)
            return self.aws_error(service, ApiError(500, "InternalServerErrorException",
                                                    "Internal server error (fakeaws --fail-region)"))
        # 7. random faults
        if faults.latency_ms and faults.applies(op):
            time.sleep(faults.latency_ms / 1000.0)
        kind, sub = faults.roll(op)
        if kind == "drop":
            st.stats.fault("drop", op)
            return self.drop()
        if kind == "throttle":
            st.stats.fault("throttle", op)
            extra = {}
            if faults.retry_after_ms is not None:
                extra["x-amz-retry-after"] = str(faults.retry_after_ms)
            if is_sts:
                return self.aws_error(service, ApiError(400, "Throttling", "Rate exceeded", extra))
            if service == "organizations":
                return self.aws_error(service, ApiError(400, "TooManyRequestsException",
                                                        "AWS Organizations can't complete your request because another request is already in progress or the rate is too high.", extra))
            if sub == 0 or service == "account":
                return self.aws_error(service, ApiError(429, "TooManyRequestsException", "Rate exceeded", extra))
            return self.aws_error(service, ApiError(400, "ThrottlingException", "Rate exceeded", extra))
        if kind == "error":
            st.stats.fault("error", op)
            if is_sts:
                return self.aws_error(service, ApiError(500, "InternalFailure", "Internal failure"))
            if service == "organizations":
                return self.aws_error(service, ApiError(500, "ServiceException", "AWS Organizations can't complete your request because it encountered an internal error.")) if sub == 0 else \
                    self.aws_error(service, ApiError(503, "ServiceUnavailableException", "Service unavailable"))
            if service == "account":
                return self.aws_error(service, ApiError(500, "InternalServerException", "Internal server error"))
            if sub == 0:
                return self.aws_error(service, ApiError(500, "InternalServerErrorException", "Internal server error"))
            return self.aws_error(service, ApiError(503, "ServiceUnavailableException", "Service Unavailable"))
        # 8. the operation
        try:
            if service == "guardduty":
                status, body, ctype = self.call_guardduty(op, region)
            elif service == "organizations":
                status, body, ctype = self.call_organizations(op, region)
            elif service == "account":
                status, body, ctype = self.call_account(op)
            else:
                status, body, ctype = self.call_sts(op, region, signed=True)
        except ApiError as e:
            return self.aws_error(service, e)
        if isinstance(body, (dict, list)):
            body = dumps(body)
        if kind == "malformed":
            st.stats.fault("malformed", op)
            body = body[:max(1, len(body) // 2)] if len(body) > 2 else b'{"'
        return self.send(status, body, ctype, {"x-amzn-RequestId": self.rid()})

    def deny_msg(self, service, op, cred):
        return ("User: %s is not authorized to perform: %s:%s with an explicit deny in a service "
                "control policy" % (cred["arn"], service, op))

    def json_body(self):
        if not self.body:
            return {}
        try:
            v = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ApiError(400, "SerializationException", "Request body is not valid JSON.")
        if not isinstance(v, dict):
            raise ApiError(400, "SerializationException", "Request body must be a JSON object.")
        return v

    def call_guardduty(self, op, region):
        if op is None or op == "Unknown":
            raise ApiError(404, "UnknownOperationException",
                           "No operation for %s %s" % (self.command, self.raw_path))
        body = self.json_body() if self.command == "POST" else {}
        if op == "ListFindings" and isinstance(body, dict):
            crit = body.get("findingCriteria")
            self.st.stats.tag(getattr(self, "_timeline_rec", None),
                              crit.get("criterion") if isinstance(crit, dict) else None)
            if self.st.faults.band_denied(region, body):
                raise ApiError(403, "AccessDeniedException", "fakeaws deny_band: this listing "
                               "chain is denied")
        res = self.st.gd.handle(op, region, self.detector, self.q, body)
        return 200, res, "application/json"

    def call_organizations(self, op, region):
        body = self.json_body()
        return 200, self.st.orgs.handle(op, region, body), "application/x-amz-json-1.1"

    def call_account(self, op):
        if op != "ListRegions":
            raise ApiError(404, "UnknownOperationException", "Unknown operation")
        return 200, self.st.account.list_regions(self.json_body()), "application/json"

    # -------------------------------------------------------------- STS
    def unsigned(self):
        st = self.st
        if self.command == "POST" and self.raw_path == "/":
            form = self.form()
            if form.get("Action") == "AssumeRoleWithWebIdentity":
                op = "AssumeRoleWithWebIdentity"
                st.stats.req(op, None)
                kind, _ = st.faults.roll(op)
                if kind:
                    st.stats.fault(kind, op)
                    if kind == "drop":
                        return self.drop()
                    if kind in ("throttle", "error", "malformed"):
                        return self.aws_error("sts", ApiError(400, "Throttling", "Rate exceeded")
                                              if kind == "throttle" else ApiError(500, "InternalFailure", "Internal failure"))
                try:
                    status, body, ctype = self.call_sts(op, None, signed=False)
                except ApiError as e:
                    return self.aws_error("sts", e)
                return self.send(status, body, ctype, {"x-amzn-RequestId": self.rid()})
            if form.get("Action"):
                st.stats.auth_fail("MissingAuthenticationToken")
                return self.aws_error("sts", ApiError(403, "MissingAuthenticationToken",
                                                      "Request is missing Authentication Token"))
        st.stats.auth_fail("MissingAuthenticationToken")
        svc = "organizations" if self.headers.get("X-Amz-Target") else "guardduty"
        return self.aws_error(svc, ApiError(403, "MissingAuthenticationTokenException",
                                            "Missing Authentication Token"))

    def call_sts(self, op, region, signed):
        st = self.st
        f = self.form()
        if f.get("Version") not in (None, "2011-06-15"):
            raise ApiError(400, "InvalidAction", "Could not find operation %s for version %s" % (op, f.get("Version")))
        rid = self.rid()
        if op == "GetCallerIdentity":
            c = self.cred
            xml = ('<GetCallerIdentityResponse xmlns="%s"><GetCallerIdentityResult><Arn>%s</Arn>'
                   '<UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult>'
                   '<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>'
                   '</GetCallerIdentityResponse>' % (STS_NS, xml_escape(c["arn"]), xml_escape(c["userid"]),
                                                     c["account"], rid))
            return 200, xml.encode(), "text/xml"
        if op in ("AssumeRole", "AssumeRoleWithWebIdentity"):
            role = f.get("RoleArn")
            sess = f.get("RoleSessionName")
            if not role:
                raise ApiError(400, "ValidationError", "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
            if not sess:
                raise ApiError(400, "ValidationError", "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null")
            if not SESSION_RE.match(sess):
                raise ApiError(400, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*" % sess)
            dur = f.get("DurationSeconds")
            if dur is not None:
                if not dur.isdigit() or not 900 <= int(dur) <= 43200:
                    raise ApiError(400, "ValidationError", "1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200" % dur)
            m = ROLE_ARN_RE.match(role)
            if not m:
                raise ApiError(400, "ValidationError", "%s is invalid" % role)
            ext = f.get("ExternalId")
            rec = {"RoleArn": role, "RoleSessionName": sess, "DurationSeconds": int(dur) if dur else None,
                   "ExternalId": ext, "region": region, "time": iso_s(st.now())}
            caller = getattr(self, "cred", None)
            if op == "AssumeRole":
                rec["caller"] = caller["arn"] if caller else None
                with st.stats.lock:
                    st.stats.assume_role_calls.append(rec)
            else:
                with st.stats.lock:
                    st.stats.web_identity_calls.append(rec)
            allowed = st.cfg.get("allowed_roles")
            if allowed and role not in allowed:
                raise ApiError(403, "AccessDenied", "User: %s is not authorized to perform: sts:%s on resource: %s"
                               % (caller["arn"] if caller else "web-identity", op, role))
            need = (st.cfg.get("external_ids") or {}).get(role)
            if op == "AssumeRole" and need is not None and ext != need:
                raise ApiError(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                               % (caller["arn"], role))
            if op == "AssumeRoleWithWebIdentity":
                tok = f.get("WebIdentityToken")
                if not tok:
                    raise ApiError(400, "ValidationError", "1 validation error detected: Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null")
                if tok.strip() not in st.cfg["web_identity_tokens"]:
                    raise ApiError(400, "InvalidIdentityToken", "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.")
            acct, name = m.group(1), m.group(3)
            arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, name, sess)
            roleid = "AROA" + hashlib.sha1(role.encode()).hexdigest()[:17].upper()
            akid, c = st.issue(acct, arn, "%s:%s" % (roleid, sess), st.lifetime(dur), op)
            extra = ""
            if op == "AssumeRoleWithWebIdentity":
                extra = ("<SubjectFromWebIdentityToken>system:serviceaccount:gd:gdreport</SubjectFromWebIdentityToken>"
                         "<Audience>sts.amazonaws.com</Audience><Provider>oidc.example.com</Provider>")
            xml = ('<%sResponse xmlns="%s"><%sResult>%s<AssumedRoleUser><AssumedRoleId>%s:%s</AssumedRoleId>'
                   '<Arn>%s</Arn></AssumedRoleUser><Credentials><AccessKeyId>%s</AccessKeyId>'
                   '<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>'
                   '<Expiration>%s</Expiration></Credentials><PackedPolicySize>6</PackedPolicySize>'
                   '</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>'
                   % (op, STS_NS, op, extra, roleid, xml_escape(sess), xml_escape(arn), akid,
                      xml_escape(c["secret"]), xml_escape(c["token"]), iso_s(c["expires"]), op, rid, op))
            return 200, xml.encode(), "text/xml"
        raise ApiError(400, "InvalidAction", "Could not find operation %s for version 2011-06-15" % op)

    # -------------------------------------------------------------- credential endpoints
    def cred_fault(self, op):
        kind, _ = self.st.faults.roll(op) if self.st.faults.fault_ops else (None, 0)
        if kind is None:
            return False
        self.st.stats.fault(kind, op)
        if kind == "drop":
            self.drop()
        elif kind == "malformed":
            self.send(200, b'{"AccessKeyId": "ASIA', "application/json")
        else:
            self.send(500 if kind == "error" else 429, b"", "text/plain")
        return True

    def cred_json(self, op, source):
        st = self.st
        role = st.cfg["imds_role"]
        acct = st.org.admin_id
        akid, c = st.issue(acct, "arn:aws:sts::%s:assumed-role/%s/i-fake" % (acct, role),
                           "AROAFAKEINSTANCE:i-fake", st.lifetime(None), source)
        return {"Code": "Success", "LastUpdated": iso_s(st.now()), "Type": "AWS-HMAC",
                "AccessKeyId": akid, "SecretAccessKey": c["secret"], "Token": c["token"],
                "Expiration": iso_s(c["expires"])}

    def imds(self, path):
        st = self.st
        with st.stats.lock:
            st.stats.imds_calls += 1
        if path == "/latest/api/token":
            st.stats.req("ImdsToken", None)
            if self.command != "PUT":
                return self.send(405, b"", "text/plain")
            if self.headers.get("X-Forwarded-For"):
                return self.send(403, b"", "text/plain")
            if self.cred_fault("ImdsToken"):
                return
            ttl = self.headers.get("x-aws-ec2-metadata-token-ttl-seconds")
            if ttl is None or not ttl.strip().isdigit() or not 1 <= int(ttl) <= 21600:
                return self.send(400, b"", "text/plain")
            tok = base64.urlsafe_b64encode(secrets.token_bytes(40)).decode()
            with st.creds_lock:
                st.imds_tokens[tok] = st.now() + int(ttl)
            return self.send(200, tok, "text/plain", {"x-aws-ec2-metadata-token-ttl-seconds": ttl.strip()})
        if self.command != "GET":
            return self.send(405, b"", "text/plain")
        tok = self.headers.get("x-aws-ec2-metadata-token")
        with st.creds_lock:
            exp = st.imds_tokens.get(tok) if tok else None
        if exp is None or st.now() >= exp:
            st.stats.auth_fail("ImdsUnauthorized")
            return self.send(401, b"", "text/plain")
        base = "/latest/meta-data/iam/security-credentials/"
        role = st.cfg["imds_role"]
        if path == base or path == base.rstrip("/"):
            st.stats.req("ImdsRole", None)
            return self.send(200, role, "text/plain")
        if path == base + role:
            st.stats.req("ImdsCredentials", None)
            if self.cred_fault("ImdsCredentials"):
                return
            return self.send(200, self.cred_json("ImdsCredentials", "imds"), "text/plain")
        if path == "/latest/meta-data/placement/region":
            return self.send(200, "us-east-1", "text/plain")
        if path == "/latest/dynamic/instance-identity/document":
            return self.send(200, {"region": "us-east-1", "accountId": st.org.admin_id,
                                   "instanceId": "i-fake"}, "application/json")
        return self.send(404, b"Not Found", "text/plain")

    def container(self):
        st = self.st
        with st.stats.lock:
            st.stats.container_calls += 1
        st.stats.req("ContainerCredentials", None)
        need = st.cfg.get("container_token")
        if need and self.headers.get("Authorization") != need:
            st.stats.auth_fail("ContainerUnauthorized")
            return self.send(401, {"code": "AccessDenied", "message": "Unauthorized"})
        if self.command != "GET":
            return self.send(405, {"message": "method not allowed"})
        if self.cred_fault("ContainerCredentials"):
            return
        c = self.cred_json("ContainerCredentials", "container")
        c.pop("Code"), c.pop("Type"), c.pop("LastUpdated")
        c["RoleArn"] = "arn:aws:iam::%s:role/%s" % (st.org.admin_id, st.cfg["imds_role"])
        return self.send(200, c)

    def sso(self):
        st = self.st
        op = "GetRoleCredentials"
        st.stats.req(op, None)
        role, acct = self.q.get("role_name"), self.q.get("account_id")
        tok = self.headers.get("x-amz-sso_bearer_token")
        with st.stats.lock:
            st.stats.sso_calls.append({"role_name": role, "account_id": acct, "time": iso_s(st.now())})
        rid = self.rid()
        if self.command != "GET":
            return self.send(405, {"message": "method not allowed"})
        if self.cred_fault(op):
            return
        if tok not in st.cfg["sso_tokens"]:
            st.stats.auth_fail("SsoUnauthorized")
            return self.send(401, {"__type": "UnauthorizedException", "message": "Session token not found or invalid"},
                             headers={"x-amzn-ErrorType": "UnauthorizedException", "x-amzn-RequestId": rid})
        if not role or not acct or not re.fullmatch(r"\d{12}", acct):
            return self.send(400, {"__type": "InvalidRequestException", "message": "role_name and a 12-digit account_id are required"},
                             headers={"x-amzn-ErrorType": "InvalidRequestException", "x-amzn-RequestId": rid})
        akid, c = st.issue(acct, "arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_0123456789abcdef/user@example.com"
                           % (acct, role), "AROAFAKESSO:user@example.com", st.lifetime(None), "sso")
        return self.send(200, {"roleCredentials": {"accessKeyId": akid, "secretAccessKey": c["secret"],
                                                   "sessionToken": c["token"],
                                                   "expiration": int(c["expires"] * 1000)}},
                         headers={"x-amzn-RequestId": rid})

    # -------------------------------------------------------------- control API
    def control(self, path):
        st = self.st
        try:
            body = json.loads(self.body.decode("utf-8")) if self.body.strip() else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            return self.send(400, {"error": "invalid JSON: %s" % e})
        try:
            if path == "/__fake/health":
                return self.send(200, {"ok": True, "port": self.server.server_address[1]})
            if path == "/__fake/truth" and self.command == "GET":
                withf = self.q.get("findings", "1") not in ("0", "false")
                withd = self.q.get("descriptions", "0") in ("1", "true")
                return self.send(200, truth_bytes(st.org.truth(withf, withd)))
            if path == "/__fake/stats" and self.command == "GET":
                d = st.stats.as_dict()
                if self.q.get("timeline") in ("1", "true"):
                    d["timeline"] = st.stats.timeline_list()
                return self.send(200, d)
            if path == "/__fake/stats/reset" and self.command == "POST":
                st.stats.reset()
                return self.send(200, {"ok": True})
            if path == "/__fake/faults":
                if self.command == "POST":
                    st.faults.update(body)
                return self.send(200, st.faults.as_dict())
            if path == "/__fake/mutate" and self.command == "POST":
                return self.send(200, st.org.mutate(body, st.data_clock_ms()))
            if path == "/__fake/expire" and self.command == "POST":
                return self.send(200, st.org.expire(body.get("days", 90), st.data_clock_ms(),
                                                    body.get("ids")))
            if path == "/__fake/time":
                if self.command == "POST":
                    if "offset_seconds" in body:
                        st.clock_offset = float(body["offset_seconds"])
                return self.send(200, {"offset_seconds": st.clock_offset, "now": iso_s(st.now())})
            if path == "/__fake/config" and self.command == "GET":
                return self.send(200, public_cfg(st.cfg))
        except (ValueError, TypeError, KeyError) as e:
            return self.send(400, {"error": str(e)})
        return self.send(404, {"error": "unknown control path %s %s" % (self.command, path)})


_RID = itertools.count(1)
_RID_BASE = secrets.randbits(32)


def dumps(obj):
    """JSON as AWS would send it: raw UTF-8; a lone surrogate becomes a \\uXXXX escape."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def truth_bytes(obj):
    return json.dumps(obj, ensure_ascii=True, indent=None).encode("ascii")


def public_cfg(cfg):
    return {k: v for k, v in cfg.items() if k not in ("start_real",)}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, socket.timeout)):
            return
        super().handle_error(request, client_address)


# ====================================================================== config
def build_config(argv=None):
    p = argparse.ArgumentParser(description="fake AWS endpoint for gdreport tests (127.0.0.1 only)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scenario", default="default")
    p.add_argument("--now")
    p.add_argument("--findings-per-region", type=int)
    p.add_argument("--samples-per-region", type=int,
                   help="CreateSampleFindings-style samples per data region (scenario default)")
    p.add_argument("--accounts", type=int)
    p.add_argument("--hostile-pct", type=float,
                   help="percent of findings whose title, resource label and sometimes a 60 KB "
                        "description carry text jansson refuses (lone surrogates, \\u0000) or "
                        "RTL overrides; default 0")
    p.add_argument("--eol-style", choices=["absent", "null", "empty", "mixed"])
    p.add_argument("--temp-creds-seconds", type=int)
    p.add_argument("--dump-truth")
    p.add_argument("--throttle-rate", type=float, default=0.0)
    p.add_argument("--error-rate", type=float, default=0.0)
    p.add_argument("--drop-rate", type=float, default=0.0)
    p.add_argument("--malformed-rate", type=float, default=0.0)
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--deny", default="")
    p.add_argument("--fail-region", default="")
    p.add_argument("--retry-after-ms", type=int)
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument("--fault-ops", default="")
    p.add_argument("--access-key-id")
    p.add_argument("--secret-access-key")
    p.add_argument("--sso-token")
    p.add_argument("--web-identity-token")
    p.add_argument("--imds-role")
    p.add_argument("--container-token")
    p.add_argument("--require-external-id", action="append", default=[])
    p.add_argument("--allowed-roles")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when the process that started the fake goes away")
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--quiet", action="store_true", help="(default) no access log")
    a = p.parse_args(argv)

    scen = a.scenario
    file_cfg = {}
    if scen.endswith(".json") or os.path.sep in scen:
        with open(scen, encoding="utf-8") as fh:
            file_cfg = json.load(fh)
        base = file_cfg.get("base", "default")
        name = os.path.basename(scen)
    else:
        base = scen
        name = scen
    if base not in orgdata.SCENARIOS:
        p.error("unknown scenario %r (known: %s)" % (base, ", ".join(orgdata.SCENARIOS)))
    cfg = dict(orgdata.SCENARIOS[base])
    cfg.update({"access_key_id": DEFAULT_AKID, "secret_access_key": DEFAULT_SECRET,
                "sso_token": "fake-sso-token", "web_identity_token": "fake-web-identity-token",
                "imds_role": "gdreport-instance-role", "container_token": None,
                "allowed_roles": None, "external_ids": {}, "list_accounts_allowed": True,
                "empty_page_every": 3, "temp_creds_seconds": None, "eol_style": None})
    cfg.update({k: v for k, v in file_cfg.items() if k != "base"})
    cfg["scenario_name"] = name
    cfg["seed"] = a.seed if "seed" not in file_cfg or a.seed != 1 else file_cfg["seed"]
    for k in ("findings_per_region", "samples_per_region", "accounts", "hostile_pct", "eol_style",
              "temp_creds_seconds", "access_key_id",
              "secret_access_key", "sso_token", "web_identity_token", "imds_role", "container_token"):
        v = getattr(a, k)
        if v is not None:
            cfg[k] = v
    if a.allowed_roles:
        cfg["allowed_roles"] = split_list(a.allowed_roles)
    for item in a.require_external_id:
        role, _, ext = item.rpartition("=")
        cfg.setdefault("external_ids", {})[role] = ext
    if not cfg.get("eol_style"):
        cfg["eol_style"] = ["absent", "null", "empty"][cfg["seed"] % 3]
    cfg["sso_tokens"] = split_list(cfg.get("sso_tokens") or [cfg["sso_token"]])
    cfg["web_identity_tokens"] = split_list(cfg.get("web_identity_tokens") or [cfg["web_identity_token"]])
    cfg["start_real"] = time.time()
    cfg["now_ms"] = orgdata.parse_iso(a.now) if a.now else int(cfg["start_real"] * 1000)
    cfg["verbose"] = a.verbose
    faults = {"throttle_rate": a.throttle_rate, "error_rate": a.error_rate,
              "drop_rate": a.drop_rate, "malformed_rate": a.malformed_rate,
              "latency_ms": a.latency_ms, "deny": a.deny, "fail_region": a.fail_region,
              "retry_after_ms": a.retry_after_ms, "fault_seed": a.fault_seed,
              "fault_ops": a.fault_ops}
    faults.update(file_cfg.get("faults", {}))
    return a, cfg, faults


def main(argv=None):
    a, cfg, faults = build_config(argv)
    # Many keep-alive connections, short CPU bursts: hand the GIL over quickly so one busy
    # handler thread does not add ~5 ms to every other connection's request.
    sys.setswitchinterval(0.0005)
    state = FakeState(cfg)
    try:
        state.faults.update(faults)
    except ValueError as e:
        sys.stderr.write("fakeaws: %s\n" % e)
        return 2
    if a.dump_truth:
        with open(a.dump_truth + ".tmp", "wb") as fh:
            fh.write(truth_bytes(state.org.truth(True)))
        os.replace(a.dump_truth + ".tmp", a.dump_truth)
    httpd = Server(("127.0.0.1", a.port), Handler)
    httpd.state = state
    port = httpd.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % port)
        os.replace(tmp, a.port_file)
    sys.stderr.write("fakeaws: listening on http://127.0.0.1:%d (scenario %s, seed %d, %d findings)\n"
                     % (port, cfg["scenario_name"], cfg["seed"], len(state.org.findings)))
    sys.stderr.flush()

    def stop(signum, frame):
        threading.Thread(target=httpd.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.exit_with_parent:
        parent = os.getppid()

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            httpd.shutdown()
        threading.Thread(target=watch, daemon=True).start()
    try:
        httpd.serve_forever(poll_interval=0.2)
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
