#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""gdreport export against the fake's ground truth, end to end.

Starts the fake (default scenario, fixed --now), runs `gdreport collect` into a
temp DB, exports JSON and xlsx with the same --now, and checks every summary
against numbers computed in Python from GET /__fake/truth alone (gdexport.py,
never the DB): per account (active by band, archived, new in window, top types,
last finding, plans enabled, cost and cost per plan), per plan (counts, accounts
enabled/disabled, cost), totals (= truth = sum of the rows), regions, trends; the
workbook's Accounts/Plans cells and its Findings rows (one per active finding);
xmllint on every part; and byte-identical JSON / identical cells on a re-export.
Redaction is test_export_redaction.py."""
import json
import os
import shutil
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

NOW = "2026-11-29T12:00:00Z"


def check(cond, what):
    return gdtest.check(cond, what, verbose=True)


def export(env, db, out, fmt, *extra):
    return gdexport.run_export(env, db, out, fmt, NOW, check, *extra)


def main():
    tmp = gdtest.tempdir("gd-export-truth-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--now", NOW]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db], env, timeout=240)
            check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
            truth = fake.truth()
        exp = gdexport.expected_report(truth, NOW, lifecycle=gdexport.db_lifecycle(db))
        check(exp["totals"]["active"]["critical"] > 0 and exp["totals"]["archived"] > 0
              and exp["totals"]["new_in_window"] > 0 and exp["totals"]["cost_usd"] > 0,
              "the scenario has active, archived and new findings and costs")

        j1 = export(env, db, os.path.join(tmp, "a.json"), "json")
        doc = json.load(open(j1, encoding="utf-8"))
        check(doc["redactions"] == [], "unredacted: redactions empty")
        check(doc["window"]["until"] == NOW and doc["generated_at"] == NOW, "window ends at --now")
        gdexport.check_schema(gdexport.schema_validator(), doc, check, "json")
        gdexport.compare_json(doc, exp, check, "json")
        # Cross-check of gdtest's own helpers against expected_report's view.
        counts = gdtest.expected_counts(truth)
        check(sum(doc["totals"]["active"].values()) == counts["active"]
              and doc["totals"]["archived"] == counts["archived"],
              "totals agree with gdtest.expected_counts")
        check(Decimal(doc["totals"]["cost_usd"]) == gdtest.expected_costs(truth)["total"],
              "total cost agrees with gdtest.expected_costs")
        # Plans from the fake's own catalogue: every plan has findings, and the types no plan
        # lists are under UNCLASSIFIED by name (never in Foundational).
        plans = {p["plan"]: p for p in doc["plans"]}
        served = {f["type"] for f in gdtest.real_findings(truth)}
        for plan in gdtest.PLANS:
            total = sum(plans[plan]["active"].values()) + plans[plan]["archived"]
            check(total > 0, "plan %s has findings in the export" % plan)
        unclassified = {t for t in served if gdtest.plan_of(t) == "UNCLASSIFIED"}
        check(unclassified and {t["type"] for t in plans["UNCLASSIFIED"]["top_types"]}
              == unclassified, "UNCLASSIFIED lists its types by name: %s" % sorted(unclassified))
        check(not unclassified & {t["type"] for t in plans["FOUNDATIONAL"]["top_types"]},
              "no unclassified type in Foundational")

        x1 = export(env, db, os.path.join(tmp, "a.xlsx"), "xlsx")
        book1 = gdexport.check_xlsx(x1, doc, exp, check)

        # Determinism: same DB, flags and --now.
        j2 = export(env, db, os.path.join(tmp, "b.json"), "json")
        check(open(j1, "rb").read() == open(j2, "rb").read(), "JSON re-export is byte-identical")
        x2 = export(env, db, os.path.join(tmp, "b.xlsx"), "xlsx")
        book2 = gdexport.read_xlsx(x2)
        check(book1 == book2, "xlsx re-export has identical cell contents (%d sheets, %d cells)" % (
            len(book1), sum(len(c) for c in book1.values())))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
