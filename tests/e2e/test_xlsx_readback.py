#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Reads back the workbooks the xlsx writer produces and checks what an
auditor would open: sheet order, headers, key cells, hostile strings
neutralised, no formulas, well-formed XML, redaction, determinism, and '.'
decimals under a de_DE locale.

The workbooks come from the unit test binary tests/test_xlsx_writer, which
builds its model by hand and writes full.xlsx and redacted.xlsx into
$GD_XLSX_OUT_DIR (see tests/unit/test_xlsx_writer.c for the model).
Standard library only; xmllint and soffice parts skip when the tool is absent.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
R_ID = "{%s}id" % NS["r"]

FULL_SHEETS = ["Overview", "Accounts", "Plans", "Coverage", "Findings", "Findings (2)",
               "Findings (3)", "Costs", "Trends", "Definitions"]
REDACTED_SHEETS = ["Overview", "Accounts", "Plans", "Coverage", "Findings", "Trends", "Definitions"]
# the producer exports with --tz Asia/Tokyo: time headers carry its offset
FINDINGS_HEADER = ["Severity", "Score", "Type", "Plan", "Account ID", "Region", "Resource type",
                   "Resource ID", "Title", "Created (UTC+09:00)", "First seen (UTC+09:00)",
                   "Last seen (UTC+09:00)", "Updated (UTC+09:00)", "Count", "Archived", "Finding ID", "Console"]
MARKER = " \u2026[truncated]"
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
NUMBER = re.compile(r"^-?\d+(\.\d+)?(E[+-]?\d+)?$")

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def binary():
    build = os.environ.get("GD_BUILD_DIR", "")
    path = os.path.join(build, "tests", "test_xlsx_writer")
    if not build or not os.access(path, os.X_OK):
        print("cannot find the test_xlsx_writer binary under GD_BUILD_DIR=%r" % build)
        sys.exit(1)
    return path


def produce(out_dir, extra_env=None):
    env = dict(os.environ, GD_XLSX_OUT_DIR=out_dir)
    env.update(extra_env or {})
    p = subprocess.run([binary()], env=env, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        print(p.stdout, p.stderr)
        sys.exit(1)
    return p.stdout


def cell_text(c, shared):
    t = c.get("t")
    if t == "inlineStr":
        return "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"]))
    v = c.find("m:v", NS)
    if t == "s":
        return shared[int(v.text)]
    return None if v is None else v.text


def read_workbook(path):
    """[(sheet name, part name, {ref: (type, value)}, raw xml)] in workbook order."""
    z = zipfile.ZipFile(path)
    names = z.namelist()
    shared = []
    if "xl/sharedStrings.xml" in names:
        root = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for si in root.findall("m:si", NS):
            shared.append("".join(x.text or "" for x in si.iter("{%s}t" % NS["m"])))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = []
    for s in wb.find("m:sheets", NS).findall("m:sheet", NS):
        part = "xl/" + target[s.get(R_ID)]
        raw = z.read(part)
        cells = {}
        for c in ET.fromstring(raw).iter("{%s}c" % NS["m"]):
            cells[c.get("r")] = (c.get("t") or "n", cell_text(c, shared))
        sheets.append((s.get("name"), part, cells, raw))
    return sheets


def sheet(sheets, name):
    for s in sheets:
        if s[0] == name:
            return s[2]
    return {}


def row_values(cells, row, ncols):
    out = []
    for i in range(ncols):
        col = chr(ord("A") + i)
        out.append(cells.get("%s%d" % (col, row), (None, None))[1])
    return out


