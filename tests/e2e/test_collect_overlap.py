# SPDX-License-Identifier: Apache-2.0
"""The region's critical path (issue 13): the findings listing starts as soon as
ListDetectors named the detector, beside the detector set-up, and
GetFindingsStatistics is asked while the listing runs, not after it. Read from
the fake's request timeline (monotonic start and end of every signed request),
so no wall-clock threshold is asserted.

Part 1 (latency on every GuardDuty call): in each region a ListFindings request
starts before the set-up's last request (DescribeOrganizationConfiguration)
ends; no GetFindings starts before it ended (nothing is fetched or stored
before the detector row); GetFindingsStatistics starts before the listing's
last page ends; every finding is stored and the completeness check says
"complete".

Part 2 (the set-up fails while the listing runs): with GetDetector slowed and
DescribeOrganizationConfiguration denied in eu-west-1, the listing there runs
beside the set-up, yet the region ends access_denied with the set-up's message,
stores no finding, no detector and no usage, exactly as when the set-up ran
first; us-east-1 is collected in full."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check
REGIONS = "us-east-1,eu-west-1"
SETUP_OPS = ("GetDetector", "DescribeOrganizationConfiguration")


def timeline(fake):
    """-> {region: [(op, start, end)]} for GuardDuty's region calls."""
    out = {}
    for op, region, start, end, _crit in fake.get("/__fake/stats?timeline=1")["timeline"]:
        if region:
            out.setdefault(region, []).append((op, start, end))
    return out


def ops(calls, names):
    return [c for c in calls if c[0] in names]


def stored_by_region(db):
    rows = gdtest.sqlite_query(db, "SELECT region, count(*) FROM findings WHERE sample = 0 "
                                   "GROUP BY region")
    return dict(rows)


def truth_by_region(truth):
    want = {}
    for f in gdtest.collected_findings(truth):
        if not f["sample"]:
            want[f["region"]] = want.get(f["region"], 0) + 1
    return want


def check_overlap(tmp):
    # the longest severity chain (test_collect_chains) is ~15 ListFindings pages per
    # region at 60 ms, against a side chain of ~6 calls
    with gdtest.FakeAws(["--scenario", "small", "--findings-per-region", "2000",
                         "--latency-ms", "60"]) as fake:
        env = gdtest.gd_env(fake)
        db = os.path.join(tmp, "overlap.db")
        p = gdtest.run_gdreport(["collect", "--db", db, "--regions", REGIONS], env)
        check(p.returncode == 0, "collect exits 0: %s" % p.stderr[-500:])
        truth = fake.truth()
        want = truth_by_region(truth)
        check(stored_by_region(db) == want, "every finding stored per region: %s vs %s" % (
            stored_by_region(db), want))
        tl = timeline(fake)
        for region in REGIONS.split(","):
            calls = tl.get(region, [])
            setup = ops(calls, SETUP_OPS)
            lists = ops(calls, ("ListFindings",))
            gets = ops(calls, ("GetFindings",))
            stats = ops(calls, ("GetFindingsStatistics",))
            if not (setup and lists and gets and stats):
                check(False, "%s: set-up, listing, fetches and statistics all seen" % region)
                continue
            setup_end = max(c[2] for c in setup if c[2] is not None)
            first_list = min(c[1] for c in lists)
            check(first_list < setup_end,
                  "%s: the first ListFindings starts %.0f ms before the set-up's last request "
                  "ends" % (region, (setup_end - first_list) * 1000))
            first_get = min(c[1] for c in gets)
            check(first_get > setup_end, "%s: no GetFindings before the set-up is done "
                  "(first %.0f ms after it)" % (region, (first_get - setup_end) * 1000))
            last_list_end = max(c[2] for c in lists if c[2] is not None)
            check(min(c[1] for c in stats) < last_list_end,
                  "%s: GetFindingsStatistics is asked while the listing runs" % region)
            check(len(stats) == 1, "%s: one GetFindingsStatistics call" % region)
        rows = gdtest.sqlite_query(db, "SELECT region, message FROM run_problems WHERE "
                                       "kind = 'completeness' ORDER BY region")
        check([r[0] for r in rows] == sorted(REGIONS.split(",")) and
              all(r[1].startswith("complete: ") for r in rows),
              "completeness: complete in each region: %s" % rows)


def check_setup_failure(tmp):
    with gdtest.FakeAws(["--scenario", "small", "--findings-per-region", "600"]) as fake:
        # GetDetector takes 300 ms everywhere, long enough for eu-west-1's listing to
        # run before its organization configuration is refused
        fake.faults(latency_ms=300, fault_ops=["GetDetector"],
                    deny=["DescribeOrganizationConfiguration@eu-west-1"])
        env = gdtest.gd_env(fake)
        db = os.path.join(tmp, "setup-fail.db")
        p = gdtest.run_gdreport(["collect", "--db", db, "--regions", REGIONS], env)
        check(p.returncode == 3, "an access_denied region: exit 3 (got %d)" % p.returncode)
        rows = gdtest.sqlite_query(db, "SELECT region, state, error_code, message, "
                                       "findings_new, cost_state FROM run_regions")
        got = {r[0]: r[1:] for r in rows}
        eu = got.get("eu-west-1")
        check(eu is not None and eu[0] == "access_denied" and eu[1] == "AccessDeniedException"
              and "DescribeOrganizationConfiguration" in (eu[2] or ""),
              "eu-west-1: the set-up's failure is recorded: %s" % (eu,))
        check(eu is not None and eu[3] == 0 and eu[4] == "not_applicable",
              "eu-west-1: no finding new, cost not_applicable: %s" % (eu,))
        check(got.get("us-east-1", ("",))[0] == "collected", "us-east-1 collected")
        stored = stored_by_region(db)
        want = truth_by_region(fake.truth())
        check("eu-west-1" not in stored, "eu-west-1: no finding stored: %s" % stored)
        check(stored.get("us-east-1") == want.get("us-east-1"), "us-east-1: every finding")
        for table in ("detectors", "usage_costs", "members"):
            n = gdtest.sqlite_query(db, "SELECT count(*) FROM %s WHERE region = 'eu-west-1'"
                                    % table)[0][0]
            check(n == 0, "eu-west-1: no %s rows (%d)" % (table, n))
        calls = timeline(fake).get("eu-west-1", [])
        doc = ops(calls, ("DescribeOrganizationConfiguration",))
        lists = ops(calls, ("ListFindings",))
        check(doc and lists and min(c[1] for c in lists) < max(c[2] for c in doc),
              "eu-west-1: the listing ran beside the failing set-up")
        check(not ops(calls, ("GetFindings",)), "eu-west-1: no GetFindings sent")


def main():
    tmp = gdtest.tempdir("gdoverlap-")
    check_overlap(tmp)
    check_setup_failure(tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
