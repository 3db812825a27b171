#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-tests of the fake AWS (tests/fakeaws): SigV4 verification against the official
vectors, signed-request handling, pagination, validation, faults, mutations, usage sums,
credential endpoints. Plain python; prints "N passed, N failed"; exit 1 on failure."""
import http.client
import json
import os
import sys
import traceback
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import sigv4  # noqa: E402  (gdtest put the fake's directory on sys.path)

SUITE = os.environ.get("GD_SIGV4_SUITE") or os.path.join(gdtest.SOURCE_DIR, "..", "shared",
                                                          "aws-sigv4-testsuite")
RESULTS = {"passed": 0, "failed": 0, "skipped": 0}
FAKES = {}


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def eq(a, b, msg=""):
    if a != b:
        raise AssertionError("%s: %r != %r" % (msg, a, b))


# ---------------------------------------------------------------- SigV4 vectors
def parse_raw_request(data):
    """Raw HTTP request text of the suites -> (method, target, [(name, value)], body)."""
    data = data.replace(b"\r\n", b"\n")
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    method, rest = lines[0].split(b" ", 1)
    target = rest.rsplit(b" ", 1)[0]
    hdrs = []
    for line in lines[1:]:
        if not line:
            continue  # a trailing newline after the last header (some botocore .req files)
        if line[:1] in (b" ", b"\t") and hdrs:
            n, v = hdrs[-1]
            hdrs[-1] = (n, v + "\n" + line.decode("latin-1"))
            continue
        n, v = line.split(b":", 1)
        hdrs.append((n.decode("latin-1"), v.decode("latin-1")))
    return method.decode(), target.decode("latin-1"), hdrs, body


def tamper_variants(method, target, hdrs, body):
    """One-byte changes that must break the signature."""
    out = []
    for i, (n, v) in enumerate(hdrs):
        if n.lower() == "host":
            h2 = list(hdrs)
            h2[i] = (n, v[:-1] + ("x" if v[-1] != "x" else "y"))
            out.append(("host", method, target, h2, body))
    if body:
        b2 = bytearray(body)
        b2[0] ^= 0x01
        out.append(("body", method, target, hdrs, bytes(b2)))
    else:
        path, sep, query = target.partition("?")
        out.append(("path", method, path + "x" + sep + query, hdrs, body))
    for i, (n, v) in enumerate(hdrs):
        if n.lower() == "authorization":
            h2 = list(hdrs)
            sig_at = v.rindex("Signature=") + len("Signature=")
            c = v[sig_at]
            h2[i] = (n, v[:sig_at] + ("0" if c != "0" else "1") + v[sig_at + 1:])
            out.append(("signature", method, target, h2, body))
    return out


def run_vector(name, method, target, hdrs, body, secret, normalize):
    sigv4.verify(method, target, hdrs, body, secret, normalize=normalize)
    for what, m, t, h, b in tamper_variants(method, target, hdrs, body):
        try:
            sigv4.verify(m, t, h, b, secret, normalize=normalize)
        except sigv4.SigV4Error:
            continue
        raise AssertionError("%s: tampered %s was accepted" % (name, what))


def test_sigv4_aws_c_auth_vectors():
    base = os.path.join(SUITE, "aws-c-auth-v4")
    if not os.path.isdir(base):
        return "skip: %s missing" % base
    n = 0
    for case in sorted(os.listdir(base)):
        d = os.path.join(base, case)
        if not os.path.isfile(os.path.join(d, "context.json")):
            continue
        ctx = json.load(open(os.path.join(d, "context.json")))
        with open(os.path.join(d, "header-signed-request.txt"), "rb") as fh:
            m, t, h, b = parse_raw_request(fh.read())
        # the expected signature must be the one in the signed request
        auth = [v for k, v in h if k.lower() == "authorization"][0]
        sig = open(os.path.join(d, "header-signature.txt")).read().strip()
        check(auth.endswith("Signature=" + sig), "%s: signed request/signature mismatch" % case)
        run_vector(case, m, t, h, b, ctx["credentials"]["secret_access_key"], ctx["normalize"])
        n += 1
    check(n >= 38, "expected 38 aws-c-auth cases, ran %d" % n)
    print("  aws-c-auth-v4: %d cases verified and tamper-rejected (query-signing variants not "
          "applicable: the fake only accepts Authorization-header signing)" % n)


def test_sigv4_botocore_vectors():
    base = os.path.join(SUITE, "botocore-aws4_testsuite")
    if not os.path.isdir(base):
        return "skip: %s missing" % base
    n = 0
    for root, dirs, files in sorted(os.walk(base)):
        reqs = [f for f in files if f.endswith(".req")]
        for r in reqs:
            case = r[:-4]
            with open(os.path.join(root, r), "rb") as fh:
                m, t, h, b = parse_raw_request(fh.read())
            authz = open(os.path.join(root, case + ".authz"), "rb").read().decode().strip()
            h = h + [("Authorization", authz)]
            if "x-amz-security-token" in authz and not any(
                    k.lower() == "x-amz-security-token" for k, _ in h):
                # botocore's .req omits the token its signer adds; the same case in the
                # aws-c-auth copy carries it in context.json
                ctx = os.path.join(SUITE, "aws-c-auth-v4", case, "context.json")
                if not os.path.exists(ctx):
                    print("SKIP: botocore case %s: session token not available" % case)
                    continue
                h.append(("X-Amz-Security-Token", json.load(open(ctx))["credentials"]["token"]))
            run_vector(case, m, t, h, b, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", True)
            n += 1
    check(n >= 34, "expected 34 botocore cases, ran %d" % n)
    print("  botocore-aws4_testsuite: %d cases verified and tamper-rejected (none skipped: "
          "repeated query keys sort by key then value; get-space's request line parses)" % n)


def test_sigv4_double_encoding():
    # non-S3 services: the wire path is encoded once more
    eq(sigv4.canonical_uri("/example%20space/"), "/example%2520space/", "double encoding")
    eq(sigv4.canonical_uri("/a/./b/../c//d/"), "/a/c/d/", "normalization")
    eq(sigv4.canonical_query("b=2&a=%7e&a=1&c"), "a=1&a=~&b=2&c=", "query")


# ---------------------------------------------------------------- fake fixtures
def fake(name, args):
    if name not in FAKES:
        FAKES[name] = gdtest.FakeAws(args=args).start()
    return FAKES[name]


def default_fake():
    return fake("default", ["--seed", "7"])


def small(style):
    return fake("small-" + style, ["--scenario", "small", "--seed", "3", "--eol-style", style])


def detector(f, region):
    st, _, b = gdtest.gd_call(f, region, "GET", "/detector")
    eq(st, 200, "ListDetectors %s" % region)
    return b["detectorIds"][0] if b["detectorIds"] else None


def walk_findings(f, region, body=None, page=7, style=None):
    det = detector(f, region)
    ids = []
    tok = None
    pages = 0
    while True:
        req = dict(body or {})
        req["maxResults"] = page
        if tok:
            req["nextToken"] = tok
        st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings" % det, req)
        eq(st, 200, "ListFindings page")
        check("x-amzn-requestid" in h, "x-amzn-RequestId missing")
        check(len(b["findingIds"]) <= page, "page too big")
        ids.extend(b["findingIds"])
        pages += 1
        tok = b.get("nextToken")
        if not tok:
            if style == "absent":
                check("nextToken" not in b, "style absent but key present: %r" % b)
            elif style == "null":
                check("nextToken" in b and b["nextToken"] is None, "style null: %r" % b)
            elif style == "empty":
                eq(b.get("nextToken"), "", "style empty")
            break
        check(pages < 10000, "pagination does not end")
    return ids


# ---------------------------------------------------------------- server tests
def test_severity_band_listing():
    """A ListFindings severity condition (longs compared with the double severity, as
    AWS does): the four bands a split listing asks for (served from the fake's band
    index) partition the region's findings in updatedAt order, and each equals the same
    condition taken the slow way (an extra always-true bound defeats the index)."""
    f = default_fake()
    region = "us-east-1"
    truth = [x for x in f.truth()["findings"] if x["region"] == region]
    order = [x["id"] for x in sorted(truth, key=lambda x: (x["updatedAt"], x["id"]))]
    sev = {x["id"]: x["severity"] for x in truth}
    check({3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0} <= set(sev.values()),
          "boundary severities present: %s" % sorted(set(sev.values())))
    bands = [({"lessThan": 4}, lambda s: s < 4),
             ({"greaterThanOrEqual": 4, "lessThan": 7}, lambda s: 4 <= s < 7),
             ({"greaterThanOrEqual": 7, "lessThan": 9}, lambda s: 7 <= s < 9),
             ({"greaterThanOrEqual": 9}, lambda s: s >= 9)]
    union = []
    for cond, want in bands:
        body = {"findingCriteria": {"criterion": {"severity": cond}}}
        got = walk_findings(f, region, body, page=50)
        eq(got, [i for i in order if want(sev[i])], "band %s" % cond)
        slow = dict(cond, lessThanOrEqual=1000)
        eq(walk_findings(f, region, {"findingCriteria": {"criterion": {"severity": slow}}},
                         page=50), got, "band %s by predicates" % cond)
        union += got
    eq(sorted(union), sorted(order), "the bands partition the region")
    high_and_critical = walk_findings(
        f, region, {"findingCriteria": {"criterion": {"severity": {"greaterThanOrEqual": 7}}}}, page=50)
    eq(high_and_critical, [i for i in order if sev[i] >= 7], "severity >= 7 (High and Critical)")
    st, _, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings" % detector(f, region),
                              {"findingCriteria": {"criterion": {"severity": {"lessThan": 3.5}}}})
    eq(st, 400, "a severity bound that is not a long is rejected (the model's Long)")


def test_signed_request_accepted_and_tampered_rejected():
    f = default_fake()
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector")
    eq(st, 200, "signed ListDetectors")

    def tamper(hdrs):  # one digit of the (signed) seconds changes
        return [(k, v[:-2] + ("1" if v[-2] != "1" else "2") + "Z" if k == "X-Amz-Date" else v)
                for k, v in hdrs]
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector", tamper=tamper)
    eq(st, 403, "tampered date")
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector?maxResults=5",
                                 tamper=lambda hs: hs)
    eq(st, 200, "query signed")
    det = detector(f, "us-east-1")
    body = json.dumps({"maxResults": 5}).encode()

    def tamper_sig(hdrs):
        out = []
        for k, v in hdrs:
            if k == "Authorization":
                v = v[:-1] + ("0" if v[-1] != "0" else "1")
            out.append((k, v))
        return out
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "POST", "/detector/%s/findings" % det,
                                 body, {"Content-Type": "application/json"}, tamper=tamper_sig)
    eq(st, 403, "tampered signature")
    eq(json.loads(raw)["__type"], "InvalidSignatureException", "error code")
    check(h["x-amzn-errortype"].startswith("InvalidSignatureException"), "x-amzn-ErrorType")
    # wrong secret
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector", secret="nope")
    eq(st, 403, "wrong secret")
    # unknown key
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector", akid="AKIDUNKNOWN000000000")
    eq(json.loads(raw)["__type"], "UnrecognizedClientException", "unknown key")
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/",
                                 b"Action=GetCallerIdentity&Version=2011-06-15",
                                 {"Content-Type": "application/x-www-form-urlencoded"},
                                 akid="AKIDUNKNOWN000000000")
    eq(st, 403, "sts unknown key")
    check(b"<Code>InvalidClientTokenId</Code>" in raw and b"<Type>Sender</Type>" in raw, raw)
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/",
                                 b"Action=GetCallerIdentity&Version=2011-06-15",
                                 {"Content-Type": "application/x-www-form-urlencoded"}, secret="bad")
    check(b"<Code>SignatureDoesNotMatch</Code>" in raw, raw)
    # clock skew
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector",
                                 amz_date=gdtest.amz_now(-600))
    eq(st, 403, "skewed date")
    check(json.loads(raw)["message"].startswith("Signature expired"), raw)
    f.set_time_offset(3600)
    try:
        st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector")
        eq(st, 403, "fake clock ahead")
        st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector",
                                     amz_date=gdtest.amz_now(3600))
        eq(st, 200, "signed with the fake's clock")
    finally:
        f.set_time_offset(0)
    # unsigned
    st, h, raw = f.request("GET", "/detector")
    eq(st, 403, "unsigned")


def test_keep_alive():
    f = default_fake()
    conn = http.client.HTTPConnection("127.0.0.1", f.port, timeout=30)
    try:
        for _ in range(5):
            conn.request("GET", "/__fake/health")
            r = conn.getresponse()
            eq(r.status, 200, "health")
            check(r.getheader("Content-Length") is not None, "Content-Length")
            r.read()
    finally:
        conn.close()


def test_truth_shape_and_content():
    f = default_fake()
    t = f.truth()
    check(t["org_id"].startswith("o-"), "org id")
    check(len(t["accounts"]) >= 60, "accounts >= 60")
    ids = {a["id"] for a in t["accounts"]}
    check(t["admin_account_id"] in ids and t["management_account_id"] in ids, "admin/mgmt")
    check(t["admin_account_id"] != t["management_account_id"], "distinct")
    states = t["region_states"]
    eq(len(states), 34, "34 regions")
    for r in ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "me-central-1"):
        eq(states[r], "collected", r)
    eq(states["ap-southeast-2"], "not_admin", "not admin")
    eq(states["sa-east-1"], "no_detector", "sa-east-1")
    eq(states["eu-south-1"], "region_disabled", "eu-south-1")
    fs = t["findings"]
    eq(len(fs), 5 * (300 + 5), "finding count (300 + 5 samples per region)")
    samples = [x for x in fs if x["sample"]]
    eq(len(samples), 25, "5 samples per data region")
    check(all(x["accountId"] == t["admin_account_id"] and x["title"].startswith("[SAMPLE] ")
              and not x["archived"] for x in samples),
          "samples: admin's account, [SAMPLE] title, not archived")
    accts = {x["accountId"] for x in fs}
    check(t["admin_account_id"] in accts and t["management_account_id"] in accts,
          "findings for admin and management")
    sevs = {x["severity"] for x in fs}
    for s in (3.9, 4.0, 6.9, 7.0, 8.9, 9.0, 10.0):
        check(s in sevs, "severity %s present" % s)
    bands = {gdtest.band_of(x["severity"]) for x in fs}
    eq(bands, set(gdtest.BANDS), "bands")
    plans = {gdtest.plan_of(x["type"]) for x in fs}
    eq(plans, set(gdtest.PLANS), "every plan present")
    arch = sum(1 for x in fs if x["archived"]) / len(fs)
    check(0.08 < arch < 0.25, "archived fraction %.3f" % arch)
    check(any(x["count"] > 1 for x in fs), "count > 1")
    check(all(x["updatedAt"] >= x["createdAt"] for x in fs), "updatedAt >= createdAt")
    titles = "".join(x["title"] for x in fs)
    for needle in ('=HYPERLINK("http://x","y")', "\u0001", "\ufffe", "_x0041_", "\udc80", "]]>",
                   "<script>", "\u202e", "\U0001F525"):
        check(needle in titles, "hostile %r present" % needle)
    # members / features
    ms = t["members"]["us-east-1"]
    check(len(ms) >= 60, "members")
    check({m["relationshipStatus"] for m in ms} >= {"Enabled", "Created", "Removed"}, "statuses")
    check(any(m["unprocessed"] for m in ms), "unprocessed")
    check(any(m["features"]["S3_DATA_EVENTS"] == "DISABLED" for m in ms), "feature varied")
    # usage
    check(len(t["usage"]["us-east-1"]) > 30, "usage accounts")
    check(len(t["usage"]["us-east-1"]) < len(t["accounts"]), "some accounts without usage")


def test_get_findings_full_shape_and_hostile_bytes():
    f = default_fake()
    t = f.truth()
    region = "us-east-1"
    det = detector(f, region)
    mine = [x for x in t["findings"] if x["region"] == region]
    hostile = [x for x in mine if "\udc80" in x["title"]]
    check(hostile, "lone-surrogate finding in us-east-1")
    ids = [x["id"] for x in mine[:49]] + [hostile[0]["id"]]
    st, h, raw = gdtest.aws_call(f, "guardduty", region, "POST", "/detector/%s/findings/get" % det,
                                 json.dumps({"findingIds": ids}).encode(),
                                 {"Content-Type": "application/json"})
    eq(st, 200, "GetFindings")
    check(b"\\udc80" in raw, "lone surrogate sent as a JSON escape")
    got = json.loads(raw)["findings"]
    eq(len(got), 50, "50 findings")
    byid = {x["id"]: x for x in mine}
    for g in got:
        tr = byid[g["id"]]
        for k in ("accountId", "arn", "createdAt", "id", "region", "resource", "schemaVersion",
                  "severity", "type", "updatedAt", "service", "title", "description", "partition"):
            check(k in g, "finding key %s" % k)
        eq(g["schemaVersion"], "2.0", "schema")
        eq(float(g["severity"]), tr["severity"], "severity")
        eq(g["service"]["archived"], tr["archived"], "archived")
        eq(g["service"]["count"], tr["count"], "count")
        eq(g["resource"]["resourceType"], tr["resourceType"], "resourceType")
        eq(g["updatedAt"], tr["updatedAt"], "updatedAt")
        eq(len(g["id"]), 32, "id length")
    # long description
    first_region = [x for x in t["findings"] if x["region"] == "us-east-1"]
    found_long = False
    for i in range(0, len(first_region), 50):
        chunk = [x["id"] for x in first_region[i:i + 50]]
        st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings/get" % det, {"findingIds": chunk})
        for g in b["findings"]:
            if len(g["description"]) > 40000:
                found_long = True
    check(found_long, "a description > 40,000 chars")
    # unknown / expired id is simply absent
    st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings/get" % det,
                              {"findingIds": ["0" * 32, ids[0]]})
    eq([g["id"] for g in b["findings"]], [ids[0]], "unknown id absent")


def test_pagination_each_eol_style():
    for style in ("absent", "null", "empty", "mixed"):
        f = small(style)
        t = f.truth()
        for region in [r for r, s in t["region_states"].items() if s == "collected"]:
            want = sorted(x["id"] for x in t["findings"] if x["region"] == region)
            got = walk_findings(f, region, page=7, style=style)
            eq(len(got), len(set(got)), "duplicates (%s)" % style)
            eq(sorted(got), want, "walk %s %s" % (style, region))
            # with criteria: unarchived, updatedAt >= median
            ups = sorted(x["updatedAt"] for x in t["findings"] if x["region"] == region)
            from orgdata import parse_iso
            mid = parse_iso(ups[len(ups) // 2])
            crit = {"findingCriteria": {"criterion": {"service.archived": {"equals": ["false"]},
                                                      "updatedAt": {"greaterThanOrEqual": mid}}}}
            want2 = sorted(x["id"] for x in t["findings"] if x["region"] == region
                           and not x["archived"] and parse_iso(x["updatedAt"]) >= mid)
            got2 = walk_findings(f, region, crit, page=5, style=style)
            eq(sorted(got2), want2, "filtered walk")
            eq(len(got2), len(set(got2)), "filtered dups")
            # descending severity order, all findings
            got3 = walk_findings(f, region, {"sortCriteria": {"attributeName": "severity",
                                                              "orderBy": "DESC"}}, page=50)
            eq(sorted(got3), want, "sorted walk")
            sev = {x["id"]: x["severity"] for x in t["findings"]}
            check(all(sev[a] >= sev[b] for a, b in zip(got3, got3[1:])), "DESC order")
        # account filter + severity
        acct = t["findings"][0]["accountId"]
        region = t["findings"][0]["region"]
        got = walk_findings(f, region, {"findingCriteria": {"criterion": {
            "accountId": {"equals": [acct]}, "severity": {"greaterThanOrEqual": 4}}}}, page=3)
        want = sorted(x["id"] for x in t["findings"] if x["region"] == region and
                      x["accountId"] == acct and x["severity"] >= 4)
        eq(sorted(got), want, "account+severity filter")


def test_validation_errors():
    f = default_fake()
    r = "us-east-1"
    det = detector(f, r)
    cases = [
        ("POST", "/detector/%s/findings" % det, {"maxResults": 51}),
        ("POST", "/detector/%s/findings" % det, {"maxResults": 0}),
        ("POST", "/detector/%s/findings/get" % det, {"findingIds": ["a" * 32] * 51}),
        ("POST", "/detector/%s/findings/get" % det, {}),
        ("POST", "/detector/%s/member/detector/get" % det, {"accountIds": ["123456789012"] * 51}),
        ("POST", "/detector/%s/member/detector/get" % det, {}),
        ("POST", "/detector/%s/usage/statistics" % det, {"usageStatisticsType": "SUM_BY_ACCOUNT",
                                                         "usageCriteria": {}, "maxResults": 51}),
        ("POST", "/detector/%s/usage/statistics" % det, {"usageCriteria": {}}),
        ("POST", "/detector/%s/usage/statistics" % det, {"usageStatisticsType": "SUM_BY_ACCOUNT"}),
        ("POST", "/detector/%s/usage/statistics" % det, {"usageStatisticsType": "SUM_BY_ACCOUNT",
                                                         "usageCriteria": {"accountIds": ["1"] * 51}}),
        ("POST", "/detector/%s/findings" % det, {"nextToken": "garbage"}),
        ("GET", "/detector?maxResults=51", None),
        ("GET", "/detector/%s/member?maxResults=51" % det, None),
        ("GET", "/detector/%s" % ("f" * 32), None),
    ]
    for method, path, body in cases:
        st, h, b = gdtest.gd_call(f, r, method, path, body)
        eq(st, 400, "%s %s %s" % (method, path[:40], body and str(body)[:60]))
        eq(b["__type"], "BadRequestException", "code")
        check(h["x-amzn-errortype"].split(":")[0] == "BadRequestException", "header")
        check(b.get("message"), "message")
    st, h, b = gdtest.amz_signed_target(f, "ListAccounts", {"MaxResults": 21})
    eq(st, 400, "ListAccounts 21")
    check("Message" in b and b["__type"] == "InvalidInputException", b)
    st, h, b = gdtest.gd_call(f, r, "GET", "/detector?maxResults=50")
    eq(st, 200, "50 ok")


def test_region_roles():
    f = default_fake()
    st, h, b = gdtest.gd_call(f, "sa-east-1", "GET", "/detector")
    eq((st, b["detectorIds"]), (200, []), "no detector")
    for r in ("eu-south-1", "af-south-1"):
        st, h, b = gdtest.gd_call(f, r, "GET", "/detector")
        eq(st, 403, r)
        eq(b["__type"], "UnrecognizedClientException", r)
        eq(b["message"], "The security token included in the request is invalid.", r)
    det = detector(f, "ap-southeast-2")
    st, h, b = gdtest.gd_call(f, "ap-southeast-2", "GET", "/detector/%s/admin" % det)
    eq(st, 400, "not admin")
    check("not the delegated administrator" in b["message"], b)
    st, h, b = gdtest.gd_call(f, "ap-southeast-2", "GET", "/detector/%s/administrator" % det)
    eq(st, 200, "GetAdministratorAccount")
    check(b["administrator"]["accountId"] != f.truth(False)["admin_account_id"], "other admin")
    st, h, b = gdtest.gd_call(f, "ap-southeast-2", "GET", "/detector/%s/member" % det)
    eq(b["members"], [], "no members")
    det = detector(f, "us-east-1")
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector/%s/administrator" % det)
    eq((st, raw), (200, b""), "admin: empty body")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector/%s" % det)
    check(any(x["name"] == "RUNTIME_MONITORING" for x in b["features"]), "features")
    # org config paginates
    feats, tok = [], None
    while True:
        q = "?maxResults=3" + ("&nextToken=" + tok if tok else "")
        st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector/%s/admin%s" % (det, q))
        eq(st, 200, "org config")
        feats += b["features"]
        tok = b.get("nextToken")
        if not tok:
            break
    eq(len(feats), 8, "org features")
    # members + member detectors
    t = f.truth(False)
    ms = []
    tok = None
    while True:
        q = "?maxResults=13&onlyAssociated=false" + ("&nextToken=" + tok if tok else "")
        st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector/%s/member%s" % (det, q))
        ms += b["members"]
        tok = b.get("nextToken")
        if not tok:
            break
    eq(sorted(m["accountId"] for m in ms), sorted(m["accountId"] for m in t["members"]["us-east-1"]),
       "ListMembers")
    ids = [m["accountId"] for m in ms][:50]
    st, h, b = gdtest.gd_call(f, "us-east-1", "POST", "/detector/%s/member/detector/get" % det,
                              {"accountIds": ids})
    eq(st, 200, "GetMemberDetectors")
    eq(len(b["members"]) + len(b["unprocessedAccounts"]), 50, "all accounted")
    tm = {m["accountId"]: m for m in t["members"]["us-east-1"]}
    for m in b["members"]:
        for feat in m["features"]:
            eq(feat["status"], tm[m["accountId"]]["features"][feat["name"]], "feature status")
    # ListRegions
    regs, tok = [], None
    while True:
        body = {"MaxResults": 10}
        if tok:
            body["NextToken"] = tok
        st, h, raw = gdtest.aws_call(f, "account", "us-east-1", "POST", "/listRegions",
                                     json.dumps(body).encode(), {"Content-Type": "application/json"})
        b = json.loads(raw)
        regs += b["Regions"]
        tok = b.get("NextToken")
        if not tok:
            break
    eq(len(regs), 34, "ListRegions")
    st_by = {r["RegionName"]: r["RegionOptStatus"] for r in regs}
    eq(st_by["me-central-1"], "ENABLED", "me-central-1")
    eq(st_by["eu-south-1"], "ENABLED", "eu-south-1")
    eq(st_by["af-south-1"], "DISABLED", "af-south-1")
    eq(st_by["us-east-1"], "ENABLED_BY_DEFAULT", "us-east-1")


def test_organizations_list_accounts():
    f = default_fake()
    t = f.truth(False)
    got, tok, empty = [], None, 0
    for _ in range(200):
        body = {"MaxResults": 7}
        if tok:
            body["NextToken"] = tok
        st, h, b = gdtest.amz_signed_target(f, "ListAccounts", body)
        eq(st, 200, "ListAccounts")
        if not b["Accounts"]:
            empty += 1
        got += [a["Id"] for a in b["Accounts"]]
        tok = b.get("NextToken")
        if not tok:
            break
    eq(sorted(got), sorted(a["id"] for a in t["accounts"]), "every account once")
    check(empty >= 1, "an empty page with a NextToken")
    st, h, b = gdtest.amz_signed_target(f, "DescribeOrganization", {})
    eq(b["Organization"]["MasterAccountId"], t["management_account_id"], "management id")
    eq(b["Organization"]["Id"], t["org_id"], "org id")


def test_usage_sums_consistent():
    f = default_fake()
    t = f.truth(False)
    for region in ("us-east-1", "me-central-1"):
        det = detector(f, region)
        usage = t["usage"][region]

        def pages(body):
            rows, tok = [], None
            while True:
                req = dict(body)
                if tok:
                    req["nextToken"] = tok
                st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/usage/statistics" % det, req)
                eq(st, 200, "usage %s" % body)
                rows += list(b["usageStatistics"].values())[0] if b["usageStatistics"] else []
                tok = b.get("nextToken")
                if not tok:
                    return rows
        by_acct = pages({"usageStatisticsType": "SUM_BY_ACCOUNT", "usageCriteria": {}, "maxResults": 9})
        eq(len(by_acct), len(usage), "accounts with usage")
        for row in by_acct:
            want = sum((Decimal(v) for v in usage[row["accountId"]].values()), Decimal(0))
            eq(Decimal(row["total"]["amount"]), want, "SUM_BY_ACCOUNT")
            eq(row["total"]["unit"], "USD", "unit")
            frac = row["total"]["amount"].split(".")[1]
            check(2 <= len(frac) <= 6, "fraction digits %s" % row["total"]["amount"])
        by_feat = pages({"usageStatisticsType": "SUM_BY_FEATURES", "usageCriteria": {}})
        want = {}
        for per in usage.values():
            for k, v in per.items():
                want[k] = want.get(k, Decimal(0)) + Decimal(v)
        eq({r["feature"]: Decimal(r["total"]["amount"]) for r in by_feat}, want, "SUM_BY_FEATURES")
        eq(sum(want.values()), sum(Decimal(r["total"]["amount"]) for r in by_acct), "grand totals")
        acct = sorted(usage)[3]
        one = pages({"usageStatisticsType": "SUM_BY_FEATURES", "usageCriteria": {"accountIds": [acct]}})
        eq({r["feature"]: Decimal(r["total"]["amount"]) for r in one},
           {k: Decimal(v) for k, v in usage[acct].items()}, "per-account features")
        exp = gdtest.expected_costs(t, states=("collected",))
        check(exp["total"] > 0, "expected_costs total")


def test_faults_rates():
    f = fake("faults", ["--scenario", "small", "--throttle-rate", "0.3", "--fault-seed", "5",
                        "--retry-after-ms", "250"])
    n = 400
    codes = {}
    for _ in range(n):
        st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector")
        if st != 200:
            code = h["x-amzn-errortype"].split(":")[0]
            codes[code] = codes.get(code, 0) + 1
            check(st in (429, 400), "throttle status %s" % st)
            eq(h.get("x-amz-retry-after"), "250", "retry-after")
    thr = codes.get("TooManyRequestsException", 0) + codes.get("ThrottlingException", 0)
    check(0.2 * n < thr < 0.4 * n, "throttle count %d of %d" % (thr, n))
    check(codes.get("TooManyRequestsException") and codes.get("ThrottlingException"), codes)
    eq(f.stats()["faults"].get("throttle"), thr, "stats count throttles")
    # control API runtime switch: errors only for one op
    f.faults(reset=True, error_rate=0.5, fault_ops="ListDetectors", fault_seed=1)
    errs = 0
    for _ in range(200):
        st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector")
        if st >= 500:
            errs += 1
            check(st in (500, 503), "error status")
    check(60 < errs < 140, "error count %d" % errs)
    det = detector_ok(f, "us-east-1")
    for _ in range(30):
        st, h, b = gdtest.gd_call(f, "us-east-1", "POST", "/detector/%s/findings" % det, {})
        eq(st, 200, "other ops unaffected")
    # drop and malformed
    f.faults(reset=True, drop_rate=0.5, fault_seed=2)
    dropped = 0
    for _ in range(60):
        try:
            gdtest.gd_call(f, "us-east-1", "GET", "/detector")
        except (http.client.HTTPException, ConnectionError):
            dropped += 1
    check(10 < dropped < 50, "dropped %d" % dropped)
    f.faults(reset=True, malformed_rate=1.0)
    st, h, raw = gdtest.aws_call(f, "guardduty", "us-east-1", "GET", "/detector")
    eq(st, 200, "malformed status")
    try:
        json.loads(raw)
        raise AssertionError("malformed body parsed: %r" % raw)
    except ValueError:
        pass
    # deny, fail-region; credential endpoints untouched by default
    f.faults(reset=True, deny="GetUsageStatistics,ListMembers@eu-west-1", fail_region="us-east-1")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector")
    eq((st, b["__type"]), (500, "InternalServerErrorException"), "fail-region")
    det = detector_ok(f, "eu-west-1")
    st, h, b = gdtest.gd_call(f, "eu-west-1", "POST", "/detector/%s/usage/statistics" % det,
                              {"usageStatisticsType": "SUM_BY_ACCOUNT", "usageCriteria": {}})
    eq((st, b["__type"]), (403, "AccessDeniedException"), "deny")
    check("service control policy" in b["message"], "SCP message")
    st, h, b = gdtest.gd_call(f, "eu-west-1", "GET", "/detector/%s/member" % det)
    eq(st, 403, "deny op@region")
    f.faults(reset=True, throttle_rate=1.0)
    st, h, raw = f.request("GET", "/__fake/health")
    eq(st, 200, "control API never faulted")
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/",
                                 b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s1",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    eq(st, 200, "AssumeRole not faulted by default")
    f.faults(reset=True)


def detector_ok(f, region):
    for _ in range(50):
        st, _, b = gdtest.gd_call(f, region, "GET", "/detector")
        if st == 200:
            return b["detectorIds"][0]
    raise AssertionError("no detector")


def test_mutate_and_expire():
    f = fake("mutate", ["--scenario", "small", "--seed", "11"])
    before = {x["id"]: x for x in f.truth()["findings"]}
    latest = max(x["updatedAt"] for x in before.values())
    res = f.mutate(new_findings=4, update_counts=3, archive=2, unarchive=2, seed=1)
    eq((len(res["new"]), len(res["updated"]), len(res["archived"]), len(res["unarchived"])),
       (4, 3, 2, 2), "mutate result")
    after = {x["id"]: x for x in f.truth()["findings"]}
    for i in res["new"]:
        check(i not in before and i in after, "new finding")
        check(after[i]["updatedAt"] > latest, "new updatedAt")
        eq(after[i]["archived"], False, "new unarchived")
    for i in res["updated"]:
        eq(after[i]["count"], before[i]["count"] + 1, "count+1")
        check(after[i]["updatedAt"] > before[i]["updatedAt"], "updatedAt bumped")
    for i in res["archived"]:
        eq((before[i]["archived"], after[i]["archived"]), (False, True), "archived")
        eq(after[i]["updatedAt"], before[i]["updatedAt"], "archive keeps updatedAt")
    for i in res["unarchived"]:
        eq((before[i]["archived"], after[i]["archived"]), (True, False), "unarchived")
        eq(after[i]["updatedAt"], before[i]["updatedAt"], "unarchive keeps updatedAt")
    # the API sees it: incremental query from the old watermark
    from orgdata import parse_iso
    for region in ("us-east-1", "eu-west-1"):
        got = walk_findings(f, region, {"findingCriteria": {"criterion": {
            "updatedAt": {"greaterThan": parse_iso(latest)}}}}, page=50)
        want = sorted(i for i in res["new"] + res["updated"] if after[i]["region"] == region)
        eq(sorted(got), want, "incremental walk %s" % region)
    res2 = f.mutate(archive=1, archive_bumps_updated=True, seed=2)
    a2 = {x["id"]: x for x in f.truth()["findings"]}
    check(a2[res2["archived"][0]]["updatedAt"] > after[res2["archived"][0]]["updatedAt"], "bump")
    # expire
    ex = f.expire(30)
    check(ex["dropped"], "some findings dropped")
    t = f.truth()
    left = {x["id"] for x in t["findings"]}
    check(not (set(ex["dropped"]) & left), "dropped gone from truth")
    x = ex["dropped"][0]
    region = before[x]["region"] if x in before else "us-east-1"
    det = detector(f, region)
    st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings/get" % det, {"findingIds": [x]})
    eq((st, b["findings"]), (200, []), "expired id absent")
    # expire chosen ids (archived or not): gone from truth, ListFindings and GetFindings
    pick = sorted(x["id"] for x in t["findings"] if x["region"] == region)[:2]
    eq(sorted(f.expire(ids=pick)["dropped"]), pick, "exactly the chosen ids dropped")
    check(not set(pick) & {x["id"] for x in f.truth()["findings"]}, "chosen ids gone")
    st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings" % det, {"maxResults": 50})
    listed = set(b["findingIds"])
    while b.get("nextToken"):
        st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings" % det,
                                  {"maxResults": 50, "nextToken": b["nextToken"]})
        listed |= set(b["findingIds"])
    check(listed and not set(pick) & listed, "chosen ids no longer listed")
    st, _ = f.request("POST", "/__fake/expire", {"ids": ["no-such-finding"]})[:2]
    eq(st, 400, "unknown id to expire is a 400")


def test_credentials_endpoints():
    f = fake("creds", ["--scenario", "small", "--container-token", "ctok",
                       "--require-external-id", "arn:aws:iam::123456789012:role/Ext=xid-1"])
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    st, h, raw = gdtest.aws_call(
        f, "sts", "eu-west-1", "POST", "/",
        b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FAudit"
        b"&RoleSessionName=gdreport&DurationSeconds=900", form)
    eq(st, 200, raw)
    import xml.etree.ElementTree as ET
    ns = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
    root = ET.fromstring(raw)
    c = root.find(".//s:Credentials", ns)
    akid, secret, token = (c.find("s:AccessKeyId", ns).text, c.find("s:SecretAccessKey", ns).text,
                           c.find("s:SessionToken", ns).text)
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=akid, secret=secret, token=token)
    eq(st, 200, "temp creds work")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=akid, secret=secret)
    eq(st, 403, "temp creds without token")
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/",
                                 b"Action=GetCallerIdentity&Version=2011-06-15", form,
                                 akid=akid, secret=secret, token=token)
    check(b"assumed-role/Audit/gdreport" in raw and b"<Account>123456789012</Account>" in raw, raw)
    calls = f.stats()["assume_role_calls"]
    eq((calls[-1]["RoleArn"], calls[-1]["region"], calls[-1]["DurationSeconds"]),
       ("arn:aws:iam::123456789012:role/Audit", "eu-west-1", 900), "recorded call")
    # expiry through the fake clock
    f.set_time_offset(2000)
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=akid, secret=secret,
                              token=token, amz_date=gdtest.amz_now(2000))
    eq((st, b["__type"]), (403, "ExpiredTokenException"), "expired")
    f.set_time_offset(0)
    # external id
    body = (b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FExt"
            b"&RoleSessionName=s")
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/", body + b"x", form)
    eq(st, 403, "missing external id")
    check(b"<Code>AccessDenied</Code>" in raw, raw)
    st, h, raw = gdtest.aws_call(f, "sts", "us-east-1", "POST", "/", body + b"x&ExternalId=xid-1", form)
    eq(st, 200, "external id ok")
    # web identity (unsigned)
    st, h, raw = f.request("POST", "/", b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn="
                           b"arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FWeb&RoleSessionName=w1"
                           b"&WebIdentityToken=fake-web-identity-token", form)
    eq(st, 200, raw)
    st, h, raw = f.request("POST", "/", b"Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn="
                           b"arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FWeb&RoleSessionName=w1"
                           b"&WebIdentityToken=wrong", form)
    eq(st, 400, "bad web identity token")
    # SSO
    st, h, raw = f.request("GET", "/federation/credentials?role_name=Audit&account_id=123456789012",
                           headers={"x-amz-sso_bearer_token": "fake-sso-token"})
    eq(st, 200, raw)
    rc = json.loads(raw)["roleCredentials"]
    check(rc["expiration"] > 10 ** 12, "expiration in ms")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=rc["accessKeyId"],
                              secret=rc["secretAccessKey"], token=rc["sessionToken"])
    eq(st, 200, "sso creds work")
    st, h, raw = f.request("GET", "/federation/credentials?role_name=Audit&account_id=123456789012",
                           headers={"x-amz-sso_bearer_token": "bad"})
    eq((st, json.loads(raw)["__type"]), (401, "UnauthorizedException"), "bad sso token")
    # IMDSv2
    st, h, raw = f.request("GET", "/latest/meta-data/iam/security-credentials/")
    eq(st, 401, "imds without token")
    st, h, tok = f.request("PUT", "/latest/api/token", b"", {"x-aws-ec2-metadata-token-ttl-seconds": "21600"})
    eq(st, 200, "imds token")
    tok = tok.decode()
    st, h, role = f.request("GET", "/latest/meta-data/iam/security-credentials/",
                            headers={"x-aws-ec2-metadata-token": tok})
    eq((st, role), (200, b"gdreport-instance-role"), "imds role")
    st, h, raw = f.request("GET", "/latest/meta-data/iam/security-credentials/gdreport-instance-role",
                           headers={"x-aws-ec2-metadata-token": tok})
    c = json.loads(raw)
    eq(c["Code"], "Success", "imds creds")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=c["AccessKeyId"],
                              secret=c["SecretAccessKey"], token=c["Token"])
    eq(st, 200, "imds creds work")
    st, h, raw = f.request("GET", "/latest/meta-data/iam/security-credentials/gdreport-instance-role",
                           headers={"x-aws-ec2-metadata-token": "bogus"})
    eq(st, 401, "bad imds token")
    # container
    st, h, raw = f.request("GET", "/container-credentials/abc", headers={"Authorization": "wrong"})
    eq(st, 401, "container bad token")
    st, h, raw = f.request("GET", "/container-credentials/abc", headers={"Authorization": "ctok"})
    eq(st, 200, "container")
    c = json.loads(raw)
    check(c["Expiration"].endswith("Z"), "Expiration")
    st, h, b = gdtest.gd_call(f, "us-east-1", "GET", "/detector", akid=c["AccessKeyId"],
                              secret=c["SecretAccessKey"], token=c["Token"])
    eq(st, 200, "container creds work")


def test_determinism_and_helpers():
    a = gdtest.FakeAws(args=["--scenario", "small", "--seed", "42", "--now", "2026-06-01T00:00:00Z"]).start()
    try:
        ta = a.truth()
    finally:
        a.stop()
    b = gdtest.FakeAws(args=["--scenario", "small", "--seed", "42", "--now", "2026-06-01T00:00:00Z"]).start()
    try:
        tb = b.truth()
    finally:
        b.stop()
    eq(json.dumps(ta, sort_keys=True), json.dumps(tb, sort_keys=True), "same seed, same truth")
    check(max(x["updatedAt"] for x in ta["findings"]) <= "2026-06-01T00:00:00.000Z", "--now honoured")
    exp = gdtest.expected_counts(ta)
    eq(exp["total"], sum(1 for x in ta["findings"]
                         if ta["region_states"][x["region"]] == "collected" and not x["sample"]),
       "total (samples never counted)")
    eq(exp["total"], exp["archived"] + exp["active"], "archived+active")
    eq(sum(exp["by_band"].values()), exp["total"], "bands sum")
    eq(sum(v["total"] for v in exp["by_plan"].values()), exp["total"], "plans sum")
    for t, p in [("Recon:EC2/PortProbeUnprotectedPort", "FOUNDATIONAL"),
                 ("Policy:S3/BucketBlockPublicAccessDisabled", "FOUNDATIONAL"),
                 ("Stealth:S3/ServerAccessLoggingDisabled", "FOUNDATIONAL"),
                 ("Discovery:S3/MaliciousIPCaller", "S3_PROTECTION"),
                 ("Execution:Kubernetes/MaliciousFile", "MALWARE_PROTECTION_EC2"),
                 ("Execution:Kubernetes/ExecInKubeSystemPod", "EKS_PROTECTION"),
                 ("Execution:EC2/MaliciousFile!Snapshot", "MALWARE_PROTECTION_BACKUP"),
                 ("Impact:IAMUser/AnomalousModelInvocation", "AI_PROTECTION"),
                 ("CredentialAccess:RDS/ModifyAuthenticationProcess", "UNCLASSIFIED"),
                 ("Object:S3/MaliciousFile", "MALWARE_PROTECTION_S3"),
                 ("AttackSequence:S3/CompromisedData", "EXTENDED_THREAT_DETECTION"),
                 ("Execution:Runtime/ReverseShell", "RUNTIME_MONITORING"),
                 ("Backdoor:Lambda/C&CActivity.B", "LAMBDA_PROTECTION"),
                 ("Discovery:RDS/TorIPCaller", "RDS_PROTECTION"),
                 ("Foo:Bar/Baz", "UNCLASSIFIED")]:
        eq(gdtest.plan_of(t), p, t)
    served = {x["type"] for x in ta["findings"]}
    eq({gdtest.plan_of(x) for x in served}, set(gdtest.PLANS),
       "the fake serves types of every plan (and unclassified ones)")
    check(all(x["plan"] == gdtest.plan_of(x["type"]) for x in ta["findings"]),
          "truth findings carry their catalogue plan")
    for s, band in [(3.9, "Low"), (4.0, "Medium"), (6.9, "Medium"), (7.0, "High"), (8.9, "High"),
                    (9.0, "Critical"), (10.0, "Critical")]:
        eq(gdtest.band_of(s), band, s)
    env = gdtest.gd_env(a, FOO="1")
    check(env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:"), "endpoint")
    check(not [k for k in env if k.startswith("AWS_") and k not in (
        "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED")], "no stray AWS_")


def test_more_operations_and_fault_scoping():
    f = default_fake()
    t = f.truth()
    region = "eu-west-1"
    det = detector(f, region)
    # onlyAssociated defaults to true: Created/Removed members hidden
    ms, tok = [], None
    while True:
        st, h, b = gdtest.gd_call(f, region, "GET", "/detector/%s/member%s" % (
            det, "?nextToken=" + tok if tok else ""))
        ms += b["members"]
        tok = b.get("nextToken")
        if not tok:
            break
    want = sorted(m["accountId"] for m in t["members"][region]
                  if m["relationshipStatus"] not in ("Created", "Removed"))
    eq(sorted(m["accountId"] for m in ms), want, "associated members")
    # statistics
    st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/findings/statistics" % det,
                              {"groupBy": "ACCOUNT", "maxResults": 100})
    eq(st, 200, "GetFindingsStatistics")
    got = {g["accountId"]: g["totalFindings"] for g in b["findingStatistics"]["groupedByAccount"]}
    want = {}
    for x in t["findings"]:
        if x["region"] == region:
            want[x["accountId"]] = want.get(x["accountId"], 0) + 1
    eq(got, want, "grouped by account")
    # TOP_ACCOUNTS_BY_FEATURE
    st, h, b = gdtest.gd_call(f, region, "POST", "/detector/%s/usage/statistics" % det,
                              {"usageStatisticsType": "TOP_ACCOUNTS_BY_FEATURE", "usageCriteria": {}})
    rows = b["usageStatistics"]["topAccountsByFeature"]
    check(rows and all(r["feature"] != "RDS_LOGIN_EVENTS" for r in rows), "top accounts")
    usage = t["usage"][region]
    for r in rows:
        for a in r["accounts"]:
            eq(Decimal(a["total"]["amount"]), Decimal(usage[a["accountId"]][r["feature"]]), "top amount")
    # stats per (op, region)
    f.reset_stats()
    gdtest.gd_call(f, "us-west-2", "GET", "/detector")
    gdtest.gd_call(f, "us-west-2", "GET", "/detector")
    s = f.stats()
    eq((s["requests"]["ListDetectors"], s["by_region"]["ListDetectors@us-west-2"]), (2, 2), "stats")
    # faults on credential ops only when named; Organizations deny is a 400
    g = fake("faultscope", ["--scenario", "small", "--fault-ops", "AssumeRole,ImdsToken",
                            "--throttle-rate", "1.0", "--deny", "ListAccounts", "--latency-ms", "5"])
    st, h, raw = gdtest.aws_call(g, "sts", "us-east-1", "POST", "/",
                                 b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&RoleSessionName=s1",
                                 {"Content-Type": "application/x-www-form-urlencoded"})
    eq(st, 400, "AssumeRole throttled when named")
    check(b"<Code>Throttling</Code>" in raw, raw)
    st, h, raw = g.request("PUT", "/latest/api/token", b"", {"x-aws-ec2-metadata-token-ttl-seconds": "60"})
    check(st != 200, "IMDS token faulted when named")
    st, h, b = gdtest.gd_call(g, "us-east-1", "GET", "/detector")
    eq(st, 200, "ops not named are not faulted")
    st, h, b = gdtest.amz_signed_target(g, "ListAccounts", {})
    eq((st, b["__type"]), (400, "AccessDeniedException"), "organizations deny")


def test_scenario_file_dump_truth_and_bench_size():
    import tempfile
    d = gdtest.tempdir("fakeaws-scen-")
    scen = os.path.join(d, "s.json")
    with open(scen, "w") as fh:
        json.dump({"base": "small", "admin_regions": ["us-west-2"], "findings_per_region": 25,
                   "accounts": 5, "access_key_id": "AKIDSCENARIO00000001",
                   "secret_access_key": "scenarioSecret", "eol_style": "empty",
                   "faults": {"deny": "ListMembers"}}, fh)
    dump = os.path.join(d, "truth.json")
    f = gdtest.FakeAws(args=["--scenario", scen, "--dump-truth", dump]).start()
    try:
        t = json.load(open(dump))
        eq(t, f.truth(), "--dump-truth equals /__fake/truth")
        eq([r for r, s in t["region_states"].items() if s == "collected"], ["us-west-2"], "regions")
        eq(len(t["findings"]), 25 + 3, "findings (+ 3 samples of the small base)")
        eq(len(t["accounts"]), 7, "accounts")
        st, h, b = gdtest.gd_call(f, "us-west-2", "GET", "/detector", akid="AKIDSCENARIO00000001",
                                  secret="scenarioSecret")
        eq((st, b.get("nextToken", "missing")), (200, ""), "scenario key + eol style")
        st, h, b = gdtest.gd_call(f, "us-west-2", "GET", "/detector")
        eq(st, 403, "default key unknown in this scenario")
        eq(f.get("/__fake/faults")["deny"], ["ListMembers"], "scenario faults")
    finally:
        f.stop()
    b = gdtest.FakeAws(args=["--scenario", "bench"], timeout=180).start()
    try:
        t = b.truth(findings=False)
        check(t["finding_count"] >= 100000, "bench findings %d" % t["finding_count"])
        check(sum(1 for s in t["region_states"].values() if s == "collected") >= 10, "bench regions")
        region = "eu-north-1"
        det = t["regions"][region]["detector_id"]
        st, h, r = gdtest.gd_call(b, region, "POST", "/detector/%s/findings" % det, {"maxResults": 50})
        eq((st, len(r["findingIds"])), (200, 50), "bench page")
        check(r.get("nextToken"), "more pages")
    finally:
        b.stop()


def main():
    tests = [(n, fn) for n, fn in sorted(globals().items(), key=lambda kv: kv[0])
             if n.startswith("test_") and callable(fn)]
    only = sys.argv[1:]
    try:
        for name, fn in tests:
            if only and not any(o in name for o in only):
                continue
            try:
                r = fn()
                if isinstance(r, str) and r.startswith("skip"):
                    RESULTS["skipped"] += 1
                    print("SKIP: %s: %s" % (name, r[len("skip: "):] if r.startswith("skip: ") else r))
                else:
                    RESULTS["passed"] += 1
                    print("ok   %s" % name)
            except Exception:
                RESULTS["failed"] += 1
                print("FAIL %s" % name)
                traceback.print_exc()
    finally:
        for f in FAKES.values():
            f.stop()
    print("%d passed, %d failed, %d skipped" % (RESULTS["passed"], RESULTS["failed"], RESULTS["skipped"]))
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
