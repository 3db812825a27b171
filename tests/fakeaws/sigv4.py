# SPDX-License-Identifier: Apache-2.0
"""SigV4 (AWS4-HMAC-SHA256) for the fake AWS: verification of received requests
and a small signer for tests. Written from the SigV4 rules; independent of the C signer.

Request data is taken as it was on the wire: the raw request-target (path and query still
percent-encoded as sent), header (name, value) pairs in arrival order, the body bytes.

Canonical URI (non-S3 services, normalize=True): remove dot segments, collapse repeated
slashes, then URI-encode every segment of the path *as received* (so "%20" on the wire
becomes "%2520": AWS's double encoding for everything but S3). normalize=False is S3 style:
no normalization, one encoding of the decoded path.
"""
import functools
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class SigV4Error(Exception):
    """code: InvalidSignatureException | IncompleteSignatureException | MissingAuthenticationToken"""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def uri_encode_bytes(data, keep_slash=False):
    """RFC 3986 percent-encoding of everything but A-Z a-z 0-9 - _ . ~ (and '/' if asked),
    uppercase hex, as SigV4 requires."""
    return urllib.parse.quote_from_bytes(data, safe="/" if keep_slash else "")


def _to_bytes(s):
    if isinstance(s, bytes):
        return s
    # http.server decodes the request line as latin-1: recover the original bytes.
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def normalize_path(path):
    """RFC 3986 remove_dot_segments plus collapsing of empty segments; keeps a trailing slash."""
    if not path:
        return "/"
    segments = path.split("/")
    out = []
    for seg in segments[1:] if path.startswith("/") else segments:
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    result = "/" + "/".join(out)
    last = segments[-1]
    if (path.endswith("/") or last in (".", "..")) and result != "/":
        result += "/"
    return result


def canonical_uri(raw_path, normalize=True):
    if normalize:
        p = normalize_path(raw_path)
        return uri_encode_bytes(_to_bytes(p), keep_slash=True)
    # S3 style: decode once, encode once, no normalization.
    decoded = urllib.parse.unquote_to_bytes(raw_path or "/")
    return uri_encode_bytes(decoded, keep_slash=True) or "/"


def canonical_query(raw_query):
    if not raw_query:
        return ""
    pairs = []
    for part in _to_bytes(raw_query).split(b"&"):
        if part == b"":
            continue
        if b"=" in part:
            k, v = part.split(b"=", 1)
        else:
            k, v = part, b""
        k = uri_encode_bytes(urllib.parse.unquote_to_bytes(k))
        v = uri_encode_bytes(urllib.parse.unquote_to_bytes(v))
        pairs.append((k, v))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


_WS = re.compile(r"\s+")


def canonical_header_value(values):
    cleaned = [_WS.sub(" ", v.replace("\r", " ").replace("\n", " ")).strip() for v in values]
    return ",".join(cleaned)


def header_map(headers):
    """headers: iterable of (name, value) in arrival order -> {lower name: [values]}"""
    m = {}
    for name, value in headers:
        m.setdefault(name.strip().lower(), []).append(value)
    return m


def parse_authorization(value):
    """-> dict(akid, date, region, service, terminator, signed_headers[list], signature)"""
    if not value:
        raise SigV4Error("MissingAuthenticationToken", "Missing Authentication Token")
    value = value.strip()
    if not value.startswith(ALGORITHM + " "):
        raise SigV4Error("IncompleteSignatureException",
                         "Authorization header requires existence of either a 'X-Amz-Date' or a "
                         "'Date' header and the AWS4-HMAC-SHA256 algorithm")
    fields = {}
    for part in value[len(ALGORITHM) + 1:].split(","):
        part = part.strip()
        if not part:
            continue
        if "=" not in part:
            raise SigV4Error("IncompleteSignatureException",
                             "Authorization header requires 'Credential', 'SignedHeaders' and "
                             "'Signature' parameters. Authorization=%s" % ALGORITHM)
        k, v = part.split("=", 1)
        fields[k.strip()] = v.strip()
    for need in ("Credential", "SignedHeaders", "Signature"):
        if need not in fields:
            raise SigV4Error("IncompleteSignatureException",
                             "Authorization header requires '%s' parameter." % need)
    cred = fields["Credential"].split("/")
    if len(cred) != 5 or cred[4] != "aws4_request" or not re.fullmatch(r"\d{8}", cred[1]):
        raise SigV4Error("IncompleteSignatureException",
                         "Credential should be scoped to a valid region, not '%s'." % fields["Credential"])
    signed = fields["SignedHeaders"].split(";")
    return {"akid": cred[0], "date": cred[1], "region": cred[2], "service": cred[3],
            "scope": "/".join(cred[1:]), "signed_headers": signed,
            "signature": fields["Signature"]}


