#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Finding lifecycle end to end (schema/003): sample, archived (with the time
gdreport first saw it archived), expired (with expired_at, history kept).

Against the fake's `small` scenario (3 CreateSampleFindings-style samples per
region, ~15 % archived). Collect 1 (full); then the fake archives and
unarchives some findings and drops chosen ids as if GuardDuty's 90-day
retention had removed them (an unarchived one, an archived one, a sample);
collect 2 (incremental) and collect 3 (--full). The expected state of every
finding comes from the fake's truth and the ids this test chose, never from
report/. The export's totals must equal the truth computed without samples
and without the expired findings: nothing drifts upward."""
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402
import gdexport  # noqa: E402

check = gdtest.check


def rows(db):
    return {r[0]: {"archived": r[1], "sample": r[2], "archived_at": r[3], "expired_at": r[4],
                   "region": r[5]}
            for r in gdtest.sqlite_query(
                db, "SELECT finding_id, archived, sample, archived_at_ms, expired_at_ms, region "
                    "FROM findings")}


def collect(fake, db, *extra):
    t0 = int(time.time() * 1000) - 1000
    fake.reset_stats()
    # -vv: the debug log says which regions ran the expiry check
    cp = gdtest.run_gdreport(["collect", "--db", db, "-vv", "--overlap", "0s"] + list(extra),
                             gdtest.gd_env(fake), timeout=240)
    check(cp.returncode == 0, "collect %s exit %d: %s" % (extra, cp.returncode, cp.stderr[-1500:]))
    collect.expiry_lines = [ln for ln in cp.stderr.splitlines() if "expiry: " in ln]
    # the regions that listed their archived-only ids (for reconciliation and expiry)
    timeline = fake.get("/__fake/stats?timeline=1")["timeline"]
    collect.archived_listings = {
        region for op, region, _s, _e, crit in timeline
        if op == "ListFindings" and (crit or {}).get("service.archived") == {"equals": ["true"]}}
    return t0, int(time.time() * 1000) + 1000


def export_totals(fake, db, tmp, name):
    out = os.path.join(tmp, name)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    gdexport.run_export(gdtest.gd_env(fake), db, out, "json", now, check)
    return json.load(open(out, encoding="utf-8"))["totals"]


def check_totals(totals, truth, label):
    exp = gdtest.expected_counts(truth)
    check(sum(totals["active"].values()) == exp["active"] and totals["archived"] == exp["archived"],
          "%s: export totals active %d archived %d == truth without samples and expired "
          "(%d, %d)" % (label, sum(totals["active"].values()), totals["archived"],
                        exp["active"], exp["archived"]))


def main():
    tmp = gdtest.tempdir("gd-lifecycle-")
    db = os.path.join(tmp, "gd.db")
    try:
        with gdtest.FakeAws(args=["--scenario", "small"]) as fake:
            a1, b1 = collect(fake, db)
            # A region with no stored row has nothing to expire or reconcile:
            # the first collect skips both (its rows are checked below, and
            # collect 2 shows regions with rows still run them).
            check(collect.expiry_lines == [],
                  "collect 1: no expiry check in regions with no stored row: %s"
                  % collect.expiry_lines)
            # nor do they list their archived ids: the full listing names them
            check(collect.archived_listings == set(),
                  "collect 1: no archived-only listing in regions with no stored row: %s"
                  % sorted(collect.archived_listings))
            truth = fake.truth()
            want = {f["id"]: f for f in gdtest.collected_findings(truth)}
            got = rows(db)
            samples = {i for i, f in want.items() if f["sample"]}
            check(len(samples) == 6, "the fake serves 3 samples in each of 2 regions (%d)"
                  % len(samples))
            check({i for i, r in got.items() if r["sample"]} == samples,
                  "collect 1: exactly the samples are stored with sample = 1")
            archived1 = {i for i, f in want.items() if f["archived"]}
            # The first collect of a region cannot know when a finding was
            # archived: archived_at stays unknown (NULL) rather than "now".
            check(archived1 and all(got[i]["archived_at"] is None for i in archived1),
                  "collect 1: the %d findings archived before the first collect have no"
                  " archived_at" % len(archived1))
            check(all(r["archived_at"] is None for i, r in got.items() if i not in archived1),
                  "collect 1: no archived_at on unarchived findings")
            check(all(r["expired_at"] is None for r in got.values()), "collect 1: none expired")
            check_totals(export_totals(fake, db, tmp, "1.json"), truth, "collect 1")

            changes = fake.mutate(archive=4, unarchive=2, seed=7)
            newly_archived, unarchived = set(changes["archived"]), set(changes["unarchived"])
            untouched = sorted(i for i, f in want.items()
                               if i not in newly_archived | unarchived | samples)
            plain = [i for i in untouched if not want[i]["archived"]][:2]
            old_archived = [i for i in untouched if want[i]["archived"]][:1]
            gone = set(plain + old_archived + sorted(samples)[:1])
            dropped = fake.expire(ids=gone)["dropped"]
            check(set(dropped) == gone, "the fake dropped the %d chosen ids" % len(gone))

            a2, b2 = collect(fake, db)
            check(len(collect.expiry_lines) == 2,
                  "collect 2: both regions with stored rows ran the expiry check: %s"
                  % collect.expiry_lines)
            check(len(collect.archived_listings) == 2,
                  "collect 2: both regions with stored rows listed their archived ids: %s"
                  % sorted(collect.archived_listings))
            truth2 = fake.truth()
            got2 = rows(db)
            check(set(got2) == set(want), "collect 2: every finding is still stored (history kept)")
            check(all(got2[i]["expired_at"] is not None and a2 <= got2[i]["expired_at"] <= b2
                      for i in gone),
                  "collect 2: the %d dropped findings have expired_at in collect 2" % len(gone))
            check(all(r["expired_at"] is None for i, r in got2.items() if i not in gone),
                  "collect 2: nothing else is expired")
            check(all(got2[i]["archived"] == 1 and a2 <= got2[i]["archived_at"] <= b2
                      for i in newly_archived),
                  "collect 2: the %d newly archived findings have archived_at in collect 2"
                  % len(newly_archived))
            check(all(got2[i]["archived"] == 0 and got2[i]["archived_at"] is None
                      for i in unarchived), "collect 2: unarchived findings lost archived_at")
            keep = archived1 - unarchived
            check(all(got2[i]["archived_at"] == got[i]["archived_at"] for i in keep),
                  "collect 2: findings archived since collect 1 keep their first archived_at")
            check_totals(export_totals(fake, db, tmp, "2.json"), truth2, "collect 2")

            collect(fake, db, "--full")
            got3 = rows(db)
            check(all(got3[i]["expired_at"] == got2[i]["expired_at"] for i in gone),
                  "collect 3 (--full): expired findings stay expired with the same expired_at")
            check(sum(1 for r in got3.values() if r["expired_at"] is not None) == len(gone),
                  "collect 3: no other finding expired")
            check_totals(export_totals(fake, db, tmp, "3.json"), truth2, "collect 3")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
