# SPDX-License-Identifier: Apache-2.0
"""gdreport run as cron runs it: an `env -i` environment with only HOME, PATH and
the AWS variables the fake needs. Checks the dated report names and modes, the
partial report after a failed region (exit 3, JSON "collection" and the xlsx
Overview name the region), config precedence through run ([run] in the file <
GDREPORT_<KEY> < flag; unknown keys and secret-looking world-readable files
refused), usage errors, and the collect lock against a second run."""
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

NOW = "2026-11-30T06:00:00Z"
DATE = "2026-11-30"
XLSX = "guardduty-report-%s.xlsx" % DATE
JSONF = "guardduty-report-%s.json" % DATE
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


check = gdtest.check


def cron_env(fake, home, **extra):
    """What a crontab line with `env -i` leaves: HOME, a minimal PATH and the AWS
    variables for the fake. No TZ, LANG, XDG_* or GDREPORT_*. Sanitizer options
    are kept when set (CI's ASan/UBSan build), they do not change behaviour."""
    env = ["HOME=" + home, "PATH=/usr/bin:/bin",
           "AWS_ACCESS_KEY_ID=" + fake.access_key_id,
           "AWS_SECRET_ACCESS_KEY=" + fake.secret_access_key,
           "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
           "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"]
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env.append("%s=%s" % (k, os.environ[k]))
    env += ["%s=%s" % kv for kv in extra.items()]
    return env


def cron_argv(fake, home, args, **extra):
    return ["/usr/bin/env", "-i"] + cron_env(fake, home, **extra) + [gdtest.gdreport_bin()] + args


def cron_run(fake, home, args, timeout=300, **extra):
    return subprocess.run(cron_argv(fake, home, args, **extra), capture_output=True, text=True,
                          errors="replace", timeout=timeout, stdin=subprocess.DEVNULL)


def run_args(fake, db, out, *more):
    return ["run", "--db", db, "--out-dir", out, "--endpoint-url", fake.url, "--now", NOW] + list(more)


def load_json(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def keys_with(obj, word, path=""):
    """Every key path in obj whose key contains word (case-insensitive), except a
    region's cost_state "redacted" (it says that cost was redacted, never what)."""
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if word in k.lower() and (k, v) != ("cost_state", "redacted"):
                out.append(path + "." + k)
            out += keys_with(v, word, path + "." + k)
    elif isinstance(obj, list):
        for v in obj:
            out += keys_with(v, word, path + "[]")
    return out


def sheet_rows(xlsx, name):
    """Rows of the named sheet as lists of cell texts (inline or shared strings,
    else the raw value), with the standard library only."""
    with zipfile.ZipFile(xlsx) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target") for r in rels.iterfind("p:Relationship", NS)}
        rid = None
        for s in wb.iterfind("m:sheets/m:sheet", NS):
            if s.get("name") == name:
                rid = s.get("{%s}id" % NS["r"])
        if rid is None:
            return None
        part = target[rid].lstrip("/")
        part = part if part.startswith("xl/") else "xl/" + part
        shared = []
        if "xl/sharedStrings.xml" in z.namelist():
            sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iterfind(".//m:t", NS))
                      for si in sst.iterfind("m:si", NS)]
        root = ET.fromstring(z.read(part))
    rows = []
    for row in root.iterfind("m:sheetData/m:row", NS):
        cells = []
        for c in row.iterfind("m:c", NS):
            if c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iterfind(".//m:t", NS)))
            elif c.get("t") == "s":
                cells.append(shared[int(c.findtext("m:v", "0", NS))])
            else:
                cells.append(c.findtext("m:v", "", NS))
        rows.append(cells)
    return rows


