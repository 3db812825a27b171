# SPDX-License-Identifier: Apache-2.0
"""Usage costs at organization scale (issue 13): 120 accounts, RDS_LOGIN_EVENTS
billed, so that the accounts need three batches of 50 and the top-50 lists of
most features are truncated. Checks, against the fake's ground truth:
account x feature, per-account and per-feature totals exact; GetUsageStatistics
requests per region within ceil(N/50) x (billed features + 1) + 5 (the fake's
stats) and recorded in run_regions.usage_calls; throttled usage calls slow the
region but lose nothing; an SCP denying usage gives cost "denied" and exit 0; a
feature total its accounts do not add up to is stored as sent, with a warning."""
import math
import os
import sys
import tempfile
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
from hostile_proxy import HostileProxy  # noqa: E402


check = gdtest.check
ACCOUNTS = 118          # + management + admin = 120


def collected_regions(truth):
    return sorted(r for r, s in truth["region_states"].items() if s == "collected")


def usage_rows(db):
    return gdtest.sqlite_query(
        db, "SELECT region, kind, account_id, feature, amount FROM usage_costs "
            "WHERE run_id = (SELECT max(run_id) FROM runs)")


def check_totals(db, truth, label):
    """Every figure equals the truth, and the three kinds agree with each other."""
    rows = usage_rows(db)
    af = {(r[0], r[2], r[3]): Decimal(r[4]) for r in rows if r[1] == "account_feature"}
    acct = {(r[0], r[2]): Decimal(r[4]) for r in rows if r[1] == "account"}
    feat = {(r[0], r[3]): Decimal(r[4]) for r in rows if r[1] == "feature"}
    want_af, want_acct, want_feat = {}, {}, {}
    for region in collected_regions(truth):
        for a, feats in truth["usage"].get(region, {}).items():
            for f, amount in feats.items():
                d = Decimal(amount)
                want_af[(region, a, f)] = d
                want_acct[(region, a)] = want_acct.get((region, a), Decimal(0)) + d
                want_feat[(region, f)] = want_feat.get((region, f), Decimal(0)) + d
    check(af == want_af, "%s: account x feature equals the truth (%d vs %d rows, %d differ)" % (
        label, len(af), len(want_af),
        sum(1 for k in set(af) | set(want_af) if af.get(k) != want_af.get(k))))
    check(acct == want_acct, "%s: per-account totals equal the truth (%d vs %d)" % (
        label, len(acct), len(want_acct)))
    check(feat == want_feat, "%s: per-feature totals equal the truth (%d vs %d)" % (
        label, len(feat), len(want_feat)))
    # internal consistency: the stored kinds add up exactly
    sum_a, sum_f = {}, {}
    for (r, a, f), v in af.items():
        sum_a[(r, a)] = sum_a.get((r, a), Decimal(0)) + v
        sum_f[(r, f)] = sum_f.get((r, f), Decimal(0)) + v
    check(sum_a == acct, "%s: account x feature sums to each account total" % label)
    check(sum_f == feat, "%s: account x feature sums to each feature total" % label)
    # texts: account x feature and feature totals are AWS's own strings
    texts = {(r[0], r[2], r[3]): r[4] for r in rows if r[1] == "account_feature"}
    want_texts = {(region, a, f): amount for region in collected_regions(truth)
                  for a, feats in truth["usage"].get(region, {}).items()
                  for f, amount in feats.items()}
    check(texts == want_texts, "%s: account x feature amounts are AWS's exact texts" % label)


def budget(truth, region):
    n = len({m["accountId"] for m in truth["members"].get(region, [])} |
            {truth["admin_account_id"]})
    billed = {f for feats in truth["usage"].get(region, {}).values() for f in feats}
    return math.ceil(n / 50) * (len(billed) + 1) + 5, n, billed


def run_collect(fake, db, extra=()):
    cp = gdtest.run_gdreport(["collect", "--db", db, "-q"] + list(extra), gdtest.gd_env(fake),
                             timeout=300)
    return cp


