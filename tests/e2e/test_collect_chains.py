# SPDX-License-Identifier: Apache-2.0
"""A region's findings listed in parallel chains, one per severity range (issue 13:
the listing is the region's critical path at real latency): Low (< 4), Medium
(4 to < 7), and High with Critical (>= 7), collector/findings_list.h.

Part 1 (full sync, then incremental, with boundary severities 3.9999999, 4.0,
6.9999999, 7.0, 8.9999999, 9.0, 10.0 added on top of the fake's own 3.9 .. 10.0):
  - the full sync's main listing is exactly three chains whose criteria are
    severity lessThan 4; >= 4 and < 7; >= 7 (the brief's bands, High and
    Critical together), each finding of the truth matches exactly one of them,
    and the three chains are in flight at once (the fake's request timeline);
  - every finding is stored exactly once with its exact severity, findings_listed
    equals the region's findings, completeness says "complete";
  - an incremental run after new boundary findings: its since-watermark listing
    is one chain (a few changes do not pay a page per chain), its missing-id
    listing (every unarchived finding) is three chains, and the store equals the
    truth again.
Part 2 (one chain fails half-way: deny_band): the region ends access_denied
with the chain's AccessDeniedException on ListFindings, as a denied listing
did, its watermark does not move, the other region is collected in full; with
the fault gone the next run stores everything.
Part 3 (throttled chains): with 30 % of ListFindings throttled, every finding is
still stored once and completeness says "complete"."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check
REGIONS = "us-east-1,eu-west-1"
EDGE_SEVERITIES = [3.9999999, 4.0, 6.9999999, 7.0, 8.9999999, 9.0, 10.0, 1.0]
BANDS = [{"lessThan": 4}, {"greaterThanOrEqual": 4, "lessThan": 7},
         {"greaterThanOrEqual": 7}]


def listings(fake):
    """-> {region: [(criterion, start, end)]} of the ListFindings requests."""
    out = {}
    for op, region, start, end, crit in fake.get("/__fake/stats?timeline=1")["timeline"]:
        if op == "ListFindings" and region:
            out.setdefault(region, []).append((crit or {}, start, end))
    return out


def matches(sev, cond):
    """AWS's comparison of a double with the condition's longs."""
    ok = True
    if "greaterThanOrEqual" in cond:
        ok &= sev >= cond["greaterThanOrEqual"]
    if "lessThan" in cond:
        ok &= sev < cond["lessThan"]
    return ok


def main_chains(calls):
    """The main listing's pages (no service.archived condition), by severity condition."""
    by = {}
    for crit, start, end in calls:
        if "service.archived" in crit:
            continue
        key = tuple(sorted((crit.get("severity") or {}).items()))
        by.setdefault(key, []).append((start, end))
    return by


def stored(db):
    return {r[0]: (r[1], r[2]) for r in gdtest.sqlite_query(
        db, "SELECT finding_id, region, severity FROM findings")}


def check_store(db, truth, label):
    want = {f["id"]: (f["region"], f["severity"]) for f in gdtest.collected_findings(truth)}
    got = stored(db)
    diff = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
    check(not diff, "%s: %d findings differ from the truth (id, region, exact severity), "
          "e.g. %s" % (label, len(diff), [(k, want.get(k), got.get(k)) for k in diff[:3]]))
    n = gdtest.sqlite_query(db, "SELECT count(*), count(DISTINCT finding_id) FROM findings")[0]
    check(n[0] == n[1] == len(want), "%s: %d rows, %d ids, %d findings" % (label, n[0], n[1],
                                                                         len(want)))


def check_complete(db, label):
    rows = gdtest.sqlite_query(db, "SELECT region, message FROM run_problems WHERE kind = "
                                   "'completeness' AND run_id = (SELECT max(run_id) FROM runs) "
                                   "ORDER BY region")
    check([r[0] for r in rows] == sorted(REGIONS.split(",")) and
          all(r[1].startswith("complete: ") for r in rows),
          "%s: completeness says complete in each region: %s" % (label, rows))


def collect(fake, db, *extra):
    fake.reset_stats()
    p = gdtest.run_gdreport(["collect", "--db", db, "--regions", REGIONS, "-q"] + list(extra),
                            gdtest.gd_env(fake), timeout=300)
    return p


