#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""What coverage and cost reporting needs from a collect, against the fake's
ground truth (computed by the fake, never by report/):

* free-trial days (GetRemainingFreeTrialDays, batches of <= 50 account ids):
  every (account, feature) the fake reports is stored for the run and region;
  a policy that denies the call in one region is recorded as 'denied' and the
  region is still collected (exit 0);
* organization accounts that are not GuardDuty members stay out of the
  region's members (and are known from Organizations);
* Runtime Monitoring on without any agent management: the member's
  additionalConfiguration is stored as AWS sent it;
* auto-enable settings per region (autoEnableOrganizationMembers
  NEW/ALL/NONE, each feature's autoEnable and Runtime Monitoring's
  agent-management autoEnable, stored with the detector feature)."""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check
DENIED_REGION = "eu-west-1"


def q(db, sql, params=()):
    return gdtest.sqlite_query(db, sql, params)


def check_trial(db, truth, regions):
    rows = q(db, "SELECT region, account_id, feature, days_left FROM free_trial_days "
                 "WHERE run_id = (SELECT max(run_id) FROM runs)")
    got = {}
    for region, acct, feat, days in rows:
        got.setdefault(region, {}).setdefault(acct, {})[feat] = days
    want = {r: truth["free_trial"][r] for r in regions}
    check(got == want, "free-trial days equal the fake's truth in %s (%d rows)" % (
        sorted(regions), len(rows)))
    n_accounts = sum(len(v) for v in want.values())
    check(n_accounts > 0, "the fake reports free-trial days (%d accounts)" % n_accounts)


def main():
    tmp = gdtest.tempdir("gd-org-coverage-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--scenario", "small", "--deny",
                                  "GetRemainingFreeTrialDays@" + DENIED_REGION]) as fake:
            env = gdtest.gd_env(fake)
            cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env, timeout=240)
            check(cp.returncode == 0, "collect with the free-trial call denied in %s exits 0 "
                  "(got %d): %s" % (DENIED_REGION, cp.returncode, cp.stderr[-1000:]))
            truth = fake.truth()
            stats = fake.stats()
        collected = sorted(r for r, s in truth["region_states"].items() if s == "collected")
        states = dict(q(db, "SELECT region, state FROM run_regions "
                            "WHERE run_id = (SELECT max(run_id) FROM runs)"))
        check(all(states.get(r) == "collected" for r in collected),
              "every data region is collected, %s included" % DENIED_REGION)
        trial_states = dict(q(db, "SELECT region, state FROM free_trial_regions "
                                  "WHERE run_id = (SELECT max(run_id) FROM runs)"))
        want_states = {r: ("denied" if r == DENIED_REGION else "collected") for r in collected}
        check(trial_states == want_states, "free-trial state per region %s == %s" % (
            trial_states, want_states))
        check_trial(db, truth, [r for r in collected if r != DENIED_REGION])
        msg = q(db, "SELECT message FROM free_trial_regions WHERE region = ?", (DENIED_REGION,))
        check(bool(msg and msg[0][0] and "GetRemainingFreeTrialDays" in msg[0][0]
                   and "not authorized" in msg[0][0]),
              "the denial is recorded with AWS's message: %s" % msg)
        n_members = {r: len(truth["members"][r]) + 1 for r in collected}   # + the admin
        calls = stats["by_region"]
        for r in collected:
            want_calls = -(-n_members[r] // 50)
            check(calls.get("GetRemainingFreeTrialDays@" + r, 0) >= want_calls,
                  "%s: GetRemainingFreeTrialDays asked in batches of <= 50 (%d accounts)" % (
                      r, n_members[r]))

        # Organization accounts that are not GuardDuty members.
        for r in collected:
            non = set(truth["non_member_accounts"][r])
            members = {a for (a,) in q(db, "SELECT account_id FROM members WHERE region = ?",
                                       (r,))}
            check(non and not non & members,
                  "%s: the %d non-member organization accounts are not members" % (r, len(non)))
            known = {a for (a,) in q(db, "SELECT account_id FROM accounts WHERE source = "
                                         "'organizations'")}
            check(non <= known, "%s: non-members are known from Organizations" % r)
        check(truth["non_member_accounts"][collected[0]] !=
              truth["non_member_accounts"][collected[1]],
              "one account is a member in one region only")

        # Runtime Monitoring without agent management, as stored.
        for r in collected:
            want = sorted(m["accountId"] for m in truth["members"][r]
                          if m["features"]["RUNTIME_MONITORING"] == "ENABLED" and not m["unprocessed"]
                          and all(v == "DISABLED" for v in m["runtimeAdditional"].values()))
            rows = q(db, "SELECT account_id, additional_json FROM member_features "
                         "WHERE region = ? AND feature = 'RUNTIME_MONITORING' AND status = 'ENABLED'",
                     (r,))
            got = sorted(a for a, js in rows
                         if js and all(c.get("status") == "DISABLED" for c in json.loads(js)))
            check(want and got == want, "%s: Runtime Monitoring on without agent management: %s"
                  % (r, got))

        # Auto-enable settings per region.
        for r in collected:
            cfg = truth["org_config"][r]
            got = q(db, "SELECT org_auto_enable_members FROM detectors WHERE region = ?", (r,))
            check(got == [(cfg["autoEnableOrganizationMembers"],)],
                  "%s: autoEnableOrganizationMembers %s" % (r, got))
            feats = dict(q(db, "SELECT feature, org_auto_enable FROM detector_features "
                               "WHERE region = ? AND org_auto_enable IS NOT NULL", (r,)))
            check(feats == cfg["features"], "%s: per-feature autoEnable %s == %s" % (
                r, feats, cfg["features"]))
            js = q(db, "SELECT additional_json FROM detector_features WHERE region = ? "
                       "AND feature = 'RUNTIME_MONITORING'", (r,))
            agents = {c["name"]: c.get("autoEnable") for c in json.loads(js[0][0])} if js else {}
            check(agents == cfg["runtimeAdditional"],
                  "%s: agent-management autoEnable kept with the detector's Runtime Monitoring "
                  "%s == %s" % (r, agents, cfg["runtimeAdditional"]))
        members_settings = {truth["org_config"][r]["autoEnableOrganizationMembers"]
                            for r in collected}
        check(len(members_settings) == len(collected), "auto-enable differs between regions")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
