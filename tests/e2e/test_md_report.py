#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""`export --format md`: the one-page Markdown summary carries the same
numbers as the JSON report of the same DB and --now (totals, week over week,
the top 10 accounts, regions not collected, regions without a detector,
cost), states each figure's definition, stays short, escapes hostile account
names, and leaves every cost out under --redact cost. With --lang ja the
words are Japanese and the numbers the same."""
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"
SEEN = {"collected", "no_detector", "region_disabled"}


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def unescape(s):
    return re.sub(r"\\(.)", r"\1", s)


def section(md, title):
    m = re.search(r"^## %s\n(.*?)(?=^## |\Z)" % re.escape(title), md, re.S | re.M)
    return m.group(1) if m else ""


def table_rows(text):
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            cells = re.split(r"(?<!\\)\|", line.strip()[1:-1])
            rows.append([c.strip() for c in cells])
    return rows[1:]


def japanese(env, db, tmp, md_en):
    """--lang ja: every heading and sentence in Japanese, the same numbers in the
    same order as the English summary, and no English words left but identifiers."""
    mo = os.path.join(os.environ.get("GD_BUILD_DIR", ""), "locale", "ja", "LC_MESSAGES",
                      "gdreport.mo")
    if not os.path.exists(mo):
        gdtest.skip_part("Japanese Markdown", "the catalog was not built (apt-get install gettext)")
        return
    ja = open(gdexport.run_export(env, db, os.path.join(tmp, "ja.md"), "md", NOW, check,
                                  "--lang", "ja"), encoding="utf-8").read()
    for title in ("# GuardDuty 週次サマリー", "## 検出結果", "## 前週比", "## 上位アカウント",
                  "## カバレッジの不足", "## コスト (過去 30 日間、USD)", "## 定義"):
        check(title in ja, "ja Markdown has %r" % title)
    def figures(md, definitions_title):   # the numbers above the (translated) definitions
        body = md.split("\n## %s\n" % definitions_title)[0]
        return re.findall(r"[-+]?\d+(?:[.:]\d+)*", body)
    fig_en, fig_ja = figures(md_en, "Definitions"), figures(ja, "定義")
    check(fig_ja == fig_en and len(fig_en) > 50,
          "ja Markdown: the same %d numbers in the same order as the English one" % len(fig_en))
    english = ("Generated", "Window", "Findings", "Week over week", "Top accounts", "Coverage",
               "Cost (last", "Definitions", "Total:", "Regions not collected", "none")
    left = [w for w in english if w in ja]
    check(not left, "no English words left in the ja Markdown: %r" % left)


def main():
    tmp = gdtest.tempdir("gd-md-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        doc = json.load(open(gdexport.run_export(env, db, os.path.join(tmp, "r.json"), "json",
                                                 NOW, check)))
        md_path = gdexport.run_export(env, db, os.path.join(tmp, "r.md"), "md", NOW, check)
        md = open(md_path, encoding="utf-8").read()
        check(len(md.splitlines()) <= 60, "one page: %d lines" % len(md.splitlines()))

        t = doc["totals"]
        row = table_rows(section(md, "Findings"))[0]
        want = [t["active"][b] for b in ("critical", "high", "medium", "low")]
        want += [sum(want), t["archived"], t["new_in_window"]]
        check([int(x) for x in row] == want, "totals %r, JSON %r" % (row, want))

        tr = doc["trends"]
        last_week = sum(tr["last_week"]["new"].values())
        previous = sum(tr["previous_week"]["new"].values())
        wtd = sum(tr["week_to_date"]["new"].values())
        check("(from %s, %s): %d; the week before: %d; change: %+d. Week to date: %d."
              % (tr["last_week"]["start"], tr["time_zone"], last_week, previous,
                 last_week - previous, wtd) in section(md, "Week over week"),
              "week over week matches JSON trends.last_week / previous_week")

        def total(a):
            return sum(a["active"].values())
        top = sorted((a for a in doc["accounts"] if total(a) > 0),
                     key=lambda a: (-total(a), a["account_id"]))[:10]
        rows = table_rows(section(md, "Top accounts (active findings)"))
        check([r[0] for r in rows] == [a["account_id"] for a in top],
              "top accounts in the Overview's order")
        for r, a in zip(rows, top):
            check([int(x) for x in r[2:]] == [a["active"][b] for b in
                                              ("critical", "high", "medium", "low")]
                  + [total(a), a["new_in_window"]], "row of %s" % a["account_id"])
            name = (a["name"] or "-").replace("\t", " ").strip()
            check(unescape(r[1]) == name, "name of %s: %r vs %r" % (a["account_id"], r[1], name))
            check(not re.search(r"(?<!\\)[\[\]<>`*_|]", r[1]), "name of %s is escaped: %r"
                  % (a["account_id"], r[1]))

        gaps = section(md, "Coverage gaps")
        bad = [r["region"] for r in doc["regions"] if r["state"] not in SEEN]
        nodet = [r["region"] for r in doc["regions"] if r["state"] == "no_detector"]
        line = re.search(r"Regions not collected:(.*)", gaps).group(1)
        check(sorted(re.findall(r"([a-z0-9-]+) \(", unescape(line))) == sorted(bad),
              "regions not collected %r, JSON %r" % (line, bad))
        line = re.search(r"Regions without a GuardDuty detector:(.*)", gaps).group(1)
        check(sorted(x.strip() for x in unescape(line).split(",") if x.strip()) == sorted(nodet),
              "regions without a detector %r, JSON %r" % (line, nodet))

        cost = section(md, "Cost (last 30 days, USD)")
        check("Total: $%s." % t["cost_usd"] in cost, "cost total %s in %r" % (t["cost_usd"], cost))
        for p in doc["plans"]:
            if p.get("cost_usd"):
                check("%s: $%s." % (p["label"], p["cost_usd"]) in cost, "cost of %s" % p["plan"])
        schema = json.load(open(os.path.join(gdtest.SOURCE_DIR, "schema", "report.schema.json"),
                                encoding="utf-8"))
        new_def = schema["properties"]["totals"]["properties"]["new_in_window"]["description"]
        check("## Definitions" in md and ("New in window: " + new_def) in md,
              "definitions are the schema's")

        red = open(gdexport.run_export(env, db, os.path.join(tmp, "red.md"), "md", NOW, check,
                                       "--redact", "cost"), encoding="utf-8").read()
        check("$" not in red and "Redacted." in section(red, "Cost (last 30 days, USD)"),
              "--redact cost leaves no amount")
        cp = gdtest.run_gdreport(["export", "--db", db, "--format", "md", "-o", "-", "--now", NOW],
                                 env)
        check(cp.returncode == 0 and cp.stdout == md, "-o - writes the same Markdown to stdout")
        japanese(env, db, tmp, md)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