def excel_decode(s):
    """What Excel shows for stored text: it decodes _xHHHH_ escapes."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def check_structure(full, redacted):
    check([s[0] for s in full] == FULL_SHEETS, "full sheet order %r" % [s[0] for s in full])
    check([s[0] for s in redacted] == REDACTED_SHEETS,
          "redacted sheet order %r" % [s[0] for s in redacted])
    for name in ("Findings", "Findings (2)", "Findings (3)"):
        check(row_values(sheet(full, name), 1, 17) == FINDINGS_HEADER, name + " header row %r" % row_values(sheet(full, name), 1, 17))
    acc = sheet(full, "Accounts")
    check(row_values(acc, 1, 4) == ["Account ID", "Name", "Status", "Critical"], "Accounts header")
    check(acc.get("M1", (0, ""))[1] == "Cost total (USD)", "Accounts cost column when not redacted")
    check(row_values(sheet(full, "Costs"), 11, 3) == ["Account ID", "Amount", "Amount (exact)"],
          "Costs: the by-account table's header")
    check(row_values(sheet(full, "Trends"), 1, 5) ==
          ["Week", "Start (local)", "Start", "End", "New critical"], "Trends header")


def check_values(full):
    ov = sheet(full, "Overview")
    check(ov.get("A1", (0, ""))[1] == "GuardDuty organization report", "Overview title")
    check(ov.get("B7") == ("inlineStr", "o-abc123def4"), "Overview org id: %r" % (ov.get("B7"),))
    acc = sheet(full, "Accounts")
    # Account ids are text: leading zeros survive.
    check(acc.get("A2") == ("inlineStr", "000123456789"), "account id as text %r" % (acc.get("A2"),))
    check(acc.get("B3", (0, ""))[1] == "'=cmd|' /C calc'!A0", "hostile account name quoted")
    check(acc.get("D2") == ("n", "1"), "critical count of the first account %r" % (acc.get("D2"),))
    costs = sheet(full, "Costs")
    # Row 13: the second row of the "By account" table (title, definition and
    # header on rows 9-11, under the basis block on rows 1-7).
    check(costs.get("A9", (0, ""))[1] == "By account", "Costs: by-account table %r" % (costs.get("A9"),))
    check(costs.get("C13", (0, ""))[1] == "0.12345678901234567890", "exact cost text kept")
    check(costs.get("B13", ("", ""))[0] == "n" and abs(float(costs["B13"][1]) - 0.123456789) < 1e-8,
          "cost amount as a number %r" % (costs.get("B13"),))
    titles = [v[1] for k, v in costs.items() if k.startswith("A")]
    check(all(t in titles for t in ("By account", "By plan", "By region", "By account and plan")),
          "Costs: one table per kind %s" % titles)
    check(titles.count("Total") == 4, "Costs: a total line per table (%d)" % titles.count("Total"))
    plans = sheet(full, "Plans")
    check(plans.get("F2") == ("n", "1"), "coverage 100%% stored as 1 %r" % (plans.get("F2"),))
    trends = sheet(full, "Trends")
    # 12 complete Tokyo weeks, the last one labelled, then the week to date
    check(trends.get("A13", (0, ""))[1] == "last week" and
          trends.get("A14", (0, ""))[1] == "week to date", "week labels")
    check(trends.get("C13", (0, ""))[1] == "2026-11-16T00:00:00+09:00", "week start with the "
          "zone's offset %r" % (trends.get("C13"),))


def findings_titles(sheets):
    titles = []
    for name, _, cells, _ in sheets:
        if name.startswith("Findings"):
            r = 2
            while "A%d" % r in cells:
                titles.append(cells.get("I%d" % r, (None, ""))[1])
                r += 1
    return titles


def check_hostile(full):
    titles = findings_titles(full)
    check(len(titles) == 7, "7 findings across the Findings sheets, got %d" % len(titles))
    if len(titles) < 7:
        return
    check(titles[0] == "'=cmd|' /C calc'!A0", "formula title quoted: %r" % titles[0])
    # The CR is stored by libxlsxwriter as _x000D_, which the XML parser leaves alone.
    check(titles[1] == "_x005F_x0041_ literal escape _x005F_x0042_x000D_",
          "escape escaped: %r" % titles[1])
    check(excel_decode(titles[1]) == "_x0041_ literal escape _x0042\r",
          "Excel shows the literal text: %r" % excel_decode(titles[1]))
    check(titles[2] == "bad \ufffd\ufffd utf8 \ufffd\ufffd\ufffd cesu", "UTF-8 repaired: %r" % titles[2])
    check(titles[3] == "ctl and  nonchar", "controls and U+FFFE removed: %r" % titles[3])
    check(titles[4].endswith(MARKER) and len(titles[4]) == 32767,
          "long title cut to 32,767 with marker (len %d)" % len(titles[4]))
    check(titles[5] == "'+SUM(1)", "plus formula quoted")
    for name, _, cells, raw in full:
        check(b"<f>" not in raw and b"<f " not in raw, "no formula element in " + name)
        for v in re.findall(rb"<v>([^<]*)</v>", raw):
            check(NUMBER.match(v.decode()), "finite number %r in %s (no NAN/INF)" % (v, name))
        for ref, (t, v) in cells.items():
            if isinstance(v, str) and t != "n":
                check(not XML_FORBIDDEN.search(excel_decode(v)),
                      "no forbidden character in %s!%s" % (name, ref))
                check(not re.match(r"[=+\-@\t\r]", v), "no formula lead in %s!%s: %r" % (name, ref, v[:40]))


def check_charts(path, full):
    z = zipfile.ZipFile(path)
    ov = sheet(full, "Overview")
    head = [int(ref[1:]) for ref, (_, v) in ov.items()
            if ref.startswith("A") and v == "Top accounts (active findings)"]
    top = head[0] + 1 if head else 0
    charts = [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/chart")]
    check(len(charts) == 2, "two charts, got %d" % len(charts))
    bar = [c for c in charts if "<c:barChart>" in c]
    line = [c for c in charts if "<c:lineChart>" in c]
    check(len(bar) == 1 and '<c:grouping val="stacked"/>' in bar[0], "stacked bar chart")
    check(len(line) == 1, "line chart")
    if bar:
        # The two accounts with findings, right under the top-accounts header.
        cats = "Overview!$A$%d:$A$%d" % (top, top + 1)
        crit = "Overview!$C$%d:$C$%d" % (top, top + 1)
        check(cats in bar[0] and crit in bar[0], "bar chart reads the Overview cells " + cats)
        check(ov.get("A%d" % top, (0, ""))[1] == "000123456789", "largest account first")
        check(bar[0].count("<c:ser>") == 4, "one series per severity")
    if line:
        check("Trends!$B$2:$B$13" in line[0] and "Trends!$H$2:$H$13" in line[0],
              "line chart reads the 12 complete Trends weeks (not the week to date)")
    rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    check("drawing" in rels, "Overview sheet has the drawing")


def check_redacted(path, redacted):
    z = zipfile.ZipFile(path)
    for n in z.namelist():
        check(b"999888777666" not in z.read(n), "management account id absent from " + n)
    acc = sheet(redacted, "Accounts")
    check(not any("Cost" in (v or "") for (_, v) in acc.values()), "no cost columns when redacted")
    ov = sheet(redacted, "Overview")
    check(not any((v or "").startswith("Total cost") for (_, v) in ov.values()), "no total cost")
    check(any(v == "management_account, cost" for (_, v) in ov.values()), "redactions listed")


def check_xmllint(path):
    if not shutil.which("xmllint"):
        print("SKIP: xmllint check: not installed (apt-get install libxml2-utils)")
        return
    with tempfile.TemporaryDirectory() as d:
        zipfile.ZipFile(path).extractall(d)
        for root, _, files in os.walk(d):
            for f in files:
                if f.endswith(".xml") or f.endswith(".rels"):
                    p = subprocess.run(["xmllint", "--noout", os.path.join(root, f)],
                                       capture_output=True, text=True)
                    check(p.returncode == 0, "xmllint %s: %s" % (f, p.stderr.strip()))


def check_soffice(path):
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        print("SKIP: LibreOffice round-trip: soffice not installed (apt-get install libreoffice-calc-nogui)")
        return
    with tempfile.TemporaryDirectory() as d:
        profile = "file://" + os.path.join(d, "profile")
        p = subprocess.run([exe, "-env:UserInstallation=" + profile, "--headless", "--convert-to",
                            "csv", "--outdir", d, path], capture_output=True, text=True, timeout=300)
        csv = os.path.join(d, os.path.splitext(os.path.basename(path))[0] + ".csv")
        check(p.returncode == 0 and os.path.exists(csv), "soffice converted: %s" % p.stderr.strip())
        if os.path.exists(csv):
            text = open(csv, encoding="utf-8", errors="replace").read()
            check("GuardDuty organization report" in text and "o-abc123def4" in text,
                  "LibreOffice reads the Overview sheet")
        check_soffice_charts(exe, path, d)


def chart_tables(ods_path):
    """Each embedded chart's title and the data table LibreOffice built for it
    from the cells the chart references (constant_memory cannot write a cache,
    so this is what a spreadsheet program shows)."""
    z = zipfile.ZipFile(ods_path)
    out = []
    for n in sorted(z.namelist()):
        if re.match(r"Object \d+/content\.xml$", n):
            t = z.read(n).decode()
            texts = re.findall(r"<text:p>([^<]*)</text:p>", t)
            out.append((texts[0] if texts else "", texts))
    return out


def check_soffice_charts(exe, path, d):
    """The bar chart's categories and values resolve from the Overview cells."""
    profile = "file://" + os.path.join(d, "profile")
    p = subprocess.run([exe, "-env:UserInstallation=" + profile, "--headless", "--convert-to",
                        "ods", "--outdir", d, path], capture_output=True, text=True, timeout=300)
    ods = os.path.join(d, os.path.splitext(os.path.basename(path))[0] + ".ods")
    check(p.returncode == 0 and os.path.exists(ods), "soffice converted to ods: %s" % p.stderr.strip())
    if not os.path.exists(ods):
        return
    charts = dict((title, texts) for title, texts in chart_tables(ods))
    bar = charts.get("Active findings by severity: top accounts", [])
    # Series names, then one row per account: category, critical, high, medium, low.
    check(bar[-10:] == ["000123456789", "1", "2", "1", "1", "210987654321", "0", "0", "1", "0"],
          "LibreOffice resolves the bar chart's account categories and counts: %r" % bar[-10:])
    line = charts.get("New findings per week by severity", [])
    check(len(line) == 7 + 12 * 5, "LibreOffice resolves the trend chart's 12 weeks: %r" % line)


