#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Bidi controls are inert in the workbook and exact in JSON.

The fake's default scenario gives some findings a title with U+202E (RIGHT-TO-
LEFT OVERRIDE). After collect, the JSON export (--findings) must carry that
title byte for byte, while in the xlsx every bidi control (U+202A-U+202E,
U+2066-U+2069, U+200E/U+200F) is gone from every part and the same finding's
title shows the visible marker \u27e8U+202E\u27e9 in its place."""
import json
import os
import re
import shutil
import sys
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def marked(text):
    return BIDI.sub(lambda m: "\u27e8U+%04X\u27e9" % ord(m.group(0)), text)


def main():
    tmp = gdtest.tempdir("gd-bidi-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        jpath = gdexport.run_export(env, db, os.path.join(tmp, "r.json"), "json", NOW, check,
                                    "--findings")
        xpath = gdexport.run_export(env, db, os.path.join(tmp, "r.xlsx"), "xlsx", NOW, check)
        doc = json.load(open(jpath, encoding="utf-8"))
        with_bidi = {f["finding_id"]: f["title"] for f in doc.get("findings", [])
                     if f.get("title") and BIDI.search(f["title"])}
        check(with_bidi, "JSON keeps the bidi controls of %d finding titles exactly"
              % len(with_bidi))
        check(any("\u202e" in t for t in with_bidi.values()), "one of them holds U+202E")

        z = zipfile.ZipFile(xpath)
        leaked = [n for n in z.namelist()
                  if n.endswith(".xml") and BIDI.search(z.read(n).decode("utf-8"))]
        check(not leaked, "no bidi control in any workbook part: %r" % leaked)

        book = gdexport.read_xlsx(xpath)
        rows = [r for name, cells in book.items() if name.startswith("Findings")
                for r in gdexport.table(cells)]
        by_id = {r.get("Finding ID"): r.get("Title") for r in rows}
        for fid, title in with_bidi.items():
            check(by_id.get(fid) == marked(title),
                  "xlsx title of %s is %r, expected %r" % (fid, by_id.get(fid), marked(title)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
