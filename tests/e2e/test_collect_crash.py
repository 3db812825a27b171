# SPDX-License-Identifier: Apache-2.0
"""Crash safety and the collect lock.

* A second collect while one runs exits 1 at once with "another collect is
  running (pid N)".
* kill -9 at random moments during collect (a bounded loop), then a re-run:
  the DB converges to the fake's truth, integrity_check is ok, and the killed
  runs are marked interrupted.
"""
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gdtest  # noqa: E402

KILLS = 6


check = gdtest.check


def start_collect(db, env, *extra):
    return subprocess.Popen([gdtest.gdreport_bin(), "collect", "--db", db, "-q"] + list(extra),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_for_lock(db, proc, limit=30.0):
    """Until the running collect has begun its run (a 'running' row exists)."""
    end = time.monotonic() + limit
    while time.monotonic() < end and proc.poll() is None:
        if os.path.exists(db):
            try:
                rows = gdtest.sqlite_query(db, "SELECT count(*) FROM runs WHERE outcome='running'")
                if rows[0][0]:
                    return True
            except Exception:
                pass
        time.sleep(0.05)
    return False


def exact(db, truth):
    want = {(f["id"], f["accountId"], f["region"], int(bool(f["archived"])), f["count"])
            for f in gdtest.collected_findings(truth)}
    got = set(gdtest.sqlite_query(db, "SELECT finding_id, account_id, region, archived, count "
                                      "FROM findings"))
    return got == want, len(got), len(want)


def lock_test(fake, tmp):
    db = os.path.join(tmp, "lock.db")
    env = gdtest.gd_env(fake)
    fake.faults(reset=True, latency_ms=30)
    first = start_collect(db, env)
    try:
        check(wait_for_lock(db, first), "the first collect started a run")
        second = gdtest.run_gdreport(["collect", "--db", db], env, timeout=60)
        check(second.returncode == 1, "second collect exit %d (want 1)" % second.returncode)
        check("another collect is running (pid %d)" % first.pid in second.stderr,
              "the message names the holder: %r" % second.stderr[-300:])
    finally:
        first.wait(timeout=300)
        fake.faults(reset=True)
    check(first.returncode == 0, "the first collect finished normally (%s)" % first.returncode)


def crash_loop(fake, tmp, rng, label, db):
    env = gdtest.gd_env(fake)
    fake.faults(reset=True, latency_ms=5)
    killed = 0
    for _ in range(KILLS):
        p = start_collect(db, env)
        wait_for_lock(db, p, limit=10)
        time.sleep(rng.uniform(0.0, 1.5))
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
            killed += 1
        p.wait(timeout=60)
    fake.faults(reset=True)
    # Runs the kills left 'running' (a process killed before it wrote its run
    # row leaves none: under load that can be every kill, so count rows, not
    # kills). The re-run must mark exactly these interrupted.
    outcome = "SELECT count(*) FROM runs WHERE outcome = '%s'"
    left_running = gdtest.sqlite_query(db, outcome % "running")[0][0] if os.path.exists(db) else 0
    inter_before = gdtest.sqlite_query(db, outcome % "interrupted")[0][0] if os.path.exists(db) else 0
    cp = gdtest.run_gdreport(["collect", "--db", db, "-q"], env, timeout=300)
    check(cp.returncode == 0, "%s: the re-run after the kills exits %d: %s" % (
        label, cp.returncode, cp.stderr[-1500:]))
    ok, got, want = exact(db, fake.truth())
    check(ok, "%s: converged to the truth after %d kills (%d stored, %d true)" % (
        label, killed, got, want))
    check(gdtest.sqlite_query(db, "PRAGMA integrity_check") == [("ok",)],
          "%s: integrity_check" % label)
    running = gdtest.sqlite_query(db, "SELECT count(*) FROM runs WHERE outcome = 'running'")
    check(running == [(0,)], "%s: no run is left 'running'" % label)
    inter = gdtest.sqlite_query(db, outcome % "interrupted")[0][0]
    check(inter == inter_before + left_running,
          "%s: killed runs are marked interrupted (%d = %d before + %d left running; %d kills)"
          % (label, inter, inter_before, left_running, killed))
    print("%s: %d kills, converged: %s" % (label, killed, ok))


def main():
    tmp = gdtest.tempdir("gd-collect-crash-")
    rng = random.Random(int(os.environ.get("GD_CRASH_SEED", "20261129")))
    with gdtest.FakeAws(args=["--quiet", "--scenario", "small"]) as fake:
        lock_test(fake, tmp)
        db = os.path.join(tmp, "crash.db")
        crash_loop(fake, tmp, rng, "first collect", db)
        fake.mutate(new_findings=30, update_counts=20, archive=10, unarchive=3, seed=9)
        crash_loop(fake, tmp, rng, "after changes", db)
    return gdtest.finish()


if __name__ == "__main__":
    sys.exit(main())