def zip_parts(path):
    z = zipfile.ZipFile(path)
    return {n: z.read(n) for n in z.namelist()}


def check_same(a, b, what):
    pa, pb = zip_parts(a), zip_parts(b)
    check(sorted(pa) == sorted(pb), what + ": same parts")
    for n in pa:
        check(pa[n] == pb.get(n), what + ": identical " + n)


def de_locale_env(tmp):
    """Env that gives a child process a de_DE.UTF-8 LC_ALL, or None."""
    have = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
    if "de_de.utf8" in have or "de_de.utf-8" in have:
        return {"LC_ALL": "de_DE.UTF-8"}
    if not shutil.which("localedef"):
        return None
    locpath = os.path.join(tmp, "locales")
    os.makedirs(locpath)
    p = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(locpath, "de_DE.UTF-8")],
                       capture_output=True, text=True)
    if not os.path.isdir(os.path.join(locpath, "de_DE.UTF-8")):
        print("localedef failed:", p.stderr.strip()[:200])
        return None
    # glibc's setlocale(LC_ALL, "") leaks its parsed LOCPATH list (28-41 bytes,
    # seen with LSan whatever the locale); not the writer's memory, so leak
    # checking is off for this one run under a sanitizer build.
    asan = os.environ.get("ASAN_OPTIONS", "")
    return {"LC_ALL": "de_DE.UTF-8", "LOCPATH": locpath,
            "ASAN_OPTIONS": (asan + ":" if asan else "") + "detect_leaks=0"}