def overview_value(rows, label):
    for r in rows or []:
        if r and r[0] == label:
            return r[1] if len(r) > 1 else ""
    return None


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# ------------------------------------------------------------------ (a) cron
def test_cron(fake, tmp, home):
    db = os.path.join(tmp, "gd.db")
    out = os.path.join(tmp, "reports")
    quiet = cron_run(fake, home, run_args(fake, db, out, "-q"))
    check(quiet.returncode == 0, "cron run -q: exit %d: %s" % (quiet.returncode, quiet.stderr[-2000:]))
    check(quiet.stdout == "" and quiet.stderr == "",
          "-q prints nothing: stdout %r stderr %r" % (quiet.stdout[:300], quiet.stderr[:300]))
    check(sorted(os.listdir(out)) == [JSONF, XLSX] if os.path.isdir(out) else False,
          "out-dir holds exactly the two dated reports (no temp files): %s" % (
              os.listdir(out) if os.path.isdir(out) else "missing"))
    check(os.path.isdir(out) and mode_of(out) == 0o700, "out-dir created 0700")
    for f in (JSONF, XLSX):
        p = os.path.join(out, f)
        check(os.path.exists(p) and mode_of(p) == 0o600,
              "%s mode 0600, got %s" % (f, oct(mode_of(p)) if os.path.exists(p) else "missing"))
    if not os.path.exists(os.path.join(out, JSONF)):
        return db, out
    doc = load_json(os.path.join(out, JSONF))
    col = doc.get("collection", {})
    check(col.get("partial") is False and col.get("failed_regions") == [] and
          col.get("outcome") == "ok", "JSON collection not partial: %r" % col)
    check(doc.get("generated_at") == NOW, "generated_at is --now: %r" % doc.get("generated_at"))
    ov = sheet_rows(os.path.join(out, XLSX), "Overview")
    check(overview_value(ov, "Partial") == "No", "xlsx Overview Partial = No: %r" %
          overview_value(ov, "Partial"))

    # Without -q the same job reports what it did; the second run replaces the
    # same-named files in place and still leaves nothing else behind.
    loud = cron_run(fake, home, run_args(fake, db, out))
    check(loud.returncode == 0, "cron run: exit %d: %s" % (loud.returncode, loud.stderr[-2000:]))
    check(re.search(r"^run 2: ok", loud.stdout, re.M) is not None,
          "summary on stdout without -q: %r" % loud.stdout[:300])
    check("wrote " in loud.stderr and XLSX in loud.stderr, "without -q stderr names the files")
    check(sorted(os.listdir(out)) == [JSONF, XLSX], "second run: still exactly the two reports: %s"
          % os.listdir(out))
    check(all(mode_of(os.path.join(out, f)) == 0o600 for f in (JSONF, XLSX)),
          "replaced reports still 0600")
    return db, out


# ------------------------------------------------------------------ (b) partial
def test_partial(fake, tmp, home, db):
    out = os.path.join(tmp, "partial")
    fake.faults(fail_region="us-east-1")
    try:
        cp = cron_run(fake, home, run_args(fake, db, out))
    finally:
        fake.faults(reset=True)
    check(cp.returncode == 3, "partial run exits 3, got %d: %s" % (cp.returncode, cp.stderr[-2000:]))
    check("us-east-1" in cp.stderr and "region failed" in cp.stderr,
          "stderr names the failed region")
    check(os.path.isdir(out) and sorted(os.listdir(out)) == [JSONF, XLSX],
          "partial run still writes both reports: %s" % (os.listdir(out) if os.path.isdir(out) else "-"))
    if not (os.path.isdir(out) and sorted(os.listdir(out)) == [JSONF, XLSX]):
        return
    col = load_json(os.path.join(out, JSONF)).get("collection", {})
    check(col.get("partial") is True and col.get("failed_regions") == ["us-east-1"] and
          col.get("outcome") == "partial", "JSON collection marks the run partial: %r" % col)
    ov = sheet_rows(os.path.join(out, XLSX), "Overview")
    check(overview_value(ov, "Partial") == "Yes", "Overview Partial = Yes: %r" %
          overview_value(ov, "Partial"))
    nc = overview_value(ov, "Regions not collected") or ""
    check("us-east-1 (failed)" in nc, "Overview 'Regions not collected' names us-east-1: %r" % nc)
    failed_row = [r for r in ov if r and r[0] == "failed"]
    check(failed_row and failed_row[0][1] == "1" and failed_row[0][2] == "us-east-1",
          "Overview region-state table: failed 1 us-east-1, got %r" % failed_row)


