# SPDX-License-Identifier: Apache-2.0
"""The report's covering index findings_report and the first collect
(store/store_report_index.c).

* A first collect (no finding stored yet) builds findings_report once at the
  end ("built the report index" in its -v log), and the DB then holds exactly
  the migrations' definition (sqlite_schema text of a DB built from
  schema/NNN_*.sql).
* Its export is the same JSON as that of a collect that maintained the index
  row by row (a DB that already held a finding, removed afterwards), up to
  the collect's own timestamps.
* kill -9 during a first collect's load (after a run that stored no finding)
  leaves the DB without the index;
  exports while it loads and after the kill exit 0; the read-only export of
  the index-less DB is byte-identical to the export after a read-write open
  (gdreport prune, a dry run) has rebuilt the index; status exits 0; the next
  collect ends with the index and the fake's findings.
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check
NOW = "2026-12-07T00:00:00Z"
INDEX_SQL = "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'findings_report'"
# What differs between two collects of the same data: when they ran (and the
# cost window, which ends at the run's time: /costs/window).
RUN_TIMES = {"generated_at", "collected_at", "last_success_at", "age_hours", "stale"}


def index_sql(db):
    rows = gdtest.sqlite_query(db, INDEX_SQL)
    return rows[0][0] if rows else None


def has_id_index(db):
    """findings_id (schema/009): dropped for a first load like findings_report."""
    return bool(gdtest.sqlite_query(db, "SELECT 1 FROM sqlite_schema WHERE type = 'index'"
                                        " AND name = 'findings_id'"))


def migrations_index_sql(tmp):
    db = os.path.join(tmp, "migrations.db")
    gdtest.fixture_db(db, with_fixture=False)
    return index_sql(db)


def export_json(db, env, label):
    cp = gdtest.run_gdreport(["export", "--db", db, "--format", "json", "-o", "-", "--now", NOW,
                              "--findings"], env, timeout=300)
    check(cp.returncode == 0, "%s: export exit %d: %s" % (label, cp.returncode, cp.stderr[-800:]))
    return cp.stdout


def without_run_times(obj, path=""):
    if isinstance(obj, dict):
        return {k: without_run_times(v, path + "/" + k) for k, v in obj.items()
                if k not in RUN_TIMES and path + "/" + k != "/costs/window"}
    if isinstance(obj, list):
        return [without_run_times(v, path) for v in obj]
    return obj


def first_collect_matches_row_by_row(fake, tmp, want_sql):
    env = gdtest.gd_env(fake)
    first = os.path.join(tmp, "first.db")
    cp = gdtest.run_gdreport(["collect", "--db", first, "-v"], env, timeout=300)
    check(cp.returncode == 0, "first collect exit %d: %s" % (cp.returncode, cp.stderr[-800:]))
    check("built the report index" in cp.stderr, "the first collect built the index at its end")
    check(index_sql(first) == want_sql, "first collect: findings_report is the migrations' "
          "definition: %r" % index_sql(first))
    n = gdtest.sqlite_query(first, "SELECT count(*) FROM findings")[0][0]
    check(n > 500, "first collect stored the findings (%d)" % n)
    check(has_id_index(first), "first collect: findings_id built at its end")

    seeded = os.path.join(tmp, "seeded.db")
    gdtest.seed_one_finding(seeded)
    cp = gdtest.run_gdreport(["collect", "--db", seeded, "-v"], env, timeout=300)
    check(cp.returncode == 0, "seeded collect exit %d: %s" % (cp.returncode, cp.stderr[-800:]))
    check("built the report index" not in cp.stderr,
          "a collect into a DB with findings keeps the index (no build)")
    check(index_sql(seeded) == want_sql, "seeded collect: the index is the migrations'")
    con = sqlite3.connect(seeded)
    con.execute("DELETE FROM findings WHERE finding_id = 'seed'")
    con.commit()
    con.close()

    a = json.loads(export_json(first, env, "first"))
    b = json.loads(export_json(seeded, env, "seeded"))
    check(a["totals"] == b["totals"] and len(a["findings"]) == len(b["findings"]) > 0,
          "the two exports count the same findings")
    check(without_run_times(a) == without_run_times(b),
          "the first collect's export equals the row-by-row collect's (but run times)")


def start_collect(db, env):
    return subprocess.Popen([gdtest.gdreport_bin(), "collect", "--db", db, "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stored(db):
    try:
        return gdtest.sqlite_query(db, "SELECT count(*) FROM findings")[0][0]
    except sqlite3.Error:
        return 0


def killed_first_collect(fake, tmp, want_sql):
    """A first run in a region with no detector stores no finding, so the
    next collect is the first load (and the DB has a completed run for the
    exports)."""
    env = gdtest.gd_env(fake)
    db = os.path.join(tmp, "killed.db")
    cp = gdtest.run_gdreport(["collect", "--db", db, "-q", "--regions", "us-west-1"], env)
    check(cp.returncode == 0 and stored(db) == 0 and index_sql(db) == want_sql,
          "a collect of a region with no detector: %d, %d findings, %r"
          % (cp.returncode, stored(db), index_sql(db)))
    fake.faults(reset=True, latency_ms=100)
    p = start_collect(db, env)
    try:
        end = time.monotonic() + 120
        while time.monotonic() < end and p.poll() is None and stored(db) < 1:
            time.sleep(0.02)
        check(p.poll() is None and index_sql(db) is None and not has_id_index(db),
              "no findings_report, no findings_id while the first load runs (%d stored)"
              % stored(db))
        # An export (a WAL reader) started while the load runs; the collect
        # is killed at once, so the export overlaps the load or its end.
        export = subprocess.Popen([gdtest.gdreport_bin(), "export", "--db", db, "--format",
                                   "json", "-o", "-", "--now", NOW, "--findings"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(p.poll() is None, "the collect was still loading when killed (%d findings)"
              % stored(db))
        os.kill(p.pid, signal.SIGKILL)
        out, err = export.communicate(timeout=300)
        check(export.returncode == 0, "export during the first collect: exit %d: %s"
              % (export.returncode, err[-500:]))
        if export.returncode == 0:
            findings = json.loads(out)["findings"]
            check(0 <= len(findings) <= stored(db), "the export during the load reports "
                  "findings it could see (%d, %d stored)" % (len(findings), stored(db)))
    finally:
        p.wait(timeout=60)
        fake.faults(reset=True)
    n = stored(db)
    check(n > 0, "the killed collect stored some findings (%d)" % n)
    check(index_sql(db) is None, "the killed first collect left no findings_report")
    check(not has_id_index(db), "the killed first collect left no findings_id")
    ids = gdtest.sqlite_query(db, "SELECT count(*), count(DISTINCT finding_id) FROM findings")
    check(ids[0][0] == ids[0][1], "no finding id stored twice without the index: %r" % ids)

    st = gdtest.run_gdreport(["status", "--db", db], env, timeout=120)
    check(st.returncode == 0, "status on the index-less DB exits 0 (%d): %s"
          % (st.returncode, st.stderr[-500:]))
    check("integrity" not in (st.stdout + st.stderr).lower(),
          "status reports no integrity problem: %s" % st.stderr[-300:])
    check(gdtest.sqlite_query(db, "PRAGMA integrity_check") == [("ok",)], "integrity_check ok")

    without = export_json(db, env, "read-only export without the index")
    check(index_sql(db) is None, "a read-only export does not build the index")
    pr = gdtest.run_gdreport(["prune", "--db", db, "-q"], env, timeout=300)
    check(pr.returncode == 0, "prune (dry run) exit %d: %s" % (pr.returncode, pr.stderr[-500:]))
    check(index_sql(db) == want_sql, "a read-write open rebuilt findings_report: %r"
          % index_sql(db))
    check(has_id_index(db), "a read-write open rebuilt findings_id")
    with_index = export_json(db, env, "export with the rebuilt index")
    check(without == with_index and len(without) > 1000,
          "the index-less export is byte-identical to the export with the index")

    cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env, timeout=300)
    check(cp.returncode == 0, "the collect after the kill exit %d: %s"
          % (cp.returncode, cp.stderr[-800:]))
    check(index_sql(db) == want_sql, "after the next collect the index is the migrations'")
    want = {f["id"] for f in gdtest.collected_findings(fake.truth())}
    got = {r[0] for r in gdtest.sqlite_query(db, "SELECT finding_id FROM findings")}
    check(got == want, "the next collect stored the fake's findings (%d of %d)"
          % (len(got & want), len(want)))


def main():
    tmp = gdtest.tempdir("gd-report-index-")
    want_sql = migrations_index_sql(tmp)
    check(want_sql and want_sql.startswith("CREATE INDEX findings_report ON findings("),
          "the migrations define findings_report: %r" % want_sql)
    with gdtest.FakeAws(args=["--quiet", "--scenario", "default"]) as fake:
        first_collect_matches_row_by_row(fake, tmp, want_sql)
        killed_first_collect(fake, tmp, want_sql)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
