# SPDX-License-Identifier: Apache-2.0
"""Helpers for gdreport end-to-end tests against the fake AWS (tests/fakeaws).

Usage in a test:
    import os, sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gdtest
    with gdtest.FakeAws(args=["--scenario", "small"]) as fake:
        env = gdtest.gd_env(fake)
        cp = gdtest.run_gdreport(["collect", ...], env)

Standard library only. Nothing here talks to anything but 127.0.0.1.
"""
import atexit
import datetime
import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("GD_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
FAKEAWS = os.environ.get("GD_FAKEAWS") or os.path.join(SOURCE_DIR, "tests", "fakeaws", "fakeaws.py")
sys.path.insert(0, os.path.dirname(FAKEAWS))
import sigv4  # noqa: E402  (the fake's own signer/verifier; used by aws_call)
import orgdata  # noqa: E402  (the fake's finding-type catalogue: type -> plan, its ground truth)

SKIP = 77
DEFAULT_AKID = "AKIDFAKEADMIN0000001"
DEFAULT_SECRET = "fakeSecretKeyForTestsOnly/0000000000000"


# Shared by the tests: a failed check is printed at once and recorded; the
# test ends with `return gdtest.finish()`.
FAILURES = []


def check(cond, what, verbose=False):
    """Records what when cond is false (and prints it); returns cond."""
    if cond:
        if verbose:
            print("ok:", what)
    else:
        FAILURES.append(what)
        print("FAIL: %s" % what)
    return cond


def finish():
    """The exit status after all checks: 1 when any failed."""
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("ok")
    return 0


# Every skip prints one line that starts with "SKIP: "; scripts/test.sh lists
# those lines at the end of the run, so nothing is skipped silently.
def skip(reason):
    """The whole test cannot run here: says why and exits 77 (ctest: skipped)."""
    print("SKIP: %s" % reason)
    sys.exit(SKIP)


def skip_part(what, reason):
    """One part of a test cannot run here: says what and why; the test goes on."""
    print("SKIP: %s: %s" % (what, reason))


class FakeAwsError(RuntimeError):
    pass


class FakeAws:
    """Starts tests/fakeaws/fakeaws.py on a free 127.0.0.1 port; stops it on exit."""

    def __init__(self, args=None, timeout=60, python=None):
        self.args = list(args or [])
        self.timeout = timeout
        self.python = python or sys.executable or "/usr/bin/python3"
        self.proc = None
        self.port = None
        self.tmp = None
        self.access_key_id = DEFAULT_AKID
        self.secret_access_key = DEFAULT_SECRET
        for i, a in enumerate(self.args[:-1]):
            if a == "--access-key-id":
                self.access_key_id = self.args[i + 1]
            elif a == "--secret-access-key":
                self.secret_access_key = self.args[i + 1]

    # -- lifecycle
    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="fakeaws-")
        port_file = os.path.join(self.tmp, "port")
        self.stderr_path = os.path.join(self.tmp, "stderr.log")
        self._stderr = open(self.stderr_path, "wb")
        cmd = [self.python, FAKEAWS, "--port", "0", "--port-file", port_file,
               "--exit-with-parent"] + self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._stderr,
                                     stderr=self._stderr, env=_fake_env())
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise FakeAwsError("fakeaws exited with %s:\n%s" % (self.proc.returncode, self.stderr_text()))
            try:
                with open(port_file) as fh:
                    txt = fh.read().strip()
                if txt:
                    self.port = int(txt)
                    break
            except FileNotFoundError:
                pass
            time.sleep(0.05)
        else:
            self.stop()
            raise FakeAwsError("fakeaws did not start within %ss:\n%s" % (self.timeout, self.stderr_text()))
        self.url = "http://127.0.0.1:%d" % self.port
        _RUNNING.add(self)
        return self

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as fh:
                return fh.read().decode("utf-8", "replace")[-20000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.returncode not in (0, -signal.SIGTERM, None):
            sys.stderr.write("fakeaws exit status %s; its stderr:\n%s\n" % (self.proc.returncode, self.stderr_text()))
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        _RUNNING.discard(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, et, ev, tb):
        if et is not None:
            sys.stderr.write("--- fakeaws stderr (tail) ---\n%s\n" % self.stderr_text()[-5000:])
        self.stop()
        return False

    # -- control API
    def request(self, method, path, body=None, headers=None, timeout=120):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = body
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
            conn.request(method, path, body=data, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
        finally:
            conn.close()

    def get(self, path):
        status, _, data = self.request("GET", path)
        if status != 200:
            raise FakeAwsError("GET %s -> %s %s" % (path, status, data[:500]))
        return json.loads(data)

    def post(self, path, obj=None):
        status, _, data = self.request("POST", path, obj if obj is not None else {},
                                       {"Content-Type": "application/json"})
        if status != 200:
            raise FakeAwsError("POST %s -> %s %s" % (path, status, data[:500]))
        return json.loads(data)

    def truth(self, findings=True, descriptions=False):
        """descriptions: each finding's "description" too (off: the bench's
        truth would carry every 60 KB hostile text)."""
        if not findings:
            return self.get("/__fake/truth?findings=0")
        return self.get("/__fake/truth" + ("?descriptions=1" if descriptions else ""))

    def stats(self):
        return self.get("/__fake/stats")

    def reset_stats(self):
        return self.post("/__fake/stats/reset")

    def faults(self, **kw):
        return self.post("/__fake/faults", kw)

    def mutate(self, **kw):
        return self.post("/__fake/mutate", kw)

    def expire(self, days=90, ids=None):
        """Drops findings older than `days`, or exactly `ids` (as if they had aged out)."""
        return self.post("/__fake/expire", {"days": days} if ids is None else {"ids": list(ids)})

    def set_time_offset(self, seconds):
        return self.post("/__fake/time", {"offset_seconds": seconds})


_RUNNING = set()
_TEMP_HOMES = []
_TEMP_DIRS = []


def tempdir(prefix):
    """A private temporary folder that is removed when the test process exits, so a suite
    run leaves nothing behind in $TMPDIR (collect DBs there reach tens of MB). It is kept,
    and its path printed, when a check failed or GD_KEEP_TMP=1 is set, to debug from."""
    d = tempfile.mkdtemp(prefix=prefix)
    _TEMP_DIRS.append(d)
    return d


@atexit.register
def _cleanup():
    """Stops fakes a test forgot to stop and removes the temporary HOMEs of gd_env."""
    for f in list(_RUNNING):
        try:
            f.stop()
        except Exception:
            pass
    for d in _TEMP_HOMES:
        shutil.rmtree(d, ignore_errors=True)
    keep = FAILURES or os.environ.get("GD_KEEP_TMP") == "1"
    for d in _TEMP_DIRS:
        if keep:
            print("kept for inspection: %s" % d)
        else:
            shutil.rmtree(d, ignore_errors=True)


def _fake_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def gd_env(fake, **extra):
    """Environment for running gdreport against the fake: only the fake's endpoint and static
    keys, no inherited AWS_* variables, a temporary HOME, UTC, C.UTF-8. Keyword arguments are
    added (value None removes a variable)."""
    env = {}
    for k in ("PATH", "LD_LIBRARY_PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS",
              "TMPDIR", "GDREPORT_BIN", "GD_SOURCE_DIR", "GD_BUILD_DIR"):
        if k in os.environ:
            env[k] = os.environ[k]
    env.setdefault("PATH", "/usr/bin:/bin")
    home = tempfile.mkdtemp(prefix="gdhome-")
    _TEMP_HOMES.append(home)
    env.update({
        "HOME": home,
        "TZ": "UTC",
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": fake.url,
        "AWS_ACCESS_KEY_ID": fake.access_key_id,
        "AWS_SECRET_ACCESS_KEY": fake.secret_access_key,
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/nonexistent/gdreport-test-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/gdreport-test-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = str(v)
    return env


def gdreport_bin():
    b = os.environ.get("GDREPORT_BIN")
    if not b:
        skip("GDREPORT_BIN is not set")
    if not os.path.exists(b):
        skip("GDREPORT_BIN %s does not exist (not built?)" % b)
    return b


def run_gdreport(args, env, timeout=300, input=None, cwd=None):
    """Runs $GDREPORT_BIN with args; returns CompletedProcess (text, captured)."""
    return subprocess.run([gdreport_bin()] + list(args), env=env, timeout=timeout, input=input,
                          cwd=cwd, capture_output=True, text=True, errors="replace")


# ---------------------------------------------------------------- expectations
BANDS = ("Low", "Medium", "High", "Critical")
PLANS = ("FOUNDATIONAL", "S3_PROTECTION", "EKS_PROTECTION", "RUNTIME_MONITORING",
         "MALWARE_PROTECTION_EC2", "MALWARE_PROTECTION_S3", "MALWARE_PROTECTION_BACKUP",
         "RDS_PROTECTION", "LAMBDA_PROTECTION", "AI_PROTECTION", "EXTENDED_THREAT_DETECTION",
         "UNCLASSIFIED")

def band_of(sev):
    sev = float(sev)
    if sev < 4.0:
        return "Low"
    if sev < 7.0:
        return "Medium"
    if sev < 9.0:
        return "High"
    return "Critical"


def plan_of(ftype):
    """Protection plan of a finding type: the fake's own catalogue (tests/fakeaws/orgdata.py,
    typed from the GuardDuty User Guide's finding-type pages, independently of report/);
    a type it does not serve is UNCLASSIFIED."""
    return orgdata.PLAN_OF_TYPE.get(ftype or "", "UNCLASSIFIED")


def _blank():
    d = {"total": 0, "archived": 0, "active": 0}
    for b in BANDS:
        d[b] = 0
        d[b + "_active"] = 0
    return d


def _add(d, f):
    d["total"] += 1
    b = band_of(f["severity"])
    d[b] += 1
    if f["archived"]:
        d["archived"] += 1
    else:
        d["active"] += 1
        d[b + "_active"] += 1


def collected_findings(truth, states=("collected",)):
    st = truth["region_states"]
    return [f for f in truth["findings"] if st.get(f["region"]) in states]


def real_findings(truth, states=("collected",)):
    """collected_findings without CreateSampleFindings samples: what the report counts."""
    return [f for f in collected_findings(truth, states) if not f.get("sample")]


def expected_counts(truth, states=("collected",)):
    """Counts from the truth, over regions whose state is in `states`.
    Every bucket is {"total","archived","active","Low","Medium","High","Critical",
    "Low_active",...}; band counts include archived findings, *_active exclude them.
    Returns {"all": bucket, "by_account": {acct: bucket}, "by_region": {region: bucket},
    "by_plan": {plan: bucket}, "by_account_plan": {acct: {plan: bucket}},
    "by_band": {band: n}, "total", "archived", "active"}. Samples are never counted."""
    out = {"all": _blank(), "by_account": {}, "by_region": {}, "by_plan": {},
           "by_account_plan": {}}
    for f in real_findings(truth, states):
        p = plan_of(f["type"])
        _add(out["all"], f)
        _add(out["by_account"].setdefault(f["accountId"], _blank()), f)
        _add(out["by_region"].setdefault(f["region"], _blank()), f)
        _add(out["by_plan"].setdefault(p, _blank()), f)
        _add(out["by_account_plan"].setdefault(f["accountId"], {}).setdefault(p, _blank()), f)
    out["by_band"] = {b: out["all"][b] for b in BANDS}
    out["total"] = out["all"]["total"]
    out["archived"] = out["all"]["archived"]
    out["active"] = out["all"]["active"]
    return out


def expected_costs(truth, states=("collected",)):
    """Exact Decimal sums of the usage in the truth over regions in `states`:
    {"by_account": {acct: D}, "by_feature": {feature: D}, "by_account_feature": {acct: {feature: D}},
     "by_region_account": {region: {acct: D}}, "total": D}"""
    st = truth["region_states"]
    out = {"by_account": {}, "by_feature": {}, "by_account_feature": {}, "by_region_account": {},
           "total": Decimal(0)}
    for region, per in truth["usage"].items():
        if st.get(region) not in states:
            continue
        for acct, feats in per.items():
            for feat, amt in feats.items():
                d = Decimal(amt)
                out["by_account"][acct] = out["by_account"].get(acct, Decimal(0)) + d
                out["by_feature"][feat] = out["by_feature"].get(feat, Decimal(0)) + d
                af = out["by_account_feature"].setdefault(acct, {})
                af[feat] = af.get(feat, Decimal(0)) + d
                ra = out["by_region_account"].setdefault(region, {})
                ra[acct] = ra.get(acct, Decimal(0)) + d
                out["total"] += d
    out["by_plan_feature"] = out["by_feature"]
    return out


def fixture_db(path, with_fixture=True):
    """A DB built from schema/NNN_*.sql (+ tests/fixtures/report_fixture.sql) with the
    stdlib sqlite3 module, as an up-to-date gdreport would have left it."""
    import glob
    migrations = sorted(glob.glob(os.path.join(SOURCE_DIR, "schema", "[0-9][0-9][0-9]_*.sql")))
    con = sqlite3.connect(path)
    for m in migrations:
        con.executescript(open(m, encoding="utf-8").read())
    version = max(int(os.path.basename(m)[:3]) for m in migrations)
    con.execute("PRAGMA user_version = %d" % version)
    if with_fixture:
        con.executescript(open(os.path.join(SOURCE_DIR, "tests", "fixtures", "report_fixture.sql"),
                               encoding="utf-8").read())
    con.commit()
    con.close()


def seed_one_finding(db):
    """A DB at the current schema that already holds one finding (in a region
    no collect in the tests touches), so a collect into it is not a first load:
    it keeps findings_report and counts each region's rows as it goes."""
    fixture_db(db, with_fixture=False)
    con = sqlite3.connect(db)
    con.execute("INSERT INTO findings (finding_id, region, account_id, type, severity,"
                " created_at, updated_at, created_ms, updated_ms, first_run_id, last_run_id,"
                " raw_json) VALUES ('seed', 'zz-seed-1', '999999999999', 'T', 1, 'a', 'b',"
                " 1, 1, 1, 1, '{}')")
    con.commit()
    con.close()


def sqlite_query(db, sql, params=()):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- credential-chain helpers
def write_sso_cache(home, key, token="fake-sso-token", expires_in=3600, start_url=None,
                    region="us-east-1"):
    """Writes ~/.aws/sso/cache/<sha1(key)>.json (key = sso_session name, or the start URL for
    legacy profiles) holding a bearer token the fake accepts. Returns the file path."""
    import hashlib
    d = os.path.join(home, ".aws", "sso", "cache")
    os.makedirs(d, exist_ok=True)
    exp = datetime.datetime.fromtimestamp(time.time() + expires_in, tz=datetime.timezone.utc)
    path = os.path.join(d, hashlib.sha1(key.encode("utf-8")).hexdigest() + ".json")
    with open(path, "w") as fh:
        json.dump({"accessToken": token, "expiresAt": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                   "region": region, "startUrl": start_url or "https://example.awsapps.com/start"}, fh)
    return path


def write_file(path, text, mode=0o600):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as fh:
        fh.write(text)
    os.chmod(path, mode)
    return path


# ---------------------------------------------------------------- direct signed calls
def amz_now(offset=0):
    return datetime.datetime.fromtimestamp(time.time() + offset, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def aws_call(fake, service, region, method, path, body=b"", headers=None, akid=None, secret=None,
             token=None, amz_date=None, tamper=None):
    """A SigV4-signed request to the fake (own tiny signer). body: bytes or dict (JSON).
    Returns (status, headers{lower: value}, body bytes). tamper(headers_list) may modify the
    signed header list before sending."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    hdrs = [("Host", "127.0.0.1:%d" % fake.port)] + list((headers or {}).items())
    signed = sigv4.sign(method, path, hdrs, body, akid or fake.access_key_id,
                        secret or fake.secret_access_key, region, service,
                        amz_date or amz_now(), token=token)
    if tamper:
        signed = tamper(signed)
    conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=120)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in signed:
            conn.putheader(k, v)
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read()
    finally:
        conn.close()


def gd_call(fake, region, method, path, body=None, **kw):
    """Signed GuardDuty call; JSON body dict for POST. Returns (status, headers, parsed JSON or raw)."""
    hdrs = {"Content-Type": "application/json"} if method == "POST" else {}
    data = json.dumps(body if body is not None else {}).encode() if method == "POST" else b""
    st, h, raw = aws_call(fake, "guardduty", region, method, path, data, hdrs, **kw)
    try:
        return st, h, json.loads(raw) if raw else None
    except ValueError:
        return st, h, raw


def amz_signed_target(fake, target, body, region="us-east-1", **kw):
    """Signed Organizations (json 1.1) call."""
    st, h, raw = aws_call(fake, "organizations", region, "POST", "/", json.dumps(body).encode(),
                          {"Content-Type": "application/x-amz-json-1.1",
                           "X-Amz-Target": "AWSOrganizationsV20161128." + target}, **kw)
    try:
        return st, h, json.loads(raw)
    except ValueError:
        return st, h, raw