def check_full_and_incremental(tmp):
    with gdtest.FakeAws(["--scenario", "small", "--findings-per-region", "1000",
                         "--latency-ms", "20"]) as fake:
        edge = fake.mutate(new_findings=2 * len(EDGE_SEVERITIES), severities=EDGE_SEVERITIES,
                           seed=1)["new"]
        db = os.path.join(tmp, "chains.db")
        p = collect(fake, db)
        check(p.returncode == 0, "full collect exits 0: %s" % p.stderr[-800:])
        truth = fake.truth()
        check_store(db, truth, "full sync")
        sevs = {f["id"]: f["severity"] for f in truth["findings"]}
        check(sorted({sevs[i] for i in edge}) == sorted(EDGE_SEVERITIES),
              "the edge findings carry every edge severity: %s" % sorted({sevs[i] for i in edge}))
        check_complete(db, "full sync")
        listed = dict(gdtest.sqlite_query(db, "SELECT region, findings_listed FROM run_regions"))
        per_region = {}
        for f in gdtest.collected_findings(truth):
            per_region[f["region"]] = per_region.get(f["region"], 0) + 1
        check(listed == per_region, "findings_listed = the region's findings: %s vs %s" % (
            listed, per_region))
        tl = listings(fake)
        want_keys = sorted(tuple(sorted(b.items())) for b in BANDS)
        for region in REGIONS.split(","):
            chains = main_chains(tl.get(region, []))
            check(sorted(chains) == want_keys, "%s: the main listing is the three chains: "
                  "%s" % (region, sorted(chains)))
            if sorted(chains) != want_keys:
                continue
            firsts = [min(s for s, _ in v) for v in chains.values()]
            lasts = [max(e for _, e in v if e is not None) for v in chains.values()]
            check(max(firsts) < min(lasts), "%s: the three chains are in flight at once (last "
                  "first page starts %.0f ms before the first chain ends)" % (
                      region, (min(lasts) - max(firsts)) * 1000))
            pages = {k: len(v) for k, v in chains.items()}
            check(max(pages.values()) < sum(pages.values()) - 2,
                  "%s: the longest chain (%d pages) is shorter than the listing (%d)" % (
                      region, max(pages.values()), sum(pages.values())))
        for f in gdtest.collected_findings(truth):
            hit = [b for b in BANDS if matches(f["severity"], b)]
            if len(hit) != 1:
                check(False, "finding %s severity %r matches %d chains" % (f["id"], f["severity"],
                                                                         len(hit)))
                break

        # incremental: new findings at the band edges
        fake.mutate(new_findings=len(EDGE_SEVERITIES), severities=EDGE_SEVERITIES, seed=2)
        p = collect(fake, db, "--overlap", "0s")
        check(p.returncode == 0, "incremental collect exits 0: %s" % p.stderr[-800:])
        truth = fake.truth()
        check_store(db, truth, "incremental")
        check_complete(db, "incremental")
        tl = listings(fake)
        for region in REGIONS.split(","):
            calls = tl.get(region, [])
            since = [c for c in calls if "updatedAt" in c[0]]
            check(since and all("severity" not in c[0] for c in since),
                  "%s: the since-watermark listing is one chain (%d pages)" % (region, len(since)))
            missing = {tuple(sorted(c[0].get("severity", {}).items())) for c in calls
                       if c[0].get("service.archived") == {"equals": ["false"]}}
            check(sorted(missing) == want_keys, "%s: the missing-id listing is the three "
                  "chains: %s" % (region, sorted(missing)))


def check_failed_chain(tmp):
    with gdtest.FakeAws(["--scenario", "small", "--findings-per-region", "1000"]) as fake:
        fake.faults(deny_band=["7@eu-west-1"])
        db = os.path.join(tmp, "fail.db")
        p = collect(fake, db)
        check(p.returncode == 3, "a denied chain: exit 3, as a denied listing (got %d): %s" % (
            p.returncode, p.stderr[-500:]))
        got = {r[0]: r[1:] for r in gdtest.sqlite_query(
            db, "SELECT region, state, error_code, message FROM run_regions")}
        eu = got.get("eu-west-1")
        check(eu is not None and eu[0] == "access_denied" and eu[1] == "AccessDeniedException"
              and "ListFindings" in (eu[2] or ""),
              "eu-west-1: the chain's failure is the region's: %s" % (eu,))
        check(got.get("us-east-1", ("",))[0] == "collected", "us-east-1 collected: %s" % got)
        wm = gdtest.sqlite_query(db, "SELECT region FROM region_sync")
        check(("eu-west-1",) not in wm, "eu-west-1: no watermark stored: %s" % wm)
        calls = listings(fake).get("eu-west-1", [])
        high = [c for c in calls if (c[0].get("severity") or {}).get("greaterThanOrEqual") == 7]
        check(len(high) >= 2, "eu-west-1: the High+Critical chain ran to its denied page (%d pages)"
              % len(high))
        fake.faults(reset=True)
        p = collect(fake, db)
        check(p.returncode == 0, "with the fault gone: exit 0: %s" % p.stderr[-500:])
        check_store(db, fake.truth(), "after the failed chain")


def check_throttled(tmp):
    with gdtest.FakeAws(["--scenario", "small", "--findings-per-region", "1000"]) as fake:
        fake.faults(throttle_rate=0.3, fault_ops=["ListFindings"], fault_seed=7)
        db = os.path.join(tmp, "throttle.db")
        p = collect(fake, db)
        check(p.returncode == 0, "throttled chains: exit 0: %s" % p.stderr[-500:])
        check_store(db, fake.truth(), "throttled chains")
        check_complete(db, "throttled chains")
        thr = gdtest.sqlite_query(db, "SELECT sum(throttles) FROM run_regions")[0][0]
        check(thr and thr > 0, "throttles are counted: %s" % thr)


def main():
    tmp = gdtest.tempdir("gdchains-")
    check_full_and_incremental(tmp)
    check_failed_chain(tmp)
    check_throttled(tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