def build_canonical_request(method, raw_target, headers, body, signed_headers, normalize=True,
                            payload_hash=None, hmap=None):
    if "?" in raw_target:
        raw_path, raw_query = raw_target.split("?", 1)
    else:
        raw_path, raw_query = raw_target, ""
    if hmap is None:
        hmap = header_map(headers)
    lines = []
    for name in signed_headers:
        if name not in hmap:
            raise SigV4Error("InvalidSignatureException",
                             "The request signature we calculated does not match the signature you "
                             "provided. Signed header '%s' is missing from the request." % name)
        lines.append("%s:%s\n" % (name, canonical_header_value(hmap[name])))
    if payload_hash is None:
        payload_hash = hashlib.sha256(body or b"").hexdigest()
    return "\n".join([
        method.upper(),
        canonical_uri(raw_path, normalize),
        canonical_query(raw_query),
        "".join(lines),
        ";".join(signed_headers),
        payload_hash,
    ])


@functools.lru_cache(maxsize=256)
def signing_key(secret, date, region, service):
    """Pure: cached (four HMACs per request were a visible part of the fake's CPU)."""
    k = hmac.new(("AWS4" + secret).encode("utf-8"), date.encode(), hashlib.sha256).digest()
    k = hmac.new(k, region.encode("utf-8"), hashlib.sha256).digest()
    k = hmac.new(k, service.encode("utf-8"), hashlib.sha256).digest()
    return hmac.new(k, b"aws4_request", hashlib.sha256).digest()


def string_to_sign(amz_date, scope, canonical_request):
    return "\n".join([ALGORITHM, amz_date, scope,
                      hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()])


def compute_signature(secret, auth, amz_date, canonical_request):
    sts = string_to_sign(amz_date, auth["scope"], canonical_request)
    key = signing_key(secret, auth["date"], auth["region"], auth["service"])
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


def request_amz_date(headers, hmap=None):
    if hmap is None:
        hmap = header_map(headers)
    v = hmap.get("x-amz-date")
    if v:
        return v[0].strip()
    return None


def verify(method, raw_target, headers, body, secret, auth=None, normalize=True, hmap=None):
    """Checks the signature; returns the parsed authorization. Raises SigV4Error.
    Does not check the clock or the key: the caller looks the key up and compares dates.
    hmap: header_map(headers) when the caller already has it."""
    if hmap is None:
        hmap = header_map(headers)
    if auth is None:
        auth = parse_authorization((hmap.get("authorization") or [""])[0])
    amz_date = request_amz_date(headers, hmap)
    if not amz_date or not re.fullmatch(r"\d{8}T\d{6}Z", amz_date):
        raise SigV4Error("IncompleteSignatureException",
                         "Authorization header requires existence of either a 'X-Amz-Date' or a "
                         "'Date' header.")
    if amz_date[:8] != auth["date"]:
        raise SigV4Error("InvalidSignatureException",
                         "Credential should be scoped to a valid date: '%s' != '%s'"
                         % (auth["date"], amz_date[:8]))
    if "host" not in auth["signed_headers"]:
        raise SigV4Error("InvalidSignatureException", "'Host' must be a signed header.")
    if auth["signed_headers"] != sorted(auth["signed_headers"]):
        raise SigV4Error("InvalidSignatureException", "SignedHeaders must be sorted.")
    payload_hash = hashlib.sha256(body or b"").hexdigest()
    sent = hmap.get("x-amz-content-sha256")
    if sent and sent[0].strip() not in (payload_hash, "UNSIGNED-PAYLOAD"):
        raise SigV4Error("InvalidSignatureException",
                         "The provided 'x-amz-content-sha256' header does not match what was computed.")
    creq = build_canonical_request(method, raw_target, headers, body, auth["signed_headers"],
                                   normalize=normalize, payload_hash=payload_hash, hmap=hmap)
    expect = compute_signature(secret, auth, amz_date, creq)
    if not hmac.compare_digest(expect, auth["signature"]):
        raise SigV4Error("InvalidSignatureException",
                         "The request signature we calculated does not match the signature you "
                         "provided. Check your AWS Secret Access Key and signing method. Consult "
                         "the service documentation for details.")
    return auth


def sign(method, raw_target, headers, body, akid, secret, region, service, amz_date,
         token=None, sign_token=True):
    """Tiny signer for tests. headers: list of (name, value), must include Host.
    Returns a new header list with X-Amz-Date, (token) and Authorization added."""
    hdrs = list(headers) + [("X-Amz-Date", amz_date)]
    if token and sign_token:
        hdrs.append(("X-Amz-Security-Token", token))
    names = sorted(set(n.lower() for n, _ in hdrs))
    auth = {"date": amz_date[:8], "region": region, "service": service,
            "scope": "%s/%s/%s/aws4_request" % (amz_date[:8], region, service)}
    creq = build_canonical_request(method, raw_target, hdrs, body, names)
    sig = compute_signature(secret, auth, amz_date, creq)
    hdrs.append(("Authorization", "%s Credential=%s/%s, SignedHeaders=%s, Signature=%s"
                 % (ALGORITHM, akid, auth["scope"], ";".join(names), sig)))
    if token and not sign_token:
        hdrs.append(("X-Amz-Security-Token", token))
    return hdrs
