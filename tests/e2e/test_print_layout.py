#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The demo organisation's workbook prints as a document: converted to PDF
by LibreOffice headless, the Overview is exactly one page; every page of
every table sheet starts with that sheet's header row, first column to last
(so the header repeats and no sheet is more than one page wide); the page
header names the sheet and the footer says "Page N of M"; and the Overview
chart's first (top) category is the account with the most active findings.
Also prints the total page count (the issue's before/after figure: 402 pages
before print setup existed).

Needs soffice (libreoffice-calc-nogui) and pdftotext/pdfinfo
(poppler-utils); skips (77) without them."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def to_pdf(xlsx, out_dir):
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    try:
        cp = subprocess.run(["soffice", "-env:UserInstallation=file://" + profile, "--headless",
                             "--convert-to", "pdf", "--outdir", out_dir, xlsx],
                            capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = os.path.join(out_dir, os.path.splitext(os.path.basename(xlsx))[0] + ".pdf")
    check(cp.returncode == 0 and os.path.exists(pdf), "soffice: %s" % cp.stderr[-500:])
    return pdf


def page_count(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


def page_text(pdf, n):
    return subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), "-layout", pdf, "-"],
                          capture_output=True, text=True).stdout


def sheet_of_page(text, names):
    """The page header's centre is the sheet name (&A)."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cells = [c for c in re.split(r"\s{2,}", first.strip()) if c]
    for c in cells:
        if c in names:
            return c
    return None


def words(title):
    return [w for w in re.split(r"[\s:()]+", title) if len(w) > 2] or [title]


def header_on_top(text, first_title, last_title):
    """The sheet's header row (first and last column titles) is among the first
    lines after the page header."""
    lines = [ln for ln in text.splitlines() if ln.strip()][1:6]
    top = " ".join(lines)
    return words(first_title)[0] in top and words(last_title)[-1] in top


def chart_top_category(pdf, ids):
    """Account ids drawn in the chart (right of the tables) on page 1, top first."""
    html = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-bbox", pdf, "-"],
                          capture_output=True, text=True).stdout
    page = re.search(r'<page width="([\d.]+)"', html)
    width = float(page.group(1)) if page else 842.0
    found = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]+)</word>', html):
        x, y, w = float(m.group(1)), float(m.group(2)), m.group(3)
        if w in ids and x > width * 0.2:
            found.append((y, w))
    found.sort()
    return [w for _, w in found]


def main():
    for tool in ("soffice", "pdftotext", "pdfinfo"):
        if not shutil.which(tool):
            gdtest.skip("%s is not installed (libreoffice-calc-nogui, poppler-utils)" % tool)
    tmp = gdtest.tempdir("gd-print-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        xlsx = gdexport.run_export(env, db, os.path.join(tmp, "demo.xlsx"), "xlsx", NOW, check,
                                   "--paper", "a4")
        doc = json.load(open(gdexport.run_export(env, db, os.path.join(tmp, "demo.json"),
                                                 "json", NOW, check)))
        book = gdexport.read_xlsx(xlsx)
        pdf = to_pdf(xlsx, tmp)
        pages = page_count(pdf)
        print("demo workbook: %d pages (A4 landscape)" % pages)

        per_sheet = {}
        for n in range(1, pages + 1):
            text = page_text(pdf, n)
            name = sheet_of_page(text, book)
            gdtest.check(name is not None, "page %d: the page header names no sheet" % n)
            gdtest.check(re.search(r"Page %d of %d" % (n, pages), text) is not None,
                         "page %d: footer has no 'Page %d of %d'" % (n, n, pages))
            gdtest.check("Generated 2026-11-29 12:00 UTC" in text,
                         "page %d: the footer has no generated time" % n)
            per_sheet.setdefault(name, []).append((n, text))
        check(len(per_sheet.get("Overview", [])) == 1,
              "the Overview prints on %d pages, not 1" % len(per_sheet.get("Overview", [])))
        for name, cells in book.items():
            if name == "Overview":
                continue
            row0 = [cells[(0, c)] for c in sorted(c for r, c in cells if r == 0)]
            check(name in per_sheet, "sheet %s printed no page" % name)
            if not row0:
                continue
            for n, text in per_sheet.get(name, []):
                gdtest.check(header_on_top(text, row0[0], row0[-1]),
                      "page %d (%s): does not start with the header row %r ... %r"
                      % (n, name, row0[0], row0[-1]))
        multi = [s for s, p in per_sheet.items() if len(p) > 1]
        check(multi, "some sheet runs over several pages (the header repeat is exercised)")

        totals = {a["account_id"]: sum(a["active"][b] for b in ("critical", "high", "medium", "low"))
                  for a in doc["accounts"]}
        best = max(totals.values())
        largest = sorted(a for a, t in totals.items() if t == best)
        check(len(largest) == 1, "the demo has one largest account: %r" % largest)
        drawn = chart_top_category(pdf, set(totals))
        check(drawn and drawn[0] == largest[0],
              "chart's first category is %r, the largest account is %s"
              % (drawn[:3], largest[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