def check_de_locale(tmp, c_locale_full):
    env = de_locale_env(tmp)
    if env is None:
        print("SKIP: de_DE check: no de_DE.UTF-8 locale and localedef cannot make one")
        return
    out = os.path.join(tmp, "de")
    os.makedirs(out)
    stdout = produce(out, env)
    if "decimal_point=," not in stdout:
        print("SKIP: de_DE check: the locale did not take effect (%s)" % stdout.strip()[:80])
        return
    print("de_DE run: process decimal point is ','")
    path = os.path.join(out, "full.xlsx")
    for name, part, _, raw in read_workbook(path):
        values = re.findall(rb"<v>([^<]*)</v>", raw)
        for v in values:
            check(NUMBER.match(v.decode()), "number %r in %s uses '.'" % (v, name))
    check(any(b"<v>9.5</v>" in s[3] for s in read_workbook(path)), "9.5 written with '.'")
    check_same(c_locale_full, path, "de_DE vs C locale")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        run1, run2 = os.path.join(tmp, "1"), os.path.join(tmp, "2")
        os.makedirs(run1)
        os.makedirs(run2)
        produce(run1)
        produce(run2)
        full_path = os.path.join(run1, "full.xlsx")
        red_path = os.path.join(run1, "redacted.xlsx")
        for p in (full_path, red_path):
            check(os.stat(p).st_mode & 0o777 == 0o600, p + " is 0600")
        check(sorted(os.listdir(run1)) == ["full.xlsx", "redacted.xlsx"], "no temp files left")
        full = read_workbook(full_path)
        redacted = read_workbook(red_path)
        check_structure(full, redacted)
        check_values(full)
        check_hostile(full)
        check_charts(full_path, full)
        check_redacted(red_path, redacted)
        check_xmllint(full_path)
        check_xmllint(red_path)
        check_same(full_path, os.path.join(run2, "full.xlsx"), "same model twice (full)")
        check_same(red_path, os.path.join(run2, "redacted.xlsx"), "same model twice (redacted)")
        check_de_locale(tmp, full_path)
        check_soffice(full_path)
    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("all xlsx readback checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