def scale_and_budget(fake, tmp):
    truth = fake.truth(findings=False)
    regions = collected_regions(truth)
    check(len(truth["accounts"]) == ACCOUNTS + 2, "120 accounts (%d)" % len(truth["accounts"]))
    for region in regions:
        usage = truth["usage"].get(region, {})
        rds = [a for a, f in usage.items() if "RDS_LOGIN_EVENTS" in f]
        check(len(rds) > 0, "%s: RDS_LOGIN_EVENTS is billed (%d accounts)" % (region, len(rds)))
        per_feature = {}
        for feats in usage.values():
            for f in feats:
                per_feature[f] = per_feature.get(f, 0) + 1
        check(any(n > 50 for f, n in per_feature.items() if f != "RDS_LOGIN_EVENTS"),
              "%s: a top-50 list is truncated (features over 50 accounts: %s)" % (
                  region, sorted(f for f, n in per_feature.items() if n > 50)))
        check(any(n <= 50 for n in per_feature.values()),
              "%s: some feature fits in its top-50 list" % region)
    fake.faults(reset=True)
    fake.reset_stats()
    db = os.path.join(tmp, "scale.db")
    cp = run_collect(fake, db)
    check(cp.returncode == 0, "collect exit %d: %s" % (cp.returncode, cp.stderr[-1500:]))
    check_totals(db, truth, "120 accounts")
    stats = fake.stats()
    recorded = dict(gdtest.sqlite_query(
        db, "SELECT region, usage_calls FROM run_regions "
            "WHERE run_id = (SELECT max(run_id) FROM runs)"))
    for region in regions:
        limit, n, billed = budget(truth, region)
        sent = stats["by_region"].get("GetUsageStatistics@%s" % region, 0)
        check(0 < sent <= limit, "%s: %d usage calls for %d accounts, %d billed features "
              "(budget %d; one per account would be %d)" % (region, sent, n, len(billed), limit,
                                                           n + math.ceil(n / 50) + 1))
        check(recorded.get(region) == sent, "%s: run_regions.usage_calls %s == the fake's %d" % (
            region, recorded.get(region), sent))
        by_type = {t: stats["usage_types"].get("%s@%s" % (t, region), 0)
                   for t in ("SUM_BY_FEATURES", "TOP_ACCOUNTS_BY_FEATURE", "SUM_BY_ACCOUNT")}
        check(by_type["SUM_BY_FEATURES"] == 1 and by_type["TOP_ACCOUNTS_BY_FEATURE"] == 1,
              "%s: one SUM_BY_FEATURES and one TOP_ACCOUNTS_BY_FEATURE: %s" % (region, by_type))
        print("%s: %d accounts, %d billed features: %d usage calls (budget %d): %s" % (
            region, n, len(billed), sent, limit, by_type))
        check(by_type["SUM_BY_ACCOUNT"] % math.ceil(n / 50) == 0,
              "%s: SUM_BY_ACCOUNT in whole sets of %d batches: %s" % (
                  region, math.ceil(n / 50), by_type))


def throttled(fake, tmp):
    """30 % of the usage calls throttled: slower, but every figure still exact."""
    truth = fake.truth(findings=False)
    fake.faults(reset=True, throttle_rate=0.3, fault_ops=["GetUsageStatistics"], fault_seed=7)
    fake.reset_stats()
    db = os.path.join(tmp, "throttled.db")
    t0 = time.monotonic()
    cp = run_collect(fake, db)
    wall = time.monotonic() - t0
    fake.faults(reset=True)
    check(cp.returncode == 0, "throttled usage: exit %d: %s" % (cp.returncode, cp.stderr[-1500:]))
    stats = fake.stats()
    n_throttled = stats["faults_by_op"].get("throttle:GetUsageStatistics", 0)
    check(n_throttled > 5, "usage calls were throttled (%d)" % n_throttled)
    check_totals(db, truth, "throttled")
    states = gdtest.sqlite_query(db, "SELECT region, cost_state, throttles FROM run_regions "
                                     "WHERE run_id = (SELECT max(run_id) FROM runs)")
    coll = [s for s in states if s[0] in collected_regions(truth)]
    check(all(s[1] == "collected" for s in coll), "throttled: cost collected: %s" % coll)
    check(sum(s[2] for s in coll) >= n_throttled // 2,
          "the regions recorded the throttling (%s, fake %d)" % (coll, n_throttled))
    print("throttled usage: %d throttled answers, collect %.1f s" % (n_throttled, wall))