# ------------------------------------------------------------------ (c) config
def test_config(fake, tmp, home, db, truth):
    mgmt = truth["management_account_id"]
    cfg = gdtest.write_file(os.path.join(tmp, "cfg", "run.ini"),
                            "# gdreport run, weekly\n[run]\nredact = cost\nformats = json\n", 0o600)

    def run_cfg(name, *more, **env):
        out = os.path.join(tmp, name)
        cp = cron_run(fake, home, run_args(fake, db, out, "-q", "--config", cfg, *more), **env)
        files = sorted(os.listdir(out)) if os.path.isdir(out) else []
        doc = load_json(os.path.join(out, JSONF)) if JSONF in files else {}
        return cp, files, doc, open(os.path.join(out, JSONF)).read() if doc else ""

    cp, files, doc, text = run_cfg("cfg-file")
    check(cp.returncode == 0, "[run] config: exit %d: %s" % (cp.returncode, cp.stderr[-1000:]))
    check(files == [JSONF], "[run] formats = json: only the JSON report, got %s" % files)
    check(doc.get("redactions") == ["cost"], "[run] redact = cost applied: %r" % doc.get("redactions"))
    check(doc and not keys_with(doc, "cost"), "no cost keys with [run] redact = cost: %s" %
          keys_with(doc, "cost")[:5])
    check(mgmt in text, "the management account is still in a cost-only redaction")

    cp, files, doc, text = run_cfg("cfg-env", GDREPORT_REDACT="management")
    check(cp.returncode == 0, "env over file: exit %d: %s" % (cp.returncode, cp.stderr[-1000:]))
    check(doc.get("redactions") == ["management_account"],
          "GDREPORT_REDACT=management wins over the file: %r" % doc.get("redactions"))
    check(doc and "cost_usd" in doc.get("totals", {}) and doc.get("costs"),
          "costs are back when the environment replaces the file's redact = cost")
    check(doc and mgmt not in text, "the management account id is gone under the env's redaction")

    cp, files, doc, text = run_cfg("cfg-flag", "--redact", "all", GDREPORT_REDACT="management")
    check(cp.returncode == 0, "flag over env: exit %d: %s" % (cp.returncode, cp.stderr[-1000:]))
    check(sorted(doc.get("redactions") or []) == ["cost", "management_account"],
          "--redact all wins over env and file: %r" % doc.get("redactions"))
    check(doc and not keys_with(doc, "cost") and mgmt not in text, "--redact all: no cost, no management")

    # Lists may have blanks around items, as config.h documents; run and collect
    # must get the same list a flag would give.
    cfg2 = gdtest.write_file(os.path.join(tmp, "cfg", "lists.ini"),
                             "[run]\nformats = json, xlsx\nregions = eu-west-1 , us-east-1\n", 0o600)
    out = os.path.join(tmp, "cfg-lists")
    cp = cron_run(fake, home, run_args(fake, db, out, "-q", "--config", cfg2))
    check(cp.returncode == 0, "[run] lists with blanks: exit %d: %s" % (cp.returncode, cp.stderr[-1000:]))
    check(os.path.isdir(out) and sorted(os.listdir(out)) == [JSONF, XLSX], "formats = json, xlsx: both")
    if os.path.exists(os.path.join(out, JSONF)):
        flt = load_json(os.path.join(out, JSONF)).get("filters", {})
        check(sorted(flt.get("regions") or []) == ["eu-west-1", "us-east-1"],
              "[run] regions reach the export: %r" % flt.get("regions"))
    runs = gdtest.sqlite_query(db, "SELECT region FROM run_regions WHERE run_id = "
                                   "(SELECT max(run_id) FROM runs)")
    check(sorted(r[0] for r in runs) == ["eu-west-1", "us-east-1"],
          "[run] regions reach the collect: %s" % runs[:5])
    out = os.path.join(tmp, "env-formats")
    cp = cron_run(fake, home, run_args(fake, db, out, "-q"), GDREPORT_FORMATS="json , xlsx")
    check(cp.returncode == 0 and sorted(os.listdir(out)) == [JSONF, XLSX],
          "GDREPORT_FORMATS='json , xlsx': exit %d %s" % (cp.returncode, cp.stderr[-500:]))

    bad = gdtest.write_file(os.path.join(tmp, "cfg", "bad.ini"),
                            "[run]\nformats = json\nredcat = cost\n", 0o600)
    out = os.path.join(tmp, "cfg-bad")
    cp = cron_run(fake, home, run_args(fake, db, out, "--config", bad))
    check(cp.returncode == 1, "unknown key: exit 1, got %d" % cp.returncode)
    check("%s:3: [run] unknown key 'redcat'" % bad in cp.stderr,
          "unknown key names file:line: %r" % cp.stderr[-500:])
    check(not (os.path.isdir(out) and os.listdir(out)), "no report after a config error")

    # Not a credential of the fake: a made-up secret-key-shaped value.
    secret = "Zq8vR2mKx7LpT4nWc9YbH3sJd6FgA1eUo5iNtQ0r"
    assert len(secret) == 40
    leaky_text = "[run]\nformats = json\n# aws_secret_access_key = %s\n" % secret
    leaky = gdtest.write_file(os.path.join(tmp, "cfg", "leaky.ini"), leaky_text, 0o644)
    out = os.path.join(tmp, "cfg-leaky")
    cp = cron_run(fake, home, run_args(fake, db, out, "--config", leaky))
    check(cp.returncode == 1, "world-readable secret: exit 1, got %d" % cp.returncode)
    check("chmod 600" in cp.stderr and leaky + ":3:" in cp.stderr,
          "refusal names the file and line and says chmod 600: %r" % cp.stderr[-500:])
    check(secret[:12] not in cp.stdout + cp.stderr, "the secret is not printed")
    check(not (os.path.isdir(out) and os.listdir(out)), "no report from a refused config")
    os.chmod(leaky, 0o600)
    cp = cron_run(fake, home, run_args(fake, db, out, "-q", "--config", leaky))
    check(cp.returncode == 0, "the same file at 0600 is accepted: exit %d %s" % (
        cp.returncode, cp.stderr[-500:]))


