#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Issue 16 item 2: one failure taxonomy for collect (README "Exit codes").

  row                                          exit  runs.outcome
  disk full (RLIMIT_FSIZE at several sizes)      1   failed, never left "running"
  corrupt DB page                                1   failed (or refused at open)
  AWS-side failure of one region                 3   partial (the rest stored)
  everything collected                           0   ok

A run whose end could not be written at all (the disk stayed full) is exit 1
and `status` shows it as interrupted, not running. SIGXFSZ is ignored in the
child, so a write past the limit fails with EFBIG as on a full disk."""
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


def main():
    with gdtest.FakeAws(args=["--scenario", "small"]) as fake, \
            tempfile.TemporaryDirectory() as tmp:
        disk_full(fake, tmp)
        corrupt(fake, tmp)
        aws_side(fake, tmp)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
