# SPDX-License-Identifier: Apache-2.0
"""Incremental collect: after the fake changes (new findings, count updates,
archives, unarchives) a re-run stores the exact new truth, and the request
counts show that only the changed findings were fetched (GetFindings calls
proportional to the changes, not to the 1,500 findings).

The mutation rounds run with --overlap 0s: the fake's clock is this machine's,
and the default 10-minute safety overlap would (rightly) re-list every change
the test made minutes earlier."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402


check = gdtest.check


def stored(db):
    return {r[0]: r[1:] for r in gdtest.sqlite_query(
        db, "SELECT finding_id, account_id, region, archived, count, updated_ms FROM findings")}


def check_exact(db, truth, label):
    want = {f["id"]: (f["accountId"], f["region"], int(bool(f["archived"])), f["count"])
            for f in gdtest.collected_findings(truth)}
    got = {k: v[:4] for k, v in stored(db).items()}
    diff = [k for k in set(want) | set(got) if want.get(k) != got.get(k)]
    check(not diff, "%s: %d findings differ from the truth, e.g. %s" % (
        label, len(diff), [(k, want.get(k), got.get(k)) for k in diff[:3]]))


def last_run(db):
    return gdtest.sqlite_query(
        db, "SELECT sum(findings_listed), sum(findings_new), sum(findings_updated) FROM "
            "run_regions WHERE run_id = (SELECT max(run_id) FROM runs)")[0]


def collect(fake, db, *extra):
    fake.reset_stats()
    cp = gdtest.run_gdreport(["collect", "--db", db, "-q"] + list(extra), gdtest.gd_env(fake),
                             timeout=240)
    check(cp.returncode == 0, "collect %s exit %d: %s" % (extra, cp.returncode, cp.stderr[-1500:]))
    return fake.stats()["requests"]


def mutate_and_check(fake, db, spec, label):
    changes = fake.mutate(**spec)
    fetched_ids = set(changes["new"]) | set(changes["updated"]) | set(changes["unarchived"])
    regions = {f["region"] for f in gdtest.collected_findings(fake.truth())
               if f["id"] in fetched_ids | set(changes["archived"])}
    req = collect(fake, db, "--overlap", "0s")
    truth = fake.truth()
    check_exact(db, truth, label)
    new_ids = set(changes["new"])
    listed, new, updated = last_run(db)
    check(new == len(new_ids), "%s: findings_new %s == %d" % (label, new, len(new_ids)))
    check(updated >= len(changes["updated"]) + len(changes["archived"]),
          "%s: findings_updated %s counts the updates and archives" % (label, updated))
    # Every changed finding needs at most one GetFindings slot; a region's
    # batches may be split between the incremental listing and the archive
    # reconciliation, so allow two partial batches per region.
    bound = math.ceil(len(fetched_ids) / 50.0) + 2 * len(regions)
    got = req.get("GetFindings", 0)
    check(got <= bound, "%s: %d GetFindings calls for %d changed findings (bound %d)" % (
        label, got, len(fetched_ids), bound))
    total = len(gdtest.collected_findings(truth))
    check(got < total / 50.0, "%s: fewer GetFindings calls (%d) than a full sync (%d)" % (
        label, got, math.ceil(total / 50.0)))
    check(listed <= len(fetched_ids) + 2 * len(regions),
          "%s: the incremental listing returned %s ids for %d changes" % (
              label, listed, len(fetched_ids)))
    print("%s: %d changes (%d to fetch) -> %d GetFindings, %d ListFindings, listed %s" % (
        label, sum(len(v) for v in changes.values()), len(fetched_ids), got,
        req.get("ListFindings", 0), listed))


def main():
    tmp = gdtest.tempdir("gd-collect-incr-")
    db = os.path.join(tmp, "gd.db")
    with gdtest.FakeAws(args=["--quiet"]) as fake:
        req = collect(fake, db)
        truth = fake.truth()
        check_exact(db, truth, "first (full) run")
        total = len(gdtest.collected_findings(truth))
        check(req.get("GetFindings", 0) >= math.ceil(total / 50.0), "the first run fetched all")

        req = collect(fake, db)
        check(req.get("GetFindings", 0) <= 2 * 5, "an unchanged org costs few GetFindings: %s" %
              req.get("GetFindings"))
        check(last_run(db)[1] == 0, "nothing new on an unchanged re-run")

        mutate_and_check(fake, db, {"new_findings": 40, "update_counts": 25, "archive": 15,
                                    "unarchive": 0, "seed": 3}, "round 1")
        mutate_and_check(fake, db, {"new_findings": 7, "update_counts": 10, "archive": 5,
                                    "unarchive": 8, "seed": 4}, "round 2")
        mutate_and_check(fake, db, {"new_findings": 0, "update_counts": 0, "archive": 0,
                                    "unarchive": 6, "seed": 5}, "unarchive only")

        # --full re-lists and re-fetches everything and changes nothing.
        req = collect(fake, db, "--full")
        truth = fake.truth()
        check_exact(db, truth, "--full")
        check(req.get("GetFindings", 0) >= math.ceil(len(gdtest.collected_findings(truth)) / 50.0),
              "--full fetched every finding")
        listed, new, updated = last_run(db)
        check(new == 0 and updated == 0, "--full after incremental runs: %s new, %s updated" % (
            new, updated))
        full = gdtest.sqlite_query(db, "SELECT full_sync FROM runs ORDER BY run_id DESC LIMIT 1")
        check(full == [(1,)], "the run records full_sync")
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
