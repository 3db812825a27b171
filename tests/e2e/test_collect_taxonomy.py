#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 item 2: one failure taxonomy for collect (README "Exit codes").

  row                                          exit  runs.outcome
  disk full (RLIMIT_FSIZE at several sizes)      1   failed, never left "running"
  corrupt DB page                                1   failed (or refused at open)
  AWS-side failure of one region                 3   partial (the rest stored)
  a write refused in one region, per table       1   failed, shown as a database error
  everything collected                           0   ok

A run whose end could not be written at all (the disk stayed full) is exit 1
and `status` shows it as interrupted, not running. SIGXFSZ is ignored in the
child, so a write past the limit fails with EFBIG as on a full disk.

A store failure is typed (issue 14 item 6, collector/region_call.h): the
region row and `status` (text and JSON) show it as a database error with no
AWS error code; the JSON report, built from the last good run, carries none
of it. The fake AWS code "StoreError" of earlier versions must appear
nowhere. A SQLite trigger refuses the writes of one region into one table at
a time, so every step's store path is covered (findings, members, detector,
watermark, usage, free-trial days, run problems) while the DB itself stays
writable for the run and region rows."""
import os
import resource
import signal
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

check = gdtest.check


def limited(nbytes):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


def collect(env, db, *extra, preexec=None):
    import subprocess
    return subprocess.run([gdtest.gdreport_bin(), "collect", "--db", db, "-q"] + list(extra),
                          env=env, timeout=300, capture_output=True, text=True, errors="replace",
                          preexec_fn=preexec)


def outcomes(db):
    import sqlite3
    try:
        return [r[0] for r in gdtest.sqlite_query(db, "SELECT outcome FROM runs ORDER BY run_id")]
    except sqlite3.Error:
        return []   # the schema itself could not be written


def status_json(env, db):
    import json
    cp = gdtest.run_gdreport(["status", "--db", db, "--json"], env)
    try:
        return json.loads(cp.stdout)
    except ValueError:
        return None


def disk_full(fake, tmp):
    env = gdtest.gd_env(fake)
    seed = os.path.join(tmp, "seed.db")
    cp = collect(env, seed, "--no-cost")
    check(cp.returncode == 0, "seed collect: exit 0 (%s)" % cp.stderr[-500:])
    size = os.path.getsize(seed)
    limits = [size + k * 4096 for k in (0, 2, 8, 32, 128)] + [65536, 200000]
    for limit in limits:
        db = os.path.join(tmp, "full-%d.db" % limit)
        if limit < size:
            db = os.path.join(tmp, "fresh-%d.db" % limit)
        else:
            with open(seed, "rb") as src, open(db, "wb") as dst:
                dst.write(src.read())
        cp = collect(env, db, "--full", preexec=limited(limit))
        label = "disk full at %d bytes" % limit
        print("%s: exit %d, outcomes %s, %s" % (label, cp.returncode, outcomes(db),
                                                cp.stderr.strip()[-200:]))
        check(cp.returncode in (0, 1), "%s: exit 0 or 1, never 3 (got %d: %s)" % (
            label, cp.returncode, cp.stderr.strip()[-300:]))
        if cp.returncode != 0:
            check(cp.stderr.strip() != "", "%s: an error line on stderr" % label)
        got = outcomes(db) if os.path.exists(db) else []
        check("partial" not in got[-1:], "%s: the run is not recorded as partial (%s)" % (label, got))
        if got and got[-1] == "running":
            st = status_json(env, db)
            last = st and st.get("runs") and st["runs"][0]
            check(last and last.get("outcome") == "interrupted",
                  "%s: a run row left running shows as interrupted in status (%s)" % (
                      label, last and last.get("outcome")))
            check(cp.returncode == 1, "%s: a run row left running is exit 1" % label)
        if cp.returncode == 1 and got:
            check(got[-1] in ("failed", "running"), "%s: exit 1 with outcome %s" % (label, got[-1]))


def corrupt(fake, tmp):
    env = gdtest.gd_env(fake)
    db = os.path.join(tmp, "corrupt.db")
    cp = collect(env, db, "--no-cost")
    check(cp.returncode == 0, "corrupt: seed collect exit 0")
    pages = gdtest.sqlite_query(db, "SELECT rootpage FROM sqlite_master WHERE name = 'findings'")
    page_size = gdtest.sqlite_query(db, "PRAGMA page_size")[0][0]
    with open(db, "r+b") as f:
        f.seek((pages[0][0] - 1) * page_size)
        f.write(b"\xff" * page_size)
    cp = collect(env, db, "--full", "--no-cost")
    check(cp.returncode == 1, "corrupt DB: exit 1 (got %d: %s)" % (cp.returncode,
                                                                  cp.stderr.strip()[-300:]))
    check("malformed" in cp.stderr or "corrupt" in cp.stderr,
          "corrupt DB: the message says so (%s)" % cp.stderr.strip()[-300:])


def aws_side(fake, tmp):
    env = gdtest.gd_env(fake)
    db = os.path.join(tmp, "aws.db")
    fake.faults(reset=True, fail_region=["eu-west-1"])
    cp = collect(env, db, "--no-cost")
    fake.faults(reset=True)
    check(cp.returncode == 3, "one region failing on the AWS side: exit 3 (got %d)" % cp.returncode)
    check(outcomes(db)[-1:] == ["partial"], "... outcome partial")
    cp = collect(env, db, "--no-cost")
    check(cp.returncode == 0 and outcomes(db)[-1:] == ["ok"], "a clean run: exit 0, ok")


STORE_REGION = "eu-west-1"
# table -> extra collect flags (usage and free-trial days need cost collection)
STORE_TABLES = [("findings", ["--no-cost"]), ("members", ["--no-cost"]),
                ("detectors", ["--no-cost"]), ("region_sync", ["--no-cost"]),
                ("usage_costs", []), ("free_trial_regions", []),
                ("run_problems", ["--no-cost"])]
INJECTED = "injected store failure"


def refuse_writes(db, table):
    """Every new row of STORE_REGION in table fails (its stored rows are removed
    first, so an unchanged finding is not skipped as already stored)."""
    import sqlite3
    con = sqlite3.connect(db)
    con.execute("DELETE FROM %s WHERE region = ?" % table, (STORE_REGION,))
    con.execute("CREATE TRIGGER refuse_%s BEFORE INSERT ON %s WHEN NEW.region = '%s' "
                "BEGIN SELECT RAISE(ABORT, '%s'); END" % (table, table, STORE_REGION, INJECTED))
    con.commit()
    con.close()


def last_run_rows(db):
    run = gdtest.sqlite_query(db, "SELECT run_id, outcome, message FROM runs "
                              "ORDER BY run_id DESC LIMIT 1")[0]
    regions = gdtest.sqlite_query(db, "SELECT region, state, message, error_code, cost_state "
                                  "FROM run_regions WHERE run_id = ?", (run[0],))
    return run, {r[0]: r[1:] for r in regions}


def store_failure(fake, tmp):
    import json
    env = gdtest.gd_env(fake)
    seed = os.path.join(tmp, "store-seed.db")
    cp = collect(env, seed)
    check(cp.returncode == 0, "store seed: exit 0 (%s)" % cp.stderr[-300:])
    seed_run, seed_regions = last_run_rows(seed)
    for table, extra in STORE_TABLES:
        label = "store failure in %s" % table
        db = os.path.join(tmp, "store-%s.db" % table)
        with open(seed, "rb") as src, open(db, "wb") as dst:
            dst.write(src.read())
        refuse_writes(db, table)
        cp = collect(env, db, "--full", *extra)
        check(cp.returncode == 1, "%s: exit 1 (got %d: %s)" % (label, cp.returncode,
                                                                 cp.stderr.strip()[-300:]))
        check("database error" in cp.stderr and INJECTED in cp.stderr,
              "%s: stderr names a database error: %s" % (label, cp.stderr.strip()[-300:]))
        run, regions = last_run_rows(db)
        check(run[1] == "failed" and INJECTED in (run[2] or ""),
              "%s: the run row is failed with the store's message: %s" % (label, run))
        row = regions.get(STORE_REGION)
        check(row is not None and row[0] == "failed" and row[2] is None and
              "database error" in (row[1] or "") and INJECTED in (row[1] or ""),
              "%s: the region row is failed, no error code, a database error: %s" % (label, row))
        others = {k: v[0] for k, v in regions.items() if k != STORE_REGION}
        want = {k: v[0] for k, v in seed_regions.items() if k != STORE_REGION}
        check(others and others == want,
              "%s: the other regions end as in a clean run: %s vs %s" % (label, others, want))
        dump = "\n".join(repr(r) for t in ("runs", "run_regions", "run_problems")
                         for r in gdtest.sqlite_query(db, "SELECT * FROM %s" % t))
        check("StoreError" not in dump, "%s: no StoreError anywhere in the DB" % label)
        st = gdtest.run_gdreport(["status", "--db", db], env)
        check(st.returncode == 0 and "database error" in st.stdout and
              "StoreError" not in st.stdout,
              "%s: status text shows a database error, no StoreError" % label)
        stj = status_json(env, db)
        reg = stj and [g for g in stj["runs"][0]["regions"] if g["region"] == STORE_REGION]
        check(reg and reg[0]["error_code"] is None and reg[0]["state"] == "failed" and
              "database error" in (reg[0]["message"] or ""),
              "%s: status --json: state failed, error_code null, a database error: %s" % (
                  label, reg))
        check(stj and "StoreError" not in json.dumps(stj), "%s: no StoreError in status --json"
              % label)
        out = os.path.join(tmp, "store-%s.json" % table)
        ex = gdtest.run_gdreport(["export", "--db", db, "--format", "json", "-o", out], env)
        check(ex.returncode == 0, "%s: export exit 0 (%s)" % (label, ex.stderr[-300:]))
        if ex.returncode == 0:
            # A failed run is not trustworthy: the report is built from the last
            # ok or partial run (store/report_query.c), so the failure never
            # reaches it, under any name.
            with open(out, encoding="utf-8") as f:
                text = f.read()
            doc = json.loads(text)
            check("StoreError" not in text and "database error" not in text,
                  "%s: the JSON report carries nothing of the failed run" % label)
            got = doc.get("collection") or {}
            check(got.get("run_id") == seed_run[0] and got.get("outcome") == "ok",
                  "%s: the JSON report is built from the last good run %d: %s" % (
                      label, seed_run[0], got))


def main():
    with gdtest.FakeAws(args=["--scenario", "small"]) as fake, \
            tempfile.TemporaryDirectory() as tmp:
        disk_full(fake, tmp)
        corrupt(fake, tmp)
        store_failure(fake, tmp)
        aws_side(fake, tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