def denied(fake, tmp):
    fake.faults(reset=True, deny=["GetUsageStatistics"])
    db = os.path.join(tmp, "denied.db")
    cp = run_collect(fake, db)
    fake.faults(reset=True)
    check(cp.returncode == 0, "SCP-denied usage: exit %d (want 0)" % cp.returncode)
    truth = fake.truth(findings=False)
    rows = gdtest.sqlite_query(db, "SELECT region, state, cost_state, cost_message FROM "
                                   "run_regions WHERE run_id = (SELECT max(run_id) FROM runs)")
    coll = [r for r in rows if r[0] in collected_regions(truth)]
    check(coll and all(r[1] == "collected" and r[2] == "denied" for r in coll),
          "denied usage: regions collected, cost denied: %s" % [(r[0], r[1], r[2]) for r in coll])
    check(all("not authorized" in (r[3] or "") for r in coll), "the denial message is kept")
    check(usage_rows(db) == [], "no usage rows when usage is denied")


def feature_total_mismatch(fake, tmp):
    """One region's first feature total raised by 1.25 (as if accounts outside the member
    list had used it): every row is stored as AWS sent it, the cost is still collected, and
    cost_message says the accounts add up to the truth's sum, not the total sent."""
    truth = fake.truth(findings=False)
    region = collected_regions(truth)[0]
    sent = {}

    def bump(doc, req, state):
        rows = (doc.get("usageStatistics") or {}).get("sumByFeature") or []
        if (req.get("usageStatisticsType") != "SUM_BY_FEATURES" or state.get("region") != region
                or not rows or sent):
            return doc
        total = rows[0]["total"]
        total["amount"] = format(Decimal(total["amount"]) + Decimal("1.25"), "f")
        sent[rows[0]["feature"]] = total["amount"]
        return doc
    db = os.path.join(tmp, "mismatch.db")
    with HostileProxy(fake.url, "GetUsageStatistics", rewrite=bump) as proxy:
        cp = gdtest.run_gdreport(["collect", "--db", db, "-q"],
                                 gdtest.gd_env(fake, AWS_ENDPOINT_URL=proxy.url), timeout=300)
    check(cp.returncode == 0, "feature total mismatch: exit %d: %s" % (cp.returncode,
                                                                      cp.stderr[-1500:]))
    check(len(sent) == 1, "the proxy raised one feature total (%s)" % sent)
    feature, amount = next(iter(sent.items())) if sent else ("?", "?")
    accounts_sum = sum((Decimal(v.get(feature, "0")) for v in
                        truth["usage"].get(region, {}).values()), Decimal(0))
    rows = gdtest.sqlite_query(db, "SELECT cost_state, cost_message FROM run_regions"
                                   " WHERE region = ?", (region,))
    state, msg = rows[0] if rows else (None, "")
    msg = msg or ""
    got = msg.partition("add up to ")[2].partition(",")[0]
    check(state == "collected" and feature in msg and amount in msg and got
          and Decimal(got) == accounts_sum,
          "%s: cost collected, the message gives the feature, the accounts' sum %s and the "
          "total sent %s: %s %r" % (region, accounts_sum, amount, state, msg))
    stored = gdtest.sqlite_query(db, "SELECT amount FROM usage_costs WHERE region = ? AND"
                                     " kind = 'feature' AND feature = ?", (region, feature))
    check(stored == [(amount,)], "the feature total is stored as sent (%s)" % stored)
    others = [r for r in gdtest.sqlite_query(db, "SELECT region, cost_message FROM run_regions")
              if r[0] != region and r[1]]
    check(not others, "the other regions have no message (%s)" % others)


def main():
    with tempfile.TemporaryDirectory() as tmp, gdtest.FakeAws(
            ["--scenario", "small", "--accounts", str(ACCOUNTS)]) as fake:
        scale_and_budget(fake, tmp)
        throttled(fake, tmp)
        denied(fake, tmp)
        feature_total_mismatch(fake, tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
