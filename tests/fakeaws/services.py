# SPDX-License-Identifier: Apache-2.0
"""Service handlers of the fake AWS: GuardDuty (rest-json), Organizations (json 1.1),
Account (rest-json ListRegions), STS (query/XML). Handlers raise ApiError for AWS errors
and return (status, body_obj_or_bytes, extra_headers)."""
import base64
import bisect
import hashlib
import json
import re
import urllib.parse
from decimal import Decimal

import orgdata
from orgdata import SEVERITY_RANGES, iso_ms


class ApiError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad(msg):
    return ApiError(400, "BadRequestException", msg)


ACCOUNT_RE = re.compile(r"^\d{12}$")


# ------------------------------------------------------------------ tokens / paging
def make_token(kind, region, pos, key=""):
    raw = json.dumps([kind, region, pos, hashlib.sha1(key.encode()).hexdigest()[:10]],
                     separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(b"\x01gd" + raw).decode().rstrip("=")


def read_token(tok, kind, region, key=""):
    if tok is None or tok == "":
        return 0
    if not isinstance(tok, str):
        raise bad("The request is rejected because the nextToken is invalid.")
    try:
        raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4))
        if not raw.startswith(b"\x01gd"):
            raise ValueError
        k, r, pos, h = json.loads(raw[3:])
        if k != kind or r != region or h != hashlib.sha1(key.encode()).hexdigest()[:10]:
            raise ValueError
        return int(pos)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise bad("The request is rejected because the nextToken is invalid.")


def finish_page(resp, key, token, style, salt=""):
    """Put the nextToken (or the end-of-list signal in the configured style) into resp."""
    if token is not None:
        resp[key] = token
        return resp
    if style == "mixed":
        style = ["absent", "null", "empty"][int(hashlib.md5(salt.encode()).hexdigest(), 16) % 3]
    if style == "null":
        resp[key] = None
    elif style == "empty":
        resp[key] = ""
    return resp


def int_param(v, name, lo, hi, default):
    if v is None:
        return default
    if isinstance(v, bool):
        raise bad("The request is rejected because the %s is not valid." % name)
    if isinstance(v, str):
        if not re.fullmatch(r"-?\d+", v.strip()):
            raise bad("The request is rejected because the %s is not valid." % name)
        v = int(v)
    if not isinstance(v, int):
        raise bad("The request is rejected because the %s is not valid." % name)
    if v < lo or v > hi:
        raise bad("The request is rejected because the input %s value %d is out of range "
                  "(minimum %d, maximum %d)." % (name, v, lo, hi))
    return v


def account_list(v, name, required=True):
    if v is None:
        if required:
            raise bad("The request is rejected because the %s is missing." % name)
        return None
    if not isinstance(v, list):
        raise bad("The request is rejected because the %s is not a list." % name)
    if len(v) < 1 or len(v) > 50:
        raise bad("The request is rejected because the %s list has %d items; it must have "
                  "1 to 50." % (name, len(v)))
    for a in v:
        if not isinstance(a, str) or not ACCOUNT_RE.match(a):
            raise bad("The request is rejected because the input account ID %r is not valid."
                      % (a,))
    return v


# ------------------------------------------------------------------ GuardDuty
GD_ROUTES = [
    ("GET", re.compile(r"^/detector$"), "ListDetectors"),
    ("GET", re.compile(r"^/detector/([^/]+)$"), "GetDetector"),
    ("GET", re.compile(r"^/detector/([^/]+)/member$"), "ListMembers"),
    ("POST", re.compile(r"^/detector/([^/]+)/member/get$"), "GetMembers"),
    ("POST", re.compile(r"^/detector/([^/]+)/member/detector/get$"), "GetMemberDetectors"),
    ("POST", re.compile(r"^/detector/([^/]+)/findings$"), "ListFindings"),
    ("POST", re.compile(r"^/detector/([^/]+)/findings/get$"), "GetFindings"),
    ("POST", re.compile(r"^/detector/([^/]+)/findings/statistics$"), "GetFindingsStatistics"),
    ("POST", re.compile(r"^/detector/([^/]+)/usage/statistics$"), "GetUsageStatistics"),
    ("GET", re.compile(r"^/detector/([^/]+)/admin$"), "DescribeOrganizationConfiguration"),
    ("GET", re.compile(r"^/detector/([^/]+)/administrator$"), "GetAdministratorAccount"),
    ("GET", re.compile(r"^/detector/([^/]+)/master$"), "GetMasterAccount"),
    ("GET", re.compile(r"^/admin$"), "ListOrganizationAdminAccounts"),
    ("POST", re.compile(r"^/detector/([^/]+)/freeTrial/daysRemaining$"), "GetRemainingFreeTrialDays"),
    ("POST", re.compile(r"^/detector/([^/]+)/coverage$"), "ListCoverage"),
]

USAGE_TYPES = {"SUM_BY_ACCOUNT", "SUM_BY_DATA_SOURCE", "SUM_BY_RESOURCE", "TOP_RESOURCES",
               "SUM_BY_FEATURES", "TOP_ACCOUNTS_BY_FEATURE"}
