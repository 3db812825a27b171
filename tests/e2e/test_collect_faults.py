# SPDX-License-Identifier: Apache-2.0
"""gdreport collect when things go wrong: an SCP denying GetUsageStatistics
(exit 0, cost "denied"), 15 % faults (throttling, 5xx, dropped connections,
truncated bodies: the data is still exact, exit 0), and a region whose every
call fails (exit 3, that region "failed" with code and request id, the rest
complete), and a region an SCP denies (access_denied: exit 3 as well, and
every output agrees)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402


check = gdtest.check


def regions_of_last_run(db):
    rows = gdtest.sqlite_query(
        db, "SELECT region, state, cost_state, cost_message, error_code, request_id, message, "
            "retries, throttles FROM run_regions WHERE run_id = (SELECT max(run_id) FROM runs)")
    return {r[0]: dict(zip(("region", "state", "cost", "cost_message", "code", "request_id",
                            "message", "retries", "throttles"), r)) for r in rows}


def findings_exact(db, truth, regions=None):
    want = {(f["id"], f["accountId"], f["region"], int(bool(f["archived"])), f["count"])
            for f in gdtest.collected_findings(truth)
            if regions is None or f["region"] in regions}
    got = set(gdtest.sqlite_query(db, "SELECT finding_id, account_id, region, archived, count "
                                      "FROM findings"))
    return got == want, len(got), len(want)


def scp_denied_usage(fake, tmp):
    db = os.path.join(tmp, "denied.db")
    fake.faults(reset=True, deny=["GetUsageStatistics"])
    cp = gdtest.run_gdreport(["collect", "--db", db], gdtest.gd_env(fake), timeout=240)
    check(cp.returncode == 0, "SCP-denied usage: exit %d (want 0): %s" % (cp.returncode,
                                                                          cp.stderr[-1500:]))
    truth = fake.truth(findings=False)
    regs = regions_of_last_run(db)
    collected = [r for r in regs.values() if truth["region_states"][r["region"]] == "collected"]
    check(collected and all(r["state"] == "collected" for r in collected),
          "denied usage leaves the regions collected")
    check(all(r["cost"] == "denied" for r in collected), "cost_state denied: %s" % [
        (r["region"], r["cost"]) for r in collected])
    check(all("not authorized" in (r["cost_message"] or "") for r in collected),
          "the denial message is kept")
    outcome = gdtest.sqlite_query(db, "SELECT outcome FROM runs")
    check(outcome == [("ok",)], "run outcome ok with denied cost: %s" % outcome)
    check("denied" in cp.stdout, "summary mentions denied cost")


def denied_org_and_regions(fake, tmp):
    """ListRegions, DescribeOrganization and ListAccounts denied: none is fatal;
    every partition region is tried and disabled ones are recorded as such."""
    db = os.path.join(tmp, "denied-org.db")
    fake.faults(reset=True, deny=["ListRegions", "DescribeOrganization", "ListAccounts"])
    cp = gdtest.run_gdreport(["collect", "--db", db, "--no-cost"], gdtest.gd_env(fake),
                             timeout=240)
    fake.faults(reset=True)
    check(cp.returncode == 0, "denied org/regions: exit %d: %s" % (cp.returncode,
                                                                   cp.stderr[-1500:]))
    truth = fake.truth()
    regs = regions_of_last_run(db)
    check({r: v["state"] for r, v in regs.items()} == truth["region_states"],
          "without ListRegions the states still equal the truth")
    src = gdtest.sqlite_query(db, "SELECT regions_source FROM runs")
    check(src == [("partition (ListRegions denied)",)], "regions_source: %s" % src)
    org = gdtest.sqlite_query(db, "SELECT state FROM organization")
    check(org == [("denied",)], "organization denied: %s" % org)
    check(all(v["cost"] == "skipped" for v in regs.values() if v["state"] == "collected"),
          "--no-cost records cost skipped")
    ok, got, want = findings_exact(db, truth)
    check(ok, "findings exact without Organizations (%d vs %d)" % (got, want))

    db2 = os.path.join(tmp, "explicit.db")
    cp = gdtest.run_gdreport(["collect", "--db", db2, "--regions", "us-east-1,af-south-1",
                              "--no-cost"], gdtest.gd_env(fake), timeout=240)
    check(cp.returncode == 0, "--regions: exit %d" % cp.returncode)
    regs = regions_of_last_run(db2)
    check({r: v["state"] for r, v in regs.items()} == {"us-east-1": "collected",
                                                        "af-south-1": "region_disabled"},
          "--regions collects exactly the listed regions: %s" % regs.keys())
    ok, got, want = findings_exact(db2, truth, regions={"us-east-1"})
    check(ok, "--regions us-east-1 findings exact (%d vs %d)" % (got, want))
    bad = gdtest.run_gdreport(["collect", "--db", db2, "--regions", "us_east;1"],
                              gdtest.gd_env(fake), timeout=60)
    check(bad.returncode == 2, "a bad --regions value is a usage error (%d)" % bad.returncode)


def faults_keep_data_exact(fake, tmp):
    db = os.path.join(tmp, "faults.db")
    fake.faults(reset=True, throttle_rate=0.05, error_rate=0.04, drop_rate=0.03,
                malformed_rate=0.03, fault_seed=7)
    fake.reset_stats()
    cp = gdtest.run_gdreport(["collect", "--db", db, "--parallel", "4"], gdtest.gd_env(fake),
                             timeout=400)
    stats = fake.stats()
    fake.faults(reset=True)
    check(cp.returncode == 0, "15%% faults: exit %d (want 0): %s" % (cp.returncode,
                                                                    cp.stderr[-2000:]))
    faults = stats.get("faults", {})
    check(sum(faults.values()) >= 20, "faults were injected: %s" % faults)
    truth = fake.truth()
    ok, got, want = findings_exact(db, truth)
    check(ok, "15%% faults: findings exact (%d stored, %d in the truth)" % (got, want))
    regs = regions_of_last_run(db)
    check({r: v["state"] for r, v in regs.items()} == truth["region_states"],
          "15% faults: region states equal the truth")
    check(sum(v["retries"] for v in regs.values()) > 0, "retries are counted per region")
    check(sum(v["throttles"] for v in regs.values()) > 0, "throttles are counted per region")
    usage = gdtest.sqlite_query(db, "SELECT count(*) FROM usage_costs WHERE kind = "
                                    "'account_feature'")
    want_usage = sum(len(f) for r, per in truth["usage"].items()
                     if truth["region_states"].get(r) == "collected" for f in per.values())
    check(usage[0][0] == want_usage, "15%% faults: usage rows %d == %d" % (usage[0][0], want_usage))


# GuardDuty calls made inside a region (counted in run_regions); STS and
# Organizations calls are global and are not.
REGIONAL_OPS = {"ListDetectors", "GetDetector", "DescribeOrganizationConfiguration", "ListMembers",
                "GetMemberDetectors", "ListFindings", "GetFindings", "GetAdministratorAccount",
                "GetUsageStatistics", "GetFindingsStatistics"}


def throttling_storm(fake, tmp):
    """40 % of calls throttled: slower, never failed; the data is exact."""
    db = os.path.join(tmp, "storm.db")
    fake.reset_stats()
    fake.faults(reset=True, throttle_rate=0.4, fault_seed=3)
    cp = gdtest.run_gdreport(["collect", "--db", db, "--regions", "us-east-1,eu-west-1",
                              "--no-cost"], gdtest.gd_env(fake), timeout=400)
    fake.faults(reset=True)
    check(cp.returncode == 0, "throttling storm: exit %d: %s" % (cp.returncode,
                                                                cp.stderr[-1500:]))
    regs = regions_of_last_run(db)
    check(all(v["state"] == "collected" for v in regs.values()), "storm: regions collected")
    # Every throttle the fake injected into a region's calls is counted in that
    # run's region rows: exact, whatever order the region's threads drew the
    # seeded faults in (a fixed threshold was timing-dependent).
    injected = sum(n for k, n in fake.stats()["faults_by_op"].items()
                   if k.split(":", 1)[0] == "throttle" and k.split(":", 1)[1] in REGIONAL_OPS)
    recorded = sum(v["throttles"] for v in regs.values())
    check(injected > 0, "storm: the fake injected throttles into regional calls")
    check(recorded == injected, "storm: throttles recorded %d == injected %d" % (recorded,
                                                                                injected))
    ok, got, want = findings_exact(db, fake.truth(), regions={"us-east-1", "eu-west-1"})
    check(ok, "storm: findings exact (%d vs %d)" % (got, want))

    # Throttled without end: the region budget stops it (never a hang).
    db2 = os.path.join(tmp, "budget.db")
    fake.faults(reset=True, throttle_rate=1.0, fault_ops=["ListDetectors"])
    cp = gdtest.run_gdreport(["collect", "--db", db2, "--regions", "us-east-1",
                              "--region-budget", "3s"], gdtest.gd_env(fake), timeout=120)
    fake.faults(reset=True)
    check(cp.returncode == 3, "budget exhausted: exit %d (want 3)" % cp.returncode)
    regs = regions_of_last_run(db2)
    check(regs.get("us-east-1", {}).get("state") == "failed" and
          regs["us-east-1"]["code"] == "RegionBudgetExhausted",
          "budget exhausted is recorded: %s" % regs.get("us-east-1"))


def oversized_findings(tmp):
    """A response cap under one GetFindings batch but over most findings: batches
    are split down to single ids, and a finding bigger than the cap is reported
    as finding_too_large, never silently dropped: its region is partial (exit 3)
    with the id in its message, and the next run without the cap stores it
    (issue 16: findings that could not be stored no longer count as success)."""
    db = os.path.join(tmp, "toobig.db")
    with gdtest.FakeAws(args=["--quiet", "--scenario", "small"]) as fake:
        env = gdtest.gd_env(fake, GDREPORT_MAX_RESPONSE_BYTES=30000)
        cp = gdtest.run_gdreport(["collect", "--db", db, "--no-cost"], env, timeout=240)
        check(cp.returncode == 3, "response cap: exit %d (want 3): %s" % (cp.returncode,
                                                                          cp.stderr[-1500:]))
        truth = fake.truth()
        want = {f["id"] for f in gdtest.collected_findings(truth)}
        stored = {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}
        big = {r[0] for r in gdtest.sqlite_query(
            db, "SELECT subject FROM run_problems WHERE kind = 'finding_too_large'")}
        check(big and stored | big == want and not stored & big,
              "every finding is stored or reported too large (%d stored, %d too large, %d true)"
              % (len(stored), len(big), len(want)))
        check(len(big) < 5, "only the oversized findings are reported: %d" % len(big))
        regs = regions_of_last_run(db)
        failed = {r: v for r, v in regs.items() if v["state"] == "failed"}
        check(failed and all(v["code"] == "FindingsNotStored" for v in failed.values()),
              "the region with an unstored finding is partial: %s" % failed)
        named = " ".join(v["message"] or "" for v in failed.values())
        check(all(i in named for i in big), "its message names the ids: %s" % named)
        cp = gdtest.run_gdreport(["collect", "--db", db, "--no-cost"], gdtest.gd_env(fake),
                                 timeout=240)
        check(cp.returncode == 0, "without the cap: exit %d" % cp.returncode)
        stored = {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}
        check(stored == want, "the next run fetched the unstored findings again (%d of %d)"
              % (len(stored & want), len(want)))


def failing_region(fake, tmp):
    db = os.path.join(tmp, "failregion.db")
    fake.faults(reset=True, fail_region=["eu-west-1"])
    cp = gdtest.run_gdreport(["collect", "--db", db], gdtest.gd_env(fake), timeout=400)
    fake.faults(reset=True)
    check(cp.returncode == 3, "failing region: exit %d (want 3): %s" % (cp.returncode,
                                                                       cp.stderr[-1500:]))
    truth = fake.truth()
    regs = regions_of_last_run(db)
    eu = regs.get("eu-west-1", {})
    check(eu.get("state") == "failed", "eu-west-1 failed: %s" % eu)
    check(eu.get("code") == "InternalServerErrorException" and eu.get("request_id"),
          "the failure keeps the error code and request id: %s" % eu)
    others = {r: s for r, s in truth["region_states"].items() if r != "eu-west-1"}
    check({r: v["state"] for r, v in regs.items() if r != "eu-west-1"} == others,
          "the other regions carry on")
    ok, got, want = findings_exact(db, truth, regions={r for r, s in others.items()
                                                       if s == "collected"})
    check(ok, "the other regions' findings are complete (%d vs %d)" % (got, want))
    outcome = gdtest.sqlite_query(db, "SELECT outcome FROM runs")
    check(outcome == [("partial",)], "run outcome partial: %s" % outcome)
    st = gdtest.run_gdreport(["status", "--db", db, "--json"], gdtest.gd_env(fake))
    doc = json.loads(st.stdout)
    failed = [r for r in doc["runs"][0]["regions"] if r["state"] == "failed"]
    check([r["region"] for r in failed] == ["eu-west-1"] and failed[0]["error_code"],
          "status --json shows the failed region with its code")


def access_denied_region(fake, tmp):
    """An IAM policy or SCP denies the role in one region: the region is
    access_denied, and every output agrees it makes the run partial
    (common/region_state.c): collect exits 3, the run is partial, status and
    the JSON report name the region."""
    db = os.path.join(tmp, "denyregion.db")
    fake.faults(reset=True, deny=["ListDetectors@eu-west-1"])
    cp = gdtest.run_gdreport(["collect", "--db", db], gdtest.gd_env(fake), timeout=400)
    fake.faults(reset=True)
    check(cp.returncode == 3, "access_denied region: exit %d (want 3): %s"
          % (cp.returncode, cp.stderr[-1500:]))
    regs = regions_of_last_run(db)
    check(regs.get("eu-west-1", {}).get("state") == "access_denied",
          "eu-west-1 access_denied: %s" % regs.get("eu-west-1"))
    outcome = gdtest.sqlite_query(db, "SELECT outcome FROM runs")
    check(outcome == [("partial",)], "run outcome partial: %s" % outcome)
    st = gdtest.run_gdreport(["status", "--db", db, "--json"], gdtest.gd_env(fake))
    doc = json.loads(st.stdout)
    eu = [r for r in doc["runs"][0]["regions"] if r["region"] == "eu-west-1"]
    check(eu and eu[0]["makes_run_partial"] is True and eu[0]["counts_as_collected"] is False,
          "status --json: access_denied makes the run partial: %s" % eu)
    out = os.path.join(tmp, "denyregion.json")
    ex = gdtest.run_gdreport(["export", "--db", db, "--format", "json", "-o", out],
                             gdtest.gd_env(fake))
    check(ex.returncode == 0, "export after a partial run: %d %s" % (ex.returncode, ex.stderr))
    if ex.returncode == 0:
        with open(out, encoding="utf-8") as fp:
            rep = json.load(fp)
        col = rep["collection"]
        check(col["partial"] is True and "eu-west-1" in col["failed_regions"],
              "the report agrees with collect: %s" % col)


def main():
    tmp = gdtest.tempdir("gd-collect-faults-")
    with gdtest.FakeAws(args=["--quiet"]) as fake:
        scp_denied_usage(fake, tmp)
        denied_org_and_regions(fake, tmp)
        faults_keep_data_exact(fake, tmp)
        throttling_storm(fake, tmp)
        failing_region(fake, tmp)
        access_denied_region(fake, tmp)
    oversized_findings(tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
