# SPDX-License-Identifier: Apache-2.0
"""gdreport collect against the fake's default organization: every region's
coverage state, findings exact per account / region / severity band / archived,
members and plan status, the management account, usage costs to the cent, and
`gdreport status` (text and --json)."""
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402


check = gdtest.check


def last_run_regions(db):
    rows = gdtest.sqlite_query(
        db, "SELECT region, state, cost_state, message FROM run_regions "
            "WHERE run_id = (SELECT max(run_id) FROM runs)")
    return {r[0]: {"state": r[1], "cost": r[2], "message": r[3]} for r in rows}


def check_findings(db, truth, label):
    want = {f["id"]: f for f in gdtest.collected_findings(truth)}
    rows = gdtest.sqlite_query(db, "SELECT finding_id, region, account_id, severity, archived, "
                                   "count, type, sample FROM findings")
    got = {r[0]: r for r in rows}
    check(set(got) == set(want), "%s: finding ids differ: %d missing, %d extra" % (
        label, len(set(want) - set(got)), len(set(got) - set(want))))
    bad = [i for i, f in want.items() if i in got and (
        got[i][1] != f["region"] or got[i][2] != f["accountId"] or
        abs(got[i][3] - f["severity"]) > 1e-9 or got[i][4] != int(bool(f["archived"])) or
        got[i][5] != f["count"] or got[i][6] != f["type"])]
    check(not bad, "%s: %d findings differ from the truth, e.g. %s" % (label, len(bad), bad[:3]))
    samples = {i for i, f in want.items() if f["sample"]}
    check(samples and {r[0] for r in rows if r[7]} == samples,
          "%s: the %d samples (and only they) are stored as sample = 1" % (label, len(samples)))
    rows = [r for r in rows if not r[7]]
    exp = gdtest.expected_counts(truth)
    by_acct, by_region, by_band = {}, {}, {}
    archived = 0
    for r in rows:
        band = gdtest.band_of(r[3])
        by_acct[r[2]] = by_acct.get(r[2], 0) + 1
        by_region[r[1]] = by_region.get(r[1], 0) + 1
        by_band[band] = by_band.get(band, 0) + 1
        archived += r[4]
    check(by_acct == {a: b["total"] for a, b in exp["by_account"].items()}, label + ": per account")
    check(by_region == {a: b["total"] for a, b in exp["by_region"].items()}, label + ": per region")
    check(by_band == {b: n for b, n in exp["by_band"].items() if n}, label + ": per severity band")
    check(archived == exp["archived"], "%s: archived %d != %d" % (label, archived, exp["archived"]))
    return exp


def check_usage(db, truth):
    rows = gdtest.sqlite_query(
        db, "SELECT region, kind, account_id, feature, amount FROM usage_costs "
            "WHERE run_id = (SELECT max(run_id) FROM runs)")
    af = {(r[0], r[2], r[3]): r[4] for r in rows if r[1] == "account_feature"}
    acct = {(r[0], r[2]): Decimal(r[4]) for r in rows if r[1] == "account"}
    feat = {(r[0], r[3]): Decimal(r[4]) for r in rows if r[1] == "feature"}
    want_af, want_acct, want_feat = {}, {}, {}
    for region, per in truth["usage"].items():
        if truth["region_states"].get(region) != "collected":
            continue
        for a, feats in per.items():
            for f, amount in feats.items():
                want_af[(region, a, f)] = amount
                want_acct[(region, a)] = want_acct.get((region, a), Decimal(0)) + Decimal(amount)
                want_feat[(region, f)] = want_feat.get((region, f), Decimal(0)) + Decimal(amount)
    check(af == want_af, "usage account x feature: %d rows vs %d in the truth, texts exact" % (
        len(af), len(want_af)))
    check({k: v for k, v in acct.items() if v} == {k: v for k, v in want_acct.items() if v},
          "usage per account")
    check({k: v for k, v in feat.items() if v} == {k: v for k, v in want_feat.items() if v},
          "usage per feature")