USAGE_FEATURE_ENUM = {"FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS", "S3_DATA_EVENTS", "EKS_AUDIT_LOGS",
                      "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS", "LAMBDA_NETWORK_LOGS",
                      "EKS_RUNTIME_MONITORING", "EC2_RUNTIME_MONITORING",
                      "FARGATE_RUNTIME_MONITORING", "RDS_DBI_PROTECTION_PROVISIONED",
                      "RDS_DBI_PROTECTION_SERVERLESS", "AI_PROTECTION",
                      "RDS_DBI_PROTECTION_LIMITLESS", "RDS_DATA_ACTIVITY_DBI_PROTECTION_PROVISIONED",
                      "RDS_DATA_ACTIVITY_DBI_PROTECTION_SERVERLESS",
                      "RDS_DATA_ACTIVITY_DBI_PROTECTION_LIMITLESS"}
NOT_ADMIN_MSG = "The request is rejected because the current account is not the delegated administrator"


def gd_route(method, path):
    for m, rx, op in GD_ROUTES:
        mt = rx.match(path)
        if mt:
            if m != method:
                return None, None
            det = urllib.parse.unquote(mt.group(1)) if mt.groups() else None
            return op, det
    return None, None


class GuardDuty:
    def __init__(self, server):
        self.srv = server
        self.org = server.org
        # finding id -> (state key, wire JSON bytes): GetFindings was ~90 % of the fake's
        # CPU (render + dumps, ~2.7 ms per 50 findings), and with one GIL that CPU is
        # latency for every other connection. Rendered once at start (fair to every
        # client, the first included); the key holds every field render_finding reads,
        # so a mutated finding is rendered again.
        self._wire = {}
        for f in list(self.org.findings.values()):
            det = self.org.regions[f.region]["detector_id"]
            if det:
                self.finding_wire(f, det)

    def finding_wire(self, f, det):
        """render_finding(f, det) as JSON bytes, byte for byte what dumps() makes of it."""
        key = _finding_key(f, det)
        hit = self._wire.get(f.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        data = _dumps(render_finding(self.org, f, det))
        if _finding_key(f, det) == key:   # not mutated while rendering
            self._wire[f.id] = (key, data)
        return data

    def eol(self):
        return self.srv.cfg["eol_style"]

    def handle(self, op, region, detector, query, body):
        org = self.org
        rinfo = org.regions[region]
        if op == "ListDetectors":
            mx = int_param(query.get("maxResults"), "maxResults", 1, 50, 50)
            read_token(query.get("nextToken"), "det", region)
            ids = [rinfo["detector_id"]] if rinfo["detector_id"] else []
            return finish_page({"detectorIds": ids[:mx]}, "nextToken", None, self.eol(), region + op)
        if op == "ListOrganizationAdminAccounts":
            int_param(query.get("maxResults"), "maxResults", 1, 50, 50)
            raise bad("The request is rejected because the current account is not the "
                      "organization management account.")
        if detector is None or len(detector) > 300 or org.detectors.get(detector) != region:
            raise bad("The request is rejected because the input detectorId is not owned by the "
                      "current account.")
        state = rinfo["state"]
        fn = getattr(self, "op_" + op)
        return fn(region, detector, state, query, body)

    # -- detector / org config
    def op_GetDetector(self, region, det, state, q, b):
        r = self.org.regions[region]
        mm = self.org.member_map(region)
        feats = []
        for name in ["FLOW_LOGS", "CLOUD_TRAIL", "DNS_LOGS"]:
            feats.append({"name": name, "status": "ENABLED", "updatedAt": r["created_ms"] / 1000.0})
        seed = int(det[:8], 16)
        for i, name in enumerate(orgdata.MEMBER_FEATURES):
            st = "ENABLED" if (seed >> i) & 1 or name == "S3_DATA_EVENTS" else "DISABLED"
            f = {"name": name, "status": st, "updatedAt": r["created_ms"] / 1000.0 + 86400 * i}
            if name == "RUNTIME_MONITORING":
                f["additionalConfiguration"] = [
                    {"name": c, "status": st, "updatedAt": r["created_ms"] / 1000.0}
                    for c in orgdata.RUNTIME_ADDITIONAL]
            feats.append(f)
        feats.append({"name": "EKS_RUNTIME_MONITORING", "status": "DISABLED",
                      "updatedAt": r["created_ms"] / 1000.0})
        return {
            "createdAt": iso_ms(r["created_ms"]), "updatedAt": iso_ms(r["created_ms"] + 86400000),
            "findingPublishingFrequency": "SIX_HOURS",
            "serviceRole": "arn:aws:iam::%s:role/aws-service-role/guardduty.amazonaws.com/"
                           "AWSServiceRoleForAmazonGuardDuty" % self.org.admin_id,
            "status": "ENABLED", "tags": {"owner": "security", "members": str(len(mm))},
            "dataSources": {"cloudTrail": {"status": "ENABLED"}, "dnsLogs": {"status": "ENABLED"},
                            "flowLogs": {"status": "ENABLED"}, "s3Logs": {"status": "ENABLED"}},
            "features": feats,
        }

    def op_DescribeOrganizationConfiguration(self, region, det, state, q, b):
        mx = int_param(q.get("maxResults"), "maxResults", 1, 50, 50)
        if state != "collected":
            raise bad(NOT_ADMIN_MSG)
        pos = read_token(q.get("nextToken"), "orgcfg", region)
        feats = []
        cfg = self.org.org_config[region]
        for name in orgdata.ORG_FEATURES:
            f = {"name": name, "autoEnable": cfg["features"][name]}
            if name == "RUNTIME_MONITORING":
                f["additionalConfiguration"] = [{"name": c, "autoEnable": a}
                                                for c, a in cfg["runtimeAdditional"].items()]
            feats.append(f)
        page = feats[pos:pos + mx]
        nxt = make_token("orgcfg", region, pos + mx) if pos + mx < len(feats) else None
        resp = {"autoEnable": True, "memberAccountLimitReached": False,
                "autoEnableOrganizationMembers": cfg["autoEnableOrganizationMembers"],
                "features": page,
                "dataSources": {"s3Logs": {"autoEnable": True},
                                "kubernetes": {"auditLogs": {"autoEnable": False}},
                                "malwareProtection": {"scanEc2InstanceWithFindings":
                                                      {"ebsVolumes": {"autoEnable": True}}}}}
        return finish_page(resp, "nextToken", nxt, self.eol(), region + "orgcfg%d" % pos)

    def op_GetAdministratorAccount(self, region, det, state, q, b):
        if state == "not_admin":
            return {"administrator": {"accountId": self.org.other_admin_id,
                                      "invitationId": orgdata.hex32("inv", region),
                                      "relationshipStatus": "Enabled",
                                      "invitedAt": iso_ms(self.org.now_ms - 200 * 86400000)}}
        return b""  # administrator itself: 200 with no content

    def op_GetMasterAccount(self, region, det, state, q, b):
        if state == "not_admin":
            return {"master": {"accountId": self.org.other_admin_id,
                               "invitationId": orgdata.hex32("inv", region),
                               "relationshipStatus": "Enabled",
                               "invitedAt": iso_ms(self.org.now_ms - 200 * 86400000)}}
        return b""

    # -- members
    def _member_obj(self, region, m):
        return {"accountId": m["accountId"],
                "detectorId": orgdata.hex32("mdet", region, m["accountId"]),
                "masterId": self.org.admin_id, "administratorId": self.org.admin_id,
                "email": m["email"], "relationshipStatus": m["relationshipStatus"],
                "invitedAt": iso_ms(m["invited_ms"]), "updatedAt": iso_ms(m["invited_ms"] + 3600000)}

    def op_ListMembers(self, region, det, state, q, b):
        mx = int_param(q.get("maxResults"), "maxResults", 1, 50, 50)
        only = q.get("onlyAssociated", "true")
        if only not in ("true", "false", "TRUE", "FALSE", "True", "False"):
            raise bad("The request is rejected because the onlyAssociated value is not valid.")
        only = only.lower() == "true"
        key = "assoc" if only else "all"
        pos = read_token(q.get("nextToken"), "members", region, key)
        members = self.org.members.get(region, []) if state == "collected" else []
        if only:
            members = [m for m in members if m["relationshipStatus"] not in ("Created", "Removed")]
        page = members[pos:pos + mx]
        nxt = make_token("members", region, pos + mx, key) if pos + mx < len(members) else None
        return finish_page({"members": [self._member_obj(region, m) for m in page]}, "nextToken",
                           nxt, self.eol(), region + "members%d" % pos)

    def op_GetMembers(self, region, det, state, q, b):
        ids = account_list(b.get("accountIds"), "accountIds")
        mm = self.org.member_map(region) if state == "collected" else {}
        out, unp = [], []
        for a in ids:
            if a in mm:
                out.append(self._member_obj(region, mm[a]))
            else:
                unp.append({"accountId": a, "result": "The request is rejected because the input "
                            "account is not associated with the current account."})
        return {"members": out, "unprocessedAccounts": unp}

    def op_GetMemberDetectors(self, region, det, state, q, b):
        ids = account_list(b.get("accountIds"), "accountIds")
        mm = self.org.member_map(region) if state == "collected" else {}
        out, unp = [], []
        upd = self.org.regions[region]["created_ms"] / 1000.0
        for a in ids:
            m = mm.get(a)
            if m is None or m["unprocessed"]:
                unp.append({"accountId": a, "result": "The request is rejected because the input "
                            "account is not a member of the current account." if m is None else
                            "Internal error while fetching the member detector; try again."})
                continue
            feats = []
            for name in orgdata.MEMBER_FEATURES:
                f = {"name": name, "status": m["features"][name], "updatedAt": upd}
                if name == "RUNTIME_MONITORING":
                    f["additionalConfiguration"] = [
                        {"name": c, "status": s, "updatedAt": upd}
                        for c, s in m["runtimeAdditional"].items()]
                feats.append(f)
            out.append({"accountId": a, "features": feats, "dataSources": {
                "cloudTrail": {"status": "ENABLED"}, "dnsLogs": {"status": "ENABLED"},
                "flowLogs": {"status": "ENABLED"},
                "s3Logs": {"status": m["features"]["S3_DATA_EVENTS"]}}})
        return {"members": out, "unprocessedAccounts": unp}

    def op_GetRemainingFreeTrialDays(self, region, det, state, q, b):
        ids = account_list(b.get("accountIds"), "accountIds")
        trial = self.org.free_trial.get(region, {}) if state == "collected" else {}
        out, unp = [], []
        for a in ids:
            if a in trial:
                out.append({"accountId": a, "features": [
                    {"name": n, "freeTrialDaysRemaining": d} for n, d in trial[a].items()]})
            else:
                unp.append({"accountId": a, "result": "The request is rejected because the "
                            "input account is not a member of the current account."})
        return {"accounts": out, "unprocessedAccounts": unp}

    def op_ListCoverage(self, region, det, state, q, b):
        int_param(b.get("maxResults"), "maxResults", 1, 50, 50)
        return finish_page({"resources": []}, "nextToken", None, self.eol(), region + "cov")

    # -- findings
    # the severity ranges orgdata indexes, as a listing's severity condition
    BAND_CONDS = tuple(dict(([("greaterThanOrEqual", lo)] if lo is not None else []) +
                            ([("lessThan", hi)] if hi is not None else []))
                       for lo, hi in SEVERITY_RANGES)

    def _criteria(self, crit_obj, bands=None):
        """-> (predicate list, updated range (lo, hi) in ms or None). With bands (a list),
        a severity condition that is exactly one band's is appended to it as the band's
        index instead of becoming predicates (the caller reads that band's index)."""
        if crit_obj is None:
            return [], (None, None)
        if not isinstance(crit_obj, dict):
            raise bad("The request is rejected because the findingCriteria is not valid.")
        criterion = crit_obj.get("criterion", {})
        if not isinstance(criterion, dict):
            raise bad("The request is rejected because the criterion is not valid.")
        preds = []
        lo, hi = None, None
        for field, cond in criterion.items():
            if not isinstance(cond, dict):
                raise bad("The request is rejected because the condition for %s is not valid." % field)
            if bands is not None and field == "severity" and \
                    all(isinstance(v, int) and not isinstance(v, bool) for v in cond.values()) and \
                    cond in self.BAND_CONDS:
                bands.append(self.BAND_CONDS.index(cond))
                continue
            for op, val in cond.items():
                preds.append(self._pred(field, op, val))
                if field == "updatedAt" and isinstance(val, (int, float)) and not isinstance(val, bool):
                    if op in ("greaterThanOrEqual", "gte"):
                        lo = val if lo is None else max(lo, val)
                    elif op in ("greaterThan", "gt"):
                        lo = val + 1 if lo is None else max(lo, val + 1)
                    elif op in ("lessThan", "lt"):
                        hi = val if hi is None else min(hi, val)
                    elif op in ("lessThanOrEqual", "lte"):
                        hi = val + 1 if hi is None else min(hi, val + 1)
        return preds, (lo, hi)

    def _pred(self, field, op, val):
        num_fields = {"updatedAt": lambda f: f.updated_ms, "createdAt": lambda f: f.created_ms,
                      "severity": lambda f: f.severity, "confidence": lambda f: 8.0,
                      "service.count": lambda f: f.count}
        str_fields = {"accountId": lambda f: f.account, "type": lambda f: f.type,
                      "id": lambda f: f.id, "region": lambda f: f.region,
                      "resource.resourceType": lambda f: f.rtype,
                      "service.archived": lambda f: "true" if f.archived else "false",
                      "service.featureName": lambda f: f.feature or ""}
        if op in ("equals", "notEquals", "eq", "neq"):
            if not isinstance(val, list) or len(val) > 50 or not all(isinstance(v, str) for v in val):
                raise bad("The request is rejected because the %s condition of %s must be a list "
                          "of at most 50 strings." % (op, field))
            if field in str_fields:
                get = str_fields[field]
            elif field in num_fields:
                g = num_fields[field]
                get = lambda f, g=g: ("%g" % g(f))
            else:
                raise bad("The request is rejected because the criterion field %s is not supported "
                          "by fakeaws." % field)
            s = set(val)
            if field == "service.archived" and not s <= {"true", "false"}:
                raise bad("The request is rejected because service.archived takes \"true\" or \"false\".")
            if op in ("equals", "eq"):
                return lambda f: get(f) in s
            return lambda f: get(f) not in s
        cmp = {"greaterThan": lambda a, b: a > b, "gt": lambda a, b: a > b,
               "greaterThanOrEqual": lambda a, b: a >= b, "gte": lambda a, b: a >= b,
               "lessThan": lambda a, b: a < b, "lt": lambda a, b: a < b,
               "lessThanOrEqual": lambda a, b: a <= b, "lte": lambda a, b: a <= b}.get(op)
        if cmp is None:
            raise bad("The request is rejected because the condition operator %s is not valid." % op)
        if isinstance(val, bool) or not isinstance(val, int):
            raise bad("The request is rejected because the %s value of %s must be a long." % (op, field))
        if field not in num_fields:
            raise bad("The request is rejected because %s cannot be compared with %s." % (field, op))
        get = num_fields[field]
        return lambda f: cmp(get(f), val)

    SORT_KEYS = {"updatedAt": lambda f: (f.updated_ms, f.id), "createdAt": lambda f: (f.created_ms, f.id),
                 "severity": lambda f: (f.severity, f.id), "id": lambda f: f.id,
                 "accountId": lambda f: (f.account, f.id), "type": lambda f: (f.type, f.id),
                 "service.count": lambda f: (f.count, f.id)}

    def _sort(self, s):
        if s is None:
            return "updatedAt", False
        if not isinstance(s, dict):
            raise bad("The request is rejected because the sortCriteria is not valid.")
        attr = s.get("attributeName", "updatedAt")
        order = s.get("orderBy", "ASC")
        if order not in ("ASC", "DESC"):
            raise bad("The request is rejected because orderBy must be ASC or DESC.")
        if attr not in self.SORT_KEYS:
            raise bad("The request is rejected because sort attribute %s is not supported." % attr)
        return attr, order == "DESC"

    def op_ListFindings(self, region, det, state, q, b):
        mx = int_param(b.get("maxResults"), "maxResults", 1, 50, 50)
        band = []
        preds, (lo, hi) = self._criteria(b.get("findingCriteria"), band)
        attr, desc = self._sort(b.get("sortCriteria"))
        key = json.dumps([b.get("findingCriteria"), b.get("sortCriteria")], sort_keys=True)
        pos = read_token(b.get("nextToken"), "findings", region, key)
        if state != "collected":
            return finish_page({"findingIds": []}, "nextToken", None, self.eol(), region + "lf")
        lst, keys = self.org.region_findings(region, band[0] if band else None)
        if attr == "updatedAt":
            a = 0 if lo is None else bisect.bisect_left(keys, lo)
            z = len(lst) if hi is None else bisect.bisect_left(keys, hi)
            n = max(0, z - a)

            def at(k):
                return lst[z - 1 - k] if desc else lst[a + k]
        else:
            cand = sorted((f for f in lst if all(p(f) for p in preds)), key=self.SORT_KEYS[attr],
                          reverse=desc)
            n = len(cand)

            def at(k):
                return cand[k]
        ids = []
        k = pos
        if not preds:
            k = min(n, pos + mx)
            ids = [at(j).id for j in range(pos, k)]
            more = k < n
        else:
            while k < n and len(ids) < mx:
                f = at(k)
                k += 1
                if all(p(f) for p in preds):
                    ids.append(f.id)
            # peek: is there anything left?
            more = False
            j = k
            while j < n:
                if all(p(at(j)) for p in preds):
                    more = True
                    break
                j += 1
        nxt = make_token("findings", region, k, key) if more else None
        return finish_page({"findingIds": ids}, "nextToken", nxt, self.eol(), region + "lf%d" % pos)

    def op_GetFindings(self, region, det, state, q, b):
        ids = b.get("findingIds")
        if ids is None:
            raise bad("The request is rejected because the findingIds is missing.")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 50:
            raise bad("The request is rejected because findingIds must have 1 to 50 items (got %s)."
                      % (len(ids) if isinstance(ids, list) else "non-list"))
        out = []
        seen = set()
        for i in ids:
            if not isinstance(i, str) or not 1 <= len(i) <= 300:
                raise bad("The request is rejected because a finding id is not valid.")
            f = self.org.findings.get(i)
            if f is not None and f.region == region and i not in seen:
                seen.add(i)
                out.append(f)
        if b.get("sortCriteria") is not None:
            attr, desc = self._sort(b.get("sortCriteria"))
            out.sort(key=self.SORT_KEYS[attr], reverse=desc)
        # the bytes dumps({"findings": [render_finding(...), ...]}) would make
        return b'{"findings":[' + b",".join(self.finding_wire(f, det) for f in out) + b"]}"

    def op_GetFindingsStatistics(self, region, det, state, q, b):
        group = b.get("groupBy")
        types = b.get("findingStatisticTypes")
        if (group is None) == (types is None):
            raise bad("The request is rejected because exactly one of groupBy and "
                      "findingStatisticTypes must be given.")
        preds, _ = self._criteria(b.get("findingCriteria"))
        lst = self.org.region_findings(region)[0] if state == "collected" else []
        sel = [f for f in lst if all(p(f) for p in preds)]
        if types is not None:
            if types != ["COUNT_BY_SEVERITY"]:
                raise bad("The request is rejected because findingStatisticTypes is not valid.")
            c = {}
            for f in sel:
                k = "%g" % f.severity
                c[k] = c.get(k, 0) + 1
            return {"findingStatistics": {"countBySeverity": c}}
        mx = int_param(b.get("maxResults"), "maxResults", 1, 100, 25)
        order = b.get("orderBy", "DESC")
        keyf = {"ACCOUNT": lambda f: f.account, "FINDING_TYPE": lambda f: f.type,
                "SEVERITY": lambda f: f.severity,
                "DATE": lambda f: iso_ms(f.updated_ms)[:10]}.get(group)
        if keyf is None:
            raise bad("The request is rejected because groupBy is not supported by fakeaws.")
        groups = {}
        for f in sel:
            g = groups.setdefault(keyf(f), [0, 0])
            g[0] += 1
            g[1] = max(g[1], f.updated_ms)
        items = sorted(groups.items(), key=lambda kv: (kv[1][0], str(kv[0])), reverse=(order != "ASC"))
        items = items[:mx]
        name = {"ACCOUNT": ("groupedByAccount", "accountId"),
                "FINDING_TYPE": ("groupedByFindingType", "findingType"),
                "SEVERITY": ("groupedBySeverity", "severity"), "DATE": ("groupedByDate", "date")}[group]
        return {"findingStatistics": {name[0]: [
            {name[1]: k, "totalFindings": v[0], "lastGeneratedAt": v[1] / 1000.0} for k, v in items]}}

    # -- usage
    def op_GetUsageStatistics(self, region, det, state, q, b):
        typ = b.get("usageStatisticsType")
        if typ is None:
            raise bad("The request is rejected because the usageStatisticsType is missing.")
        if typ not in USAGE_TYPES:
            raise bad("The request is rejected because the usageStatisticsType %r is not valid." % (typ,))
        crit = b.get("usageCriteria")
        if crit is None:
            raise bad("The request is rejected because the usageCriteria is missing.")
        if not isinstance(crit, dict):
            raise bad("The request is rejected because the usageCriteria is not valid.")
        accts = account_list(crit.get("accountIds"), "usageCriteria.accountIds", required=False)
        feats = crit.get("features")
        if feats is not None:
            if not isinstance(feats, list) or not all(f in USAGE_FEATURE_ENUM for f in feats):
                raise bad("The request is rejected because usageCriteria.features is not valid.")
        unit = b.get("unit")
        if unit is not None and unit != "USD":
            raise bad("The request is rejected because the unit is not valid.")
        mx = int_param(b.get("maxResults"), "maxResults", 1, 50, 50)
        key = json.dumps([typ, crit], sort_keys=True)
        pos = read_token(b.get("nextToken"), "usage", region, key)
        usage = self.org.usage.get(region, {}) if state == "collected" else {}
        sel = {}
        for a in sorted(usage):
            if accts is not None and a not in accts:
                continue
            per = {f: v for f, v in usage[a].items() if feats is None or f in feats}
            if per:
                sel[a] = per

        def tot(d):
            return {"amount": format(d, "f"), "unit": "USD"}
        rows_key = {"SUM_BY_ACCOUNT": "sumByAccount", "SUM_BY_FEATURES": "sumByFeature",
                    "SUM_BY_DATA_SOURCE": "sumByDataSource", "SUM_BY_RESOURCE": "sumByResource",
                    "TOP_RESOURCES": "topResources",
                    "TOP_ACCOUNTS_BY_FEATURE": "topAccountsByFeature"}[typ]
        rows = []
        if typ == "SUM_BY_ACCOUNT":
            rows = [{"accountId": a, "total": tot(sum(per.values(), Decimal(0)))}
                    for a, per in sel.items()]
        elif typ == "SUM_BY_FEATURES":
            sums = {}
            for per in sel.values():
                for f, v in per.items():
                    sums[f] = sums.get(f, Decimal(0)) + v
            rows = [{"feature": f, "total": tot(v)} for f, v in sorted(sums.items())]
        elif typ == "SUM_BY_DATA_SOURCE":
            sums = {}
            for per in sel.values():
                for f, v in per.items():
                    ds = orgdata.USAGE_TO_DATASOURCE.get(f)
                    if ds:
                        sums[ds] = sums.get(ds, Decimal(0)) + v
            rows = [{"dataSource": f, "total": tot(v)} for f, v in sorted(sums.items())]
        elif typ == "TOP_ACCOUNTS_BY_FEATURE":
            byf = {}
            for a, per in sel.items():
                for f, v in per.items():
                    if f != "RDS_LOGIN_EVENTS":
                        byf.setdefault(f, []).append((v, a))
            for f in sorted(byf):
                top = sorted(byf[f], key=lambda t: (-t[0], t[1]))[:50]
                rows.append({"feature": f, "accounts": [{"accountId": a, "total": tot(v)}
                                                        for v, a in top]})
        page = rows[pos:pos + mx]
        self.srv.stats.usage_type(typ, region)
        nxt = make_token("usage", region, pos + mx, key) if pos + mx < len(rows) else None
        return finish_page({"usageStatistics": {rows_key: page}}, "nextToken", nxt, self.eol(),
                           region + "usage%d" % pos)




def _dumps(obj):
    """fakeaws.dumps (the wire encoding), here to avoid a circular import."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def _finding_key(f, det):
    return (det,) + tuple(getattr(f, k) for k in orgdata.Finding.__slots__)


def render_finding(org, f, det):
    """Full finding JSON (wire names) for GetFindings."""
    acct = f.account
    h = orgdata.hex32("res", f.id)
    hostile = f.description is not None and f.description != orgdata.LONG_DESCRIPTION
    label = f.title if hostile else "res-" + h[:8]
    rt = f.rtype
    res = {"resourceType": rt}
    action = {}
    if rt in ("Instance", "EBSSnapshot", "EC2Image", "RecoveryPoint"):
        res["instanceDetails"] = {
            "instanceId": "i-" + h[:17], "instanceType": "m5.large", "instanceState": "running",
            "imageId": "ami-" + h[17:29], "availabilityZone": f.region + "a",
            "launchTime": iso_ms(f.created_ms - 86400000 * 30),
            "tags": [{"key": "Name", "value": label}, {"key": "env", "value": "prod"}],
            "networkInterfaces": [{"networkInterfaceId": "eni-" + h[:17],
                                   "privateIpAddress": "10.%d.%d.%d" % (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)),
                                   "publicIp": "198.51.100.%d" % (int(h[6:8], 16) % 250 + 1),
                                   "subnetId": "subnet-" + h[:8], "vpcId": "vpc-" + h[8:16],
                                   "securityGroups": [{"groupId": "sg-" + h[:8], "groupName": "default"}]}],
        }
        action = {"actionType": "NETWORK_CONNECTION", "networkConnectionAction": {
            "connectionDirection": "INBOUND", "blocked": False, "protocol": "TCP",
            "localPortDetails": {"port": 22, "portName": "SSH"},
            "remoteIpDetails": {"ipAddressV4": "203.0.113.%d" % (int(h[8:10], 16) % 250 + 1),
                                "country": {"countryName": "Nowhere"},
                                "organization": {"asn": "64500", "asnOrg": "EXAMPLE-AS"}},
            "remotePortDetails": {"port": 40000 + int(h[:3], 16) % 20000}}}
    elif rt == "AccessKey":
        res["accessKeyDetails"] = {"accessKeyId": "ASIA" + h[:16].upper(),
                                   "principalId": "AIDA" + h[16:32].upper(),
                                   "userName": label, "userType": "IAMUser"}
        action = {"actionType": "AWS_API_CALL", "awsApiCallAction": {
            "api": "ListBuckets", "callerType": "Remote IP", "serviceName": "s3.amazonaws.com",
            "remoteIpDetails": {"ipAddressV4": "203.0.113.7", "country": {"countryName": "Nowhere"}}}}
    elif rt in ("S3Bucket", "S3Object"):
        bucket = {"arn": "arn:aws:s3:::bucket-" + h[:12], "name": label if hostile else "bucket-" + h[:12],
                  "type": "Destination", "owner": {"id": h},
                  "defaultServerSideEncryption": {"encryptionType": "AES256"}}
        if rt == "S3Object":
            bucket["s3ObjectDetails"] = [{"objectArn": "arn:aws:s3:::bucket-%s/eicar-%s.txt" % (h[:12], h[:4]),
                                          "key": "uploads/eicar-%s.txt" % h[:4], "eTag": h,
                                          "hash": hashlib.sha256(h.encode()).hexdigest(),
                                          "versionId": h[:20]}]
        res["s3BucketDetails"] = [bucket]
        action = {"actionType": "AWS_API_CALL", "awsApiCallAction": {
            "api": "GetObject", "serviceName": "s3.amazonaws.com", "callerType": "Remote IP"}}
    elif rt == "EKSCluster":
        res["eksClusterDetails"] = {"name": label, "arn": "arn:aws:eks:%s:%s:cluster/c-%s" % (f.region, acct, h[:6]),
                                    "vpcId": "vpc-" + h[:8], "status": "ACTIVE"}
        res["kubernetesDetails"] = {"kubernetesUserDetails": {"username": "system:anonymous"},
                                    "kubernetesWorkloadDetails": {"name": "pod-" + h[:5], "type": "pods",
                                                                  "namespace": "kube-system"}}
        action = {"actionType": "KUBERNETES_API_CALL", "kubernetesApiCallAction": {
            "requestUri": "/api/v1/namespaces", "verb": "list", "statusCode": 200}}
    elif rt == "ECSCluster":
        res["ecsClusterDetails"] = {"name": label, "arn": "arn:aws:ecs:%s:%s:cluster/%s" % (f.region, acct, h[:6]),
                                    "status": "ACTIVE"}
    elif rt == "Container":
        res["containerDetails"] = {"name": label, "image": "public.ecr.aws/app:%s" % h[:6], "id": h}
    elif rt == "RDSDBInstance":
        res["rdsDbInstanceDetails"] = {"dbInstanceIdentifier": label, "engine": "aurora-postgresql",
                                       "engineVersion": "15.4", "dbClusterIdentifier": "cluster-" + h[:6],
                                       "dbInstanceArn": "arn:aws:rds:%s:%s:db:%s" % (f.region, acct, h[:8])}
        res["rdsDbUserDetails"] = {"user": "admin", "application": "psql", "database": "postgres"}
        action = {"actionType": "RDS_LOGIN_ATTEMPT", "rdsLoginAttemptAction": {
            "remoteIpDetails": {"ipAddressV4": "203.0.113.9"},
            "LoginAttributes": [{"user": "admin", "application": "psql", "successfulLoginAttempts": 1,
                                 "failedLoginAttempts": 4}]}}
    elif rt == "Lambda":
        res["lambdaDetails"] = {"functionName": label, "functionArn": "arn:aws:lambda:%s:%s:function:%s"
                                % (f.region, acct, h[:8]), "runtime": "python3.12",
                                "lastModifiedAt": f.created_ms / 1000.0}
    if f.description is not None:
        desc = f.description
    else:
        desc = "%s was detected for %s in account %s. Count %d." % (f.type, rt, acct, f.count)
    service = {"archived": f.archived, "count": f.count, "detectorId": det,
               "eventFirstSeen": iso_ms(f.created_ms), "eventLastSeen": iso_ms(f.updated_ms),
               "resourceRole": "TARGET", "serviceName": "guardduty",
               "additionalInfo": {"value": "{\"sample\":true}" if f.sample else
                                  "{\"sample\":false}", "type": "default"}}
    if action:
        service["action"] = action
    if f.feature is not None:
        service["featureName"] = f.feature
    if f.type.startswith("AttackSequence:"):
        service["detection"] = {"sequence": {"uid": "arn:aws:guardduty:%s:%s:detector/%s/finding/%s"
                                             % (f.region, acct, det, f.id),
                                             "description": "Attack sequence", "signals": []}}
    sev = int(f.severity) if f.int_sev else f.severity
    return {
        "accountId": acct,
        "arn": "arn:aws:guardduty:%s:%s:detector/%s/finding/%s" % (f.region, acct, det, f.id),
        "confidence": 8.0 if f.variant % 3 else 5,
        "createdAt": iso_ms(f.created_ms),
        "description": desc,
        "id": f.id,
        "partition": "aws",
        "region": f.region,
        "resource": res,
        "schemaVersion": "2.0",
        "service": service,
        "severity": sev,
        "title": f.title,
        "type": f.type,
        "updatedAt": iso_ms(f.updated_ms),
    }


# ------------------------------------------------------------------ Organizations
class Organizations:
    def __init__(self, server):
        self.srv = server
        self.org = server.org

    def handle(self, op, region, body):
        org = self.org
        if op == "DescribeOrganization":
            m = org.management_id
            return {"Organization": {
                "Id": org.org_id, "Arn": "arn:aws:organizations::%s:organization/%s" % (m, org.org_id),
                "FeatureSet": "ALL",
                "MasterAccountArn": "arn:aws:organizations::%s:account/%s/%s" % (m, org.org_id, m),
                "MasterAccountId": m, "MasterAccountEmail": org.management_email,
                "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}}
        if op == "ListAccounts":
            if not self.srv.cfg.get("list_accounts_allowed", True):
                raise ApiError(400, "AccessDeniedException",
                               "You don't have permissions to access this resource.")
            mx = body.get("MaxResults")
            if mx is not None:
                if isinstance(mx, bool) or not isinstance(mx, int) or not 1 <= mx <= 20:
                    raise ApiError(400, "InvalidInputException",
                                   "You provided a value that does not match the required pattern "
                                   "or range: MaxResults must be between 1 and 20.")
            else:
                mx = 20
            tok = body.get("NextToken")
            page_no, pos = 0, 0
            if tok:
                try:
                    raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode()
                    tag, page_no, pos = raw.split(":")
                    page_no, pos = int(page_no), int(pos)
                    if tag != "orgacct":
                        raise ValueError
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "InvalidInputException", "The NextToken is not valid.")
            accts = org.accounts
            every = int(self.srv.cfg.get("empty_page_every", 3) or 0)
            enc = lambda p, q: base64.urlsafe_b64encode(("orgacct:%d:%d" % (p, q)).encode()).decode().rstrip("=")
            if every and page_no % every == every - 1 and pos < len(accts):
                return {"Accounts": [], "NextToken": enc(page_no + 1, pos)}
            page = accts[pos:pos + mx]
            rows = []
            for a in page:
                st = a["status"]
                rows.append({"Id": a["id"], "Arn": "arn:aws:organizations::%s:account/%s/%s"
                             % (org.management_id, org.org_id, a["id"]),
                             "Email": a["email"], "Name": a["name"], "Status": st, "State": st,
                             "JoinedMethod": "CREATED" if int(a["id"]) % 2 else "INVITED",
                             "JoinedTimestamp": (org.now_ms - int(a["id"]) % 1000 * 86400000) / 1000.0})
            resp = {"Accounts": rows}
            nxt = enc(page_no + 1, pos + mx) if pos + mx < len(accts) else None
            return finish_page(resp, "NextToken", nxt, self.srv.cfg["eol_style"], "orgacct%d" % pos)
        raise ApiError(400, "UnknownOperationException", "Unknown operation %s" % op)


# ------------------------------------------------------------------ Account
class Account:
    def __init__(self, server):
        self.srv = server
        self.org = server.org

    def list_regions(self, body):
        mx = body.get("MaxResults")
        if mx is not None and (isinstance(mx, bool) or not isinstance(mx, int) or not 1 <= mx <= 50):
            raise ApiError(400, "ValidationException", "MaxResults must be between 1 and 50.")
        mx = mx or 20
        filt = body.get("RegionOptStatusContains")
        valid = {"ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT"}
        if filt is not None and (not isinstance(filt, list) or not all(v in valid for v in filt)):
            raise ApiError(400, "ValidationException", "RegionOptStatusContains is not valid.")
        regs = [(r, v["opt_status"]) for r, v in sorted(self.org.regions.items())
                if filt is None or v["opt_status"] in filt]
        tok = body.get("NextToken")
        pos = 0
        if tok:
            try:
                raw = base64.urlsafe_b64decode(tok + "=" * (-len(tok) % 4)).decode()
                tag, p = raw.split(":")
                if tag != "regions":
                    raise ValueError
                pos = int(p)
            except (ValueError, UnicodeDecodeError):
                raise ApiError(400, "ValidationException", "NextToken is not valid.")
        page = regs[pos:pos + mx]
        nxt = (base64.urlsafe_b64encode(("regions:%d" % (pos + mx)).encode()).decode().rstrip("=")
               if pos + mx < len(regs) else None)
        return finish_page({"Regions": [{"RegionName": r, "RegionOptStatus": s} for r, s in page]},
                           "NextToken", nxt, self.srv.cfg["eol_style"], "regions%d" % pos)
