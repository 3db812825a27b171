# SPDX-License-Identifier: Apache-2.0
"""examples/sample-report/ is what scripts/make-sample-report.sh produces today.

The script runs `gdreport run` against the fake's demo organization with a
fixed --seed and --now, so the fake's data is deterministic. What is not: the
collect records its own wall-clock time (collection.collected_at, the 30-day
window of every cost row, and the same times in the workbook's date cells).
The test regenerates the report, blanks exactly those values in both copies
and requires the rest to be byte-identical: the JSON as text, and every part
of the xlsx (worksheets with their date-formatted cell values blanked). It
also validates the committed JSON against schema/report.schema.json."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

SRC = gdtest.SOURCE_DIR
SAMPLE = os.path.join(SRC, "examples", "sample-report")
SCRIPT = os.path.join(SRC, "scripts", "make-sample-report.sh")
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
WALL = "<wall clock>"


check = gdtest.check


def normalize_json(raw):
    """The report with the collect's own wall-clock times blanked: collected_at
    (the run's and each region's), each region's last successful collect and its
    age at --now, and the usage window, which GuardDuty anchors at the time of
    the call."""
    doc = json.loads(raw)
    doc["collection"]["collected_at"] = WALL
    for r in doc.get("regions", []):
        for k in ("collected_at", "last_success_at", "age_hours"):
            if r.get(k) is not None:
                r[k] = WALL
    costs = doc.get("costs")
    if isinstance(costs, dict) and costs.get("window"):
        costs["window"] = {"start": WALL, "end": WALL}
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def date_styles(z):
    """Indexes of cellXfs whose number format is a date/time format, or an age in
    hours (0.0 "h": the time from the collect's wall clock to --now)."""
    st = ET.fromstring(z.read("xl/styles.xml"))
    custom = {f.get("numFmtId"): f.get("formatCode", "")
              for f in st.iterfind("m:numFmts/m:numFmt", NS)}
    out = set()
    for i, xf in enumerate(st.iterfind("m:cellXfs/m:xf", NS)):
        fid = xf.get("numFmtId", "0")
        code = custom.get(fid, "")
        if 14 <= int(fid) <= 22 or re.search(r'[yd].*[hms]|yy|dd|" h"$', code, re.I):
            out.add(str(i))
    return out


def normalize_xlsx(path):
    """{part: bytes} with the values of date-formatted cells blanked."""
    with zipfile.ZipFile(path) as z:
        styles = date_styles(z)
        parts = {}
        for name in z.namelist():
            data = z.read(name)
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and styles:
                pat = re.compile(rb'(<c r="[A-Z]+[0-9]+" s="(?:%s)"[^>]*>)<v>[^<]*</v>' %
                                 b"|".join(s.encode() for s in sorted(styles)))
                data = pat.sub(rb"\1<v>0</v>", data)
            parts[name] = data
    return parts


def main():
    gdreport = gdtest.gdreport_bin()
    names = sorted(os.listdir(SAMPLE)) if os.path.isdir(SAMPLE) else []
    m = re.search(r"^DATE=(\S+)", open(SCRIPT, encoding="utf-8").read(), re.M)
    date = m.group(1) if m else "?"
    want = ["guardduty-report-%s.json" % date, "guardduty-report-%s.xlsx" % date]
    if not check(names == want, "examples/sample-report holds %s, got %s" % (want, names)):
        return 1
    committed_json = open(os.path.join(SAMPLE, want[0]), "rb").read()
    doc = json.loads(committed_json)
    check("findings" not in doc, "the sample is the summary (no per-finding array)")
    check(doc.get("collection", {}).get("partial") is False, "the sample is a complete collect")
    check(doc.get("generated_at", "").startswith(date), "generated_at is the script's --now")
    check(len(doc.get("accounts", [])) >= 60, "the demo organization's 60+ accounts")
    readme = open(os.path.join(SRC, "examples", "README.md"), encoding="utf-8").read()
    check("sample-report" in readme and "make-sample-report.sh" in readme,
          "examples/README.md describes the sample and how to regenerate it")

    try:
        import jsonschema
    except ImportError:
        jsonschema = None
        gdtest.skip_part("JSON Schema check", "python3-jsonschema not installed")
    if jsonschema is not None:
        schema = json.load(open(os.path.join(SRC, "schema", "report.schema.json"), encoding="utf-8"))
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(doc), key=str)
        check(not errors, "committed sample validates against the schema: %s" % (
            [e.message[:200] for e in errors[:3]],))

    tmp = gdtest.tempdir("gd-sample-")
    out = os.path.join(tmp, "out")
    env = dict(os.environ, GDREPORT_BIN=gdreport)
    cp = subprocess.run(["sh", SCRIPT, out], capture_output=True, text=True, env=env, timeout=300)
    if not check(cp.returncode == 0, "make-sample-report.sh exit %d: %s%s" % (
            cp.returncode, cp.stdout[-1000:], cp.stderr[-2000:])):
        return 1
    check(sorted(os.listdir(out)) == want, "the script writes %s" % want)
    fresh_json = open(os.path.join(out, want[0]), "rb").read()
    fresh = json.loads(fresh_json)
    check(fresh["collection"]["collected_at"] and fresh.get("costs", {}).get("window"),
          "the regenerated report has a collect time and a usage window")
    a, b = normalize_json(committed_json), normalize_json(fresh_json)
    if a != b:
        diff = [(x, y) for x, y in zip(a.split(b"\n"), b.split(b"\n")) if x != y][:3]
        check(False, "regenerated JSON differs from examples/sample-report (beyond the wall-clock "
                     "times); run scripts/make-sample-report.sh and commit: %s" % diff)
    ca = normalize_xlsx(os.path.join(SAMPLE, want[1]))
    cb = normalize_xlsx(os.path.join(out, want[1]))
    check(sorted(ca) == sorted(cb), "same xlsx parts")
    differ = [n for n in ca if n in cb and ca[n] != cb[n]]
    check(not differ, "regenerated xlsx differs from the sample (beyond date cells) in %s" % differ)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