# ------------------------------------------------------------------ (d) usage
def test_usage(fake, tmp, home, db):
    fake.reset_stats()
    cp = cron_run(fake, home, ["run", "--db", db, "--endpoint-url", fake.url])
    check(cp.returncode == 2 and "--out-dir" in cp.stderr,
          "missing --out-dir: exit 2 naming it, got %d %r" % (cp.returncode, cp.stderr[-300:]))
    for formats in ("pdf", "xlsx,csv", ""):
        out = os.path.join(tmp, "usage")
        cp = cron_run(fake, home, ["run", "--db", db, "--out-dir", out, "--formats", formats,
                                   "--endpoint-url", fake.url])
        check(cp.returncode == 2 and "--formats" in cp.stderr,
              "--formats %r: exit 2 naming it, got %d %r" % (formats, cp.returncode, cp.stderr[-300:]))
        check(not os.path.exists(out), "--formats %r: out-dir not created" % formats)
    cp = cron_run(fake, home, ["run", "--db", db, "--out-dir", os.path.join(tmp, "u2"), "--bogus"])
    check(cp.returncode == 2 and "--bogus" in cp.stderr, "unknown option: exit 2")
    check(fake.stats().get("total", -1) == 0, "usage errors make no AWS call: %s" %
          fake.stats().get("requests"))


# ------------------------------------------------------------------ (e) lock
def test_lock(fake, tmp, home, db):
    out1, out2 = os.path.join(tmp, "lock-1"), os.path.join(tmp, "lock-2")
    lock = db + ".lock"
    fake.faults(latency_ms=400)   # the first collect now takes many seconds
    first = subprocess.Popen(cron_argv(fake, home, run_args(fake, db, out1, "-q")),
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    stopped = False
    try:
        # Wait until the first run holds the lock (its pid is in the lock file).
        deadline = time.monotonic() + 120
        held = False
        while time.monotonic() < deadline and first.poll() is None:
            try:
                with open(lock) as fh:
                    held = fh.read().strip() == str(first.pid)
            except FileNotFoundError:
                held = False
            if held:
                break
            time.sleep(0.05)
        if not check(held and first.poll() is None, "first run holds %s" % lock):
            return
        # Freeze the holder so the second run meets the lock for certain; a
        # second run that waited for the lock instead of failing would hang
        # here and hit the timeout.
        os.kill(first.pid, signal.SIGSTOP)
        stopped = True
        try:
            second = cron_run(fake, home, run_args(fake, db, out2), timeout=60)
        except subprocess.TimeoutExpired:
            check(False, "second run waited for the lock instead of exiting")
            return
        check(second.returncode == 1, "second run exits 1, got %d" % second.returncode)
        check("another collect is running (pid %d)" % first.pid in second.stderr,
              "second run names the holder's pid: %r" % second.stderr[-500:])
        check(not (os.path.isdir(out2) and os.listdir(out2)),
              "second run exports nothing: %s" % (os.listdir(out2) if os.path.isdir(out2) else []))
    finally:
        fake.faults(reset=True)
        if stopped:
            os.kill(first.pid, signal.SIGCONT)
        try:
            so, se = first.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            first.kill()
            so, se = first.communicate()
    check(first.returncode == 0, "first run completes: exit %s %r" % (first.returncode, se[-500:]))
    check(os.path.isdir(out1) and sorted(os.listdir(out1)) == [JSONF, XLSX], "first run's reports")
    with open(lock) as fh:
        check(fh.read().strip() == "", "lock file emptied after the run")


def main():
    gdtest.gdreport_bin()
    if not os.access("/usr/bin/env", os.X_OK):
        gdtest.skip("/usr/bin/env missing")
    tmp = gdtest.tempdir("gd-run-cron-")
    home = os.path.join(tmp, "home")
    os.mkdir(home, 0o700)
    with gdtest.FakeAws(args=["--scenario", "small", "--now", NOW]) as fake:
        truth = fake.truth(findings=False)
        db, _ = test_cron(fake, tmp, home)
        test_partial(fake, tmp, home, db)
        test_config(fake, tmp, home, db, truth)
        test_usage(fake, tmp, home, db)
        test_lock(fake, tmp, home, db)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