def check_members(db, truth):
    for region, members in truth["members"].items():
        if truth["region_states"].get(region) != "collected":
            continue
        rows = gdtest.sqlite_query(db, "SELECT account_id, relationship_status FROM members "
                                       "WHERE region = ?", (region,))
        check({r[0] for r in rows} == {m["accountId"] for m in members},
              "%s: member accounts" % region)
        feats = gdtest.sqlite_query(db, "SELECT account_id, feature, status FROM member_features "
                                        "WHERE region = ?", (region,))
        got = {(a, f): s for a, f, s in feats}
        want = {(m["accountId"], f): s for m in members if not m.get("unprocessed")
                for f, s in m["features"].items()}
        check(all(got.get(k) == v for k, v in want.items()),
              "%s: member plan status (%d of %d match)" % (
                  region, sum(got.get(k) == v for k, v in want.items()), len(want)))
        unprocessed = {m["accountId"] for m in members if m.get("unprocessed")}
        if unprocessed:
            probs = gdtest.sqlite_query(db, "SELECT subject FROM run_problems WHERE region = ? AND "
                                            "kind = 'unprocessed_account'", (region,))
            check(unprocessed <= {p[0] for p in probs}, "%s: unprocessed accounts recorded" % region)


def main():
    tmp = gdtest.tempdir("gd-collect-org-")
    db = os.path.join(tmp, "gd.db")
    with gdtest.FakeAws(args=["--quiet"]) as fake:
        env = gdtest.gd_env(fake)
        cp = gdtest.run_gdreport(["collect", "--db", db, "--parallel", "4"], env, timeout=240)
        print(cp.stdout)
        check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-2000:]))
        truth = fake.truth()
        check(len(truth["accounts"]) >= 60, "scenario has >= 60 accounts")
        states = last_run_regions(db)
        check({r: s["state"] for r, s in states.items()} == truth["region_states"],
              "run_regions states equal the truth: %s" % sorted(
                  (r, s["state"], truth["region_states"].get(r)) for r, s in states.items()
                  if s["state"] != truth["region_states"].get(r)))
        kinds = set(truth["region_states"].values())
        check({"collected", "no_detector", "region_disabled", "not_admin"} <= kinds,
              "scenario covers every coverage state")
        check(len(states) >= 6, "at least 6 regions")
        na = [s for s in states.values() if s["state"] == "not_admin"]
        check(na and truth["other_admin_account_id"] in (na[0]["message"] or ""),
              "not_admin names the real administrator")
        exp = check_findings(db, truth, "first run")
        mgmt = truth["management_account_id"]
        check(exp["by_account"].get(mgmt, {}).get("total", 0) > 0,
              "the management account has findings in the truth")
        org = gdtest.sqlite_query(db, "SELECT management_account_id, state, "
                                      "delegated_admin_account_id FROM organization")
        check(org == [(mgmt, "collected", truth["admin_account_id"])], "organization row %s" % org)
        names = gdtest.sqlite_query(db, "SELECT count(*) FROM accounts WHERE source = "
                                        "'organizations' AND name IS NOT NULL")
        check(names[0][0] >= 60, "account names from ListAccounts: %s" % names)
        check_members(db, truth)
        check_usage(db, truth)
        check(all(s["cost"] == "collected" for s in states.values() if s["state"] == "collected"),
              "cost collected in every collected region")
        stored = len(gdtest.collected_findings(truth))   # samples are listed and stored too
        check("findings: %d listed, %d new" % (stored, stored) in cp.stdout,
              "summary line counts the findings")

        st = gdtest.run_gdreport(["status", "--db", db, "--json"], env)
        check(st.returncode == 0, "status --json exit %d" % st.returncode)
        doc = json.loads(st.stdout)
        regions = {r["region"]: r["state"] for r in doc["runs"][0]["regions"]}
        check(regions == truth["region_states"], "status --json shows each region's state")
        check(doc["runs"][0]["outcome"] == "ok", "status outcome ok")
        txt = gdtest.run_gdreport(["status", "--db", db], env)
        check(txt.returncode == 0 and "not_admin" in txt.stdout and "us-east-1" in txt.stdout,
              "status text")
        integ = gdtest.sqlite_query(db, "PRAGMA integrity_check")
        check(integ == [("ok",)], "integrity_check")
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
