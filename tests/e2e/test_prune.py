# SPDX-License-Identifier: Apache-2.0
"""gdreport prune on a collected DB with old history added through sqlite3: the
dry run counts exactly what --yes deletes and changes nothing; --yes removes the
old runs (their regions, problems and usage rows by cascade) and the findings
not updated within --keep, keeps the newest successful run, a 'running' run and
everything recent; --vacuum needs --yes; --keep under 90 days is refused; --yes
respects the collect lock."""
import datetime
import fcntl
import os
import re
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

DAY_MS = 86400000
TABLES = ("runs", "run_regions", "run_problems", "usage_costs", "findings", "accounts",
          "members", "member_features", "detectors", "region_sync", "organization")


check = gdtest.check


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def counts(db):
    return {t: gdtest.sqlite_query(db, "SELECT count(*) FROM %s" % t)[0][0] for t in TABLES}


# Old runs added to the DB: (label, age in days, outcome, usage rows, problems).
# "e" is added after the second collect: a collect marks runs left 'running'
# as 'interrupted', so a 'running' row only exists next to a live (or dead
# and not yet followed) collect.
OLD_RUNS = [("a", 500, "ok", 5, 2), ("b", 450, "partial", 3, 0), ("c", 300, "ok", 2, 1),
            ("d", 600, "failed", 0, 0)]
RUNNING_RUN = [("e", 700, "running", 1, 0)]
ALL_RUNS = OLD_RUNS + RUNNING_RUN
# Old findings: (age in days of updatedAt, of createdAt, how many). The last
# kind was created long ago but updated recently (a finding that keeps
# recurring): its last update counts, so it stays.
OLD_FINDINGS = [(500, 501, 7), (420, 421, 2), (380, 381, 3), (10, 500, 2)]


def add_history(db, now_ms, runs, findings=True):
    """Adds runs (each with run_regions copied from the first run) and, with
    findings, OLD_FINDINGS (copies of collected findings with new ids).
    Returns {label: run_id} and {age: [finding ids]}."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA foreign_keys = ON")
    ids = {}
    with con:
        for label, age, outcome, n_usage, n_problems in runs:
            started = now_ms - age * DAY_MS
            ended = None if outcome == "running" else started + 60000
            cur = con.execute(
                "INSERT INTO runs (started_at, started_ms, ended_at, ended_ms, tool_version, outcome,"
                " caller_account_id, partition, regions_source) VALUES (?,?,?,?,?,?,?,?,?)",
                (iso(started), started, iso(ended) if ended else None, ended, "0.0.9", outcome,
                 "111111111111", "aws", "account:ListRegions"))
            rid = cur.lastrowid
            ids[label] = rid
            con.execute("INSERT INTO run_regions (run_id, region, state, message) SELECT ?, region,"
                        " state, message FROM run_regions WHERE run_id = 1", (rid,))
            for i in range(n_usage):
                con.execute("INSERT INTO usage_costs (run_id, region, kind, account_id, feature,"
                            " amount, unit, window_start_ms, window_end_ms) VALUES"
                            " (?, 'us-east-1', 'account', ?, '', '1.25', 'USD', ?, ?)",
                            (rid, "%012d" % (900000000000 + i), started - 30 * DAY_MS, started))
            for i in range(n_problems):
                con.execute("INSERT INTO run_problems (run_id, region, kind, subject, message)"
                            " VALUES (?, 'us-east-1', 'unprocessed_account', ?, 'old')",
                            (rid, "%012d" % (800000000000 + i)))
        src = con.execute("SELECT finding_id FROM findings ORDER BY finding_id LIMIT 1").fetchone()[0]
        old = {}
        n = 0
        for age, created_age, how_many in OLD_FINDINGS if findings else ():
            for _ in range(how_many):
                n += 1
                fid = "old%029d" % n
                upd = now_ms - age * DAY_MS
                created = now_ms - created_age * DAY_MS
                con.execute(
                    "INSERT INTO findings (finding_id, region, account_id, detector_id, type, severity,"
                    " title, resource_type, feature_name, created_at, updated_at,"
                    " created_ms, updated_ms, count, archived, first_run_id, last_run_id, raw_json)"
                    " SELECT ?, region, account_id, detector_id, type, severity, title,"
                    " resource_type, feature_name, ?, ?, ?, ?, count, archived, ?, ?, raw_json"
                    " FROM findings WHERE finding_id = ?",
                    (fid, iso(created), iso(upd), created, upd, ids["a"], ids["a"], src))
                old.setdefault(age, []).append(fid)
    con.close()
    return ids, old


def prune(env, db, *args):
    return gdtest.run_gdreport(["prune", "--db", db] + list(args), env, timeout=120)


def parse_summary(text):
    m = re.search(r"(\d+) runs, (\d+) findings and (\d+) usage rows older than (\S+)", text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)) if m else None


def copy_db(src, dst):
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()


def main():
    gdtest.gdreport_bin()
    tmp = gdtest.tempdir("gd-prune-")
    db = os.path.join(tmp, "gd.db")
    with gdtest.FakeAws(args=["--scenario", "small"]) as fake:
        env = gdtest.gd_env(fake)
        cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env)
        check(cp.returncode == 0, "first collect: %d %s" % (cp.returncode, cp.stderr[-1000:]))
        recent = gdtest.sqlite_query(db, "SELECT count(*) FROM findings")[0][0]
        ids, old = add_history(db, int(time.time() * 1000), OLD_RUNS)
        cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env)
        check(cp.returncode == 0, "second collect: %d %s" % (cp.returncode, cp.stderr[-1000:]))
        newest = gdtest.sqlite_query(db, "SELECT max(run_id) FROM runs")[0][0]
        check(newest > max(ids.values()), "the second collect is the newest run")
        ids.update(add_history(db, int(time.time() * 1000), RUNNING_RUN, findings=False)[0])
    gone_runs = {ids[x] for x in ("a", "b", "d")}
    gone_usage = sum(n for label, _, _, n, _ in ALL_RUNS if ids[label] in gone_runs)
    gone_findings = set(old[500] + old[420])
    before = counts(db)
    regions_per_run = gdtest.sqlite_query(db, "SELECT count(*) FROM run_regions WHERE run_id = 1")[0][0]
    check(regions_per_run > 0, "run 1 has run_regions")

    # Dry run (the default): the counts of exactly what --yes will delete; nothing changes.
    cutoff_dates = set()
    for days in (400,):
        for t in (time.time(), time.time() + 120):
            cutoff_dates.add(datetime.datetime.fromtimestamp(t - days * 86400, tz=datetime.timezone.utc)
                             .strftime("%Y-%m-%d"))
    dry = prune(env, db, "--keep", "400d")
    check(dry.returncode == 0, "dry run exit %d %s" % (dry.returncode, dry.stderr[-500:]))
    s = parse_summary(dry.stdout)
    check(s is not None and dry.stdout.startswith("would delete (dry run"), "dry-run summary: %r" % dry.stdout)
    check(s is not None and s[:3] == (len(gone_runs), len(gone_findings), gone_usage),
          "dry run counts %r, want runs %d findings %d usage %d" % (
              s, len(gone_runs), len(gone_findings), gone_usage))
    check(s is not None and s[3][:10] in cutoff_dates, "cutoff is 400 days ago: %r" % (s,))
    check(counts(db) == before, "dry run changes nothing: %r vs %r" % (counts(db), before))

    # Refusals: usage errors, nothing changes.
    for args, what in ((["--keep", "400d", "--vacuum"], "--vacuum needs --yes"),
                       (["--keep", "30d"], "under 90d"), (["--keep", "30d", "--yes"], "under 90d"),
                       (["--keep", "89d", "--yes"], "under 90d"), (["--keep", "12w", "--yes"], "under 90d"),
                       (["--keep", "soon", "--yes"], "not a duration")):
        cp = prune(env, db, *args)
        check(cp.returncode == 2 and what in cp.stderr,
              "prune %s: exit 2 with %r, got %d %r" % (" ".join(args), what, cp.returncode, cp.stderr[-300:]))
    check(counts(db) == before, "refused prunes change nothing")
    cp = prune(env, db, "--keep", "90d")
    check(cp.returncode == 0, "--keep 90d (GuardDuty's retention) is allowed: %d %s" % (
        cp.returncode, cp.stderr[-300:]))

    # --yes waits for no one: while a collect holds the lock it exits 1 and deletes nothing.
    with open(db + ".lock", "a+") as lk:
        fcntl.flock(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lk.seek(0)
        lk.truncate()
        lk.write("%d\n" % os.getpid())
        lk.flush()
        cp = prune(env, db, "--keep", "400d", "--yes")
        check(cp.returncode == 1 and "another collect is running (pid %d)" % os.getpid() in cp.stderr,
              "prune --yes under the collect lock: exit 1, got %d %r" % (cp.returncode, cp.stderr[-300:]))
        check(counts(db) == before, "a locked prune changes nothing")
        lk.seek(0)
        lk.truncate()
        fcntl.flock(lk, fcntl.LOCK_UN)

    # A copy where the recent runs and the 300-day one failed: the newest
    # successful run is then old run b (450 days), and it stays.
    db2 = os.path.join(tmp, "copy.db")
    copy_db(db, db2)
    con = sqlite3.connect(db2)
    with con:
        con.execute("UPDATE runs SET outcome = 'failed' WHERE run_id IN (1, ?, ?)",
                    (newest, ids["c"]))
    con.close()
    cp = prune(env, db2, "--keep", "400d", "--yes")
    s2 = parse_summary(cp.stdout)
    want_usage2 = sum(n for label, _, _, n, _ in ALL_RUNS if label in ("a", "d"))
    check(cp.returncode == 0 and s2 is not None and s2[:3] == (2, len(gone_findings), want_usage2),
          "newest successful run is old: deleted %r, want 2 runs" % (s2,))
    left2 = {r[0] for r in gdtest.sqlite_query(db2, "SELECT run_id FROM runs")}
    check(ids["b"] in left2 and ids["a"] not in left2, "the newest successful run (450 days old) stays")

    # The real prune.
    cp = prune(env, db, "--keep", "400d", "--yes")
    check(cp.returncode == 0, "prune --yes exit %d %s" % (cp.returncode, cp.stderr[-500:]))
    s = parse_summary(cp.stdout)
    check(cp.stdout.startswith("deleted: ") and s is not None and
          s[:3] == (len(gone_runs), len(gone_findings), gone_usage), "--yes summary %r" % cp.stdout)
    after = counts(db)
    left = {r[0] for r in gdtest.sqlite_query(db, "SELECT run_id FROM runs")}
    check(left == {1, ids["c"], ids["e"], newest},
          "runs left: %s, want the recent ones, the 300-day one and the 'running' one" % sorted(left))
    check(after["runs"] == before["runs"] - len(gone_runs), "runs deleted: exactly %d" % len(gone_runs))
    check(after["run_regions"] == before["run_regions"] - len(gone_runs) * regions_per_run,
          "run_regions of the deleted runs went with them, the rest stayed")
    check(gdtest.sqlite_query(db, "SELECT count(*) FROM run_regions WHERE run_id NOT IN "
                                  "(SELECT run_id FROM runs)")[0][0] == 0, "no orphaned run_regions")
    check(gdtest.sqlite_query(db, "SELECT count(*) FROM run_problems WHERE run_id = ?", (ids["a"],))
          == [(0,)] and after["run_problems"] == before["run_problems"] - 2, "run_problems of run a gone")
    check(after["usage_costs"] == before["usage_costs"] - gone_usage,
          "usage rows: exactly %d deleted (%d -> %d)" % (gone_usage, before["usage_costs"], after["usage_costs"]))
    check(gdtest.sqlite_query(db, "SELECT count(*) FROM usage_costs WHERE run_id = ?", (ids["c"],))
          == [(2,)], "the 300-day run keeps its usage rows")
    fids = {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}
    check(not (fids & gone_findings), "findings not updated for 400+ days are gone")
    check(set(old[380]) <= fids, "findings updated 380 days ago stay")
    check(set(old[10]) <= fids, "findings created 500 days ago but updated 10 days ago stay")
    check(after["findings"] == before["findings"] - len(gone_findings) and
          after["findings"] == recent + len(old[380]) + len(old[10]),
          "findings: exactly %d deleted" % len(gone_findings))
    for t in ("accounts", "members", "member_features", "detectors", "region_sync", "organization"):
        check(after[t] == before[t], "%s untouched" % t)
    check(gdtest.sqlite_query(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check ok")
    check(gdtest.sqlite_query(db, "PRAGMA foreign_key_check") == [], "foreign_key_check clean")

    # Still a usable DB: the report comes from the newest run.
    cp = gdtest.run_gdreport(["export", "--db", db, "--format", "json", "-o", "-"], env)
    check(cp.returncode == 0 and '"run_id": %d' % newest in cp.stdout, "export after prune")
    # Again with --vacuum: nothing left to delete, and the file is compacted.
    cp = prune(env, db, "--keep", "400d", "--yes", "--vacuum")
    s = parse_summary(cp.stdout)
    check(cp.returncode == 0 and s is not None and s[:3] == (0, 0, 0) and "vacuumed" in cp.stdout,
          "second prune --yes --vacuum: nothing more, vacuumed: %r" % cp.stdout)
    check(counts(db) == after, "second prune changes no rows")
    check(gdtest.sqlite_query(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check after vacuum")

    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
